"""Reading a course's questionnaire answers (11.1) from the event log: the form values and the quarter only."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.models import Event, Instance
from engine.base.vocabulary import EventKind
from engine.satisfaction.quarters import Period, Quarter
from engine.satisfaction.results import Answer

PROCESS = "satisfaction"


def answers(session: Session, course_id: int, period: Period) -> list[Answer]:
    """Every answer given about the course in ``period``: the answers as submitted, with the quarter they came in."""
    query = (select(Event.at, Event.data_json).join(Instance, Instance.id == Event.instance_id)
             .where(Instance.process_id == PROCESS, Instance.course_id == course_id,
                    Event.kind == EventKind.INSTANCE_STARTED))
    if period.since is not None:
        query = query.where(Event.at >= period.since)
    if period.until is not None:
        query = query.where(Event.at < period.until)
    found = []
    for at, data_json in session.execute(query):
        values = dict(json.loads(data_json).get("data") or {})
        values.pop("course_id", None)
        found.append(Answer(Quarter.of(at).label, values))
    return found
