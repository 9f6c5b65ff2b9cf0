"""Login throttling: too many failed logins for one account, or from one address, block further tries a while.

Keys are counted whether the login exists or not, so the throttle tells an
intruder nothing about which accounts exist. Addresses are kept only as a
salted hash.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.base.errors import NotAllowed
from engine.security.models import LoginThrottle

WINDOW = dt.timedelta(minutes=15)
BLOCK = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


class TooManyAttempts(NotAllowed):
    """Logins for this account or from this address are blocked for a while after repeated failures."""

    def __init__(self, message: str, retry_after: int = int(BLOCK.total_seconds()), **params: Any):
        super().__init__(message, reason="too_many_logins", **params)
        self.retry_after = retry_after  # seconds until the block ends (an HTTP Retry-After)


def keys(login: str, address: str | None) -> dict[str, int]:
    """{throttle key: failures allowed} for a login attempt."""
    found = {f"account:{login.strip().lower()[:150]}": ACCOUNT_LIMIT}
    if address:
        digest = hashlib.sha256(f"courseflow-login:{address}".encode()).hexdigest()[:32]
        found[f"address:{digest}"] = ADDRESS_LIMIT
    return found


def refuse_if_blocked(session: Session, limits: dict[str, int], now: dt.datetime) -> None:
    for key in limits:
        row = session.get(LoginThrottle, key)
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            seconds = max(1, math.ceil((row.blocked_until - now).total_seconds()))
            minutes = max(1, int((row.blocked_until - now).total_seconds() // 60) + 1)
            raise TooManyAttempts(f"Too many failed logins; try again in {minutes} minute(s).", seconds,
                                  minutes=minutes)


def record_failure(session: Session, limits: dict[str, int], now: dt.datetime) -> list[str]:
    """Count one failure against every key; return the keys that are now blocked."""
    blocked = []
    for key, limit in limits.items():
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = _insert(session, key, now)
        if row.window_start + WINDOW < now:
            row.failures, row.window_start, row.blocked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.blocked_until = now + BLOCK
            row.failures, row.window_start = 0, now
            blocked.append(key)
    session.flush()
    return blocked


def _insert(session: Session, key: str, now: dt.datetime) -> LoginThrottle:
    try:
        with session.begin_nested():
            row = LoginThrottle(key=key, failures=0, window_start=now, blocked_until=None)
            session.add(row)
        return row
    except IntegrityError:  # another failed login for the same key inserted it at the same moment
        return session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)  # type: ignore[return-value]


def clear(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
