"""The period an import or a summary covers: ``FROM..TO`` (ISO dates, either end open)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.base.errors import CourseFlowError


@dataclass(frozen=True)
class Period:
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def parse(cls, text: str | None) -> Period:
        """``2026-01-01..2026-03-31``, ``..2026-03-31``, ``2026-01-01..`` or one day ``2026-03-31``."""
        if not text or not text.strip():
            return cls()
        start, separator, end = text.strip().partition("..")
        if not separator:
            end = start
        try:
            period = cls(_date(start), _date(end))
        except ValueError:
            raise CourseFlowError(f"The period {text!r} is not FROM..TO with ISO dates, e.g. 2026-01-01..2026-03-31.", reason="period_invalid", period=text)
        if period.start and period.end and period.start > period.end:
            raise CourseFlowError(f"The period {text!r} ends before it begins.", reason="period_reversed", period=text)
        return period

    def __str__(self) -> str:
        return f"{self.start or ''}..{self.end or ''}"

    def holds(self, at: dt.datetime | None) -> bool:
        if at is None:
            return False
        day = at.date()
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text.strip()) if text.strip() else None
