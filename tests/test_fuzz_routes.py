"""Every route, as every role, with hostile values (issue 11): no HTTP 500 anywhere.

The routes are walked from ``app.url_map``, so a route added later is fuzzed too.
"""
from __future__ import annotations

import itertools
import re

import pytest

from tests.coomet import DEMO_USERS, CourseDriver, deploy_with_people
from webapp.app import create_app

HUGE = "99999999999999999999"
HOSTILE = [HUGE, "2147483648", "-1", "0", "1", "x'\"<script>", "9999-12-31", "%00", "a" * 3000, "..%2f..%2fetc"]
QUERY_KEYS = ["page", "course", "role", "process", "sort", "until", "since", "step", "to", "version", "which",
              "replay", "actor"]
NESTED_JSON = "[" * 100_000


@pytest.fixture
def fuzz_app(engine):
    deploy_with_people(engine)
    course = CourseDriver(engine)
    course.do("m_survey", "tc4")
    app = create_app(engine, TICK_SECONDS=0, WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    return app, course


def _urls(app, value: str) -> list[tuple[str, str]]:
    """(method, url) for every rule with every argument set to ``value``."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = re.sub(rf"<(\w+:)?{argument}>", value, url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_no_route_answers_500_to_hostile_values(fuzz_app, capsys):
    app, course = fuzz_app
    clients = {"anonymous": app.test_client()}
    for login, _name, _grants in DEMO_USERS:
        client = app.test_client()
        assert client.post("/login", data={"login": login, "password": "pw"}).status_code == 302
        clients[login] = client
    real_ids = [str(course.course.id), course.open()[0].id, "course_creation", "survey.json", "admin"]
    failures, sent = [], 0
    for (who, client), value in itertools.product(clients.items(), HOSTILE + real_ids):
        for method, url in _urls(app, value):
            query = {key: value for key in QUERY_KEYS}
            if method == "GET":
                response = client.get(url, query_string=query)
            else:
                form = {"grant": value, "action": "revoke", "active": value, "login": value, "password": value,
                        "to": value, "language": value, "course_name": value}
                response = client.post(url, data=form, query_string=query)
            sent += 1
            if response.status_code >= 500:
                failures.append((who, method, url[:80], value[:30], response.status_code))
        if who in ("owner", "admin", "anonymous"):
            for url in ("/processes/course_creation/deploy", "/forms/preview", "/forms/survey.json"):
                response = client.post(url, data=NESTED_JSON, content_type="application/json")
                sent += 1
                if response.status_code >= 500:
                    failures.append((who, "POST json", url, "[[[…", response.status_code))
    with capsys.disabled():
        print(f"\nfuzzed requests: {sent}, answered 5xx: {len(failures)}")
    assert not failures, failures[:20]
