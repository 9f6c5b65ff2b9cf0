"""The NMI directory (12.1): COOMET member countries' NMIs and their contact addresses, edited by the
Secretariat and the sector administrator, one by one or from a CSV file; every change is an audit event."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.announcement.models import Nmi
from engine.base import clock
from engine.base.errors import CourseFlowError, NotFound
from engine.base.vocabulary import EventKind
from engine.mail.texts import one_line
from engine.proof import audit

CSV_COLUMNS = ("country", "nmi", "email")  # and optionally "language" (en or ru)


@dataclass(frozen=True)
class NmiView:
    id: int
    country: str
    name: str
    email: str
    language: str


@dataclass(frozen=True)
class NmiImportReport:
    added: int
    updated: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def views(session: Session) -> list[NmiView]:
    rows = session.scalars(select(Nmi).order_by(Nmi.country, Nmi.name))
    return [NmiView(r.id, r.country, r.name, r.email, r.language) for r in rows]


def checked(country: str, name: str, email: str, language: str) -> tuple[str, str, str, str]:
    """The entry cleaned up (one line each), or :class:`CourseFlowError` saying what is wrong."""
    country, name, email, language = (one_line(v or "", 300) for v in (country, name, email, language or "en"))
    if not country or not name:
        raise CourseFlowError("An NMI needs a country and a name.", reason="nmi_incomplete")
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or email.count("@") != 1:
        raise CourseFlowError(f"{email!r} is not a mail address (e.g. info@vniim.ru).", reason="email_invalid", email=email)
    if language not in ("en", "ru"):
        raise CourseFlowError(f"Language {language!r}: use en or ru.", reason="language_unknown", language=language)
    return country, name, email, language


def save(session: Session, country: str, name: str, email: str, language: str, by: str) -> bool:
    """Add the NMI, or update the one of that name; return whether it was added."""
    country, name, email, language = checked(country, name, email, language)
    now = clock.now()
    row = session.scalars(select(Nmi).where(Nmi.name == name)).first()
    added = row is None
    if row is None:
        session.add(Nmi(country=country, name=name, email=email, language=language, updated_at=now, updated_by=by))
    elif (row.country, row.email, row.language) != (country, email, language):
        row.country, row.email, row.language, row.updated_at, row.updated_by = country, email, language, now, by
    else:
        return False
    audit.append(session, [audit.NewEvent(EventKind.NMI_SAVED, actor=by, data={
        "country": country, "nmi": name, "email": email, "language": language})], now)
    return added


def remove(session: Session, nmi_id: int, by: str) -> None:
    row = session.get(Nmi, nmi_id)
    if row is None:
        raise NotFound(f"There is no NMI {nmi_id} in the directory.", reason="no_nmi")
    session.delete(row)
    audit.append(session, [audit.NewEvent(EventKind.NMI_REMOVED, actor=by, data={"nmi": row.name})], clock.now())


def import_csv(session: Session, text: str, by: str) -> NmiImportReport:
    """Add or update every row of a CSV file with the columns country, nmi, email (and language).

    Nothing is stored when any row is wrong: the report names each wrong row.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return NmiImportReport(0, 0, (f"The first line must name the columns {', '.join(CSV_COLUMNS)} "
                                   f"(and optionally language); missing: {', '.join(missing)}.",))
    entries, problems = [], []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        try:
            entries.append(checked(row["country"], row["nmi"], row["email"], row.get("language") or "en"))
        except CourseFlowError as error:
            problems.append(f"line {number}: {error}")
    if problems:
        return NmiImportReport(0, 0, tuple(problems))
    added = sum(save(session, *entry, by=by) for entry in entries)
    known = len({entry[1] for entry in entries})
    return NmiImportReport(added, known - added, ())
