"""The engine's refusals (engine.Refused) in the reader's language; other errors keep the engine's text."""
from __future__ import annotations

from flask_babel import gettext as _

from engine import CourseFlowError, Refused

from .i18n import role_name


def explain(error: CourseFlowError) -> str:
    if not isinstance(error, Refused):
        return str(error)
    p = error.params
    messages = {
        "login_invalid": lambda: _("“%(login)s” cannot be a login: use letters, digits and . _ @ - (at most 100).",
                                   login=p.get("login", "")),
        "login_taken": lambda: _("There is already a person with the login %(login)s.", login=p.get("login", "")),
        "role_unknown": lambda: _("Choose a role from the list."),
        "role_not_scoped": lambda: _("%(role)s is not held per CSB: leave the CSB empty.",
                                     role=role_name(p.get("role"))),
        "csb_unknown": lambda: _("There is no CSB %(csb)s in the CSB list.", csb=p.get("csb", "")),
        "csb_required": lambda: _("%(role)s is held for one CSB: choose the CSB.", role=role_name(p.get("role"))),
        "already_held": lambda: _("%(login)s already holds this role.", login=p.get("login", "")),
        "not_held": lambda: _("%(login)s does not hold this role.", login=p.get("login", "")),
        "own_administrator": lambda: _("You cannot revoke your own administrator role: ask another sector "
                                       "administrator."),
        "own_deactivation": lambda: _("You cannot deactivate yourself."),
        "last_administrator": lambda: _("%(login)s is the only active sector administrator: make someone else an "
                                        "administrator first.", login=p.get("login", "")),
        "name_required": lambda: _("Enter the person's name."),
        "name_too_long": lambda: _("The name has at most 200 characters."),
        "email_invalid": lambda: _("Enter an e-mail address such as name@example.org."),
        "phone_invalid": lambda: _("Enter a phone number: digits, spaces, + ( ) . / -"),
        "nmi_too_long": lambda: _("The NMI has at most 300 characters."),
        "password_wrong": lambda: _("The current password is not right."),
        "password_short": lambda: _("The new password needs at least %(minimum)s characters.",
                                    minimum=p.get("minimum", "")),
        "password_same": lambda: _("Choose a new password different from the current one."),
        "csb_code_invalid": lambda: _("A CSB code has letters, digits, spaces, dots and dashes (e.g. TC 1.3)."),
        "csb_name_required": lambda: _("Enter the CSB's English name."),
        "token_invalid": lambda: _("The form is missing its submission token: reload the page and try again."),
        "reason_required": lambda: _("Say why the course is withdrawn."),
        "already_withdrawn": lambda: _("This course was already withdrawn."),
    }
    message = messages.get(error.reason)
    return message() if message else str(error)
