"""Certificates issued for a course in a year (§10), as the annual report counts them: valid ones only."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from engine.base.clock import UTC
from engine.certificates import register


def certificates_issued(session: Session, course_id: int, year: int) -> int:
    start, end = dt.datetime(year, 1, 1, tzinfo=UTC), dt.datetime(year + 1, 1, 1, tzinfo=UTC)
    return register.counts(session, start, end).get(course_id, 0)
