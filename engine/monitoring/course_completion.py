"""Moodle's Course completion report (``report_completion``) download (9.2 item 3, 10.1).

Header: ``ID``, ``Name``, identity columns, a column per criterion — two for an activity: its name
and "<name> - Completion date" — and last ``Course complete``. A row's activity cells hold a
completion state word and a date; the last cell says whether (or when) the course was completed.
"""
from __future__ import annotations

import datetime as dt

from engine.base.errors import FileRefused
from engine.monitoring import vocabulary
from engine.monitoring.records import COURSE, Parsed, Person, Record, identity_kind, require_name, require_unique
from engine.monitoring.table import Rows

_ID = ("id", "идентификатор", "identifiant")
_NAME = ("name", "имя", "nom", "полное имя", "nom complet", "full name")


def read(rows: Rows) -> Parsed:
    header = [" ".join(cell.split()) for cell in rows[0]]
    if len(header) < 3 or header[0].casefold() not in _ID or header[1].casefold() not in _NAME:
        raise FileRefused("this is not a course completion report: it must begin with the columns ID and Name",
                          1, 1)
    identities, first_criterion = {}, 2
    while first_criterion < len(header) - 1 and identity_kind(header[first_criterion]):
        identities[first_criterion] = identity_kind(header[first_criterion])
        first_criterion += 1
    activities = _activity_columns(header, first_criterion)
    parsed = Parsed("course-completion", activities=list(activities))
    seen: dict[str, int] = {}
    last = len(header) - 1
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise FileRefused(f"the row has {len(row)} cells, the header {len(header)}", number)
        values = {kind: row[column].strip() or None for column, kind in identities.items()}
        person = Person(require_name(row[1], number, 2), values.get("email"), values.get("id") or row[0].strip() or None)
        require_unique(seen, person, number)
        parsed.rows += 1
        for name, column in activities.items():
            state = vocabulary.completion_state(row[column])
            if state is None:
                raise FileRefused(f"{row[column]!r} is not a completion state Moodle writes", number, column + 1)
            parsed.records.append(Record(person, name, state, _date(row[column + 1], number, column + 2)))
        parsed.records.append(_course(person, row[last], number, last + 1))
    return parsed


def _activity_columns(header: list[str], start: int) -> dict[str, int]:
    """{activity name: its state column}: a criterion followed by its "<name> - Completion date" column."""
    found = {}
    for column in range(start, len(header) - 2):
        name = header[column]
        if name and header[column + 1].startswith(f"{name} - "):
            found[name] = column
    return found


def _course(person: Person, cell: str, number: int, column: int) -> Record:
    """The "Course complete" cell: a date, a state word or yes/no."""
    when = vocabulary.parse_date(cell) if cell.strip() else None
    if when is not None:
        return Record(person, COURSE, vocabulary.COMPLETE, when)
    state = vocabulary.completion_state(cell)
    if state is None:
        done = vocabulary.yes_no(cell)
        if done is None:
            raise FileRefused(f"{cell!r} says neither whether nor when the course was completed", number, column)
        state = vocabulary.COMPLETE if done else vocabulary.INCOMPLETE
    return Record(person, COURSE, state)


def _date(text: str, number: int, column: int) -> dt.datetime | None:
    if not text.strip():
        return None
    when = vocabulary.parse_date(text)
    if when is None:
        raise FileRefused(f"{text!r} is not a date", number, column)
    return when
