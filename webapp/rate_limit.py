"""The one throttle of the anonymous pages: at most so many requests per window from one network address.

Requests are counted per address in this process's memory only, under a keyed
hash whose key is random per process (never written anywhere). A view opts in
with ``@throttled(name, limit, window)``; ``COURSEFLOW_<NAME>_LIMIT`` (``COUNT/SECONDS``,
e.g. ``30/60``) changes a throttle's limit and is checked when the app starts.
A throttled request is answered 429 with a translated page and ``Retry-After``.
(Failed logins are counted by the engine in the database instead, per account
and per address, so every web worker sees the same count.)
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import math
import os
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

MAX_TRACKED = 10_000
SETTING = re.compile(r"\s*(\d{1,9})\s*/\s*(\d{1,9})\s*")


class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (keys are hashed with a per-process secret)."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._secret = secrets.token_bytes(32)
        self._seen: OrderedDict[bytes, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; ``False`` if it is over the limit (then it is not counted)."""
        return self.wait(key) == 0

    def wait(self, key: str) -> int:
        """Count one event for ``key`` and return 0; over the limit, count nothing and return the seconds to wait."""
        digest = hmac.new(self._secret, key.encode(), hashlib.sha256).digest()
        now = time.monotonic()  # a rate, not business time: the engine clock is not involved
        with self._lock:
            times = self._seen.pop(digest, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            wait = 0 if len(times) < self.limit else max(1, math.ceil(times[0] + self.window - now))
            if not wait:
                times.append(now)
            self._seen[digest] = times
            while len(self._seen) > MAX_TRACKED:
                self._seen.popitem(last=False)
        return wait


@dataclass(frozen=True)
class Throttle:
    """A named throttle's defaults, and the message its 429 page shows (an untranslated msgid)."""

    limit: int
    window: int
    message: str


class BadThrottleSetting(ValueError):
    """A ``COURSEFLOW_<NAME>_LIMIT`` value that is not ``COUNT/SECONDS``."""


class Throttled(TooManyRequests):
    """Answered 429 with ``Retry-After``; the app's error page says the throttle's message."""

    def __init__(self, retry_after: int, message: str):
        super().__init__(retry_after=retry_after)
        self.message = message


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; it is translated where shown."""
    return message


THROTTLES: dict[str, Throttle] = {}
GENERIC = N_("Too many requests from your address: please wait a while and try again.")


def variable(name: str) -> str:
    """The environment variable that sets throttle ``name``'s limit."""
    return f"COURSEFLOW_{name.upper().replace('-', '_')}_LIMIT"


def parse(name: str, text: str) -> tuple[int, int]:
    """``"30/60"`` → (30, 60); anything else is refused with what to write instead."""
    found = SETTING.fullmatch(text)
    if found is None or int(found[1]) < 1 or int(found[2]) < 1:
        raise BadThrottleSetting(
            f"{variable(name)}={text!r} is not a limit: write COUNT/SECONDS, e.g. "
            f"{THROTTLES[name].limit}/{THROTTLES[name].window} ({THROTTLES[name].limit} requests per "
            f"{THROTTLES[name].window} seconds from one address).")
    return int(found[1]), int(found[2])


def settings(environ: Mapping[str, str] | None = None) -> dict[str, tuple[int, int]]:
    """Every throttle's (limit, window), from the environment or its defaults; raises ``BadThrottleSetting``."""
    env = os.environ if environ is None else environ
    return {name: parse(name, env[variable(name)]) if variable(name) in env else (t.limit, t.window)
            for name, t in THROTTLES.items()}


def init_app(app: Flask) -> None:
    """Read the throttles' settings once, at start-up (a bad value stops the app with the reason)."""
    limits = settings() | app.config.get("THROTTLES", {})
    app.extensions["throttles"] = {name: RateLimit(limit, window) for name, (limit, window) in limits.items()}


def throttled(name: str, limit: int, window: int, methods: Iterable[str] = ("GET", "POST"),
              message: str = GENERIC) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Count the view's requests (of ``methods``) per client address; over ``limit`` per ``window`` seconds → 429."""
    THROTTLES[name] = Throttle(limit, window, message)
    counted = frozenset(methods)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.method in counted:
                wait = current_app.extensions["throttles"][name].wait(request.remote_addr or "")
                if wait:
                    raise Throttled(wait, THROTTLES[name].message)
            return view(*args, **kwargs)
        return wrapper
    return decorate
