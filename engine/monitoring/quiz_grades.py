"""Moodle's quiz Grades report download: CSV (with BOM), XLSX or ODS (9.2 item 3: attempts and test results).

Columns (in the downloading user's language): Surname, First name, identity fields, State, Started on,
Completed, Time taken, Grade/<max>, then per question "Q. n /<max>". The last row is the overall average.
A finished attempt is passed or failed against the pass grade when one is given, else only complete;
of a participant's several attempts the best grade counts.
"""
from __future__ import annotations

import re
from typing import Any

from engine.base.errors import FileRefused
from engine.monitoring import vocabulary
from engine.monitoring.records import Parsed, Person, Record, identity_kind
from engine.monitoring.table import Rows

_COLUMNS = {
    "surname": ("surname", "last name", "фамилия", "nom"),
    "first": ("first name", "имя", "prénom"),
    "state": ("state", "состояние", "état"),
    "started": ("started on", "тест начат", "начато", "commencé le"),
    "completed": ("completed", "завершено", "тест завершен", "terminé", "terminé le"),
    "taken": ("time taken", "затраченное время", "прошло времени", "temps utilisé", "temps passé"),
}
_GRADE = re.compile(r"^(grade|оценка|note)\s*/\s*([\d.,]+)$")
_AVERAGE = ("overall average", "общее среднее", "среднее значение", "moyenne générale", "moyenne globale")


def read(rows: Rows, activity: str, pass_grade: float | None = None) -> Parsed:
    header = [" ".join(cell.split()).casefold() for cell in rows[0]]
    columns = _columns(header)
    grade_column, maximum = _grade_column(header)
    best: dict[str, Record] = {}
    parsed = Parsed("quiz-grades", activities=[activity])
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row) or " ".join(row[0].split()).casefold() in _AVERAGE:
            continue
        if len(row) < len(header):
            raise FileRefused(f"the row has {len(row)} cells, the header {len(header)}", number)
        parsed.rows += 1
        record = _attempt(row, number, columns, grade_column, maximum, activity, pass_grade)
        if _better(record, best.get(record.person.key)):
            best[record.person.key] = record
    parsed.records = list(best.values())
    return parsed


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for column, text in enumerate(header):
        for key, words in _COLUMNS.items():
            if text in words and key not in found:
                found[key] = column
                break
        kind = identity_kind(text)
        if kind in ("email", "id") and kind not in found:
            found[kind] = column
    missing = [key for key in ("surname", "first", "state", "completed") if key not in found]
    if missing:
        raise FileRefused(f"this is not a quiz grades report: no column {', '.join(missing)}", 1)
    return found


def _grade_column(header: list[str]) -> tuple[int, float]:
    for column, text in enumerate(header):
        found = _GRADE.match(text)
        if found:
            return column, float(found.group(2).replace(",", "."))
    raise FileRefused("this is not a quiz grades report: no column \"Grade/<maximum>\"", 1)


def _attempt(row: Any, number: Any, columns: Any, grade_column: Any, maximum: Any, activity: Any, pass_grade: Any) -> Record:
    name = f"{row[columns['first']].strip()} {row[columns['surname']].strip()}".strip()
    if not name:
        raise FileRefused("the participant's name is empty", number, columns["surname"] + 1)
    person = Person(name, _cell(row, columns.get("email")), _cell(row, columns.get("id")))
    state_word = " ".join(row[columns["state"]].split()).casefold()
    if state_word not in vocabulary.QUIZ_FINISHED | vocabulary.QUIZ_UNFINISHED:
        raise FileRefused(f"{row[columns['state']]!r} is not an attempt state Moodle writes", number,
                          columns["state"] + 1)
    if state_word in vocabulary.QUIZ_UNFINISHED:
        return Record(person, activity, vocabulary.INCOMPLETE)
    when = vocabulary.parse_date(row[columns["completed"]])
    if when is None:
        raise FileRefused(f"{row[columns['completed']]!r} is not a date", number, columns["completed"] + 1)
    grade = _grade(row[grade_column], number, grade_column, maximum)
    seconds = vocabulary.parse_duration(row[columns["taken"]]) if "taken" in columns else None
    return Record(person, activity, _state(grade, pass_grade), when, grade, seconds)


def _grade(text: str, number: int, column: int, maximum: float) -> float | None:
    if text.strip() in ("", "-"):
        return None
    grade = vocabulary.parse_number(text)
    if grade is None or not 0 <= grade <= maximum:
        raise FileRefused(f"{text!r} is not a grade between 0 and {maximum:g}", number, column + 1)
    return round(100 * grade / maximum, 2) if maximum else None


def _state(grade: float | None, pass_grade: float | None) -> str:
    if pass_grade is None or grade is None:
        return vocabulary.COMPLETE
    return vocabulary.PASSED if grade >= pass_grade else vocabulary.FAILED


def _better(record: Record, other: Record | None) -> bool:
    if other is None:
        return True
    return (record.grade or -1, record.state != vocabulary.INCOMPLETE) > (other.grade or -1,
                                                                         other.state != vocabulary.INCOMPLETE)


def _cell(row: list[str], column: int | None) -> str | None:
    return (row[column].strip() or None) if column is not None else None
