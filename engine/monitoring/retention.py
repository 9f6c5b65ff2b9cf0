"""Participants' personal data is kept for ``COURSEFLOW_MONITORING_RETENTION_DAYS`` after they were last reported."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.base.errors import CourseFlowError
from engine.monitoring.models import Participant, Result

DEFAULT_DAYS = 1095  # three annual TC 4 reports (9.3)


def retention_days(env: Mapping[str, str] | None = None) -> int:
    text = (os.environ if env is None else env).get("COURSEFLOW_MONITORING_RETENTION_DAYS", "")
    if not text.strip():
        return DEFAULT_DAYS
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise CourseFlowError(f"COURSEFLOW_MONITORING_RETENTION_DAYS={text!r} must be a whole number of days, "
                              "at least 1.")
    return days


def purge(session: Session, now: dt.datetime, days: int) -> int:
    """Delete participants (and their results) last reported more than ``days`` ago; return how many."""
    expired = list(session.scalars(select(Participant.id).where(Participant.last_seen_at < now - dt.timedelta(days=days))))
    for start in range(0, len(expired), 500):
        chunk = expired[start:start + 500]
        session.execute(delete(Result).where(Result.participant_id.in_(chunk)))
        session.execute(delete(Participant).where(Participant.id.in_(chunk)))
    return len(expired)
