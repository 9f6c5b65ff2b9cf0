"""The register of issued certificates per course and year (searchable, CSV/XLSX export) and counts per course."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.certificates.models import VALID, Certificate

COLUMNS = ("number", "holder", "email", "course", "completed_on", "issued_at", "issued_by", "status",
           "revoked_at", "reason", "superseded_by", "supersedes")


@dataclass(frozen=True)
class CertificateView:
    number: str
    holder: str
    email: str
    course_id: int
    course: str
    completed_on: dt.date | None
    issued_at: dt.datetime
    issued_by: str
    status: str
    revoked_at: dt.datetime | None
    reason: str | None
    superseded_by: str | None
    supersedes: str | None
    pdf_sha256: str
    evidence: tuple[dict[str, Any], ...]  # what made the holder eligible (10.1): activity, state, date, import

    def row(self) -> list[object]:
        return [getattr(self, column) for column in COLUMNS]


def views(session: Session, course_id: int | None = None, year: int | None = None, search: str = ""
          ) -> list[CertificateView]:
    query = select(Certificate).order_by(Certificate.year, Certificate.sequence)
    if course_id is not None:
        query = query.where(Certificate.course_id == course_id)
    if year is not None:
        query = query.where(Certificate.year == year)
    text = search.strip().casefold()
    if text:
        like = f"%{text}%"
        query = query.where(or_(func.lower(Certificate.number).like(like), func.lower(Certificate.holder).like(like),
                                func.lower(Certificate.email).like(like)))
    return [CertificateView(c.number, c.holder, c.email, c.course_id, c.course_name, c.completed_on, c.issued_at,
                            c.issued_by, c.status, c.revoked_at, c.revoke_reason, c.superseded_by, c.supersedes,
                            c.pdf_sha256, tuple(json.loads(c.evidence))) for c in session.scalars(query)]


def counts(session: Session, start: dt.datetime | None = None, end: dt.datetime | None = None) -> dict[int, int]:
    """Valid certificates per course id, issued in [start, end) when given (the overview and annual report)."""
    query = select(Certificate.course_id, func.count()).where(Certificate.status == VALID)
    if start is not None:
        query = query.where(Certificate.issued_at >= start)
    if end is not None:
        query = query.where(Certificate.issued_at < end)
    return {course_id: count for course_id, count in session.execute(query.group_by(Certificate.course_id))}


def as_csv(rows: list[CertificateView]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([_cell(v) for v in r.row()] for r in rows)
    return out.getvalue()


def as_xlsx(rows: list[CertificateView]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Certificates"
    sheet.append(list(COLUMNS))
    for r in rows:
        sheet.append([_cell(v) for v in r.row()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a spreadsheet must not run a name as a formula
    return value
