"""Hot instances: workflows kept in memory after a committed change, reused while their row's version matches.

A completion on a hot instance skips restoring its state from text. This is safe with several processes
(gunicorn workers, ``courseflow worker``) because an entry is used only when the instance row, read in the
same transaction, is still at the version and definition the entry was saved with: any change made elsewhere
(another process, a claim, a migration) moves the version on and the entry is dropped. A transaction takes its
entry out of the cache while it uses it and puts the workflow back only after it commits, so a workflow that a
failed or rolled-back step touched is never used again.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.instances import derived

_CACHE = "courseflow_hot"
_PENDING = "courseflow_hot_pending"


@dataclass(frozen=True)
class Hot:
    """A workflow as it was saved: at this row version, of this definition, with its scan for the next run."""

    version: int
    definition_id: int
    workflow: Any
    before: derived.Before


class HotInstances:
    """A bounded, thread-safe LRU of hot workflows keyed by instance id (size 0 keeps nothing)."""

    def __init__(self, size: int):
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, Hot] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: str, version: int, definition_id: int) -> Hot | None:
        """Remove and return the instance's entry if it is exactly this version of this definition."""
        with self._lock:
            found = self._entries.pop(instance_id, None)
            if found is not None and found.version == version and found.definition_id == definition_id:
                self.hits += 1
                return found
            self.misses += 1
            return None

    def keep(self, instance_id: str, hot: Hot) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[instance_id] = hot
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def discard(self, instance_id: str) -> None:
        with self._lock:
            self._entries.pop(instance_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def attach(session: Session, cache: HotInstances) -> None:
    """Let the runtime use ``cache`` in this write transaction."""
    session.info[_CACHE] = cache


def take(session: Session, instance_id: str, version: int, definition_id: int) -> Hot | None:
    cache = session.info.get(_CACHE)
    return cache.take(instance_id, version, definition_id) if cache is not None else None


def saved(session: Session, instance_id: str, hot: Hot) -> None:
    """Note a workflow just written at ``hot.version``; it becomes hot once the transaction commits."""
    if _CACHE in session.info:
        session.info.setdefault(_PENDING, {})[instance_id] = hot


def committed(session: Session) -> None:
    """After a commit: keep every workflow the transaction saved."""
    cache, pending = session.info.get(_CACHE), session.info.pop(_PENDING, {})
    if cache is not None:
        for instance_id, hot in pending.items():
            cache.keep(instance_id, hot)
