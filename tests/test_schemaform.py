"""The server-side form renderer: widgets from the schema, answers back into JSON of the schema's types."""
from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

from webapp import schemaform

SCHEMA = {
    "type": "object",
    "required": ["agrees"],
    "properties": {
        "agrees": {"type": "boolean", "title": "Agrees", "x-title-ru": "Согласен"},
        "count": {"type": "integer", "title": "Count"},
        "contact": {"type": "object", "title": "Contact", "properties": {
            "email": {"type": "string", "format": "email"},
            "phone": {"type": "string", "pattern": "^[+0-9 ()./-]+$"}}},
        "members": {"type": "array", "title": "Members", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "role": {"type": "string", "oneOf": [
                {"const": "chair", "title": "Chair", "x-title-ru": "Председатель"},
                {"const": "member", "title": "Member", "x-title-ru": "Член"}]}}}},
        "course": {"type": "string", "title": "Course", "readOnly": True, "x-from": "course_name"},
    },
}


def _app() -> Flask:
    app = Flask(__name__)
    Babel(app)  # messages are said in the request's language, as in the web app
    return app


def render(values=None, errors=None, lang="en"):
    with _app().test_request_context(), _locale(lang):
        return schemaform.fields(SCHEMA, values, errors)


def _locale(lang):
    from unittest import mock
    return mock.patch("webapp.i18n.lang", return_value=lang)


def test_widgets_follow_the_schema():
    by_name = {f.name: f for f in render({"course": "Mass", "members": [{"name": "A", "role": "chair"}]})}
    assert by_name["agrees"].kind == "yesno" and by_name["agrees"].required
    assert by_name["count"].kind == "integer"
    assert [c.kind for c in by_name["contact"].children] == ["email", "phone"]
    assert by_name["course"].kind == "readonly" and by_name["course"].display == "Mass"
    rows = by_name["members"].rows
    assert len(rows) == 2 and rows[0][0].name == "members.0.name" and rows[0][0].value == "A"
    assert rows[1][1].choices == [("chair", "Chair"), ("member", "Member")]


def test_labels_follow_the_language():
    by_name = {f.name: f for f in render(lang="ru")}
    assert by_name["agrees"].label == "Согласен"
    assert by_name["members"].rows[0][1].choices[0] == ("chair", "Председатель")


def test_answers_come_back_typed_and_empty_rows_dropped():
    form = MultiDict([("agrees", "no"), ("count", "3"), ("contact.email", "a@b.org"), ("contact.phone", ""),
                      ("members.0.name", "A"), ("members.0.role", "chair"), ("members.1.name", ""),
                      ("members.1.role", ""), ("course", "forged")])
    assert schemaform.parse(SCHEMA, form) == {"agrees": False, "count": 3, "contact": {"email": "a@b.org"},
                                              "members": [{"name": "A", "role": "chair"}]}


def test_field_errors_land_on_dotted_names():
    from engine.base.errors import FieldError
    with _app().test_request_context(), _locale("en"):
        errors = schemaform.errors_by_field([FieldError("contact/email", "bad"), FieldError("", "whole form")])
    by_name = {f.name: f for f in render(errors=errors)}
    assert by_name["contact"].children[0].error == "bad" and errors[""] == "whole form"
