"""The ``courseflow`` command line, as another program would drive it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from webapp.cli import main


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-01-05T09:00:00Z")
    runner = CliRunner()

    def run(*args, input=None, ok=True):
        result = runner.invoke(main, list(args), input=input)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result
    return run


def deploy_fixtures(cli):
    return cli("deploy", str(FIXTURES / "processes"), "--forms", str(FIXTURES / "forms"))


def test_whole_cycle_through_the_cli(cli):
    assert "deployed  review v1" in deploy_fixtures(cli).output
    assert "unchanged review v1" in deploy_fixtures(cli).output
    cli("users", "add", "admin", "--role", "sector_administrator", "--password-stdin", input="secret\n")
    cli("users", "add", "chair", "--role", "csb_chair:TC 2", "--password-stdin", input="secret\n")
    instance = json.loads(cli("start", "review", "--as", "admin", "--json").output)["instance"]
    (task,) = json.loads(cli("tasks", "--as", "admin", "--json").output)
    assert task["instance"] == instance and task["bpmn_id"] == "prepare" and task["role"] == "sector_administrator"
    assert set(task) >= {"id", "instance", "process", "bpmn_id", "name", "lane", "role", "scope", "assignee",
                         "form", "due"}
    detail = json.loads(cli("show-task", task["id"], "--json").output)
    assert detail["schema"]["required"] == ["title", "csbs", "creator"]
    cli("complete", task["id"], "--as", "admin", "--data", '{"title": "T", "csbs": ["TC 2"], "creator": "chair"}')
    (review,) = json.loads(cli("tasks", "--as", "chair", "--json").output)
    assert review["scope"] == "TC 2"
    assert "intact" in cli("verify").output


def test_refusals_go_to_stderr_with_exit_1(cli):
    deploy_fixtures(cli)
    cli("users", "add", "bob", "--role", "course_creator", "--password-stdin", input="pw\n")
    result = cli("start", "review", "--as", "bob", ok=False)
    assert result.exit_code == 1 and "needs the role sector_administrator" in result.stderr
    result = cli("complete", "nope", "--as", "bob", "--data", "{", ok=False)
    assert result.exit_code == 1 and "not valid JSON" in result.stderr
    result = cli("users", "add", "x", "--role", "csb_chair:TC 99", ok=False)
    assert result.exit_code == 1 and "unknown CSB 'TC 99'" in result.stderr
    result = cli("users", "add", "y", "--role", "wizard", ok=False)
    assert "unknown role 'wizard'" in result.stderr


def test_form_errors_are_listed_by_field(cli, tmp_path):
    deploy_fixtures(cli)
    cli("users", "add", "admin", "--role", "sector_administrator", "--password-stdin", input="pw\n")
    cli("start", "review", "--as", "admin")
    (task,) = json.loads(cli("tasks", "--as", "admin", "--json").output)
    data = tmp_path / "data.json"
    data.write_text('{"title": "", "csbs": "TC 2"}')
    result = cli("complete", task["id"], "--as", "admin", "--data", f"@{data}", ok=False)
    assert result.exit_code == 1
    assert "title:" in result.stderr and "csbs:" in result.stderr and "creator" in result.stderr


def test_bad_bpmn_directory_reports_problems_without_traceback(cli, tmp_path):
    (tmp_path / "broken.bpmn").write_text("<bpmn:definitions")
    result = cli("deploy", str(tmp_path), "--json", ok=False)
    assert result.exit_code == 1
    (problem,) = json.loads(result.output)["problems"]
    assert problem["file"] == "broken.bpmn" and problem["line"] == 1
    assert "Traceback" not in result.output + result.stderr


def test_a_half_deployed_folder_says_so_and_exits_1(cli, tmp_path):
    (tmp_path / "review.bpmn").write_text((FIXTURES / "processes" / "review.bpmn").read_text())
    (tmp_path / "broken.bpmn").write_text("<bpmn:definitions")
    result = cli("deploy", str(tmp_path), "--forms", str(FIXTURES / "forms"), ok=False)
    assert result.exit_code == 1
    assert "deployed  review v1" in result.stdout
    assert "1 deployed, 0 unchanged, 1 file(s) refused: broken.bpmn" in result.stderr
    assert "The other files were deployed" in result.stderr


def test_tick_fires_due_timers(cli, monkeypatch):
    deploy_fixtures(cli)
    cli("users", "add", "admin", "--role", "sector_administrator", "--password-stdin", input="pw\n")
    cli("start", "timers", "--as", "admin")
    assert json.loads(cli("tick", "--json").output) == {"fired": 0}
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-01-06T09:00:01Z")
    assert json.loads(cli("tick", "--json").output) == {"fired": 1}


def test_verify_exits_non_zero_after_tampering(cli, database_url):
    from sqlalchemy import create_engine, text

    from engine.base.db import normalize_url

    deploy_fixtures(cli)
    cli("users", "add", "admin", "--role", "sector_administrator", "--password-stdin", input="pw\n")
    cli("start", "review", "--as", "admin")
    raw = create_engine(normalize_url(database_url))
    with raw.begin() as connection:
        connection.execute(text("UPDATE events SET actor = 'mallory' WHERE seq = 2"))
    raw.dispose()
    result = cli("verify", "--json", ok=False)
    assert result.exit_code == 1 and json.loads(result.output)["bad_event"] == 2


def test_console_script_is_installed(tmp_path):
    env = {**os.environ, "COURSEFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "courseflow"), "init"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Database ready" in result.stdout


def test_courses_and_messages_through_the_cli(cli, database_url):
    from engine import Engine
    from tests.coomet import CourseDriver, deploy_with_people

    engine = Engine(database_url)
    engine.init()
    deploy_with_people(engine)
    course = CourseDriver(engine)
    course.publish_one_csb_course()
    engine.close()
    listed = json.loads(cli("courses", "--which", "catalogue", "--json").output)
    assert [(c["name"], c["status"]) for c in listed] == [("Uncertainty of measurement", "published")]
    assert "cancelled courses (13.5): 0" in cli("courses", "--which", "cancelled").output
    result = cli("message", course.instance, "inspection_requested", "--as", "creator", ok=False)
    assert result.exit_code == 1 and "secretariat or tc4" in result.stderr
    cli("message", course.instance, "inspection_requested", "--as", "tc4", "--data", '{"reason": "new GUM"}')
    assert json.loads(cli("courses", "--which", "all", "--json").output)[0]["status"] == "under inspection"


def test_versions_lists_each_version_with_its_changes(cli, tmp_path):
    deploy_fixtures(cli)
    cli("users", "add", "owner", "--role", "process_owner", "--password-stdin", input="secret\n")
    cli("users", "add", "admin", "--role", "sector_administrator", "--password-stdin", input="secret\n")
    folder = tmp_path / "processes"
    folder.mkdir()
    child = (FIXTURES / "processes" / "child.bpmn").read_text()
    (folder / "child.bpmn").write_text(child.replace('name="Write the course"', 'name="Write it"'))
    assert "needs the role process_owner" in cli("deploy", str(folder), "--as", "admin", ok=False).stderr
    output = cli("deploy", str(folder), "--forms", str(FIXTURES / "forms"), "--as", "owner").output
    assert output.splitlines() == ["deployed  child v2", "deployed  parent v2",  # the caller runs the new child
                                   "2 deployed, 0 unchanged, 0 file(s) refused"]
    assert cli("versions", "parent").output.splitlines() == [
        "v2  2026-01-05 09:00  by owner  running 0, finished 0",
        '    changed  userTask c_write "Write it" (in child): name "Write the course" → "Write it"',
        "v1  2026-01-05 09:00  by -  running 0, finished 0",
    ]
    listed = json.loads(cli("versions", "parent", "--json").output)
    assert [(v["version"], v["deployed_by"]) for v in listed] == [(2, "owner"), (1, None)]
    assert listed[0]["changes"][0]["element_id"] == "c_write"
    result = cli("versions", "ghost", ok=False)
    assert result.exit_code == 1 and "No process 'ghost'" in result.stderr
