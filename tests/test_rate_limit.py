"""The one throttle of the anonymous pages (webapp.rate_limit): counted per address, 429 with Retry-After,
limits set by ``COURSEFLOW_<NAME>_LIMIT`` and a bad setting refused when the server starts (10.3, 11.1)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask

from webapp import app as _app  # noqa: F401  (the app module registers its throttles)
from webapp import rate_limit
from webapp.cli import main
from webapp.rate_limit import BadThrottleSetting, throttled


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(rate_limit.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def app():
    app = Flask(__name__)

    @app.route("/ping", methods=["GET", "POST"])
    @throttled("test_ping", 2, 60, methods=["POST"])
    def ping():
        return "pong"

    rate_limit.init_app(app)
    yield app
    del rate_limit.THROTTLES["test_ping"]


def test_the_third_post_within_the_window_is_refused_with_when_to_retry(app, clock):
    client = app.test_client()
    assert [client.post("/ping").status_code for _ in range(2)] == [200, 200]
    clock[0] += 20
    refused = client.post("/ping")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "40"
    assert client.get("/ping").status_code == 200  # only the methods named are counted
    assert client.post("/ping", environ_base={"REMOTE_ADDR": "10.2.2.2"}).status_code == 200  # per address
    clock[0] += 40
    assert client.post("/ping").status_code == 200  # the first answer has left the window


def test_refused_requests_are_not_counted(app, clock):
    client = app.test_client()
    for _ in range(10):
        client.post("/ping")
    clock[0] += 60
    assert [client.post("/ping").status_code for _ in range(3)] == [200, 200, 429]


def test_a_limit_is_count_per_seconds_and_anything_else_is_refused_with_the_form_to_use():
    assert rate_limit.settings({"COURSEFLOW_CERTIFICATE_LIMIT": " 12 / 90 "})["certificate"] == (12, 90)
    assert rate_limit.settings({})["certificate_request"] == (5, 3600)  # the defaults
    for bad in ("30 per minute; 300 per hour", "0/60", "30/0", "30", "-1/60", "1e3/60"):
        with pytest.raises(BadThrottleSetting, match=r"COURSEFLOW_CERTIFICATE_LIMIT=.*COUNT/SECONDS, e\.g\. 30/60"):
            rate_limit.settings({"COURSEFLOW_CERTIFICATE_LIMIT": bad})


def test_the_server_does_not_start_with_a_bad_limit_and_says_why(monkeypatch):
    monkeypatch.setenv("COURSEFLOW_SURVEY_LIMIT", "ten per minute")
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "COURSEFLOW_SURVEY_LIMIT='ten per minute' is not a limit: write COUNT/SECONDS, e.g. 10/600" in result.output
