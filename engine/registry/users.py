"""People, their role grants, and password hashing (stdlib scrypt)."""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import CourseFlowError, NotAllowed, NotFound
from engine.base.models import Csb, RoleGrant, User
from engine.proof import audit
from engine.registry.roles import ROLES, Actor, parse_grant

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")

# COOMET structural bodies named in COOMET documents; editable data once seeded.
DEFAULT_CSBS = [("JCMS", "JCMS", None)] + [(f"TC 1.{n}", f"TC 1.{n}", None) for n in range(1, 13)] + [
    ("TC 2", "TC 2", None), ("TC 3.1", "TC 3.1", None),
    ("TC 4", 'TC 4 "Information and Training"', 'ТК 4 "Информация и обучение"'),
    ("TC 5", "TC 5", None), ("QF", "Quality Forum", None),
    ("SC 4.1", "SC 4.1", None), ("SC 4.2", "SC 4.2", None), ("SC 4.3", "SC 4.3", None),
]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        _, n, r, p, salt, digest = stored.split("$")
        actual = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual.hex(), digest)


def seed_csbs(session: Session) -> None:
    if session.scalars(select(Csb).limit(1)).first() is None:
        session.add_all(Csb(code=code, name=name, name_ru=name_ru) for code, name, name_ru in DEFAULT_CSBS)


def checked_grants(session: Session, texts: list[str]) -> list[tuple[str, str | None]]:
    """Parse ``ROLE[:SCOPE]`` texts; scoped roles need a known CSB code, others no scope."""
    codes = set(session.scalars(select(Csb.code)))
    grants = []
    for text in texts:
        try:
            role, scope = parse_grant(text)
        except ValueError as error:
            raise CourseFlowError(str(error)) from None
        if scope is not None and not ROLES[role].scoped:
            raise CourseFlowError(f"the role {role} is not held per CSB; drop ':{scope}'")
        if scope is not None and scope not in codes:
            raise CourseFlowError(f"unknown CSB {scope!r}; known CSBs: {', '.join(sorted(codes))}")
        grants.append((role, scope))
    return grants


def add_user(session: Session, login: str, grants: list[str], password: str | None, name: str | None = None,
             email: str | None = None, by: str | None = None) -> User:
    if not _LOGIN.match(login):
        raise CourseFlowError(f"{login!r} is not a valid login: use letters, digits and . _ @ - (at most 100)")
    if session.scalars(select(User).where(User.login == login)).first() is not None:
        raise CourseFlowError(f"a user {login!r} already exists")
    parsed = checked_grants(session, grants)
    user = User(login=login, name=name or login, email=email, active=True, created_at=clock.now(),
                password_hash=hash_password(password) if password else None,
                grants=[RoleGrant(role=role, scope=scope) for role, scope in parsed])
    session.add(user)
    session.flush()
    audit.append(session, [audit.NewEvent("user_added", actor=by, data={
        "login": login, "name": user.name, "grants": [_grant_text(r, s) for r, s in parsed]})], clock.now())
    return user


def _grant_text(role: str, scope: str | None) -> str:
    return f"{role}:{scope}" if scope else role


def actor_for(session: Session, login: str) -> Actor:
    user = session.scalars(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound(f"There is no user {login!r}.")
    if not user.active:
        raise NotAllowed(f"The user {login!r} is deactivated.")
    return Actor(login, frozenset((g.role, g.scope) for g in user.grants))


@functools.cache
def _stand_in_hash() -> str:
    """A hash checked for unknown logins, so they take as long to refuse as wrong passwords."""
    return hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, login: str, password: str) -> Actor | None:
    user = session.scalars(select(User).where(User.login == login)).first()
    stored = user.password_hash if user is not None and user.password_hash else _stand_in_hash()
    if not check_password(stored, password) or user is None or not user.active:
        return None
    return actor_for(session, login)


@dataclass(frozen=True)
class UserView:
    login: str
    name: str
    email: str | None
    active: bool
    language: str
    grants: tuple[str, ...]


def list_users(session: Session) -> list[UserView]:
    return [UserView(u.login, u.name, u.email, u.active, u.language,
                     tuple(sorted(_grant_text(g.role, g.scope) for g in u.grants)))
            for u in session.scalars(select(User).order_by(User.login))]


def _user(session: Session, login: str) -> User:
    user = session.scalars(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound(f"There is no user {login!r}.")
    return user


def grant(session: Session, login: str, text: str, by: str | None) -> None:
    user = _user(session, login)
    ((role, scope),) = checked_grants(session, [text])
    if any(g.role == role and g.scope == scope for g in user.grants):
        raise CourseFlowError(f"{login} already holds {_grant_text(role, scope)}")
    user.grants.append(RoleGrant(role=role, scope=scope))
    session.flush()
    audit.append(session, [audit.NewEvent("role_granted", actor=by, role=role, scope=scope,
                                          data={"login": login})], clock.now())


def revoke(session: Session, login: str, text: str, by: str | None) -> None:
    user = _user(session, login)
    role, scope = parse_grant(text)
    held = [g for g in user.grants if g.role == role and g.scope == scope]
    if not held:
        raise CourseFlowError(f"{login} does not hold {_grant_text(role, scope)}")
    user.grants.remove(held[0])
    session.flush()
    audit.append(session, [audit.NewEvent("role_revoked", actor=by, role=role, scope=scope,
                                          data={"login": login})], clock.now())


def set_active(session: Session, login: str, active: bool, by: str | None) -> None:
    user = _user(session, login)
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_generation += 1  # a deactivated user's open sessions end at once
    session.flush()
    audit.append(session, [audit.NewEvent("user_activated" if active else "user_deactivated", actor=by,
                                          data={"login": login})], clock.now())


def set_language(session: Session, login: str, language: str) -> None:
    if language not in ("en", "ru"):
        raise CourseFlowError(f"unknown language {language!r}: use en or ru")
    _user(session, login).language = language
