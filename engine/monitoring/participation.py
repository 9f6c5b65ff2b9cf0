"""Moodle's Activity report and Course participation report saved as HTML pages, or figures typed in (9.2 items 1-2).

The Activity report (``report_outline``) has a row per activity: its name, then "Views" — "12 views by
5 users" in recent versions, or the views and users in two columns; the views and participants per
activity for the import's period are kept. The Course participation report (``report_participation``)
is for one activity (named on import): a row per participant with "Yes (3)" or "No" — who viewed it.
"""
from __future__ import annotations

import re

from engine.base.errors import FileRefused
from engine.monitoring import vocabulary
from engine.monitoring.records import ActivityFigures, Parsed, Person, Record, require_unique
from engine.monitoring.table import html_tables

_VIEWS = ("views", "просмотры", "просмотров", "affichages", "consultations", "vues")
_USERS = ("users", "пользователи", "участники", "utilisateurs", "participants")
_NUMBER = re.compile(r"\d[\d\s\u00a0,]*")


_FULL_NAME = ("full name", "first name / surname", "first name / last name", "полное имя", "имя / фамилия",
              "nom complet", "prénom / nom")
_ACTED = re.compile(r"^(yes|да|oui)\s*\((\d+)\)$")
_NOT_ACTED = ("no", "нет", "non")


def read_page(content: bytes, activity: str | None = None) -> Parsed:
    for rows in html_tables(content):
        if not rows:
            continue
        header = [" ".join(cell.split()).casefold() for cell in rows[0]]
        views = next((column for column, text in enumerate(header) if text in _VIEWS), None)
        if views is not None and header[0] not in _FULL_NAME:
            users = next((column for column, text in enumerate(header) if text in _USERS), None)
            return _figures(rows, views, users)
        name = next((column for column, text in enumerate(header) if text in _FULL_NAME), None)
        if name is not None:
            return _participants(rows, name, activity)
    raise FileRefused("the page holds neither Moodle's Activity report (a \"Views\" column) nor its Course "
                      "participation report (a \"Full name\" column): save one of them as HTML")


def _participants(rows: list[list[str]], name: int, activity: str | None) -> Parsed:
    """Course participation for one activity: who viewed it ("Yes (n)"); "No" adds nothing (9.2 item 2)."""
    if not activity:
        raise FileRefused("name the activity this participation report is for (the module chosen on the page)")
    parsed = Parsed("participation", activities=[activity])
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= name or not row[name].strip():
            continue
        answer = next((cell for cell in row if _ACTED.match(" ".join(cell.split()).casefold())
                       or " ".join(cell.split()).casefold() in _NOT_ACTED), None)
        if answer is None:
            raise FileRefused("the row says neither \"Yes (n)\" nor \"No\"", number)
        person = Person(row[name].strip())
        require_unique(seen, person, number)
        parsed.rows += 1
        if _ACTED.match(" ".join(answer.split()).casefold()):
            parsed.records.append(Record(person, activity, vocabulary.VIEWED))
    return parsed


def _figures(rows: list[list[str]], views: int, users: int | None) -> Parsed:
    parsed = Parsed("participation")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= views or not row[0].strip():
            continue  # a section heading row
        numbers = [_integer(text) for text in _NUMBER.findall(row[views])]
        if users is not None and len(row) > users:
            numbers = numbers[:1] + [_integer(text) for text in _NUMBER.findall(row[users])][:1]
        if not numbers:
            if row[views].strip() in ("", "-"):
                numbers = [0, 0]
            else:
                raise FileRefused(f"{row[views]!r} gives no number of views", number, views + 1)
        parsed.figures.append(ActivityFigures(row[0].strip(), numbers[0], numbers[1] if len(numbers) > 1 else 0))
        parsed.rows += 1
    if not parsed.figures:
        raise FileRefused("the activity report's table has no activity rows", 2)
    parsed.activities = [figure.activity for figure in parsed.figures]
    return parsed


def typed(figures: list[ActivityFigures]) -> Parsed:
    """Figures typed into the monitoring page's form, checked as a page's would be."""
    for number, figure in enumerate(figures, start=1):
        if not figure.activity.strip():
            raise FileRefused("an activity has no name", number, 1)
        if figure.views < 0 or figure.participants < 0:
            raise FileRefused("views and participants cannot be negative", number, 2)
        if figure.participants > figure.views:
            raise FileRefused("more participants than views: every participant viewed at least once", number, 3)
    if not figures:
        raise FileRefused("no figures were given")
    return Parsed("participation", rows=len(figures), activities=[f.activity for f in figures], figures=figures)


def _integer(text: str) -> int:
    return int(re.sub(r"[\s\u00a0,]", "", text))
