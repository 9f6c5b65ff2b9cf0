"""The Flask application factory: thin views over :class:`engine.Engine`."""
from __future__ import annotations

import os
import secrets

from flask import Flask, render_template, session
from flask_wtf.csrf import CSRFError

from engine import Busy, CourseFlowError, Engine, NotAllowed, NotFound, check_production

from . import (
    admin,
    announcement,
    audit,
    auth,
    certificates,
    courses,
    form_editor,
    i18n,
    links,
    mail,
    monitoring,
    params,
    processes,
    public,
    rate_limit,
    refusals,
    reports,
    satisfaction,
    schemaform,
    sheet_layout,
    tasks,
    ticker,
    trials,
    webportal,
    workspace,
)
from .extensions import babel, csrf, engine, login_manager
from .refusals import explain


def secret_key() -> str:
    """``COURSEFLOW_SECRET_KEY``; required in production, random per run otherwise."""
    key = os.environ.get("COURSEFLOW_SECRET_KEY")
    if key:
        return key
    if os.environ.get("COURSEFLOW_ENV") == "production":
        raise RuntimeError("COURSEFLOW_SECRET_KEY must be set when COURSEFLOW_ENV=production")
    return secrets.token_hex(32)


def create_app(engine_: Engine | None = None, **config) -> Flask:
    check_production()  # COURSEFLOW_ENV=production: a secret key and the base URL mails link to
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,  # a BPMN file may be 2 MiB (engine.safexml); JSON escaping adds some
        TICK_SECONDS=30,
        BABEL_TRANSLATION_DIRECTORIES=i18n.compiled_catalogs(),
    )
    production = os.environ.get("COURSEFLOW_ENV") == "production"
    app.config.update(SESSION_COOKIE_SECURE=production, REMEMBER_COOKIE_SECURE=production,
                      REMEMBER_COOKIE_HTTPONLY=True)
    app.config.update(config)
    app.after_request(_security_headers)
    app.extensions["courseflow"] = engine_ or _default_engine()
    csrf.init_app(app)
    rate_limit.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    app.url_map.converters["int"] = params.DatabaseIntConverter
    app.json = params.BoundedJSONProvider(app)
    for blueprint in (auth.bp, tasks.bp, courses.bp, admin.bp, public.bp, processes.bp, form_editor.bp,
                      mail.outbox_bp, mail.preferences_bp, announcement.bp, webportal.bp, monitoring.bp, satisfaction.bp,
                      trials.bp, reports.bp, certificates.bp, workspace.bp, audit.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals["record_rows"] = schemaform.read_only_rows
    app.jinja_env.globals.update(i18n.TEMPLATE_HELPERS, **refusals.TEMPLATE_HELPERS, sheet_layout=sheet_layout.layout,
                                 person_name=sheet_layout.person_name, web_link=links.web_link)
    app.context_processor(tasks.inbox_count)
    _register_error_pages(app)
    if app.config["TICK_SECONDS"]:
        ticker.start(app.extensions["courseflow"], app.config["TICK_SECONDS"])
    return app


def _default_engine() -> Engine:
    engine_ = Engine()
    engine_.init()
    return engine_


@login_manager.user_loader
def _load_user(login: str):
    """The session's user, unless the session was ended on the server since (logout elsewhere, deactivation)."""
    try:
        return auth.WebUser(engine().session_actor(login, session.get("generation")))
    except CourseFlowError:
        return None


def _security_headers(response):
    """No page may be framed by another site (clickjacking)."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _register_error_pages(app: Flask) -> None:
    from flask_babel import gettext as _

    def page(status: int, message: str):
        return render_template("error.html", status=status, message=message), status

    app.register_error_handler(Busy, lambda e: page(503, explain(e)))
    app.register_error_handler(CourseFlowError, lambda e: page(409, explain(e)))
    app.register_error_handler(NotAllowed, lambda e: page(403, explain(e)))
    app.register_error_handler(NotFound, lambda e: page(404, explain(e)))
    app.register_error_handler(CSRFError, lambda e: page(400, _("The form expired or was not sent by this site "
                                                                "(missing CSRF token). Reload the page and try again.")))
    app.register_error_handler(403, lambda e: page(403, _("You may not open this page.")))
    app.register_error_handler(404, lambda e: page(404, _("There is no such page.")))
    app.register_error_handler(413, lambda e: page(413, _("The upload is too large (the limit is 4 MiB).")))
    app.register_error_handler(rate_limit.Throttled, _throttled)


def _throttled(error: rate_limit.Throttled):
    """429 with the throttle's message, when to try again, and ``Retry-After`` (webapp.rate_limit)."""
    from flask_babel import gettext as _

    wait = int(error.retry_after or 1)
    page = render_template("error.html", status=429, message=_(error.message), retry_minutes=-(-wait // 60))
    return page, 429, {"Retry-After": str(wait)}
