"""The verdict on the whole event log as an auditor reads it: what was checked, what was wrong and where, and when."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from engine.base.errors import CourseFlowError, Refused
from engine.base.models import Course, Event, Instance
from engine.proof.audit import Verdict

# Measured by bench/auditor.py: 0.25-0.46 ms per event on a loaded 2-core machine, so 50,000 events finish well
# inside gunicorn's 30 s worker timeout; a larger log is checked with `courseflow verify`.
DEFAULT_WEB_LIMIT = 50_000


@dataclass(frozen=True)
class LogProblem:
    reason: str
    seq: int | None  # the first event found wrong (None: a problem of the log as a whole)
    instance_id: str | None
    process_id: str | None
    course_id: int | None


@dataclass(frozen=True)
class LogCheck:
    ok: bool
    checked_at: dt.datetime
    instances: int
    events: int  # events checked (up to the first problem)
    total_events: int
    checkpoints: int
    problems: tuple[LogProblem, ...]


def report(session: Session, verdict: Verdict, checked_at: dt.datetime) -> LogCheck:
    """``verdict`` (what `courseflow verify` gives) with the instances counted and each problem placed."""
    instances = session.scalar(select(func.count(distinct(Event.instance_id)))) or 0
    total = session.scalar(select(func.count()).select_from(Event)) or 0
    problems = () if verdict.ok else (_placed(session, verdict),)
    return LogCheck(verdict.ok, checked_at, instances, verdict.events, total, verdict.checkpoints, problems)


def _placed(session: Session, verdict: Verdict) -> LogProblem:
    event = session.scalars(select(Event).where(Event.seq == verdict.bad_seq)).first() \
        if verdict.bad_seq is not None else None
    if event is None or event.instance_id is None:
        return LogProblem(verdict.reason, verdict.bad_seq, None, None, None)
    instance = session.get(Instance, event.instance_id)
    course_id = instance.course_id if instance is not None else None
    if course_id is None:
        course_id = session.scalar(select(Course.id).where(Course.instance_id == event.instance_id))
    return LogProblem(verdict.reason, verdict.bad_seq, event.instance_id, event.process_id, course_id)


def web_limit(env: Mapping[str, str]) -> int:
    """``COURSEFLOW_VERIFY_WEB_LIMIT``: the most events a check started from the web app takes (default 50,000)."""
    text = env.get("COURSEFLOW_VERIFY_WEB_LIMIT", "").strip()
    if not text:
        return DEFAULT_WEB_LIMIT
    if not text.isdigit():
        raise CourseFlowError(f"COURSEFLOW_VERIFY_WEB_LIMIT={text!r} must be a whole number of events")
    return int(text)


def refuse_if_too_big(session: Session, most: int) -> None:
    total = session.scalar(select(func.count()).select_from(Event)) or 0
    if total > most:
        raise Refused("log_too_big", f"The event log has {total} events, more than a check from the web app takes "
                      f"({most}); run 'courseflow verify' on the server.", events=str(total), limit=str(most))
