"""Calendar quarters (11.2: the analysis every three months) and periods given as dates or quarters."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from engine.base.clock import UTC
from engine.base.errors import CourseFlowError

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class InvalidPeriod(CourseFlowError):
    """A period or quarter that cannot be read."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def of(cls, instant: dt.datetime) -> Quarter:
        return cls(instant.year, (instant.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        found = QUARTER.match(text.strip())
        if not found:
            raise InvalidPeriod(f"{text!r} is not a quarter: write it as YYYY-Qn, e.g. 2026-Q1", reason="quarter_invalid", period=text)
        return cls(int(found[1]), int(found[2]))

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, 3 * self.number - 2, 1, tzinfo=UTC)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the quarter."""
        return self.next().start

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


@dataclass(frozen=True)
class Period:
    """[since, until): either end open."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def holds(self, instant: dt.datetime) -> bool:
        return (self.since is None or instant >= self.since) and (self.until is None or instant < self.until)

    @property
    def label(self) -> str:
        start = self.since.date().isoformat() if self.since else ""
        end = (self.until - dt.timedelta(days=1)).date().isoformat() if self.until else ""
        return f"{start}..{end}" if (start or end) else ""


def parse_period(text: str | None) -> Period:
    """``FROM..TO`` with each end a date (YYYY-MM-DD, the end day included) or a quarter (YYYY-Qn); either may be
    left out; a single quarter or date alone means that quarter or day."""
    if not text or not text.strip():
        return Period()
    start, dots, end = text.strip().partition("..")
    if not dots:
        end = start
    return Period(_bound(start, False), _bound(end, True))


def _bound(text: str, end: bool) -> dt.datetime | None:
    text = text.strip()
    if not text:
        return None
    if QUARTER.match(text):
        quarter = Quarter.parse(text)
        return quarter.end if end else quarter.start
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriod(f"{text!r} is neither a date (YYYY-MM-DD) nor a quarter (YYYY-Qn); "
                              f"give the period as FROM..TO, e.g. 2026-01-01..2026-06-30 or 2026-Q1..2026-Q2", reason="quarter_invalid", period=text) from None
    instant = dt.datetime(day.year, day.month, day.day, tzinfo=UTC)
    return instant + dt.timedelta(days=1) if end else instant
