"""Form checks that hostile input cannot slip past or stall (issue 11): linear patterns, NaN, formats, links."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import text

from engine import InvalidData
from engine.definitions.form_schema import schema_problem, validate_submission
from tests.coomet import CourseDriver, deploy_with_people
from webapp.app import create_app

FORM = {"type": "object", "properties": {
    "code": {"type": "string", "pattern": "^(a+)+$"},
    "score": {"type": "number", "minimum": 0, "maximum": 10},
    "course_url": {"type": "string", "format": "uri"},
    "email": {"type": "string", "format": "email"},
    "on": {"type": "string", "format": "date"},
    "at": {"type": "string", "format": "date-time"},
}}


def refused(data: dict) -> list[str]:
    with pytest.raises(InvalidData) as caught:
        validate_submission(FORM, data)
    return [str(e) for e in caught.value.errors]


def test_a_catastrophic_pattern_is_matched_in_linear_time():
    """Python's backtracking takes ~90 s on this; RE2 answers at once (the thread would still be running)."""
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(refused({"code": "a" * 40 + "!"})), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert outcome and "does not match" in outcome[0][0]
    assert validate_submission(FORM, {"code": "aaa"}) == {"code": "aaa"}


@pytest.mark.parametrize("pattern", [r"^(a)\1$", r"^(?=a)a$", r"^(?<!b)a$"])
def test_patterns_that_need_backtracking_are_refused_at_deploy(pattern):
    problem = schema_problem({"type": "object", "properties": {"a": {"type": "string", "pattern": pattern}}})
    assert "cannot be matched in linear time" in problem


def test_unchecked_formats_and_pattern_properties_are_refused_at_deploy():
    assert "not checked" in schema_problem({"type": "object", "properties": {"a": {"type": "string",
                                                                                    "format": "hostname"}}})
    assert "patternProperties" in schema_problem({"type": "object", "patternProperties": {"^x": {}}})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_do_not_pass_minimum_and_maximum(value):
    assert refused({"score": value}) == ["score: must be a number (NaN and infinity are not numbers)"]


@pytest.mark.parametrize("field, value", [
    ("course_url", "javascript:alert(1)//"), ("course_url", "data:text/html,<script>1</script>"),
    ("course_url", "https://"), ("course_url", "not a link"), ("email", "nobody"), ("email", "a@b"),
    ("on", "2026-02-30"), ("on", "20260201"), ("at", "2026-02-01T09:00"), ("at", "2026-02-30T09:00:00Z"),
])
def test_every_format_is_enforced(field, value):
    (error,) = refused({field: value})
    assert error.startswith(f"{field}: enter ")  # "enter a date (YYYY-MM-DD)", "enter an e-mail address …"


def test_good_values_of_every_format_pass():
    data = {"course_url": "https://e-learning.bipm.org/course/view.php?id=7", "email": "a.b@coomet.org",
            "on": "2026-02-28", "score": 7.5, "at": "2026-02-28T09:30:00+03:00"}
    assert validate_submission(FORM, data) == data


def test_a_stored_javascript_link_is_not_rendered_as_a_link(engine):
    deploy_with_people(engine)
    course = CourseDriver(engine)
    course.publish_one_csb_course()
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE courses SET course_url = :u"), {"u": "javascript:alert(1)//"})
    app = create_app(engine, TESTING=True, TICK_SECONDS=0, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.post("/login", data={"login": "auditor", "password": "pw"})
    page = client.get(f"/courses/{course.course.id}").get_data(as_text=True)
    assert "javascript:alert(1)//" in page and 'href="javascript' not in page
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE courses SET course_url = :u"), {"u": "https://e-learning.bipm.org/c/1"})
    page = client.get(f"/courses/{course.course.id}").get_data(as_text=True)
    assert 'href="https://e-learning.bipm.org/c/1"' in page


def test_forms_in_the_repository_still_pass_the_stricter_checks():
    from pathlib import Path

    for path in Path("forms").glob("*.json"):
        assert schema_problem(json.loads(path.read_text())) is None, path.name
