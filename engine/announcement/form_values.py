"""Form values prefilled from the registry's records rather than the process data: a form field marked
``"x-from-record": NAME`` gets the record's value for the task's course when the task is handed out (12.1)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.announcement.models import Invitation

FROM_RECORD = "x-from-record"


def invitations_sent_on(session: Session, course_id: int) -> str | None:
    """12.1: the day the invitation letters went to the NMIs (the last, once every NMI was invited), if any."""
    sent: dt.datetime | None = session.scalar(select(func.max(Invitation.sent_at))
                                              .where(Invitation.course_id == course_id))
    return sent.date().isoformat() if sent is not None else None


RECORDS: dict[str, Callable[[Session, int], Any]] = {"invitations_sent_on": invitations_sent_on}


def record_problem(schema: dict[str, Any]) -> str | None:
    """Why an ``x-from-record`` marker in ``schema`` names no record, or None (checked at deploy and form save)."""
    for key, prop in schema.get("properties", {}).items():
        marker = prop.get(FROM_RECORD) if isinstance(prop, dict) else None
        if marker is not None and marker not in RECORDS:
            return (f'field "{key}": x-from-record "{marker}" is not a record; use one of: '
                    f'{", ".join(sorted(RECORDS))}')
    return None


def prefill(session: Session, schema: dict[str, Any], course_id: int | None) -> dict[str, Any]:
    """{field: value} for the form's fields marked ``x-from-record`` whose record exists for the course."""
    values = {}
    for key, prop in schema.get("properties", {}).items():
        source = RECORDS.get(prop.get(FROM_RECORD, ""))
        if source is not None and course_id is not None and (value := source(session, course_id)) is not None:
            values[key] = value
    return values
