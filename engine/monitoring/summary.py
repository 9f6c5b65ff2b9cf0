"""A course's figures (9.1-9.3) and each participant's per-activity states (what §10 certificates read)."""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select, true
from sqlalchemy.orm import Session

from engine.monitoring import vocabulary
from engine.monitoring.models import Activity, Figures, MonitoringImport, Participant, Result
from engine.monitoring.period import Period

DONE = (vocabulary.COMPLETE, vocabulary.PASSED, vocabulary.FAILED)


@dataclass(frozen=True)
class ActivitySummary:
    name: str
    completed: int   # every completion state: complete, passed or failed
    passed: int
    failed: int
    incomplete: int
    viewed: int      # viewed (course participation report) but not completed
    views: int
    viewers: int
    median_minutes: float | None   # quiz "Time taken", where imported


@dataclass(frozen=True)
class ImportView:
    id: int
    kind: str
    filename: str
    sha256: str
    period: str
    rows: int
    added: int
    updated: int
    imported_at: dt.datetime
    imported_by: str | None


@dataclass(frozen=True)
class Summary:
    course_id: int
    period: str
    participants: int
    completed_course: int
    completion_rate: float | None
    median_days_to_complete: float | None
    activities: list[ActivitySummary]
    completions_by_month: dict[str, dict[str, int]]   # month -> activity -> completions
    views_by_period: list[tuple[str, str, int, int]]  # (period, activity, views, participants)
    imports: list[ImportView]

    def as_json(self) -> dict[str, Any]:
        return {"course_id": self.course_id, "period": self.period, "participants": self.participants,
                "completed_course": self.completed_course, "completion_rate": self.completion_rate,
                "median_days_to_complete": self.median_days_to_complete,
                "activities": [vars(a) for a in self.activities],
                "completions_by_month": self.completions_by_month,
                "views": [{"period": p, "activity": a, "views": v, "participants": n}
                          for p, a, v, n in self.views_by_period],
                "imports": len(self.imports)}


@dataclass(frozen=True)
class ActivityState:
    activity: str
    state: str
    at: dt.datetime | None
    grade: float | None
    import_id: int | None  # the import it came from; None: no report named it yet


@dataclass(frozen=True)
class ParticipantStates:
    """One participant's state in every activity of the course (missing activities: incomplete), for 10.1."""

    name: str
    email: str | None
    platform_id: str | None
    course_state: str | None
    course_completed_at: dt.datetime | None
    activities: list[ActivityState]

    @property
    def all_passed(self) -> bool:
        """10.1: every module completed and no test failed (a module viewed only does not count)."""
        return bool(self.activities) and all(a.state in (vocabulary.COMPLETE, vocabulary.PASSED)
                                             for a in self.activities)


def summary(session: Session, course_id: int, period: Period) -> Summary:
    """Counted in the database (GROUP BY), so its cost grows with activities and months, not with results."""
    activities = list(session.scalars(select(Activity).where(Activity.course_id == course_id)
                                      .order_by(Activity.position)))
    names = {a.id: a.name for a in activities}
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for aid, state, in_period, count in session.execute(_counts(course_id, period)):
        counts[aid][state if state not in DONE or in_period else vocabulary.INCOMPLETE] += count
    participants = session.scalar(
        _course_results(course_id, period, func.count(func.distinct(Result.participant_id))) if period.start
        else select(func.count()).select_from(Participant).where(Participant.course_id == course_id)) or 0
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for month, aid, count in session.execute(_months(session, course_id, period)):
        by_month[month][names[aid]] += count
    minutes: dict[int, list[float]] = defaultdict(list)
    for aid, seconds in session.execute(_done(course_id, period, Result.activity_id, Result.seconds)
                                        .where(Result.seconds.is_not(None))):
        minutes[aid].append(seconds / 60)
    views = _views(session, course_id, period)
    completed, days = _course_completion(session, course_id, period, len(activities))
    participants = max(participants, len(completed))
    return Summary(
        course_id, str(period), participants, len(completed),
        round(len(completed) / participants, 4) if participants else None,
        round(statistics.median(days), 1) if days else None,
        [ActivitySummary(a.name, sum(counts[a.id][s] for s in DONE), counts[a.id][vocabulary.PASSED],
                         counts[a.id][vocabulary.FAILED], counts[a.id][vocabulary.INCOMPLETE],
                         counts[a.id][vocabulary.VIEWED], sum(v for _, name, v, _ in views if name == a.name),
                         sum(n for _, name, _, n in views if name == a.name),
                         round(statistics.median(minutes[a.id]), 1) if minutes[a.id] else None)
         for a in activities],
        {month: dict(by_month[month]) for month in sorted(by_month)}, views, imports(session, course_id))


def _course_results(course_id: int, period: Period, *columns: Any) -> Select[Any]:
    """The course's results reported on since the period began (a participant counts from their export on)."""
    query = select(*(columns or (Result.participant_id,))).where(Result.course_id == course_id)
    return query.where(Result.period_to >= period.start) if period.start is not None else query


def _in_period(period: Period) -> ColumnElement[bool]:
    """A SQL condition: the result's date falls in the period (always true without one)."""
    conditions = []
    if period.start is not None:
        conditions.append(Result.at >= dt.datetime.combine(period.start, dt.time(), dt.UTC))
    if period.end is not None:
        conditions.append(Result.at < dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), dt.UTC))
    return and_(Result.at.is_not(None), *conditions) if conditions else true()


def _counts(course_id: int, period: Period) -> Select[Any]:
    in_period = case((_in_period(period), 1), else_=0)
    return (_course_results(course_id, period, Result.activity_id, Result.state, in_period, func.count())
            .group_by(Result.activity_id, Result.state, in_period))


def _done(course_id: int, period: Period, *columns: Any) -> Select[Any]:
    return _course_results(course_id, period, *columns).where(Result.state.in_(DONE), Result.at.is_not(None),
                                                              _in_period(period))


def _months(session: Session, course_id: int, period: Period) -> Select[Any]:
    if session.get_bind().dialect.name == "sqlite":
        month = func.strftime("%Y-%m", Result.at)
    else:
        month = func.to_char(Result.at, "YYYY-MM")
    return _done(course_id, period, month, Result.activity_id, func.count()).group_by(month, Result.activity_id)


def _course_completion(session: Session, course_id: int, period: Period,
                       activity_count: int) -> tuple[dict[int, dt.datetime | None], list[float]]:
    """{participant id: completed at} and the days each took (first activity done → course done).

    From the course completion report where imported; otherwise 10.1's rule: every activity complete or passed.
    """
    rows = session.execute(select(Participant.id, Participant.course_state, Participant.course_completed_at)
                           .where(Participant.course_id == course_id, Participant.course_import_id.is_not(None))).all()
    completed: dict[int, dt.datetime | None] = {}
    if rows:
        for pid, state, at in rows:
            if state in DONE and (period.start is None and period.end is None or period.holds(at)):
                completed[pid] = at
    else:
        completed = _derived_completion(session, course_id, period, activity_count)
    first_done = {pid: at for pid, at in session.execute(
        _done(course_id, Period(), Result.participant_id, func.min(Result.at)).group_by(Result.participant_id))
    } if completed else {}
    days = [(at - first_done[pid]).total_seconds() / 86400 for pid, at in completed.items()
            if at is not None and first_done.get(pid) is not None and at >= first_done[pid]]
    return completed, days


def _derived_completion(session: Session, course_id: int, period: Period,
                        activity_count: int) -> dict[int, dt.datetime | None]:
    if not activity_count:
        return {}
    good = (vocabulary.COMPLETE, vocabulary.PASSED)
    query = (_course_results(course_id, period, Result.participant_id, func.count(), func.max(Result.at))
             .where(Result.state.in_(good)).group_by(Result.participant_id)
             .having(func.count() == activity_count))
    return {pid: last for pid, _count, last in session.execute(query)
            if period.start is None and period.end is None or period.holds(last)}


def _views(session: Session, course_id: int, period: Period) -> list[tuple[str, str, int, int]]:
    query = (select(Figures.period_from, Figures.period_to, Activity.name, Figures.views, Figures.participants)
             .join(Activity, Activity.id == Figures.activity_id).where(Activity.course_id == course_id)
             .order_by(Figures.period_from, Activity.position))
    if period.start is not None:
        query = query.where(Figures.period_to >= period.start)
    if period.end is not None:
        query = query.where(Figures.period_from <= period.end)
    return [(f"{start}..{end}", name, views, users) for start, end, name, views, users in session.execute(query)]


def imports(session: Session, course_id: int) -> list[ImportView]:
    rows = session.scalars(select(MonitoringImport).where(MonitoringImport.course_id == course_id)
                           .order_by(MonitoringImport.id.desc()))
    return [ImportView(r.id, r.kind, r.filename, r.sha256, f"{r.period_from or ''}..{r.period_to}", r.rows, r.added,
                       r.updated, r.imported_at, r.imported_by) for r in rows]


def participant_states(session: Session, course_id: int, limit: int | None = None) -> list[ParticipantStates]:
    """Everyone (by name), or the first ``limit``; their results are read for them only."""
    activities = list(session.scalars(select(Activity).where(Activity.course_id == course_id)
                                      .order_by(Activity.position)))
    people = list(session.scalars(select(Participant).where(Participant.course_id == course_id)
                                  .order_by(Participant.name, Participant.id).limit(limit)))
    by_participant: dict[int, dict[int, ActivityState]] = defaultdict(dict)
    names = {a.id: a.name for a in activities}
    columns = select(Result.participant_id, Result.activity_id, Result.state, Result.at, Result.grade,
                     Result.import_id)
    ids = [p.id for p in people]
    chunks = [columns.where(Result.course_id == course_id)] if limit is None else [
        columns.where(Result.participant_id.in_(ids[start:start + 500])) for start in range(0, len(ids), 500)]
    for query in chunks:
        for pid, aid, state, at, grade, import_id in session.execute(query):
            by_participant[pid][aid] = ActivityState(names[aid], state, at, grade, import_id)
    return [ParticipantStates(p.name, p.email, p.platform_id, p.course_state, p.course_completed_at,
                              [by_participant[p.id].get(a.id) or ActivityState(a.name, vocabulary.INCOMPLETE, None,
                                                                               None, None)
                               for a in activities]) for p in people]
