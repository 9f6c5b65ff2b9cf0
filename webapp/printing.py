"""Printable documents rendered outside a request (the CLI's dossier export)."""
from __future__ import annotations

from flask import render_template

from engine import Engine


def dossier_html(engine: Engine, course_id: int) -> str:
    from .app import create_app

    app = create_app(engine, TICK_SECONDS=0)
    with app.test_request_context():
        return render_template("dossier.html", course=engine.course(course_id), sheets=engine.sheets(course_id),
                               outcomes=engine.replay_course(course_id))
