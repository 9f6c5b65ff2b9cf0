"""§10 certificates: eligibility from the monitoring data (10.1), numbered PDFs with a QR code, mailed (10.3),
verified, revoked and superseded, every step audited."""
from __future__ import annotations

import hashlib
import io
import json

import pytest
from pypdf import PdfReader

from engine import ActivityFigures, CourseFlowError, NotAllowed
from tests import moodle_files as mf
from tests.browser import ARTIFACTS
from tests.coomet import CourseDriver, deploy_with_people

ACTIVITIES = ["Module 1. Units", "Module 2. Uncertainty", "Module 3 test"]
ANNA = ("Анна Иванова", "anna@example.org", [("y", "2026-01-05 10:00:00"), ("y", "2026-01-05 11:00:00"),
                                              ("pass", "2026-01-06 10:42:00")])
PAUL = ("Paul Martin", "paul@example.org", [("y", "2026-01-05 10:00:00"), ("y", "2026-01-05 11:00:00"),
                                            ("fail", "2026-01-06 10:42:00")])
BORIS = ("Boris Petrov", "boris@example.org", [("y", "2026-01-05 10:00:00"), ("n", ""), ("n", "")])
BASE = "https://courseflow.coomet.example"


@pytest.fixture
def course(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEFLOW_BASE_URL", BASE)
    monkeypatch.setenv("COURSEFLOW_CERTIFICATE_DIR", str(tmp_path / "certificates"))
    deploy_with_people(engine)
    driver = CourseDriver(engine)
    driver.do("m_survey", "tc4")
    driver.do("m_appoint", "admin")
    return driver.course.id


def admin(engine):
    return engine.actor("admin")


def progress(engine, course, people, name="progress.csv", period="2026-01-01..2026-01-31", activities=ACTIVITIES):
    return engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(people, activities=activities)), name,
                                    admin(engine), period=period)


def verdicts(engine, course):
    return {v.email: v for v in engine.certificate_eligibility(course, admin(engine))}


def participation_page(activity, people):
    rows = "".join(f"<tr><td>{name}</td><td>{email}</td><td>{seen}</td></tr>" for name, email, seen in people)
    return (f"<html><body><table><tr><th>Full name</th><th>Email address</th><th>All actions</th></tr>{rows}"
            f"</table></body></html>").encode()


def test_10_1_only_all_modules_complete_and_every_test_passed_is_eligible(engine, course):
    progress(engine, course, [ANNA, PAUL, BORIS])
    found = verdicts(engine, course)
    assert found["anna@example.org"].eligible and found["anna@example.org"].reasons == ()
    assert found["paul@example.org"].reasons == ("Module 3 test: failed",)
    assert found["boris@example.org"].reasons == ("Module 2. Uncertainty: not completed",
                                                  "Module 3 test: not completed")
    assert str(found["anna@example.org"].completed_on) == "2026-01-06"


def test_10_1_note_a_module_viewed_only_does_not_count(engine, course):
    progress(engine, course, [ANNA, ("Vera", "vera@example.org", [("y", "2026-01-05 10:00:00"), ("n", ""),
                                                                  ("pass", "2026-01-06 10:00:00")])])
    page = participation_page("Module 2. Uncertainty", [("Vera", "vera@example.org", "Yes (3)")])
    engine.import_monitoring(course, page, "participation.html", admin(engine), activity="Module 2. Uncertainty",
                             period="2026-01-01..2026-01-31")
    assert verdicts(engine, course)["vera@example.org"].reasons == ("Module 2. Uncertainty: viewed only",)


def test_10_1_a_module_without_completion_tracking_is_left_out(engine, course):
    progress(engine, course, [ANNA])
    engine.import_figures(course, [ActivityFigures("Module 1. Units", 9, 3), ActivityFigures("Glossary", 4, 2)],
                          "2026-01-01..2026-01-31", admin(engine))
    assert "Glossary" in [a.name for a in engine.monitoring_summary(course, admin(engine)).activities]
    anna = verdicts(engine, course)["anna@example.org"]
    assert anna.eligible and [e.activity for e in anna.evidence] == ACTIVITIES


def test_10_1_a_participant_in_two_imports_is_judged_on_both_and_the_evidence_names_each(engine, course):
    first = progress(engine, course, [("Анна Иванова", "anna@example.org",
                                       [("y", "2026-01-05 10:00:00"), ("y", "2026-01-05 11:00:00"), ("n", "")])])
    assert not verdicts(engine, course)["anna@example.org"].eligible
    second = progress(engine, course, [ANNA], "progress-feb.csv", "2026-02-01..2026-02-28")
    anna = verdicts(engine, course)["anna@example.org"]
    assert anna.eligible
    assert {e.activity: e.import_id for e in anna.evidence} == {
        "Module 1. Units": first.import_id, "Module 2. Uncertainty": first.import_id,
        "Module 3 test": second.import_id}
    assert all(len(e.import_sha256) == 64 for e in anna.evidence)
    engine.issue_certificates(course, admin(engine))
    (kept,) = engine.certificates(admin(engine))  # the evidence stays with the certificate
    assert [(e["activity"], e["state"], e["import_id"]) for e in kept.evidence] == [
        ("Module 1. Units", "complete", first.import_id), ("Module 2. Uncertainty", "complete", first.import_id),
        ("Module 3 test", "passed", second.import_id)]


def test_10_1_a_re_import_changes_the_verdict_before_issuing_and_not_an_issued_certificate(engine, course):
    progress(engine, course, [PAUL])
    assert not verdicts(engine, course)["paul@example.org"].eligible
    passed = ("Paul Martin", "paul@example.org", PAUL[2][:2] + [("pass", "2026-02-03 10:00:00")])
    progress(engine, course, [passed], "progress-feb.csv", "2026-02-01..2026-02-28")
    (issued,) = engine.issue_certificates(course, admin(engine))
    failed_again = ("Paul Martin", "paul@example.org", PAUL[2][:2] + [("fail", "2026-03-03 10:00:00")])
    progress(engine, course, [failed_again], "progress-mar.csv", "2026-03-01..2026-03-31")
    paul = verdicts(engine, course)["paul@example.org"]
    assert paul.reasons == ("Module 3 test: failed",) and paul.certificate == issued.number
    assert engine.verify_certificate(issued.token).valid  # issued on the evidence of its day, which it keeps
    (row,) = engine.certificates(admin(engine))
    assert row.status == "valid"


def test_10_2_numbers_tokens_pdf_and_evidence(engine, course):
    progress(engine, course, [ANNA, PAUL])
    (issued,) = engine.issue_certificates(course, admin(engine))
    assert issued.number == "COOMET-2026-0001" and issued.holder == "Анна Иванова"
    assert len(issued.token) >= 22 and issued.url == f"{BASE}/certificates/verify/{issued.token}"
    pdf = engine.certificate_pdf(issued.number, admin(engine))
    assert hashlib.sha256(pdf).hexdigest() == issued.pdf_sha256
    with open(issued.pdf_path, "rb") as written:
        assert written.read() == pdf
    text = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    course_name = engine.course(course).name
    assert all("Анна Иванова" in page and issued.number in page for page in text)
    assert course_name in text[0] and "Certificate" in text[0]
    assert "Сертификат" in text[1] and "Настоящим удостоверяется" in text[1]
    assert engine.issue_certificates(course, admin(engine)) == []  # nobody twice
    with pytest.raises(CourseFlowError, match="failed"):
        engine.issue_certificates(course, admin(engine), [verdicts(engine, course)["paul@example.org"].participant_id])


def test_10_2_cyrillic_glyphs_render_and_the_qr_code_decodes_to_the_verification_url(engine, course):
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    progress(engine, course, [ANNA])
    (issued,) = engine.issue_certificates(course, admin(engine))
    document = pdfium.PdfDocument(engine.certificate_pdf(issued.number, admin(engine)))
    for index, language in enumerate(("en", "ru")):
        image = document[index].render(scale=2).to_pil()
        ARTIFACTS.mkdir(exist_ok=True)
        image.save(ARTIFACTS / f"certificate-{language}.png")
        assert [code.text for code in zxingcpp.read_barcodes(image)] == [issued.url]
    fonts = {font.get("/BaseFont") for page in PdfReader(io.BytesIO(engine.certificate_pdf(
        issued.number, admin(engine)))).pages for font in page["/Resources"]["/Font"].values()
        for font in [font.get_object()]}
    assert any("DejaVu" in str(name) for name in fonts)  # a font that has Cyrillic, not a fallback of boxes


def test_10_2_numbers_follow_the_configured_pattern_and_signatories(engine, course, monkeypatch, tmp_path):
    config = tmp_path / "certificate.json"
    config.write_text(json.dumps({"number_pattern": "CM/{year}/{seq:05d}", "languages": ["ru"],
                                  "signatories": [{"name": "I. Petrov", "name_ru": "И. Петров",
                                                   "title": "President", "title_ru": "Президент КООМЕТ"}]}))
    monkeypatch.setenv("COURSEFLOW_CERTIFICATE_CONFIG", str(config))
    progress(engine, course, [ANNA, ("Vera", "vera@example.org", ANNA[2])])
    first, second = engine.issue_certificates(course, admin(engine))
    assert (first.number, second.number) == ("CM/2026/00001", "CM/2026/00002")
    (page,) = PdfReader(io.BytesIO(engine.certificate_pdf(first.number, admin(engine)))).pages
    assert "И. Петров" in page.extract_text() and "Президент КООМЕТ" in page.extract_text()
    config.write_text(json.dumps({"number_pattern": "COOMET-{seq}"}))
    with pytest.raises(CourseFlowError, match="year"):
        engine.issue_certificates(course, admin(engine))


def test_10_3_verification_valid_revoked_superseded_unknown_and_forged(engine, course):
    progress(engine, course, [ANNA, ("Vera", "vera@example.org", ANNA[2])])
    vera, anna = engine.issue_certificates(course, admin(engine))  # by name: Latin first
    valid = engine.verify_certificate(anna.token)
    assert (valid.status, valid.holder, valid.number, str(valid.completed_on)) == \
        ("valid", "Анна Иванова", anna.number, "2026-01-06")
    assert engine.verify_certificate("x" * len(anna.token)).status == "unknown"
    assert engine.verify_certificate(anna.token[:-1] + ("A" if anna.token[-1] != "A" else "B")).status == "unknown"
    assert engine.verify_certificate("").status == "unknown"
    unknown = engine.verify_certificate("nope")
    assert unknown.holder is None and unknown.number is None  # nothing about anybody
    with pytest.raises(NotAllowed):
        engine.revoke_certificate(vera.number, "wrong name", engine.actor("tc4"))
    with pytest.raises(CourseFlowError, match="why"):
        engine.revoke_certificate(vera.number, "  ", admin(engine))
    engine.revoke_certificate(vera.number, "issued in error", admin(engine))
    revoked = engine.verify_certificate(vera.token)
    assert (revoked.status, revoked.reason, str(revoked.revoked_on)) == ("revoked", "issued in error", "2026-01-05")
    corrected = engine.reissue_certificate(anna.number, admin(engine))
    old = engine.verify_certificate(anna.token)
    assert (old.status, old.superseded_by) == ("superseded", corrected.number)
    assert engine.verify_certificate(corrected.token).valid and corrected.number == "COOMET-2026-0003"
    assert engine.verify_certificate_pdf(engine.certificate_pdf(corrected.number, admin(engine))).valid
    assert engine.verify_certificate_pdf(b"%PDF-1.7 forged").status == "unknown"


def test_10_3_the_certificate_arrives_by_mail_with_the_pdf_attached(engine, course, monkeypatch):
    from tests.smtp import SmtpServer

    server = SmtpServer().start()
    try:
        monkeypatch.setenv("COURSEFLOW_SMTP_URL", server.url)
        monkeypatch.setenv("COURSEFLOW_MAIL_FROM", "CourseFlow <courseflow@coomet.example>")
        progress(engine, course, [ANNA])
        (issued,) = engine.issue_certificates(course, admin(engine))
        assert engine.deliver_mail().sent == 1
        (mail,) = server.recorder.to("anna@example.org")
        assert issued.number in mail.message["Subject"] and issued.url in mail.text()
        (attachment,) = list(mail.message.iter_attachments())
        assert attachment.get_filename() == f"{issued.number}.pdf"
        assert hashlib.sha256(attachment.get_content()).hexdigest() == issued.pdf_sha256
    finally:
        server.stop()


def reviews(engine):
    return [t for t in engine.tasks(admin(engine)) if t.bpmn_id == "c_review"]


def test_10_3_a_students_own_request_goes_through_the_administrators_review_and_tells_nothing(engine, course):
    progress(engine, course, [ANNA, PAUL])
    (first,) = reviews(engine)  # the import proposed Anna (10.1)
    for address in ("ANNA@example.org ", "paul@example.org", "nobody@example.org"):
        assert engine.request_certificate(course, address) is None
    assert reviews(engine) == [first] and engine.certificates(admin(engine)) == []  # nothing issued unreviewed
    anna = engine.task(first.id, admin(engine)).values["candidates"][0]["participant_id"]
    engine.complete(first.id, {"excluded": [{"participant_id": anna, "reason": "name differs from the ID"}]},
                    admin(engine))
    engine.request_certificate(course, "anna@example.org")  # excluded before: the request is reviewed again
    engine.request_certificate(course, "anna@example.org")  # ... once
    (second,) = reviews(engine)
    (candidate,) = engine.task(second.id, admin(engine)).values["candidates"]
    assert candidate["name"] == "Анна Иванова" and candidate["excluded_before"] == "name differs from the ID"
    assert candidate["requested_on"] == engine.clock.now().date().isoformat()
    engine.complete(second.id, {"excluded": []}, admin(engine))
    (row,) = engine.certificates(admin(engine))
    assert row.holder == "Анна Иванова" and row.issued_by == "admin"
    engine.request_certificate(course, "anna@example.org")  # issued: sent again to the registered address
    kinds = [m.kind for m in engine.outbox(admin(engine))]
    assert kinds.count("certificate") == 2 and reviews(engine) == []  # issued, then sent again; nothing for Paul


def test_10_3_requests_sent_at_once_open_one_review(engine, course, database_url, clock):
    from tests.parallel import at_once

    progress(engine, course, [ANNA])
    (first,) = reviews(engine)
    anna = engine.task(first.id, admin(engine)).values["candidates"][0]["participant_id"]
    engine.complete(first.id, {"excluded": [{"participant_id": anna, "reason": "asked to wait"}]}, admin(engine))
    outcomes = at_once(database_url, clock, [lambda e: e.request_certificate(course, "anna@example.org")] * 4)
    assert set(outcomes) <= {None, "Busy"} and len(reviews(engine)) == 1


def test_10_register_search_exports_and_counts(engine, course):
    progress(engine, course, [ANNA, ("Vera", "vera@example.org", ANNA[2])])
    engine.issue_certificates(course, admin(engine))
    assert [c.holder for c in engine.certificates(admin(engine), course, 2026, "vera")] == ["Vera"]
    assert engine.certificates(admin(engine), course, 2027) == []
    csv_text = engine.certificates_export(admin(engine), "csv", course).decode("utf-8-sig")
    assert "COOMET-2026-0001" in csv_text and "Анна Иванова" in csv_text
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(engine.certificates_export(admin(engine), "xlsx"))).active
    assert sheet.max_row == 3
    assert engine.certificate_counts() == {course: 2}
    assert engine.certificate_counts("2027-01-01..2027-12-31") == {}
    with pytest.raises(NotAllowed):
        engine.certificates(engine.actor("tc4"))


def test_10_every_step_is_audited_and_the_chain_verifies(engine, course):
    progress(engine, course, [ANNA])
    (issued,) = engine.issue_certificates(course, admin(engine))
    engine.revoke_certificate(issued.number, "typo in the name", admin(engine))
    from sqlalchemy import select

    from engine.base.models import Event
    with engine.db.read() as session:
        events = [(e.kind, e.actor, json.loads(e.data_json)) for e in session.scalars(
            select(Event).where(Event.kind.like("certificate_%")).order_by(Event.seq))]
    assert [(kind, actor) for kind, actor, _ in events] == [("certificate_issued", "admin"),
                                                            ("certificate_revoked", "admin")]
    assert events[0][2]["evidence"][2]["state"] == "passed" and events[0][2]["number"] == issued.number
    assert events[1][2] == {"number": issued.number, "reason": "typo in the name"}
    assert engine.verify().ok


def test_10_2_no_duplicate_or_missing_numbers_when_issuing_at_once(engine, course, database_url, clock):
    from tests.parallel import at_once

    people = [(f"Student {i}", f"s{i}@example.org", ANNA[2]) for i in range(8)]
    progress(engine, course, people)
    ids = [v.participant_id for v in engine.certificate_eligibility(course)]
    outcomes = at_once(database_url, clock, [
        (lambda e, pid=pid: [i.number for i in e.issue_certificates(course, e.actor("admin"), [pid])]) for pid in ids])
    numbers = sorted(n for outcome in outcomes for n in outcome)
    assert numbers == [f"COOMET-2026-{n:04d}" for n in range(1, 9)]


@pytest.fixture
def cli(database_url, monkeypatch):
    from click.testing import CliRunner

    from webapp.cli import main
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-02-01T09:00:00Z")

    def run(*args, code=0):
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert result.exit_code == code, result.output + result.stderr
        return result
    return run


def test_10_cli_contract_eligible_issue_verify_revoke(engine, course, cli):
    progress(engine, course, [ANNA, PAUL])
    found = json.loads(cli("certificates", "eligible", course, "--json").output)
    assert [(p["name"], p["eligible"], p["reasons"]) for p in found] == [
        ("Paul Martin", False, ["Module 3 test: failed"]), ("Анна Иванова", True, [])]
    paul, anna = (p["participant_id"] for p in found)
    assert "not eligible" in cli("certificates", "issue", course, "--as", "admin", "--participant", paul,
                                 code=1).stderr
    assert "role sector_administrator" in cli("certificates", "issue", course, "--as", "tc4", code=1).stderr
    (issued,) = json.loads(cli("certificates", "issue", course, "--as", "admin", "--participant", anna,
                               "--json").output)
    assert issued["number"] == "COOMET-2026-0001" and issued["pdf_path"].endswith("COOMET-2026-0001.pdf")
    assert issued["url"] == f"{BASE}/certificates/verify/{issued['token']}"
    assert "valid: COOMET-2026-0001, Анна Иванова" in cli("certificates", "verify", issued["token"]).output
    assert "unknown" in cli("certificates", "verify", "forged", code=1).output
    cli("certificates", "revoke", "COOMET-2026-0001", "--reason", "wrong name", "--as", "admin")
    assert "revoked on 2026-02-01: wrong name" in cli("certificates", "verify", issued["token"], code=1).output
    assert "no certificate" in cli("certificates", "revoke", "COOMET-2026-0099", "--reason", "x", "--as", "admin",
                                   code=1).stderr
    listed = cli("certificates", "list", "--as", "admin", "--format", "csv").output
    assert "COOMET-2026-0001" in listed and "wrong name" in listed
