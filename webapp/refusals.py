"""The engine's refusals (engine.Refused) in the reader's language; other errors keep the engine's text."""
from __future__ import annotations

from flask_babel import gettext as _

from engine import CourseFlowError, FieldError, Refused

from .i18n import label, role_name


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


def field_message(error: FieldError, schema: dict | None = None) -> str:
    """A form field's problem in the reader's language, naming other fields by their labels."""
    p = error.params

    def named(path: str) -> str:
        prop: dict = schema or {}
        for part in path.split("/"):
            prop = (prop.get("properties") or {}).get(part) or {}
        return label(prop, default=path)

    messages = {
        "required": lambda: _("Fill in this field."),
        "unknown": lambda: _("The form has no such field."),
        "max_length": lambda: _("At most %(limit)s characters (you typed %(typed)s).", limit=p.get("limit"),
                                typed=p.get("typed")),
        "min_length": lambda: _("At least %(limit)s characters.", limit=p.get("limit")),
        "phone": lambda: _("Enter a phone number: digits, spaces, + ( ) . / -"),
        "pattern": lambda: _("This is not in the expected form."),
        "format_email": lambda: _("Enter an e-mail address such as name@example.org."),
        "format_date": lambda: _("Enter a date (YYYY-MM-DD)."),
        "format_uri": lambda: _("Enter a full link starting with https://"),
        "number": lambda: _("Enter a number."),
        "minimum": lambda: _("At least %(limit)s.", limit=p.get("limit")),
        "maximum": lambda: _("At most %(limit)s.", limit=p.get("limit")),
        "minItems": lambda: _("Choose at least %(limit)s.", limit=p.get("limit")),
        "maxItems": lambda: _("Choose at most %(limit)s.", limit=p.get("limit")),
        "must_be": lambda: _("Must be YES.") if p.get("value") else _("Must be NO."),
        "no_choices": lambda: _("There is nothing to choose yet (no matching people, CSBs or courses exist)."),
        "choice": lambda: _("Choose one of the options offered."),
        "conclusion": lambda: _("Revisit this conclusion: it contradicts “%(fields)s”. Which is meant?",
                                fields="”, “".join(named(f) for f in p.get("conflicts", []))),
        "date_order": lambda: _("Must not be before “%(other)s” (%(start)s).", other=named(p.get("other", "")),
                                start=p.get("start", "")),
    }
    message = messages.get(error.code)
    return message() if message else error.message
