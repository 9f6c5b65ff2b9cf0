"""Throttling the anonymous questionnaire without storing identity.

Answers are counted per address in this process's memory only, under a keyed
hash whose key is random per process (never written anywhere), for a short
window; the session cookie remembers which courses it answered already.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque

WINDOW_SECONDS = 600.0
PER_ADDRESS = 10
MAX_TRACKED = 10_000


class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (keys are hashed with a per-process secret)."""

    def __init__(self, limit: int = PER_ADDRESS, window: float = WINDOW_SECONDS):
        self.limit, self.window = limit, window
        self._secret = secrets.token_bytes(32)
        self._seen: OrderedDict[bytes, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; ``False`` if it is over the limit (then it is not counted)."""
        digest = hmac.new(self._secret, key.encode(), hashlib.sha256).digest()
        now = time.monotonic()  # a rate, not business time: the engine clock is not involved
        with self._lock:
            times = self._seen.pop(digest, deque())
            while times and times[0] < now - self.window:
                times.popleft()
            allowed = len(times) < self.limit
            if allowed:
                times.append(now)
            self._seen[digest] = times
            while len(self._seen) > MAX_TRACKED:
                self._seen.popitem(last=False)
        return allowed
