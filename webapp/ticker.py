"""The in-process timer ticker of a single-machine deployment.

Fires due timers every few seconds; with several web workers on PostgreSQL
each may run one, since ``tick`` skips rows another worker has locked.
"""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def start(engine, every_seconds: float) -> threading.Thread:
    stop = threading.Event()

    def loop():
        while not stop.wait(every_seconds):
            try:
                fired = engine.tick()
                if fired:
                    log.info("fired %d timer(s)", fired)
            except Exception:  # keep ticking; the error is logged and the next tick retries
                log.exception("timer tick failed")
    thread = threading.Thread(target=loop, name="courseflow-ticker", daemon=True)
    thread.stop = stop
    thread.start()
    return thread
