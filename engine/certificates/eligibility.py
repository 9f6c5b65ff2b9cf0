"""Who may have a certificate (10.1), from the imported monitoring data, and why the others may not.

Eligible: every activity with completion tracking is complete and every graded activity (a test) is
passed — completed with a failing grade, or viewed only, is not enough ("module review without passing
the tests cannot be a confirmation of course completion"). An activity is tracked when a completion or
grades report named a state for it; it is graded when any participant has a pass, a fail or a grade in
it. Activities only ever seen in participation figures have no completion tracking and are left out.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from engine.certificates.models import VALID, Certificate
from engine.monitoring import vocabulary
from engine.monitoring.models import Activity, MonitoringImport, Participant, Result

FAILED, VIEWED_ONLY, NOT_PASSED, NOT_COMPLETED = "failed", "viewed only", "completed without a pass grade", \
    "not completed"
NO_TRACKING = "no activity with completion tracking has been imported yet (9.2)"
NO_EMAIL = "no e-mail address registered on the platform (10.3)"
REASONS = (FAILED, VIEWED_ONLY, NOT_PASSED, NOT_COMPLETED, NO_TRACKING, NO_EMAIL)
TRACKED = (vocabulary.INCOMPLETE, vocabulary.COMPLETE, vocabulary.PASSED, vocabulary.FAILED)
GRADED = (vocabulary.PASSED, vocabulary.FAILED)
Row = tuple[str, dt.datetime | None, float | None, int | None]  # state, at, grade, import id


@dataclass(frozen=True)
class Evidence:
    """One activity's state for one participant, and the import it came from (kept with the certificate)."""

    activity: str
    state: str
    at: dt.datetime | None
    graded: bool
    import_id: int | None
    import_sha256: str | None
    import_file: str | None

    def as_json(self) -> dict[str, Any]:
        return {"activity": self.activity, "state": self.state, "at": self.at.isoformat() if self.at else None,
                "graded": self.graded, "import_id": self.import_id, "import_sha256": self.import_sha256,
                "import_file": self.import_file}


@dataclass(frozen=True)
class Eligibility:
    participant_id: int
    name: str
    email: str | None
    eligible: bool
    reasons: tuple[str, ...]            # in English, e.g. "Module 3 test: failed"
    problems: tuple[tuple[str, str], ...]  # (activity or "", reason code of REASONS), for translated pages
    completed_on: dt.date | None
    evidence: tuple[Evidence, ...]
    certificate: str | None  # the number of the participant's valid certificate, if one was issued

    def as_json(self) -> dict[str, Any]:
        return {"participant_id": self.participant_id, "name": self.name, "email": self.email,
                "eligible": self.eligible, "reasons": list(self.reasons),
                "problems": [{"activity": a, "reason": r} for a, r in self.problems],
                "completed_on": self.completed_on.isoformat() if self.completed_on else None,
                "certificate": self.certificate, "evidence": [e.as_json() for e in self.evidence]}


def course_eligibility(session: Session, course_id: int, participant_ids: list[int] | None = None
                       ) -> list[Eligibility]:
    """Every participant of the course (or those named), by name, with the verdict and its reasons."""
    activities = list(session.scalars(select(Activity).where(Activity.course_id == course_id)
                                      .order_by(Activity.position)))
    tracked_ids, graded = _kinds(session, course_id)
    tracked = [a for a in activities if a.id in tracked_ids]
    states = _results(session, course_id, participant_ids)
    imports = {i.id: (i.sha256, i.filename) for i in session.scalars(
        select(MonitoringImport).where(MonitoringImport.course_id == course_id))}
    query = (select(Participant.id, Participant.key, Participant.name, Participant.email)
             .where(Participant.course_id == course_id).order_by(Participant.name, Participant.id))
    if participant_ids is not None:
        query = query.where(Participant.id.in_(participant_ids))
    issued = {key: number for key, number in session.execute(
        select(Certificate.participant_key, Certificate.number).where(Certificate.course_id == course_id,
                                                                     Certificate.status == VALID))}
    return [_judge(p, tracked, graded, states, imports, issued.get(p.key)) for p in session.execute(query)]


def _kinds(session: Session, course_id: int) -> tuple[set[int], set[int]]:
    """The ids of the course's tracked activities and of its graded ones, counted in the database."""
    tracked = func.max(case((Result.state.in_(TRACKED), 1), else_=0))
    graded = func.max(case((or_(Result.state.in_(GRADED), Result.grade.is_not(None)), 1), else_=0))
    rows = session.execute(select(Result.activity_id, tracked, graded).where(Result.course_id == course_id)
                           .group_by(Result.activity_id)).all()
    return {aid for aid, t, _g in rows if t}, {aid for aid, t, g in rows if t and g}


def _results(session: Session, course_id: int, participant_ids: list[int] | None) -> dict[int, dict[int, Row]]:
    """activity id -> participant id -> (state, at, grade, import id), for everyone or those named."""
    query = select(Result.participant_id, Result.activity_id, Result.state, Result.at, Result.grade,
                   Result.import_id).where(Result.course_id == course_id)
    if participant_ids is not None:
        query = query.where(Result.participant_id.in_(participant_ids))
    found: dict[int, dict[int, Row]] = defaultdict(dict)
    for pid, aid, state, at, grade, import_id in session.execute(query):
        found[aid][pid] = (state, at, grade, import_id)
    return found


def _judge(person: Any, tracked: list[Activity], graded: set[int], states: dict[int, dict[int, Row]],
           imports: dict[int, tuple[str, str]], certificate: str | None) -> Eligibility:
    evidence, problems = [], []
    for activity in tracked:
        state, at, _grade, import_id = states[activity.id].get(person.id, (vocabulary.INCOMPLETE, None, None, None))
        sha, filename = imports.get(import_id, (None, None)) if import_id is not None else (None, None)
        evidence.append(Evidence(activity.name, state, at, activity.id in graded, import_id, sha, filename))
        reason = _reason(state, activity.id in graded)
        if reason:
            problems.append((activity.name, reason))
    if not tracked:
        problems.append(("", NO_TRACKING))
    if not person.email:
        problems.append(("", NO_EMAIL))
    reasons = tuple(f"{activity}: {reason}" if activity else reason for activity, reason in problems)
    dates = [e.at for e in evidence if e.at is not None]
    return Eligibility(person.id, person.name, person.email, not problems, reasons, tuple(problems),
                       max(dates).date() if dates and not problems else None, tuple(evidence), certificate)


def _reason(state: str, graded: bool) -> str | None:
    """What keeps this activity from counting (10.1), or None when it counts."""
    if state == vocabulary.PASSED or (state == vocabulary.COMPLETE and not graded):
        return None
    return {vocabulary.FAILED: FAILED, vocabulary.VIEWED: VIEWED_ONLY, vocabulary.COMPLETE: NOT_PASSED
            }.get(state, NOT_COMPLETED)
