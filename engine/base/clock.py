"""The engine clock: the only source of "now" in CourseFlow.

Everything that depends on time reads :func:`now`. The clock is explicit: the
engine binds its own clock around each operation with :func:`use_clock`
(reads included), tests pass a :class:`FixedClock`, and ``COURSEFLOW_NOW``
pins it for demos. Reading the time with no clock bound raises
:class:`NoClock` — it never silently falls back to the wall clock.

SpiffWorkflow's timer events call ``datetime.now()`` themselves, with no hook.
We route them through the engine clock by giving the timer module a
``datetime`` subclass whose ``now()`` asks the current clock; nothing else in
SpiffWorkflow is touched.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as _dt
import threading
from collections.abc import Iterator
from typing import Protocol

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

UTC = _dt.UTC


class Clock(Protocol):
    def now(self) -> _dt.datetime:
        """Return the current time, timezone-aware, in UTC."""


class SystemClock:
    """Wall-clock time."""

    def now(self) -> _dt.datetime:
        return _dt.datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, demos and replay."""

    def __init__(self, at: _dt.datetime):
        self._at = as_utc(at)
        self._lock = threading.Lock()

    def now(self) -> _dt.datetime:
        with self._lock:
            return self._at

    def set(self, at: _dt.datetime) -> None:
        with self._lock:
            self._at = as_utc(at)

    def advance(self, **delta: float) -> _dt.datetime:
        with self._lock:
            self._at += _dt.timedelta(**delta)
            return self._at


def as_utc(value: _dt.datetime) -> _dt.datetime:
    """Make a datetime timezone-aware UTC (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_instant(text: str) -> _dt.datetime:
    """Parse an ISO 8601 instant (``2026-01-31T09:00Z`` or a date) as UTC."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return as_utc(_dt.datetime.fromisoformat(text))


_current: contextvars.ContextVar[Clock] = contextvars.ContextVar("courseflow_clock")


class NoClock(RuntimeError):
    """Engine time was read outside :func:`use_clock`: a programming error, never a fallback to the wall clock."""


def now() -> _dt.datetime:
    """The current engine time: the clock bound by the innermost :func:`use_clock`."""
    try:
        current = _current.get()
    except LookupError:
        raise NoClock("engine time read with no clock in force; run this inside Engine (use_clock)") from None
    return current.now()


@contextlib.contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Make ``clock`` the engine clock for the code inside the block."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


class _EngineDatetime(_dt.datetime):
    """``datetime`` whose ``now()`` is the engine clock (for SpiffWorkflow timers)."""

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        current = now()
        return current.astimezone(tz) if tz else current.replace(tzinfo=None)


_spiff_timer.datetime = _EngineDatetime
