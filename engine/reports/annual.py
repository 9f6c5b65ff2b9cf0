"""The annual report as a process (11.3, 9.3): started once per year — by the sector administrator, or by the
worker in January for the year just ended — with the draft's figures as its data for the review task; a draft
sent back for redraft is assembled again and its review started again (the year's run moves to the new one)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import CourseFlowError, NotFound
from engine.base.models import Course
from engine.definitions import deploy
from engine.definitions.cache import DefinitionCache
from engine.instances import runtime
from engine.registry.roles import Actor
from engine.reports.figures import CLAUSES, AnnualReport
from engine.reports.models import AnnualReportRun

PROCESS = "annual_report"
REVIEW = "ar_review"
REDRAFT = "redraft"  # the review's decision that sends the draft back (forms/annual_report_review.json)
SCHEDULER = Actor("courseflow", frozenset({("sector_administrator", None)}))  # the engine's scheduled work


def deployed(session: Session) -> bool:
    return deploy.latest_definition(session, PROCESS) is not None


def started(session: Session, year: int) -> AnnualReportRun | None:
    return session.get(AnnualReportRun, year)


def year_of(session: Session, instance_id: str) -> int:
    year = session.scalar(select(AnnualReportRun.year).where(AnnualReportRun.instance_id == instance_id))
    if year is None:
        raise CourseFlowError("This annual report process was not started for a year; start the report from the "
                              "Documents page.", reason="report_no_year")
    return year


def runs(session: Session) -> dict[int, str]:
    return {row.year: row.instance_id for row in session.scalars(select(AnnualReportRun).order_by(AnnualReportRun.year))}


def due_year(session: Session, now: dt.datetime) -> int | None:
    """In January, the year just ended is due (11.3: reported at the annual TC 4 meeting) — if the process is
    deployed, the year had courses, and its report was not started yet."""
    year = now.year - 1
    if now.month != 1 or not deployed(session) or started(session, year) is not None:
        return None
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    return year if session.scalar(select(Course.id).where(Course.created_at < end).limit(1)) is not None else None


def start(session: Session, definitions: DefinitionCache, draft: AnnualReport, actor: Actor) -> str:
    if started(session, draft.year) is not None:
        raise CourseFlowError(f"The annual report for {draft.year} has been started already: its review is in "
                              "the sector administrator's inbox, or it is final on the Documents page.", reason="report_started", year=draft.year)
    definition = deploy.latest_definition(session, PROCESS)
    if definition is None:
        raise NotFound("The annual report process is not deployed; run 'courseflow deploy' first.", reason="not_deployed", process=PROCESS)
    instance_id = runtime.start(session, definitions, definitions.parsed(session, definition.id), data(draft), actor)
    session.add(AnnualReportRun(year=draft.year, instance_id=instance_id, started_at=clock.now(),
                                started_by=actor.login))
    session.flush()  # a second worker's start of the same year fails here, and its start rolls back
    return instance_id


def redraft(session: Session, definitions: DefinitionCache, draft: AnnualReport, sent_back: dict[str, Any],
            actor: Actor) -> str:
    """The next review of a draft sent back (11.3): ``draft`` assembled as of now, with the reasons and the
    comments so far from the review that sent it back (``sent_back``: its submission). Return the new instance id."""
    run = started(session, draft.year)
    if run is None:
        raise CourseFlowError(f"The annual report for {draft.year} was not started; start it from the Documents page.")
    definition = deploy.latest_definition(session, PROCESS)
    if definition is None:
        raise NotFound("The annual report process is not deployed; run 'courseflow deploy' first.")
    run.drafts += 1
    following = {**data(draft), "draft_round": run.drafts,
                 "sent_back_because": str(sent_back.get("redraft_reason") or "").strip(),
                 "comments": str(sent_back.get("comments") or "")}
    run.instance_id = runtime.start(session, definitions, definitions.parsed(session, definition.id), following,
                                    actor)
    return run.instance_id


def data(report: AnnualReport) -> dict[str, object]:
    """The review task's read-only figures (forms/annual_report_review.json)."""
    return {
        "year": report.year, "draft_round": 1,
        **{kind: report.count(kind) for kind in CLAUSES},
        "courses": [{"course": c.name, "participants": c.participants, "completed": c.completed_course,
                     "answers": c.satisfaction.answers, "mean": _mean(c.satisfaction.criteria),
                     "analyses": len(c.analyses), "certificates": c.certificates} for c in report.courses],
        "available": report.available, "open_tasks": len(report.open_items), "overdue_tasks": report.overdue,
    }


def _mean(criteria: tuple) -> float | None:  # type: ignore[type-arg]
    means = [c.mean for c in criteria if c.mean is not None]
    return round(sum(means) / len(means), 2) if means else None
