"""Races and held locks (issue 11): every loser hears "changed meanwhile" or "already done", never a 500.

Contenders start together behind a barrier; on PostgreSQL they really run at
once (the loser's open-task delete finds the row gone), on SQLite they queue on
the write lock.
"""
from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from engine import Busy, ChangedMeanwhile, Engine, TaskNotOpen
from engine.base.db import normalize_url
from tests.test_web import as_user, token
from webapp.app import create_app
from webapp.cli import main

CONTENDERS = 20
SUBMISSION = {"title": "x", "csbs": ["TC 2"], "creator": "bob"}


def race(contenders: int, attempt) -> Counter:
    barrier = threading.Barrier(contenders)
    outcomes: Counter = Counter()

    def run(index: int):
        barrier.wait()
        try:
            outcomes[attempt(index)] += 1
        except Exception as error:  # the test counts whatever came out
            outcomes[type(error).__name__] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"race of {contenders}: {dict(outcomes)}")  # the figures for the closing note (pytest -s)
    return outcomes


@pytest.mark.parametrize("rounds", [3])
def test_every_loser_of_a_completion_race_hears_changed_meanwhile(engine, deployed, people, rounds):
    for _ in range(rounds):
        engine.start("review", {}, people["admin"])
        task = engine.tasks(people["admin"])[0]

        def attempt(_index, task=task):
            engine.complete(task.id, SUBMISSION, people["admin"])
            return "done"

        outcomes = race(CONTENDERS, attempt)
        assert outcomes["done"] == 1, outcomes
        assert set(outcomes) <= {"done", ChangedMeanwhile.__name__, TaskNotOpen.__name__}, outcomes
    assert engine.verify().ok


def test_web_losers_are_sent_back_to_reload_not_a_500(engine):
    """6.1: twenty TC 4 members submit the survey at once; one wins, everyone else is redirected with a reason."""
    from tests.coomet import CourseDriver, deploy_with_people

    deploy_with_people(engine)
    course = CourseDriver(engine)
    (task,) = [t for t in course.open("tc4") if t.bpmn_id == "m_survey"]
    app = create_app(engine, TESTING=True, TICK_SECONDS=0)
    clients = [as_user(app, "tc4") for _ in range(CONTENDERS)]
    tokens = [token(client, f"/tasks/{task.id}") for client in clients]
    form = {"materials_available": "yes", "post_this_year": "yes", "planned_year": "2026", "languages": "en+ru",
            "format": "h5p", "csbs": "TC 1.3", "procedural": "no"}

    def attempt(index):
        response = clients[index].post(f"/tasks/{task.id}", data={**form, "csrf_token": tokens[index]})
        return response.status_code

    outcomes = race(CONTENDERS, attempt)
    assert outcomes == Counter({302: CONTENDERS}), outcomes
    assert task.id not in {t.id for t in course.open()}


def _hold_write_lock(database_url: str):
    """Another program holding the database's write lock (SQLite) or the chain head row (PostgreSQL)."""
    holder = create_engine(normalize_url(database_url))
    connection = holder.connect()
    if database_url.startswith("sqlite"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.execute(text("LOCK TABLE chain_head IN ACCESS EXCLUSIVE MODE"))
    return holder, connection


def test_a_held_lock_is_busy_try_again_in_engine_and_cli(database_url, clock, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_LOCK_TIMEOUT_SECONDS", "0.5")
    engine = Engine(database_url, clock)
    engine.init()
    holder, connection = _hold_write_lock(database_url)
    try:
        with pytest.raises(Busy, match="busy"):
            engine.add_user("late", ["student"], "pw")
        monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
        result = CliRunner().invoke(main, ["users", "add", "late", "--role", "student", "--password-stdin"],
                                    input="pw\n")
        assert result.exit_code == 1 and "busy" in result.stderr and "Traceback" not in result.output
    finally:
        connection.rollback()
        connection.close()
        holder.dispose()
    engine.add_user("late", ["student"], "pw")
    engine.close()


def test_a_held_lock_is_a_busy_page_on_the_web(database_url, clock, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_LOCK_TIMEOUT_SECONDS", "0.5")
    engine = Engine(database_url, clock)
    engine.init()
    engine.add_user("admin", ["sector_administrator"], "pw")
    app = create_app(engine, TESTING=True, TICK_SECONDS=0)
    client = as_user(app, "admin")
    csrf = token(client, "/admin/users")
    holder, connection = _hold_write_lock(database_url)
    try:
        response = client.post("/admin/users", data={"csrf_token": csrf, "login": "late", "role": "student",
                                                      "name": "Late Comer"}, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert response.status_code in (422, 503) and "The database is busy" in page, re.findall(r"flash[^>]*>([^<]*)", page)
        refused = client.post("/admin/users/admin/active", data={"csrf_token": csrf, "active": "yes"})
        assert refused.status_code in (302, 503)
    finally:
        connection.rollback()
        connection.close()
        holder.dispose()
    engine.close()


def test_a_race_on_the_coomet_course_process(engine):
    """The 20-way race of the issue, on the real processes: one winner, every loser told to reload."""
    from tests.coomet import CourseDriver, deploy_with_people

    deploy_with_people(engine)
    course = CourseDriver(engine)
    for bpmn_id, login in (("m_survey", "tc4"),):
        (task,) = [t for t in course.open(login) if t.bpmn_id == bpmn_id]
        actor = course.actor(login)
        data = course.sheets[task.form]

        def attempt(_index, task=task, actor=actor, data=data):
            engine.complete(task.id, data, actor)
            return "done"

        outcomes = race(CONTENDERS, attempt)
        assert outcomes["done"] == 1, outcomes
        assert set(outcomes) <= {"done", ChangedMeanwhile.__name__, TaskNotOpen.__name__}, outcomes
