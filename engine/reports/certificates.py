"""Certificates issued for a course in a year (§10), read without depending on the certificates module.

Until the §10 tables exist the count is 0; the query names only ``course_id`` and ``issued_at``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.base.clock import UTC

TABLE = "certificates"


def certificates_issued(session: Session, course_id: int, year: int) -> int:
    connection = session.connection()
    if not inspect(connection).has_table(TABLE):
        return 0
    start, end = dt.datetime(year, 1, 1, tzinfo=UTC), dt.datetime(year + 1, 1, 1, tzinfo=UTC)
    try:
        with connection.begin_nested():
            found = connection.execute(text(
                f"SELECT count(*) FROM {TABLE} WHERE course_id = :course AND issued_at >= :start AND issued_at < :end"),
                {"course": course_id, "start": start.replace(tzinfo=None), "end": end.replace(tzinfo=None)}).scalar()
    except SQLAlchemyError:  # the §10 table has other columns than expected: nothing to count yet
        return 0
    return int(found or 0)
