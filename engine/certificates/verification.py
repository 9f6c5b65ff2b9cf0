"""Public verification (10.3) by token or by the PDF's sha256, and revocation as a status with date, reason and who.

Verification says valid (holder, course, date), revoked or superseded (when, why, by which number), or
unknown — nothing more, so a token cannot be used to learn about others.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import CourseFlowError
from engine.certificates.issuing import token_hash, valid_certificate
from engine.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from engine.proof import audit

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    status: str  # valid | revoked | superseded | unknown
    number: str | None = None
    holder: str | None = None
    course: str | None = None
    course_ru: str | None = None
    completed_on: dt.date | None = None
    issued_on: dt.date | None = None
    revoked_on: dt.date | None = None
    reason: str | None = None
    superseded_by: str | None = None

    @property
    def valid(self) -> bool:
        return self.status == VALID

    def as_json(self) -> dict[str, Any]:
        return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in vars(self).items()}


def by_token(session: Session, token: str) -> Verification:
    if not token or len(token) > 200:
        return Verification(UNKNOWN)
    return _of(session.scalar(select(Certificate).where(Certificate.token_sha256 == token_hash(token))))


def by_pdf(session: Session, content: bytes) -> Verification:
    digest = hashlib.sha256(content).hexdigest()
    return _of(session.scalar(select(Certificate).where(Certificate.pdf_sha256 == digest)))


def _of(found: Certificate | None) -> Verification:
    if found is None:
        return Verification(UNKNOWN)
    return Verification(found.status, found.number, found.holder, found.course_name, found.course_name_ru,
                        found.completed_on, found.issued_at.date(),
                        found.revoked_at.date() if found.revoked_at and found.status != VALID else None,
                        found.revoke_reason if found.status == REVOKED else None, found.superseded_by)


def revoke(session: Session, number: str, reason: str, by: str) -> None:
    reason = " ".join((reason or "").split())
    if not reason:
        raise CourseFlowError("Say why the certificate is revoked: the reason is shown on its verification page.", reason="revoke_reason_required")
    found = valid_certificate(session, number)
    if found.status != VALID:
        raise CourseFlowError(f"Certificate {number} is {found.status} already.", reason="certificate_not_valid", number=number)
    now = clock.now()
    found.status, found.revoked_at, found.revoked_by, found.revoke_reason = REVOKED, now, by, reason[:1000]
    audit.append(session, [audit.NewEvent("certificate_revoked", actor=by, data={
        "number": number, "reason": found.revoke_reason})], now)


def supersedable(session: Session, number: str) -> Certificate:
    """The certificate a corrected one will replace: valid or revoked, not already superseded."""
    found = valid_certificate(session, number)
    if found.status == SUPERSEDED:
        raise CourseFlowError(f"Certificate {number} was replaced by {found.superseded_by} already.", reason="certificate_replaced", number=number, by=found.superseded_by)
    return found
