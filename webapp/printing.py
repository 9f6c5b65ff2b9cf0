"""Printable documents rendered outside a request (the CLI's dossier export)."""
from __future__ import annotations

from engine import Engine


def dossier_html(engine: Engine, course_id: int) -> str:
    from .app import create_app
    from .audit import offline_dossier

    app = create_app(engine, TICK_SECONDS=0)
    with app.test_request_context():
        return offline_dossier(engine, course_id)
