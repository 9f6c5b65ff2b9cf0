"""Starting the 11.2 quarterly analyses: once a calendar quarter has ended, one ``quarterly_analysis`` instance
per course in the catalogue, carrying that quarter's results beside the previous quarters'.

Bounded instances started by the engine's scheduled work on the engine clock — no cycle timer. The
``quarterly_analyses`` row (primary key: course, quarter) is written in the same transaction as the
instance, so two workers never start the same analysis twice.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.models import Course, Event
from engine.base.vocabulary import CATALOGUE_STATUSES, EventKind
from engine.definitions import deploy
from engine.definitions.cache import DefinitionCache
from engine.instances import runtime
from engine.registry.roles import Actor
from engine.satisfaction import answers as answers_
from engine.satisfaction.models import QuarterlyAnalysis
from engine.satisfaction.quarters import Period, Quarter
from engine.satisfaction.results import aggregate, criteria_of

PROCESS = "quarterly_analysis"
SCHEDULER = Actor("courseflow", frozenset({("sector_administrator", None)}))  # the engine's scheduled work
TREND_QUARTERS = 4  # the quarter analysed and the three before it


def due(session: Session, now: dt.datetime) -> list[tuple[int, Quarter]]:
    """(course id, quarter) of every analysis due now and not yet started: the quarter that ended last, for
    each course in the catalogue that was published before it ended. Nothing when the process is not deployed."""
    if deploy.latest_definition(session, PROCESS) is None:
        return []
    quarter = Quarter.of(now).previous()
    started = select(QuarterlyAnalysis.course_id).where(QuarterlyAnalysis.quarter == quarter.label)
    courses = session.scalars(select(Course.id).where(
        Course.status.in_(CATALOGUE_STATUSES), Course.published_at < quarter.end, Course.id.not_in(started))
        .order_by(Course.id))
    return [(course_id, quarter) for course_id in courses]


def start(session: Session, definitions: DefinitionCache, course_id: int, quarter: Quarter,
          criteria_form: dict[str, Any], min_answers: int) -> str | None:
    """Start the analysis of ``course_id`` for ``quarter`` unless it was started already; return the instance id."""
    if session.get(QuarterlyAnalysis, (course_id, quarter.label)) is not None:
        return None
    course = session.get(Course, course_id)
    if course is None or course.status not in CATALOGUE_STATUSES:
        return None
    data = {"course_id": course_id, "course_name": course.name, "coordinator": course.coordinator,
            **results_data(session, course_id, quarter, criteria_form, min_answers)}
    definition = deploy.latest_definition(session, PROCESS)
    if definition is None:  # not deployed: nothing to start (as when the course has no coordinator)
        return None
    instance_id = runtime.start(session, definitions, definitions.parsed(session, definition.id), data, SCHEDULER)
    session.add(QuarterlyAnalysis(course_id=course_id, quarter=quarter.label, instance_id=instance_id,
                                  started_at=clock.now()))
    session.flush()  # a second worker's row for the same course and quarter fails here, and its start rolls back
    return instance_id


def results_data(session: Session, course_id: int, quarter: Quarter, criteria_form: dict[str, Any],
                 min_answers: int) -> dict[str, Any]:
    """The task's read-only data: the quarter, its number of answers and the trend over the last quarters."""
    first = quarter
    for _ in range(TREND_QUARTERS - 1):
        first = first.previous()
    found = answers_.answers(session, course_id, Period(first.start, quarter.end))
    results = aggregate(course_id, "", found, criteria_of(criteria_form), min_answers)
    by_quarter = {q.quarter: q for q in results.quarters}
    trend, current = [], first
    while current <= quarter:
        row = by_quarter.get(current.label)
        means = row.means if row is not None and row.shown else {}
        trend.append({"quarter": current.label, "answers": row.answers if row else 0,
                      **{c.key: means.get(c.key) for c in criteria_of(criteria_form)}})
        current = current.next()
    return {"quarter": quarter.label, "answers": by_quarter[quarter.label].answers
            if quarter.label in by_quarter else 0, "trend": trend}


@dataclass(frozen=True)
class QuarterlyAnalysisView:
    """One 11.2 analysis: the course and quarter, and — once recorded — who recorded it, when, and what."""

    course_id: int
    quarter: str
    instance_id: str
    started_at: dt.datetime
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
    analysis: dict[str, Any] = field(default_factory=dict)  # the form as submitted (findings, actions, early inspection)


def analyses(session: Session, course_id: int | None = None, year: int | None = None) -> list[QuarterlyAnalysisView]:
    """The analyses started, by course and quarter (for the course's page and the annual report to TC 4)."""
    query = select(QuarterlyAnalysis).order_by(QuarterlyAnalysis.course_id, QuarterlyAnalysis.quarter)
    if course_id is not None:
        query = query.where(QuarterlyAnalysis.course_id == course_id)
    if year is not None:
        query = query.where(QuarterlyAnalysis.quarter.like(f"{year:04d}-Q%"))
    rows = list(session.scalars(query))
    recorded = {event.instance_id: event for event in session.scalars(select(Event).where(
        Event.instance_id.in_([row.instance_id for row in rows]), Event.kind == EventKind.TASK_COMPLETED))}
    return [_view(row, recorded.get(row.instance_id)) for row in rows]


def _view(row: QuarterlyAnalysis, event: Event | None) -> QuarterlyAnalysisView:
    if event is None:
        return QuarterlyAnalysisView(row.course_id, row.quarter, row.instance_id, row.started_at)
    return QuarterlyAnalysisView(row.course_id, row.quarter, row.instance_id, row.started_at, event.actor, event.at,
                                 json.loads(event.data_json).get("form", {}))
