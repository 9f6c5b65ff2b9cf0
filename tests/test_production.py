"""Production (issue Mail): gunicorn with 2 workers and 2 ``courseflow worker`` processes on PostgreSQL share the
work; every mail reaches a real SMTP server on loopback exactly once and every timer fires once (7.3)."""
from __future__ import annotations

import collections
import datetime as dt
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from demo import CourseDriver, load_demo, sheets
from engine import Engine, FixedClock
from engine.base.models import Event
from engine.mail.models import OutboxMessage
from tests.coomet import REPO
from tests.smtp import SmtpServer, free_port

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(days=15)  # past the 14-day review timeframe of the sample sheet (7.3)
BASE = "https://courseflow.coomet.example"


def environment(database_url: str, smtp_url: str, now: dt.datetime) -> dict[str, str]:
    return {**os.environ, "COURSEFLOW_DATABASE_URL": database_url, "COURSEFLOW_ENV": "production",
            "COURSEFLOW_SECRET_KEY": "a-test-secret", "COURSEFLOW_BASE_URL": BASE, "COURSEFLOW_SMTP_URL": smtp_url,
            "COURSEFLOW_MAIL_FROM": "CourseFlow <courseflow@coomet.example>",
            "COURSEFLOW_NOW": now.isoformat().replace("+00:00", "Z"), "PYTHONPATH": str(REPO)}


def courseflow(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "webapp", *args], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition, seconds: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


class _BehindTheProxy(http.cookiejar.DefaultCookiePolicy):
    """Production cookies are Secure; the reverse proxy speaks HTTPS to people, plain HTTP on loopback to gunicorn."""

    def return_ok_secure(self, cookie, request):
        return True


class Browser:
    """A person at the web app: cookies, the CSRF token from each page, form posts."""

    def __init__(self, base: str):
        self.base = base
        jar = http.cookiejar.CookieJar(policy=_BehindTheProxy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> int:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path)).group(1)
        body = urllib.parse.urlencode({**fields, "csrf_token": token}, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.status

    def login(self, login: str) -> Browser:
        self.post("/login", {"login": login, "password": "demo"})
        return self


def attach(engine: Engine, instance: str) -> CourseDriver:
    """A driver for a course started elsewhere (here: through the web)."""
    driver = CourseDriver.__new__(CourseDriver)
    driver.engine, driver.sheets, driver.actors = engine, sheets(), {}
    driver.first_instance, driver.course_id = instance, engine.instance(instance).course_id
    return driver


def to_review(driver: CourseDriver) -> None:
    """From the appointment to the chair of TC 1.3 reviewing, within a 14-day timeframe (7.2, 7.3)."""
    driver.do("m_appoint", "admin")
    driver.do("m_describe", "implementer")
    driver.do("m_prepare", "creator")
    driver.send_for_agreeing(csbs=("TC 1.3",))
    driver.do("c_assign", "chair-tc13", scope="TC 1.3")


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    with engine.db.read() as session:
        return list(session.scalars(select(OutboxMessage)))


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_gunicorn_and_two_workers_send_every_mail_once_and_fire_every_timer_once(database_url):
    smtp = SmtpServer().start()
    os.environ.setdefault("COURSEFLOW_BASE_URL", BASE)
    engine = Engine(database_url, FixedClock(T0))
    processes: list[subprocess.Popen] = []
    try:
        engine.init()
        assert load_demo(engine) == []  # seven courses' worth of mail waiting in the outbox
        port = free_port()
        env = environment(database_url, smtp.url, T0)
        processes.append(courseflow(env, "serve", "--production", "--workers", "2", "--port", str(port)))
        workers = [courseflow(env, "worker", "--every", "0.3") for _ in range(2)]
        processes += workers
        web = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(web + "/login"), what="gunicorn")

        # Through the web: the administrator starts a course, TC 4 surveys it (6.1).
        admin = Browser(web).login("admin")
        assert admin.post("/courses/new", {"course_name": "Hydrometry", "initiator": "VNIIM"}) == 200
        course = next(c for c in engine.courses() if c.name == "Hydrometry")
        (survey,) = [t for t in engine.tasks(engine.actor("tc4")) if t.instance == course.instance]
        tc4 = Browser(web).login("tc4")
        assert tc4.post(f"/tasks/{survey.id}", {
            "instance_version": engine.task(survey.id).instance_version, "materials_available": "yes",
            "post_this_year": "yes", "languages": "en+ru", "format": "h5p", "csbs": ["TC 1.3"],
            "procedural": "no"}) == 200
        to_review(attach(engine, course.instance))
        second = CourseDriver(engine, course_name="Gas flow", course_name_ru="Расход газа")
        second.do("m_survey", "tc4", csbs=["TC 1.3"])
        to_review(second)

        wait_for(lambda: _all_sent(engine), what="the workers to send the outbox")
        for worker in workers:
            worker.terminate()
            worker.wait(30)
        # 15 days on: the review timeframes pass; two new workers fire the timers and send the notices.
        later = environment(database_url, smtp.url, LATER)
        processes += [courseflow(later, "worker", "--every", "0.3") for _ in range(2)]
        wait_for(lambda: _alerts_sent(engine), what="the timeframe alerts and overdue notices")
        time.sleep(2)  # a second copy would arrive now, if any were to

        received = collections.Counter(m.message["Message-ID"] for m in smtp.recorder.received)
        assert [mid for mid, count in received.items() if count > 1] == []
        rows = outbox_rows(engine)
        assert {r.message_id for r in rows if r.state == "sent"} == set(received)
        assert [r for r in rows if r.state in ("queued", "failed")] == []
        reviews = [t for t in engine.tasks(engine.actor("chair-tc13")) if t.bpmn_id == "c_chair_review"]
        assert {course.instance, second.instance} <= {t.instance for t in reviews}  # and the demo's own review
        chair = smtp.recorder.to("chair-tc13@coomet.example")
        overdue = [m for m in chair if m.message["Subject"].startswith("Overdue by 1 day(s): Agree on the course")]
        assert len(overdue) == len(reviews)
        members = [t for t in engine.tasks() if t.bpmn_id in ("c_member_review", "c_countersign")]  # the demo's, late too
        assert len([m for m in smtp.recorder.to("admin@coomet.example") if "Overdue" in m.message["Subject"]]) == \
            len(reviews) + len(members)
        with engine.db.read() as session:
            fired = session.execute(select(Event.task_id, func.count()).where(Event.kind == "timer_fired")
                                    .group_by(Event.task_id)).all()
            alerts = session.scalar(select(func.count()).where(Event.kind == "timer_fired",
                                                               Event.bpmn_id == "c_chair_late"))
        assert [task for task, count in fired if count > 1] == [] and alerts == len(reviews)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        engine.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _all_sent(engine: Engine) -> bool:
    rows = outbox_rows(engine)
    return bool(rows) and not any(r.state == "queued" for r in rows)


def _alerts_sent(engine: Engine) -> bool:
    """The two chairs' reviews above are late (the demo's own reviews are its members'): two alerts fired, and
    nothing left queued."""
    with engine.db.read() as session:
        alerts = session.scalar(select(func.count()).where(Event.kind == "timer_fired", Event.bpmn_id == "c_chair_late"))
    rows = outbox_rows(engine)
    return alerts >= 2 and sum(r.kind == "overdue" for r in rows) >= 4 and not any(r.state == "queued" for r in rows)


def test_production_mode_needs_a_secret_key_and_a_base_url(monkeypatch):
    from click.testing import CliRunner

    from webapp.cli import main

    monkeypatch.setenv("COURSEFLOW_ENV", "production")
    monkeypatch.delenv("COURSEFLOW_BASE_URL", raising=False)
    monkeypatch.delenv("COURSEFLOW_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["serve", "--production"])
    assert result.exit_code == 1
    assert "COURSEFLOW_SECRET_KEY and COURSEFLOW_BASE_URL" in result.stderr
    monkeypatch.setenv("COURSEFLOW_SECRET_KEY", "s")
    monkeypatch.setenv("COURSEFLOW_BASE_URL", "ftp://courseflow.example")
    result = CliRunner().invoke(main, ["serve", "--production"])
    assert result.exit_code == 1 and "must be an http:// or https:// address" in result.stderr
