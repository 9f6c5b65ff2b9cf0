"""The in-process worker of a single-machine deployment: timers and mail.

Fires due timers and sends the outbox every few seconds; with several web
workers on PostgreSQL each may run one, since ``tick`` and ``deliver_mail``
skip rows another worker has locked. ``courseflow worker`` does the same
in its own process.
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
            try:
                engine.deliver_mail()
            except Exception:
                log.exception("sending mail failed")
    thread = threading.Thread(target=loop, name="courseflow-ticker", daemon=True)
    thread.stop = stop
    thread.start()
    return thread
