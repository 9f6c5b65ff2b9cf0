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
from engine.base.errors import CourseFlowError, NotAllowed, NotFound, Refused
from engine.base.models import Csb, RoleGrant, User
from engine.base.vocabulary import EventKind
from engine.proof import audit
from engine.registry.roles import ROLES, Actor, parse_grant

ADMINISTRATOR = "sector_administrator"

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[+0-9 ()./-]{3,100}$")
MIN_PASSWORD = 8

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


def checked_grants(session: Session, texts: list[str], require_csb: bool = False) -> list[tuple[str, str | None]]:
    """Parse ``ROLE[:SCOPE]`` texts; scoped roles need a known CSB code (always, with ``require_csb``)."""
    codes = set(session.scalars(select(Csb.code)))
    grants = []
    for text in texts:
        try:
            role, scope = parse_grant(text)
        except ValueError as error:
            raise Refused("role_unknown", str(error), role=text) from None
        if scope is not None and not ROLES[role].scoped:
            raise Refused("role_not_scoped", f"the role {role} is not held per CSB; drop ':{scope}'", role=role)
        if scope is not None and scope not in codes:
            raise Refused("csb_unknown", f"unknown CSB {scope!r}; known CSBs: {', '.join(sorted(codes))}",
                          csb=scope)
        if scope is None and require_csb and ROLES[role].scoped:
            raise Refused("csb_required", f"the role {role} is held for one CSB: choose the CSB", role=role)
        grants.append((role, scope))
    return grants


@dataclass(frozen=True)
class Contact:
    """A person's name and contact details as an administrator keeps them (forms prefill from these)."""

    name: str
    email: str | None = None
    nmi: str | None = None
    phone: str | None = None


def checked_contact(contact: Contact) -> Contact:
    name = contact.name.strip()
    if not name:
        raise Refused("name_required", "enter the person's name")
    if len(name) > 200:
        raise Refused("name_too_long", "the name has at most 200 characters")
    email = (contact.email or "").strip() or None
    if email and not _EMAIL.match(email):
        raise Refused("email_invalid", f"{email!r} is not an e-mail address (name@example.org)", email=email)
    phone = (contact.phone or "").strip() or None
    if phone and not _PHONE.match(phone):
        raise Refused("phone_invalid", "enter a phone number: digits, spaces, + ( ) . / -")
    nmi = (contact.nmi or "").strip() or None
    if nmi and len(nmi) > 300:
        raise Refused("nmi_too_long", "the NMI has at most 300 characters")
    return Contact(name, email, nmi, phone)


def add_user(session: Session, login: str, grants: list[str], password: str | None, name: str | None = None,
             email: str | None = None, by: str | None = None, nmi: str | None = None, phone: str | None = None,
             require_csb: bool = False, temporary: bool = False) -> User:
    """Add a person; with ``temporary`` the password must be changed at the first login."""
    if not _LOGIN.match(login):
        raise Refused("login_invalid", f"{login!r} is not a valid login: use letters, digits and . _ @ - "
                      "(at most 100)", login=login)
    if session.scalars(select(User).where(User.login == login)).first() is not None:
        raise Refused("login_taken", f"a user {login!r} already exists", login=login)
    contact = checked_contact(Contact(name or login, email, nmi, phone))
    parsed = checked_grants(session, grants, require_csb)
    user = User(login=login, name=contact.name, email=contact.email, nmi=contact.nmi, phone=contact.phone,
                active=True, created_at=clock.now(), must_change_password=temporary and bool(password),
                password_hash=hash_password(password) if password else None,
                grants=[RoleGrant(role=role, scope=scope) for role, scope in parsed])
    session.add(user)
    session.flush()
    audit.append(session, [audit.NewEvent(EventKind.USER_ADDED, actor=by, data={
        "login": login, "name": user.name, "grants": [_grant_text(r, s) for r, s in parsed]})], clock.now())
    return user


def _grant_text(role: str, scope: str | None) -> str:
    return f"{role}:{scope}" if scope else role


def actor_for(session: Session, login: str) -> Actor:
    user = session.scalars(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound(f"There is no user {login!r}.", reason="no_user", login=login)
    if not user.active:
        raise NotAllowed(f"The user {login!r} is deactivated.", reason="user_deactivated", login=login)
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
class Grant:
    role: str
    scope: str | None

    @property
    def text(self) -> str:
        return _grant_text(self.role, self.scope)


@dataclass(frozen=True)
class UserView:
    login: str
    name: str
    email: str | None
    active: bool
    language: str
    grants: tuple[str, ...]
    nmi: str | None = None
    phone: str | None = None
    must_change_password: bool = False
    held: tuple[Grant, ...] = ()

    @classmethod
    def of(cls, u: User) -> UserView:
        held = tuple(sorted((Grant(g.role, g.scope) for g in u.grants), key=lambda g: (g.role, g.scope or "")))
        return cls(u.login, u.name, u.email, u.active, u.language, tuple(g.text for g in held), u.nmi, u.phone,
                   u.must_change_password, held)


def list_users(session: Session) -> list[UserView]:
    return [UserView.of(u) for u in session.scalars(select(User).order_by(User.login))]


def person(session: Session, login: str) -> UserView:
    return UserView.of(_user(session, login))


def _user(session: Session, login: str) -> User:
    user = session.scalars(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound(f"There is no user {login!r}.")
    return user


def grant(session: Session, login: str, text: str, by: str | None, require_csb: bool = False) -> Grant:
    user = _user(session, login)
    ((role, scope),) = checked_grants(session, [text], require_csb)
    if any(g.role == role and g.scope == scope for g in user.grants):
        raise Refused("already_held", f"{login} already holds {_grant_text(role, scope)}", login=login)
    user.grants.append(RoleGrant(role=role, scope=scope))
    session.flush()
    audit.append(session, [audit.NewEvent(EventKind.ROLE_GRANTED, actor=by, role=role, scope=scope,
                                          data={"login": login})], clock.now())
    return Grant(role, scope)


def revoke(session: Session, login: str, text: str, by: str | None) -> Grant:
    """Take a role away; nobody revokes their own administrator role, and one active administrator stays."""
    user = _user(session, login)
    try:
        role, scope = parse_grant(text)
    except ValueError as error:
        raise Refused("role_unknown", str(error), role=text) from None
    held = [g for g in user.grants if g.role == role and g.scope == scope]
    if not held:
        raise Refused("not_held", f"{login} does not hold {_grant_text(role, scope)}", login=login)
    if role == ADMINISTRATOR:
        if login == by:
            raise Refused("own_administrator", "you cannot revoke your own administrator role: "
                          "ask another sector administrator")
        _keep_an_administrator(session, user)
    user.grants.remove(held[0])
    session.flush()
    audit.append(session, [audit.NewEvent(EventKind.ROLE_REVOKED, actor=by, role=role, scope=scope,
                                          data={"login": login})], clock.now())
    return Grant(role, scope)


def _keep_an_administrator(session: Session, leaving: User) -> None:
    """Refuse a change that would leave no active sector administrator."""
    others = session.scalars(select(User.id).join(RoleGrant).where(
        RoleGrant.role == ADMINISTRATOR, User.active.is_(True), User.id != leaving.id).limit(1)).first()
    if others is None:
        raise Refused("last_administrator", f"{leaving.login} is the only active sector administrator: "
                      "make someone else an administrator first", login=leaving.login)


def set_active(session: Session, login: str, active: bool, by: str | None) -> None:
    user = _user(session, login)
    if user.active == active:
        return
    if not active and any(g.role == ADMINISTRATOR for g in user.grants):
        if login == by:
            raise Refused("own_deactivation", "you cannot deactivate yourself")
        _keep_an_administrator(session, user)
    user.active = active
    if not active:
        user.session_generation += 1  # a deactivated user's open sessions end at once
    session.flush()
    audit.append(session, [audit.NewEvent(EventKind.USER_ACTIVATED if active else EventKind.USER_DEACTIVATED, actor=by,
                                          data={"login": login})], clock.now())


def update_contact(session: Session, login: str, contact: Contact, by: str | None) -> tuple[str, ...]:
    """Change a person's name, e-mail, NMI and phone; return the fields that changed (audited)."""
    user = _user(session, login)
    new = checked_contact(contact)
    changed = {field: [getattr(user, field), getattr(new, field)] for field in ("name", "nmi", "email", "phone")
               if getattr(user, field) != getattr(new, field)}
    if not changed:
        return ()
    for field, (_, value) in changed.items():
        setattr(user, field, value)
    session.flush()
    audit.append(session, [audit.NewEvent(EventKind.PERSON_CHANGED, actor=by, data={"login": login, "changed": changed})],
                 clock.now())
    return tuple(changed)


def temporary_password() -> str:
    return secrets.token_urlsafe(9)


def reset_password(session: Session, login: str, by: str | None) -> str:
    """Give a person a new temporary password (returned once), to be changed at their next login."""
    user = _user(session, login)
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    session.flush()
    audit.append(session, [audit.NewEvent(EventKind.PASSWORD_RESET, actor=by, data={"login": login})], clock.now())
    return password


def change_password(session: Session, login: str, current: str, new: str) -> None:
    """The person replaces their password (a temporary one included), knowing the current one."""
    user = _user(session, login)
    if not check_password(user.password_hash, current):
        raise Refused("password_wrong", "the current password is not right")
    if len(new) < MIN_PASSWORD:
        raise Refused("password_short", f"the new password needs at least {MIN_PASSWORD} characters",
                      minimum=str(MIN_PASSWORD))
    if new == current:
        raise Refused("password_same", "choose a new password different from the current one")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.flush()
    audit.append(session, [audit.NewEvent(EventKind.PASSWORD_CHANGED, actor=login, data={"login": login})], clock.now())


def set_language(session: Session, login: str, language: str) -> None:
    if language not in ("en", "ru"):
        raise CourseFlowError(f"unknown language {language!r}: use en or ru", reason="language_unknown", language=language)
    _user(session, login).language = language
