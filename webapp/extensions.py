"""The Flask extensions and the engine, shared by every blueprint."""
from __future__ import annotations

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from engine import Engine

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None


def engine() -> Engine:
    """The engine of the running app."""
    return current_app.extensions["courseflow"]
