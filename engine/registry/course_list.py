"""The course lists a Secretariat works with — created courses (6.2), catalogue (8.2), cancelled (13.5):
searched, filtered by status, planned year and CSB, sorted by any column, with people's names, not logins."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.models import User
from engine.base.vocabulary import STATUSES
from engine.registry.courses import CourseView, courses

SORTS = ("name", "planned_year", "initiator", "creator", "coordinator", "status", "published", "next_inspection",
         "cancelled")
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class CourseQuery:
    search: str = ""
    status: str | None = None
    year: int | None = None
    csb: str | None = None
    sort: str = "name"
    descending: bool = False
    language: str = "en"  # names sort as the reader sees them: Russian names in Russian


@dataclass(frozen=True)
class CourseRow:
    course: CourseView
    creator_name: str
    coordinator_name: str

    @property
    def next_inspection_due(self) -> dt.datetime | None:
        return self.course.next_inspection_due


@dataclass(frozen=True)
class CourseList:
    rows: tuple[CourseRow, ...]
    total: int  # in the list before filtering
    by_status: tuple[tuple[str, int], ...] = ()  # in the list before filtering, procedure order
    years: tuple[int, ...] = ()
    csbs: tuple[str, ...] = field(default_factory=tuple)


def course_list(session: Session, statuses: Iterable[str], query: CourseQuery) -> CourseList:
    names = {login: name for login, name in session.execute(select(User.login, User.name))}
    every = [CourseRow(c, names.get(c.creator or "", c.creator or ""), names.get(c.coordinator or "",
                                                                               c.coordinator or ""))
             for c in courses(session, statuses)]
    rows = sorted((row for row in every if _matches(row, query)), key=_sort_key(query.sort, query.language),
                  reverse=query.descending)
    counts = {status: sum(1 for row in every if row.course.status == status) for status in STATUSES}
    return CourseList(tuple(rows), len(every), tuple((s, n) for s, n in counts.items() if n),
                      tuple(sorted({r.course.planned_year for r in every if r.course.planned_year})),
                      tuple(sorted({csb for r in every for csb in r.course.csbs})))


def _matches(row: CourseRow, query: CourseQuery) -> bool:
    course = row.course
    if query.status and course.status != query.status:
        return False
    if query.year and course.planned_year != query.year:
        return False
    if query.csb and query.csb not in course.csbs:
        return False
    words = query.search.casefold().split()
    text = " ".join(str(v or "") for v in (course.name, course.name_ru, course.initiator, row.creator_name,
                                           row.coordinator_name, course.summary, " ".join(course.csbs))).casefold()
    return all(word in text for word in words)


def _sort_key(sort: str, language: str = "en") -> Callable[[CourseRow], tuple[Any, ...]]:
    def name(row: CourseRow) -> str:
        shown = row.course.name_ru if language == "ru" and row.course.name_ru else row.course.name
        return shown.casefold()

    keys: dict[str, Callable[[CourseRow], Any]] = {
        "name": name,
        "planned_year": lambda r: r.course.planned_year or 0,
        "initiator": lambda r: (r.course.initiator or "").casefold(),
        "creator": lambda r: r.creator_name.casefold(),
        "coordinator": lambda r: r.coordinator_name.casefold(),
        "status": lambda r: STATUSES.index(r.course.status),
        "published": lambda r: r.course.published_at or _FAR,
        "next_inspection": lambda r: r.next_inspection_due or _FAR,
        "cancelled": lambda r: r.course.cancelled_at or _FAR,
    }
    by = keys.get(sort, keys["name"])
    return lambda row: (by(row), name(row), row.course.id)
