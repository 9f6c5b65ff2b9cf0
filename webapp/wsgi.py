"""The WSGI entry point for a production server: ``gunicorn 'webapp.wsgi:app'`` (``courseflow serve --production``).

The schema must be current (``courseflow init``). Timers and mail are the
``courseflow worker`` processes' job, so the web workers do not tick unless
``COURSEFLOW_TICK_SECONDS`` asks them to.
"""
from __future__ import annotations

import os

from webapp.app import create_app

app = create_app(TICK_SECONDS=int(os.environ.get("COURSEFLOW_TICK_SECONDS", "0")))
