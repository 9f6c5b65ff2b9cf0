"""Moodle's Activity completion report (``report_progress``) download, "CSV" or "Excel CSV" (9.2 item 3).

Header: an empty first cell (the name column), identity columns (e.g. "Email address"), then two
columns per activity: its name and its expected completion date. Each row: the participant's full
name, identity values, then per activity a state word and a date.
"""
from __future__ import annotations

import datetime as dt

from engine.base.errors import FileRefused
from engine.monitoring import vocabulary
from engine.monitoring.records import Parsed, Person, Record, identity_kind, require_name, require_unique
from engine.monitoring.table import Rows


def read(rows: Rows) -> Parsed:
    header = rows[0]
    if not header or header[0].strip():
        raise FileRefused("this is not an activity completion report: its first header cell must be empty "
                          f"(it is {header[0]!r})", 1, 1)
    identities = _identity_columns(header)
    first_activity = 1 + len(identities)
    activity_columns = list(range(first_activity, len(header), 2))
    if not activity_columns:
        raise FileRefused("the report names no activities", 1)
    activities = [header[column].strip() for column in activity_columns]
    for column, name in zip(activity_columns, activities):
        if not name:
            raise FileRefused("an activity column has no name", 1, column + 1)
    if len(set(activities)) != len(activities):
        raise FileRefused("two activities have the same name", 1)
    parsed = Parsed("activity-completion", activities=activities)
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header) - 1:
            raise FileRefused(f"the row has {len(row)} cells, the header {len(header)}", number)
        person = _person(row, identities, number)
        require_unique(seen, person, number)
        parsed.rows += 1
        for column, activity in zip(activity_columns, activities):
            state = vocabulary.completion_state(row[column])
            if state is None:
                raise FileRefused(f"{row[column]!r} is not a completion state Moodle writes (English, Russian or "
                                  "French)", number, column + 1)
            when = _date(row, column + 1, number)
            parsed.records.append(Record(person, activity, state, when))
    return parsed


def _identity_columns(header: list[str]) -> dict[int, str]:
    found = {}
    for column in range(1, len(header)):
        kind = identity_kind(header[column])
        if kind is None:
            break
        found[column] = kind
    return found


def _person(row: list[str], identities: dict[int, str], number: int) -> Person:
    values = {kind: row[column].strip() or None for column, kind in identities.items() if kind != "other"}
    return Person(require_name(row[0], number, 1), values.get("email"), values.get("id"))


def _date(row: list[str], column: int, number: int) -> dt.datetime | None:
    text = row[column].strip() if column < len(row) else ""
    if not text:
        return None
    when = vocabulary.parse_date(text)
    if when is None:
        raise FileRefused(f"{text!r} is not a date", number, column + 1)
    return when
