"""Web sessions the server can end: each user has a session generation; raising it ends all their sessions.

A session remembers the generation it was opened with; it is honoured only
while the user is active and the generation is unchanged. Logout,
deactivation and a password change raise the generation, so a copied cookie
stops working at once.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import NotAllowed
from engine.base.models import User
from engine.base.vocabulary import EventKind
from engine.proof import audit
from engine.registry import users
from engine.registry.roles import Actor

ENDED = "Your session has ended (you logged out, or your account or password changed). Log in again."


def generation(session: Session, login: str) -> int:
    found = session.scalar(select(User.session_generation).where(User.login == login))
    return found or 0


def actor(session: Session, login: str, opened_with: int | None) -> Actor:
    """The user of a session opened with generation ``opened_with``; ``NotAllowed`` if it has been ended."""
    if opened_with is None or generation(session, login) != opened_with:
        raise NotAllowed(ENDED, reason="session_ended")
    return users.actor_for(session, login)


def end(session: Session, login: str, by: str | None, reason: str) -> None:
    """End every session of ``login`` (an audit event says who and why)."""
    session.execute(update(User).where(User.login == login)
                    .values(session_generation=User.session_generation + 1))
    audit.append(session, [audit.NewEvent(EventKind.SESSIONS_ENDED, actor=by, data={"login": login, "reason": reason})],
                 clock.now())
