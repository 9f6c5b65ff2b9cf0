"""Mail (issue Mail): the outbox is written with the change that causes it, people hear of their tasks in their
language and as often as they chose, and the sender delivers each message once over real SMTP (7.2, 7.3)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import FixedClock
from tests.smtp import SmtpServer, free_port

ADDRESSES = {"admin": "admin@coomet.example", "chair13": "chair13@vniim.example", "chair2": "chair2@belgim.example",
             "bob": "bob@nmi.example"}


@pytest.fixture
def mailed(engine, deployed):
    engine.add_user("admin", ["sector_administrator"], "pw", name="Alla Admin", email=ADDRESSES["admin"])
    engine.add_user("chair13", ["csb_chair:TC 1.3"], "pw", name="Chair TC 1.3", email=ADDRESSES["chair13"])
    engine.add_user("chair2", ["csb_chair:TC 2"], "pw", name="Chair TC 2", email=ADDRESSES["chair2"])
    engine.add_user("bob", ["course_creator"], "pw", name="Bob", email=ADDRESSES["bob"])
    return {login: engine.actor(login) for login in ADDRESSES}


@pytest.fixture
def smtp(monkeypatch):
    server = SmtpServer().start()
    monkeypatch.setenv("COURSEFLOW_SMTP_URL", server.url)
    monkeypatch.setenv("COURSEFLOW_MAIL_FROM", "CourseFlow <courseflow@coomet.example>")
    monkeypatch.setenv("COURSEFLOW_BASE_URL", "https://courseflow.coomet.example")
    server.recorder.url = server.url
    yield server.recorder
    server.stop()


def start_review(engine, people, csbs=("TC 1.3", "TC 2")):
    instance = engine.start("review", {}, people["admin"])
    (prepare,) = [t for t in engine.tasks(people["admin"]) if t.instance == instance]
    engine.complete(prepare.id, {"title": "Mass", "csbs": list(csbs), "creator": "bob"}, people["admin"])
    return instance


def outbox(engine, people, **kwargs):
    return engine.outbox(people["admin"], **kwargs)


def test_7_2_each_chair_hears_only_of_their_own_csbs_review(engine, mailed, smtp):
    start_review(engine, mailed)
    run = engine.deliver_mail()
    assert run.sent == 2  # one review per chair ("prepare" was done before the worker came: no mail about it)
    (to13,) = smtp.to(ADDRESSES["chair13"])
    (to2,) = smtp.to(ADDRESSES["chair2"])
    assert to13.message["Subject"] == "New task: Review by the CSB — (no course yet)"
    task13 = next(t for t in engine.tasks(mailed["chair13"]))
    assert f"https://courseflow.coomet.example/tasks/{task13.id}" in to13.text()
    assert "https://courseflow.coomet.example/mail/preferences" in to13.text()
    assert to13.message.get_body(("html",)) is not None and to2.message["Message-ID"] != to13.message["Message-ID"]
    assert engine.deliver_mail().sent == 0  # nothing goes twice


def test_a_refused_change_writes_no_mail_and_a_committed_one_is_not_forgotten(engine, mailed, smtp):
    from engine import InvalidData

    engine.start("review", {}, mailed["admin"])
    engine.deliver_mail()
    assert len(smtp.received) == 1  # the administrator's "prepare"
    (prepare,) = engine.tasks(mailed["admin"])
    with pytest.raises(InvalidData):
        engine.complete(prepare.id, {"title": "", "csbs": ["TC 2"], "creator": "bob"}, mailed["admin"])
    assert engine.deliver_mail().sent == 0 and len(outbox(engine, mailed)) == 1
    engine.complete(prepare.id, {"title": "Mass", "csbs": ["TC 2"], "creator": "bob"}, mailed["admin"])
    assert engine.deliver_mail().sent == 1 and smtp.to(ADDRESSES["chair2"])


def test_smtp_down_loses_nothing_and_sends_later(engine, mailed, smtp, clock, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    start_review(engine, mailed)
    run = engine.deliver_mail()
    assert (run.sent, run.retrying) == (0, 2)
    waiting = outbox(engine, mailed, state="queued")
    assert len(waiting) == 2 and all("cannot reach the mail server" in m.last_error for m in waiting)
    monkeypatch.setenv("COURSEFLOW_SMTP_URL", smtp.url)
    assert engine.deliver_mail().sent == 0  # backing off: not before the next attempt is due
    clock.advance(minutes=2)
    assert engine.deliver_mail().sent == 2
    assert len(smtp.received) == 2 and outbox(engine, mailed, state="queued") == []


def test_a_refused_recipient_is_recorded_and_the_others_are_sent(engine, mailed, smtp):
    smtp.refuse.add(ADDRESSES["chair2"])
    start_review(engine, mailed)
    run = engine.deliver_mail()
    assert (run.sent, run.failed) == (1, 1)
    (failed,) = outbox(engine, mailed, state="failed")
    assert failed.recipient == "chair2" and "550" in failed.last_error
    assert smtp.to(ADDRESSES["chair13"]) and not smtp.to(ADDRESSES["chair2"])


def test_russian_mail_for_a_russian_user(engine, mailed, smtp):
    engine.set_language("chair13", "ru")
    start_review(engine, mailed)
    engine.deliver_mail()
    (mail,) = smtp.to(ADDRESSES["chair13"])
    assert mail.message["Subject"] == "Новая задача: Review by the CSB — (курса ещё нет)"
    assert mail.text().startswith("Здравствуйте, Chair TC 1.3!")
    assert smtp.to(ADDRESSES["chair2"])[0].message["Subject"].startswith("New task: ")


def test_preferences_off_and_deactivated_people_get_nothing(engine, mailed, smtp):
    engine.set_mail_preference("chair13", "off")
    engine.set_active("chair2", False, mailed["admin"])
    start_review(engine, mailed)
    engine.deliver_mail()
    assert not smtp.to(ADDRESSES["chair13"]) and not smtp.to(ADDRESSES["chair2"])
    assert engine.mail_preference("chair13") == "off"


def test_queued_mail_to_someone_deactivated_meanwhile_is_not_sent(engine, mailed, smtp, monkeypatch):
    monkeypatch.delenv("COURSEFLOW_SMTP_URL")
    start_review(engine, mailed)
    engine.deliver_mail()  # addressed and queued; no server yet
    engine.set_active("chair2", False, mailed["admin"])
    monkeypatch.setenv("COURSEFLOW_SMTP_URL", smtp.url)
    engine.deliver_mail()
    assert not smtp.to(ADDRESSES["chair2"])
    assert [m.recipient for m in outbox(engine, mailed, state="failed")] == ["chair2"]


def test_the_daily_digest_gathers_a_days_tasks_into_one_mail(engine, mailed, smtp, clock):
    engine.set_mail_preference("chair13", "daily")
    start_review(engine, mailed, csbs=("TC 1.3",))
    clock.advance(hours=3)
    start_review(engine, mailed, csbs=("TC 1.3",))
    engine.deliver_mail()
    assert not smtp.to(ADDRESSES["chair13"])  # held for the digest
    clock.advance(days=1)
    run = engine.deliver_mail()
    assert run.digests == 1
    (digest,) = smtp.to(ADDRESSES["chair13"])
    assert digest.message["Subject"] == "CourseFlow: 2 new task(s) on 2026-01-05"
    assert digest.text().count("/tasks/") == 2
    assert engine.deliver_mail().digests == 0


def test_7_3_reminder_before_the_due_date_and_overdue_notice_after(engine, mailed, smtp, clock, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_MAIL_REMIND_DAYS", "1")
    start_review(engine, mailed, csbs=("TC 1.3",))
    engine.deliver_mail()
    smtp.received.clear()
    clock.advance(days=2, hours=1)  # the review is due 3 days after it opened
    engine.deliver_mail()
    (reminder,) = smtp.received
    assert reminder.envelope_to == [ADDRESSES["chair13"]] and reminder.message["Subject"].startswith("Reminder:")
    clock.advance(days=2)
    engine.tick()  # the non-interrupting timeframe alert (7.3) opens the administrator's task; the review stays
    smtp.received.clear()
    engine.deliver_mail()
    overdue = [r for r in smtp.received if r.message["Subject"].startswith("Overdue")]
    assert sorted(r.envelope_to[0] for r in overdue) == [ADDRESSES["admin"], ADDRESSES["chair13"]]
    text = overdue[0].text()
    assert "2 day(s) late" in text and f"Chair TC 1.3 <{ADDRESSES['chair13']}>" in text
    smtp.received.clear()
    clock.advance(hours=1)
    engine.deliver_mail()
    assert smtp.received == []  # each notice once


def test_header_injection_from_a_name_is_refused(engine, mailed, smtp):
    from engine.mail.outbox import Outgoing
    from engine.mail.smtp import Refused, compose

    engine.add_user("eve", ["course_creator"], "pw", name="Eve\r\nBcc: victim@example.org", email="eve@nmi.example")
    engine.start("review", {}, mailed["admin"])
    engine.deliver_mail()
    for received in smtp.received:
        assert received.message["Bcc"] is None and "victim" not in str(received.envelope_to)
    bad = Outgoing(1, "<x@coomet.example>", "Eve", "eve@nmi.example", "Hi\r\nBcc: victim@example.org", "t", "<p>t</p>",
                   dt.datetime(2026, 1, 5, tzinfo=dt.UTC), 0)
    with pytest.raises(Refused):
        compose(bad, "CourseFlow <courseflow@coomet.example>")


def test_without_smtp_mail_stays_in_the_outbox(engine, mailed, monkeypatch):
    monkeypatch.delenv("COURSEFLOW_SMTP_URL", raising=False)
    start_review(engine, mailed)
    run = engine.deliver_mail()
    assert (run.sent, run.held) == (0, 2)
    detail = engine.outbox_message(outbox(engine, mailed)[0].id, mailed["admin"])
    assert detail.message.state == "queued" and "Hello" in detail.text


def test_only_the_sector_administrator_reads_the_outbox(engine, mailed):
    from engine import NotAllowed

    with pytest.raises(NotAllowed):
        engine.outbox(mailed["chair13"])


def test_a_clock_pinned_engine_never_reads_the_wall_clock_for_mail(database_url):
    from engine import Engine

    pinned = Engine(database_url, FixedClock(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)))
    pinned.init()
    assert pinned.deliver_mail().sent == 0
    pinned.close()


def test_a_worker_that_died_after_sending_is_retried_with_the_same_message_id(engine, mailed, smtp, clock,
                                                                            monkeypatch):
    from engine.base.clock import use_clock
    from engine.mail import outbox as mail_outbox
    from engine.mail import smtp as mail_smtp
    from engine.mail.settings import current

    monkeypatch.delenv("COURSEFLOW_SMTP_URL")
    engine.start("review", {}, mailed["admin"])
    engine.deliver_mail()  # addressed and queued
    monkeypatch.setenv("COURSEFLOW_SMTP_URL", smtp.url)
    with use_clock(clock), engine.db.write() as session:
        leased = mail_outbox.lease(session, 10, False)
    mail_smtp.send(current(), leased)  # delivered; the worker dies before recording it
    (first,) = [m.message["Message-ID"] for m in smtp.received]
    assert engine.deliver_mail().sent == 0  # still leased: no other worker takes it meanwhile
    clock.advance(minutes=6)
    assert engine.deliver_mail().sent == 1
    assert [m.message["Message-ID"] for m in smtp.received] == [first, first]  # the server can tell


def test_a_failed_message_is_sent_again_on_request(engine, mailed, smtp):
    smtp.refuse.add(ADDRESSES["chair2"])
    start_review(engine, mailed, csbs=("TC 2",))
    engine.deliver_mail()
    (failed,) = outbox(engine, mailed, state="failed")
    smtp.refuse.clear()  # the mailbox exists now
    engine.retry_mail(failed.id, mailed["admin"])
    assert engine.deliver_mail().sent == 1 and len(smtp.to(ADDRESSES["chair2"])) == 1
    from engine import NotFound
    with pytest.raises(NotFound, match="only failed messages"):
        engine.retry_mail(failed.id, mailed["admin"])


def test_the_worker_command_fires_timers_and_sends_mail_once(engine, mailed, smtp, monkeypatch, database_url):
    from click.testing import CliRunner

    from webapp.cli import main

    start_review(engine, mailed)
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-01-05T09:00:00Z")
    result = CliRunner().invoke(main, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output and len(smtp.received) == 2
    listing = CliRunner().invoke(main, ["outbox", "--as", "admin", "--state", "sent"])
    assert listing.exit_code == 0 and listing.output.count("sent") == 2
    assert CliRunner().invoke(main, ["mail-preference", "chair2", "daily"]).exit_code == 0
    assert engine.mail_preference("chair2") == "daily"


def test_a_course_name_with_cr_lf_injects_no_header(engine, smtp):
    from tests.coomet import CourseDriver, deploy_with_people

    deploy_with_people(engine)
    engine.add_user("tc4-mail", ["tc4"], "pw", name="TC 4 reader", email="tc4@coomet.example")
    CourseDriver(engine, course_name="Mass\r\nBcc: victim@example.org\r\n\r\nHello")
    engine.deliver_mail()
    (survey,) = smtp.to("tc4@coomet.example")
    assert survey.message["Bcc"] is None and survey.envelope_to == ["tc4@coomet.example"]
    assert survey.message["Subject"] == "New task: Survey materials and plans (6.1) — Mass Bcc: victim@example.org Hello"


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE as a company CA would be."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_mail_goes_over_tls_starttls_when_offered_or_smtps(engine, mailed, certificate, monkeypatch, scheme):
    import ssl

    from aiosmtpd.controller import Controller

    from tests.smtp import Recorder

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder, port = Recorder(), free_port()
    tls = {"tls_context": context, "require_starttls": True} if scheme == "smtp" else {"ssl_context": context}
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **tls)
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("COURSEFLOW_SMTP_URL", f"{scheme}://127.0.0.1:{port}")
    try:
        start_review(engine, mailed)
        assert engine.deliver_mail().sent == 2 and len(recorder.received) == 2
    finally:
        controller.stop()
