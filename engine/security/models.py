"""Tables of the security area: failed-login counters per account and per address."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from engine.base.models import Base


class LoginThrottle(Base):
    """Failed logins for one key ("account:<login>" or "address:<hash>") in the current window."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int]
    window_start: Mapped[dt.datetime]
    blocked_until: Mapped[dt.datetime | None]
