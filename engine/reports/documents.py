"""Course-independent documents: storing a file with its sha256, listing them, reading one back."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.errors import NotFound
from engine.reports.models import Document

ANNUAL_REPORT = "annual_report"
PDF, XLSX = "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class DocumentView:
    id: int
    kind: str
    year: int | None
    filename: str
    content_type: str
    language: str | None
    sha256: str
    size: int
    comments: str | None
    created_at: dt.datetime
    created_by: str | None

    @classmethod
    def of(cls, d: Document) -> DocumentView:
        return cls(d.id, d.kind, d.year, d.filename, d.content_type, d.language, d.sha256, d.size, d.comments,
                   d.created_at, d.created_by)


@dataclass(frozen=True)
class DocumentFile:
    document: DocumentView
    content: bytes


def store(session: Session, kind: str, year: int | None, filename: str, content_type: str, content: bytes,
          now: dt.datetime, by: str | None, language: str | None = None, comments: str | None = None) -> Document:
    document = Document(kind=kind, year=year, filename=filename, content_type=content_type, language=language,
                        sha256=hashlib.sha256(content).hexdigest(), size=len(content), content=content,
                        comments=comments, created_at=now, created_by=by)
    session.add(document)
    session.flush()
    return document


def exists(session: Session, kind: str, year: int) -> bool:
    return session.scalar(select(Document.id).where(Document.kind == kind, Document.year == year).limit(1)) is not None


def listing(session: Session, kind: str | None = None) -> list[DocumentView]:
    query = select(Document).order_by(Document.year.desc(), Document.id)
    if kind is not None:
        query = query.where(Document.kind == kind)
    return [DocumentView.of(d) for d in session.scalars(query)]


def read(session: Session, document_id: int) -> DocumentFile:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"There is no document {document_id}.", reason="no_document")
    return DocumentFile(DocumentView.of(document), document.content)
