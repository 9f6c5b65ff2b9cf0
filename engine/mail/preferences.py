"""Each person's choice of how often to get mail: immediately, a daily digest, or off."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import CourseFlowError, NotFound
from engine.base.models import User
from engine.base.vocabulary import EventKind
from engine.mail.models import FREQUENCIES, IMMEDIATELY, MailPreference
from engine.proof import audit


def get(session: Session, login: str) -> str:
    return session.scalar(select(MailPreference.frequency).where(MailPreference.login == login)) or IMMEDIATELY


def set_(session: Session, login: str, frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise CourseFlowError(f"{frequency!r} is not a mail setting; choose one of {', '.join(FREQUENCIES)}", reason="mail_setting")
    if session.scalar(select(User.id).where(User.login == login)) is None:
        raise NotFound(f"There is no user {login!r}.", reason="no_user", login=login)
    now = clock.now()
    row = session.get(MailPreference, login)
    if row is None:
        session.add(MailPreference(login=login, frequency=frequency, updated_at=now))
    elif row.frequency != frequency:
        row.frequency, row.updated_at = frequency, now
    else:
        return
    audit.append(session, [audit.NewEvent(EventKind.MAIL_PREFERENCE_SET, actor=login, data={"frequency": frequency})], now)
