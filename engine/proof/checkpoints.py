"""Signed checkpoints: the chain head (and each instance's newest hash) signed with a key kept outside the database.

Anyone who may rewrite every row can recompute every hash of the event log;
they cannot forge an Ed25519 signature without the key file. A checkpoint
signs the head's seq and hash, the newest event hash of every instance (so a
course dossier can be checked on its own) and the previous checkpoint's
signature (so a checkpoint removed from the middle shows). ``verify`` checks
every checkpoint against the events as they are now.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.base.errors import CourseFlowError
from engine.base.models import Base, ChainHead, Event
from engine.proof import audit


class Checkpoint(Base):
    """One signed checkpoint (the body is the canonical JSON that was signed)."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))
    body_json: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(200))
    made_by: Mapped[str | None] = mapped_column(String(100))


@dataclass(frozen=True)
class CheckpointView:
    id: int
    at: dt.datetime
    seq: int
    hash: str
    key_id: str


# --- keys -------------------------------------------------------------------------------------------------------

def generate_key(path: Path) -> str:
    """Write a new private key file (mode 0600); return its key id. Refuses to overwrite a key."""
    if path.exists():
        raise CourseFlowError(f"{path} exists already; a checkpoint key is never overwritten.")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    return key_id(key.public_key())


def load_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(_read(path), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CourseFlowError(f"{path} is not an Ed25519 private key.")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """The public key from a private or a public key file (auditors need only the public one)."""
    data = _read(path)
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        return load_private(path).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise CourseFlowError(f"{path} is not an Ed25519 key.")
    return key


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CourseFlowError(f"Cannot read the checkpoint key {path}: {error.strerror}. "
                              f"Set COURSEFLOW_CHECKPOINT_KEY to the key file.") from None


# --- making and checking -----------------------------------------------------------------------------------------

def make(session: Session, key: Ed25519PrivateKey, at: dt.datetime, by: str | None) -> CheckpointView:
    """Sign the chain as it is now (the caller's write transaction holds the chain head lock)."""
    audit.lock_head(session)
    head = session.get(ChainHead, 1)
    if head is None:
        raise CourseFlowError(audit.HEAD_MISSING)
    last = session.scalars(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1)).first()
    body = {"seq": head.seq, "hash": head.hash, "at": at.isoformat(), "instances": instance_heads(session, head.seq),
            "previous_signature": last.signature if last else None}
    text = audit.canonical(body)
    signature = base64.b64encode(key.sign(text.encode())).decode()
    row = Checkpoint(at=at, seq=head.seq, hash=head.hash, key_id=key_id(key.public_key()), body_json=text,
                     signature=signature, made_by=by)
    session.add(row)
    session.flush()
    return CheckpointView(row.id, at, row.seq, row.hash, row.key_id)


def instance_heads(session: Session, up_to: int) -> dict[str, str]:
    """{instance id: hash of its newest event up to seq ``up_to``}."""
    newest = (select(Event.instance_id, func.max(Event.seq).label("seq"))
              .where(Event.instance_id.is_not(None), Event.seq <= up_to).group_by(Event.instance_id).subquery())
    rows = session.execute(select(Event.instance_id, Event.hash).join(
        newest, (Event.instance_id == newest.c.instance_id) & (Event.seq == newest.c.seq)))
    return {instance_id: hash_ for instance_id, hash_ in rows if instance_id is not None}


def signed_body(text: str, signature: str, key: Ed25519PublicKey) -> dict[str, Any] | None:
    """The checkpoint's body if ``signature`` over it is valid under ``key``, else ``None``."""
    try:
        key.verify(base64.b64decode(signature), text.encode())
    except (InvalidSignature, ValueError):
        return None
    return cast(dict[str, Any], json.loads(text))


def verify(session: Session, key: Ed25519PublicKey) -> tuple[int, str | None]:
    """(checkpoints checked, the first problem or ``None``): each is validly signed, chained, and matches the log."""
    previous, count = None, 0
    for row in session.scalars(select(Checkpoint).order_by(Checkpoint.id)):
        count += 1
        body = signed_body(row.body_json, row.signature, key)
        if body is None:
            return count, f"checkpoint {row.id} is not validly signed by key {key_id(key)}"
        if body["previous_signature"] != previous:
            return count, f"checkpoint {row.id} does not follow the one before it (a checkpoint was removed)"
        if body["seq"] != row.seq or body["hash"] != row.hash:
            return count, f"checkpoint {row.id}'s row was edited"
        stored = session.scalar(select(Event.hash).where(Event.seq == body["seq"]))
        if body["seq"] and stored != body["hash"]:
            return count, (f"event {body['seq']} no longer has the hash signed at {body['at']}: the log was "
                           f"rewritten (hashes recomputed) since")
        previous = row.signature
    return count, None


def for_dossier(session: Session, instance_ids: set[str]) -> list[dict[str, Any]]:
    """The checkpoints that cover any of ``instance_ids``, as signed (the dossier's verifier needs the whole body)."""
    rows = session.scalars(select(Checkpoint).order_by(Checkpoint.id))
    return [{"body_json": row.body_json, "signature": row.signature, "key_id": row.key_id}
            for row in rows if instance_ids & set(json.loads(row.body_json)["instances"])]
