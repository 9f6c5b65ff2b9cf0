"""The public list of COOMET courses for the COOMET webportal (12.2): published courses appear, cancelled ones
(13.5) disappear; ``changed_at`` lets the webportal poll cheaply (Last-Modified)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.base.models import Course
from engine.base.vocabulary import CATALOGUE_STATUSES


@dataclass(frozen=True)
class PublicCourse:
    """What anyone may read of a published course; ``url`` only when it is an http(s) link."""

    id: int
    name: str
    name_ru: str | None
    languages: str | None
    access: str | None
    url: str | None
    summary: str | None
    published_at: dt.datetime | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class Catalogue:
    courses: tuple[PublicCourse, ...]
    changed_at: dt.datetime | None  # the last change of any course (a cancellation too)


def catalogue(session: Session) -> Catalogue:
    rows = session.scalars(select(Course).where(Course.status.in_(CATALOGUE_STATUSES))
                           .order_by(Course.published_at.desc(), Course.id.desc()))
    courses = tuple(PublicCourse(c.id, c.name, c.name_ru, c.languages, c.access, _http(c.course_url), c.summary,
                                 c.published_at, c.updated_at) for c in rows)
    return Catalogue(courses, session.scalar(select(func.max(Course.updated_at))))


def _http(url: str | None) -> str | None:
    return url if url and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None
