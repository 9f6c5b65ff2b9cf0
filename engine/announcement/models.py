"""The NMI directory and the record of invitation letters sent (12.1)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.base.models import Base


class Nmi(Base):
    """A national metrology institute of a COOMET member country, with the address invitations go to."""

    __tablename__ = "nmis"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(5), default="en")
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str | None] = mapped_column(String(100))


class Invitation(Base):
    """One invitation letter (12.1): which course, to which NMI at which address, by whom, when, which message."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    nmi_name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    message: Mapped[int] = mapped_column(ForeignKey("mail_outbox.id"))
    sent_by: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[dt.datetime]
