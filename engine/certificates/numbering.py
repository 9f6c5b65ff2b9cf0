"""Certificate numbers: sequential per year with neither gaps nor twins, even when several issue at once.

The year's counter row is locked (FOR UPDATE on PostgreSQL; SQLite's write transactions are serial) and
moved on in the issuing transaction, so a rolled-back issue gives its number back.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.certificates.models import CertificateCounter


def take(session: Session, year: int) -> int:
    """The next sequence number of ``year`` (1 for its first certificate)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(CertificateCounter).values(year=year, last=0).on_conflict_do_nothing())
    last = session.scalar(select(CertificateCounter.last).where(CertificateCounter.year == year).with_for_update())
    assert last is not None
    session.execute(update(CertificateCounter).where(CertificateCounter.year == year).values(last=last + 1))
    return last + 1
