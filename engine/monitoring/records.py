"""What a reader makes of a report: people, activities and per-(person, activity) records, before storing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.base.errors import FileRefused

KINDS = ("activity-completion", "course-completion", "quiz-grades", "participation")  # files; "web-services" too
COURSE = None  # a record about the whole course (course completion), not one activity


@dataclass(frozen=True)
class Person:
    """A participant as far as §9 and §10 need: name, e-mail and platform id (personal data, nothing more)."""

    name: str
    email: str | None = None
    platform_id: str | None = None

    @property
    def key(self) -> str:
        """Who this is across imports: the platform id, else the e-mail, else the name."""
        if self.platform_id:
            return f"id:{self.platform_id}"
        if self.email:
            return f"email:{self.email.casefold()}"
        return f"name:{self.name.casefold()}"


@dataclass(frozen=True)
class Record:
    person: Person
    activity: str | None
    state: str
    at: dt.datetime | None = None
    grade: float | None = None
    seconds: int | None = None


@dataclass(frozen=True)
class ActivityFigures:
    """Views and participants of one activity over a period (activity report, or typed in)."""

    activity: str
    views: int
    participants: int


@dataclass
class Parsed:
    kind: str
    rows: int = 0
    activities: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    figures: list[ActivityFigures] = field(default_factory=list)


IDENTITY_EMAIL = ("email address", "email", "e-mail", "адрес электронной почты", "электронная почта",
                  "adresse de courriel", "courriel", "adresse courriel", "adresse e-mail")
IDENTITY_ID = ("id number", "idnumber", "индивидуальный номер", "numéro d'identification", "username",
               "логин", "nom d'utilisateur", "id", "user id")
IDENTITY_OTHER = ("phone", "mobile phone", "institution", "department", "city/town", "country", "address",
                  "телефон", "мобильный телефон", "учреждение (организация)", "учреждение", "отдел", "город",
                  "страна", "адрес", "téléphone", "téléphone mobile", "institution", "département", "ville",
                  "pays", "adresse")


def identity_kind(header: str) -> str | None:
    """"email", "id" or "other" for an identity column's header (in en/ru/fr), None for anything else."""
    text = " ".join(header.split()).casefold()
    if text in IDENTITY_EMAIL:
        return "email"
    if text in IDENTITY_ID:
        return "id"
    return "other" if text in IDENTITY_OTHER else None


def require_name(name: str, row: int, column: int) -> str:
    if not name.strip():
        raise FileRefused("the participant's name is empty", row, column)
    return name.strip()


def require_unique(people: dict[str, int], person: Person, row: int) -> None:
    if person.key in people:
        raise FileRefused(f"{person.name} appears twice (also in row {people[person.key]})", row)
    people[person.key] = row
