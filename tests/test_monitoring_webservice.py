"""§9.1 the platform's web services: a Moodle REST look-alike on loopback answering in the documented shapes."""
from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine import PlatformError
from tests.coomet import CourseDriver, deploy_with_people

TOKEN = "t0ken"
USERS = [{"id": 11, "fullname": "Anna Ivanova", "email": "anna@example.org"},
         {"id": 12, "fullname": "Paul Martin", "email": "paul@example.org"}]
CONTENTS = [{"id": 1, "name": "General", "modules": [{"id": 101, "name": "Module 1. Units", "modname": "page"},
                                                     {"id": 102, "name": "Final test", "modname": "quiz"}]}]
JAN_6 = 1767695400  # 2026-01-06 10:30 UTC
STATUSES = {11: [{"cmid": 101, "modname": "page", "instance": 1, "state": 1, "timecompleted": JAN_6 - 86400,
                  "tracking": 2},
                 {"cmid": 102, "modname": "quiz", "instance": 2, "state": 2, "timecompleted": JAN_6, "tracking": 2}],
            12: [{"cmid": 101, "modname": "page", "instance": 1, "state": 0, "timecompleted": 0, "tracking": 2},
                 {"cmid": 102, "modname": "quiz", "instance": 2, "state": 3, "timecompleted": JAN_6, "tracking": 2}]}


class FakeMoodle(BaseHTTPRequestHandler):
    refuse = False

    def do_POST(self):  # noqa: N802 (the http.server API)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
        assert form["moodlewsrestformat"] == "json" and self.path == "/moodle/webservice/rest/server.php"
        self._answer(self._result(form))

    def _result(self, form):
        if form["wstoken"] != TOKEN or FakeMoodle.refuse:
            return {"exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token - token not found"}
        function, user = form["wsfunction"], int(form.get("userid", 0))
        if function == "core_enrol_get_enrolled_users":
            return USERS
        if function == "core_course_get_contents":
            return CONTENTS
        if function == "core_completion_get_activities_completion_status":
            return {"statuses": STATUSES[user], "warnings": []}
        if function == "core_completion_get_course_completion_status":
            done = user == 11
            return {"completionstatus": {"completed": done, "aggregation": 1, "completions": [
                {"type": 4, "title": "Activity completion", "status": "Yes" if done else "No", "complete": done,
                 "timecompleted": JAN_6 if done else None}]}, "warnings": []}
        return {"exception": "dml_missing_record_exception", "errorcode": "invalidrecord",
                "message": f"Can't find data record in database table external_functions ({function})."}

    def _answer(self, value):
        body = json.dumps(value).encode()
        self.send_response(200)  # Moodle answers errors with HTTP 200 too
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def moodle():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeMoodle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/moodle"
    server.shutdown()
    thread.join()
    FakeMoodle.refuse = False


@pytest.fixture
def course(engine, moodle):
    deploy_with_people(engine)
    driver = CourseDriver(engine)
    driver.do("m_survey", "tc4")
    driver.do("m_appoint", "admin")
    engine.set_platform_course(driver.course.id, "42", f"{moodle}/course/view.php?id=42", engine.actor("admin"))
    return driver.course.id


def test_9_1_sync_through_web_services_states_0_to_3(engine, course):
    report = engine.sync_platform(course, TOKEN, actor=engine.actor("coordinator"))
    assert (report.kind, report.participants, report.activities, report.added) == ("web-services", 2, 2, 4)
    anna, paul = engine.participant_states(course, engine.actor("admin"))
    assert [(a.activity, a.state, a.at and a.at.isoformat()) for a in anna.activities] == [
        ("Module 1. Units", "complete", "2026-01-05T10:30:00+00:00"),
        ("Final test", "passed", "2026-01-06T10:30:00+00:00")]
    assert [a.state for a in paul.activities] == ["incomplete", "failed"] and anna.all_passed and not paul.all_passed
    assert (anna.course_state, paul.course_state) == ("complete", "incomplete")
    assert anna.platform_id == "11"
    assert engine.sync_platform(course, TOKEN).unchanged


def test_9_1_moodle_errors_in_an_http_200_answer_are_refusals_with_its_message(engine, course, moodle):
    with pytest.raises(PlatformError, match="Invalid token.*invalidtoken"):
        engine.sync_platform(course, "wrong")
    with pytest.raises(PlatformError, match="cannot be reached"):
        engine.sync_platform(course, TOKEN, base_url="http://127.0.0.1:9")
    assert engine.monitoring_summary(course).imports == []


def test_9_1_cli_sync_reads_the_token_from_the_environment(engine, course, database_url, monkeypatch):
    from click.testing import CliRunner

    from webapp.cli import main
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.delenv("COURSEFLOW_MOODLE_TOKEN", raising=False)
    refused = CliRunner().invoke(main, ["monitoring", "sync", str(course)])
    assert refused.exit_code == 1 and "COURSEFLOW_MOODLE_TOKEN" in refused.stderr
    monkeypatch.setenv("COURSEFLOW_MOODLE_TOKEN", TOKEN)
    done = CliRunner().invoke(main, ["monitoring", "sync", str(course), "--json"])
    assert done.exit_code == 0 and json.loads(done.output)["participants"] == 2
