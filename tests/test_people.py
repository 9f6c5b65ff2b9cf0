"""People (5.1-5.3, 7.3): a sector administrator adds people with CSB-scoped roles, keeps their contact
details and the CSB list; the system never loses its last administrator; every change is audited."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import Contact, NotAllowed, Refused
from engine.base.models import Event
from tests.coomet import deploy_with_people
from tests.test_web import login, token
from webapp.app import create_app
from webapp.cli import main


@pytest.fixture
def app(engine):
    deploy_with_people(engine)
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


def admin_client(app):
    client = app.test_client()
    assert login(client, "admin").status_code == 302
    return client


def events(engine, *kinds):
    with engine.db.read() as session:
        return [(e.kind, e.actor, e.data_json) for e in session.scalars(select(Event).where(Event.kind.in_(kinds))
                                                                        .order_by(Event.seq))]


# -- the engine's rules ----------------------------------------------------------------------

def test_7_3_a_csb_chair_is_granted_for_one_csb_only(engine):
    engine.add_user("admin", ["sector_administrator"], "password1")
    admin = engine.actor("admin")
    with pytest.raises(Refused) as refused:
        engine.add_person("kim", ["csb_chair"], Contact("Kim Lee"), admin)
    assert refused.value.reason == "csb_required" and "choose the CSB" in str(refused.value)
    engine.add_person("kim", ["csb_chair:TC 1.3"], Contact("Kim Lee"), admin)
    with pytest.raises(Refused, match="choose the CSB"):
        engine.grant("kim", "csb_member", admin)
    assert engine.actor("kim").holds("csb_chair", "TC 1.3") and not engine.actor("kim").holds("csb_chair", "TC 2")
    assert [c.chairs for c in engine.csbs() if c.code == "TC 1.3"] == [("Kim Lee",)]


def test_nobody_revokes_their_own_administrator_role_and_one_administrator_always_stays(engine):
    engine.add_user("admin", ["sector_administrator"], "password1")
    admin = engine.actor("admin")
    with pytest.raises(Refused, match="your own administrator role"):
        engine.revoke("admin", "sector_administrator", admin)
    with pytest.raises(Refused, match="deactivate yourself"):
        engine.set_active("admin", False, admin)
    engine.add_person("second", ["sector_administrator"], Contact("Second Admin"), admin)
    engine.revoke("second", "sector_administrator", admin)
    assert not engine.actor("second").holds("sector_administrator")
    with pytest.raises(NotAllowed):
        engine.revoke("admin", "sector_administrator", engine.actor("second"))


def test_contact_details_are_checked_changed_and_audited(engine):
    engine.add_user("admin", ["sector_administrator"], "password1")
    admin = engine.actor("admin")
    engine.add_person("kim", ["course_creator"], Contact("Kim Lee", "kim@vniim.ru", "VNIIM", "+7 812 323-96-00"),
                      admin)
    with pytest.raises(Refused) as refused:
        engine.update_contact("kim", Contact("Kim Lee", phone="call me"), admin)
    assert refused.value.reason == "phone_invalid"
    with pytest.raises(Refused, match="e-mail"):
        engine.update_contact("kim", Contact("Kim Lee", email="kim at vniim"), admin)
    changed = engine.update_contact("kim", Contact("Kim Lee-Park", "kim@vniim.ru", "BelGIM", "+375 17 233-55-01"),
                                    admin)
    assert changed == ("name", "nmi", "phone")
    assert engine.update_contact("kim", Contact("Kim Lee-Park", "kim@vniim.ru", "BelGIM", "+375 17 233-55-01"),
                                 admin) == ()
    person = engine.person("kim")
    assert (person.name, person.nmi, person.phone) == ("Kim Lee-Park", "BelGIM", "+375 17 233-55-01")
    (event,) = events(engine, "person_changed")
    assert event[1] == "admin" and '"nmi":["VNIIM","BelGIM"]' in event[2]


def test_a_temporary_password_must_be_changed_and_an_administrator_can_reset_it(engine):
    engine.add_user("admin", ["sector_administrator"], "password1")
    admin = engine.actor("admin")
    temporary = engine.add_person("kim", ["tc4"], Contact("Kim Lee"), admin)
    assert engine.authenticate("kim", temporary) is not None and engine.person("kim").must_change_password
    with pytest.raises(Refused, match="at least 8"):
        engine.change_password("kim", temporary, "short")
    with pytest.raises(Refused, match="not right"):
        engine.change_password("kim", "guess", "a long new password")
    engine.change_password("kim", temporary, "a long new password")
    assert not engine.person("kim").must_change_password
    again = engine.reset_password("kim", admin)
    assert engine.authenticate("kim", "a long new password") is None and engine.authenticate("kim", again)
    assert engine.person("kim").must_change_password
    assert [e[:2] for e in events(engine, "password_changed", "password_reset")] == [
        ("password_changed", "kim"), ("password_reset", "admin")]


def test_the_csb_list_is_kept_by_administrators(engine):
    engine.add_user("admin", ["sector_administrator"], "password1")
    engine.add_user("tc4", ["tc4"], "password1")
    admin = engine.actor("admin")
    assert engine.save_csb("TC 1.13", "Acoustics", "Акустика", admin) == "added"
    assert engine.save_csb("TC 1.13", "Acoustics, ultrasound and vibration", "Акустика", admin) == "changed"
    assert engine.save_csb("TC 1.13", "Acoustics, ultrasound and vibration", "Акустика", admin) == "unchanged"
    with pytest.raises(NotAllowed):
        engine.save_csb("TC 9", "Nine", None, engine.actor("tc4"))
    with pytest.raises(Refused, match="not a CSB code"):
        engine.save_csb("<b>", "Bold", None, admin)
    engine.grant("tc4", "csb_member:TC 1.13", admin)
    (found,) = [c for c in engine.csbs() if c.code == "TC 1.13"]
    assert (found.name, found.name_ru, found.members) == ("Acoustics, ultrasound and vibration", "Акустика", ("tc4",))
    assert [e[0] for e in events(engine, "csb_added", "csb_changed")] == ["csb_added", "csb_changed"]


# -- the web pages ---------------------------------------------------------------------------

def test_adding_a_chair_needs_a_csb_from_the_list_and_shows_the_password_once(app, engine):
    admin = admin_client(app)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert '<option value="csb_chair" data-scoped="yes">Chair of the CSB</option>' in page
    assert '<option value="TC 1.3"' in page and 'placeholder="role[:CSB]"' not in page
    csrf = token(admin, "/admin/users")
    person = {"csrf_token": csrf, "login": "kim", "name": "Kim Lee", "nmi": "VNIIM", "email": "kim@vniim.ru",
              "phone": "+7 812 323-96-00", "role": "csb_chair", "csb": ""}
    refused = admin.post("/admin/users", data=person)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Chair of the CSB is held for one CSB: choose the CSB." in text and 'value="Kim Lee"' in text
    added = admin.post("/admin/users", data={**person, "csb": "TC 1.3"})
    assert added.status_code == 302 and added.headers["Location"].endswith("/admin/users/kim/password")
    shown = admin.get("/admin/users/kim/password")
    password = re.search(r'id="temporary-password">([^<]+)<', shown.get_data(as_text=True)).group(1)
    assert shown.headers["Cache-Control"] == "no-store"
    assert "Kim Lee added with the role Chair of the CSB (TC 1.3)." in shown.get_data(as_text=True)
    assert password not in admin.get("/admin/users").get_data(as_text=True)
    assert password not in admin.get("/admin/users/kim/password").get_data(as_text=True)  # shown once
    assert engine.actor("kim").grants == {("csb_chair", "TC 1.3")}

    kim = app.test_client()
    assert login(kim, "kim", password).headers["Location"].startswith("/password")
    assert kim.get("/").headers["Location"].startswith("/password")  # nothing else until it is changed
    csrf = token(kim, "/password")
    differ = kim.post("/password", data={"csrf_token": csrf, "current": password, "new": "my own secret",
                                         "again": "my own secreT"})
    assert differ.status_code == 422 and "The two new passwords differ" in differ.get_data(as_text=True)
    kim.post("/password", data={"csrf_token": csrf, "current": password, "new": "my own secret",
                                "again": "my own secret"})
    assert kim.get("/").status_code == 200
    assert engine.authenticate("kim", "my own secret") is not None


def test_granting_and_revoking_use_role_names_and_revoking_asks_first(app, engine):
    admin = admin_client(app)
    csrf = token(admin, "/admin/users/creator")
    granted = admin.post("/admin/users/creator/grants", data={"csrf_token": csrf, "role": "csb_member",
                                                               "csb": "TC 2"}, follow_redirects=True)
    assert "now holds the role CSB member (TC 2)." in granted.get_data(as_text=True)
    page = admin.get("/admin/users/creator").get_data(as_text=True)
    assert "CSB member (TC 2)" in page and "csb_member:TC 2" not in page
    confirm = admin.get("/admin/users/creator/revoke?role=csb_member&csb=TC+2").get_data(as_text=True)
    assert "Revoke the role CSB member (TC 2) from Kirill Creator?" in confirm
    assert engine.actor("creator").holds("csb_member", "TC 2")  # asking changes nothing
    revoked = admin.post("/admin/users/creator/revoke", data={"csrf_token": csrf, "role": "csb_member",
                                                               "csb": "TC 2"}, follow_redirects=True)
    assert "no longer holds the role CSB member (TC 2)." in revoked.get_data(as_text=True)
    assert not engine.actor("creator").holds("csb_member")
    own = admin.post("/admin/users/admin/revoke", data={"csrf_token": csrf, "role": "sector_administrator"},
                     follow_redirects=True)
    assert "You cannot revoke your own administrator role" in own.get_data(as_text=True)
    assert engine.actor("admin").holds("sector_administrator")
    assert [e[0] for e in events(engine, "role_granted", "role_revoked")] == ["role_granted", "role_revoked"]


def test_the_people_pages_speak_russian(app, engine):
    admin = admin_client(app)
    admin.post("/language", data={"csrf_token": token(admin, "/"), "lang": "ru", "next": "/"})
    csrf = token(admin, "/admin/users")
    page = admin.post("/admin/users", data={"csrf_token": csrf, "login": "kim", "name": "Ким", "role": "csb_member"}
                      ).get_data(as_text=True)
    assert "Роль «Член СОК» назначается для одного СОК: выберите СОК." in page
    page = admin.post("/admin/users", data={"csrf_token": csrf, "login": "kim", "name": "Ким", "role": "tc4",
                                            "phone": "звонить"}).get_data(as_text=True)
    assert "Введите номер телефона: цифры, пробелы, + ( ) . / -" in page
    assert "Председатель" in admin.get("/admin/csbs").get_data(as_text=True)


def test_contact_details_and_the_csb_list_are_edited_on_their_pages(app, engine):
    admin = admin_client(app)
    csrf = token(admin, "/admin/users/creator")
    saved = admin.post("/admin/users/creator/contact", data={
        "csrf_token": csrf, "name": "Kirill Creator", "nmi": "VNIIM", "email": "k.creator@vniim.ru",
        "phone": "+7 812 251-76-01"}, follow_redirects=True)
    assert "Saved: NMI, e-mail, phone changed." in saved.get_data(as_text=True)
    assert "k.creator@vniim.ru" in admin.get("/admin/users").get_data(as_text=True)
    page = admin.get("/admin/csbs").get_data(as_text=True)
    assert re.search(r"<td>TC 1\.3</td>.*?<td>Chair of TC 1\.3</td><td>Member of TC 1\.3</td>", page, re.S)
    added = admin.post("/admin/csbs", data={"csrf_token": csrf, "code": "TC 1.13", "name": "Acoustics",
                                            "name_ru": "Акустика"}, follow_redirects=True)
    assert "CSB TC 1.13 added." in added.get_data(as_text=True)
    assert '<option value="TC 1.13">TC 1.13 — Acoustics</option>' in admin.get("/admin/users").get_data(
        as_text=True)
    assert app.test_client().get("/admin/csbs").status_code == 302
    creator = app.test_client()
    login(creator, "creator")
    assert creator.get("/admin/csbs").status_code == 403
    assert creator.post("/admin/csbs", data={"csrf_token": token(creator, "/"), "code": "X",
                                             "name": "X"}).status_code == 403


def test_a_reset_password_is_shown_once_and_replaces_the_old_one(app, engine):
    admin = admin_client(app)
    response = admin.post("/admin/users/creator/password", data={"csrf_token": token(admin, "/admin/users/creator")},
                          follow_redirects=True)
    password = re.search(r'id="temporary-password">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert login(app.test_client(), "creator").status_code == 401  # the old password no longer works
    assert login(app.test_client(), "creator", password).headers["Location"].startswith("/password")


# -- the command line ------------------------------------------------------------------------

def test_cli_grants_and_revokes_with_the_same_rules(database_url, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args, ok=True, input=None):
        result = runner.invoke(main, list(args), input=input)
        assert (result.exit_code == 0) == ok, result.output + result.stderr
        return result
    run("users", "add", "admin", "--role", "sector_administrator", "--password-stdin", input="password1\n")
    assert "choose the CSB" in run("users", "add", "kim", "--role", "csb_chair", ok=False).stderr
    run("users", "add", "kim", "--role", "tc4", "--nmi", "VNIIM", "--phone", "+7 812 000")
    run("users", "grant", "kim", "csb_chair", "--csb", "TC 1.3", "--as", "admin")
    assert "your own administrator role" in run("users", "revoke", "admin", "sector_administrator", "--as", "admin",
                                                ok=False).stderr
    run("users", "revoke", "kim", "csb_chair", "--csb", "TC 1.3", "--as", "admin")
    assert "temporary password for kim: " in run("users", "reset-password", "kim", "--as", "admin").output
    listed = run("users", "list").output
    assert "kim\tkim\tVNIIM\t\t+7 812 000\ttc4\tactive" in listed


# -- courses: opened once, withdrawn when created by mistake (6.2) ---------------------------

def new_course_form(client, **values):
    page = client.get("/courses/new").get_data(as_text=True)
    submission = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    return {"csrf_token": token(client, "/courses/new"), "submission": submission, "course_name": "Hydrometry",
            "initiator": "VNIIM", **values}


def test_6_2_a_double_submit_of_new_course_opens_one_course(app, engine):
    admin = admin_client(app)
    form = new_course_form(admin)
    first, second = admin.post("/courses/new", data=form), admin.post("/courses/new", data=form)
    assert first.status_code == second.status_code == 302 and first.headers["Location"] == second.headers["Location"]
    assert [c.name for c in engine.courses()] == ["Hydrometry"]
    assert len([t for t in engine.tasks() if t.bpmn_id == "m_survey"]) == 1


def test_6_2_a_course_named_like_a_live_one_needs_confirmation(app, engine):
    admin = admin_client(app)
    admin.post("/courses/new", data=new_course_form(admin))
    form = new_course_form(admin, course_name="hydrometry")
    asked = admin.post("/courses/new", data=form)
    assert asked.status_code == 422
    assert "A course named “Hydrometry” is already in the List of created COOMET courses." in asked.get_data(
        as_text=True)
    assert len(engine.courses()) == 1
    confirmed = admin.post("/courses/new", data={**form, "same_name": "confirmed"})
    assert confirmed.status_code == 302 and len(engine.courses()) == 2


def test_6_2_withdrawing_a_course_created_by_mistake(app, engine):
    admin = admin_client(app)
    admin.post("/courses/new", data=new_course_form(admin, course_name="Hydrometry by mistake"))
    (course,) = engine.courses()
    url = f"/courses/{course.id}/withdraw"
    creator = app.test_client()
    login(creator, "creator")
    assert creator.post(url, data={"csrf_token": token(creator, "/"), "reason": "x"}).status_code == 403
    no_reason = admin.post(url, data={"csrf_token": token(admin, "/"), "reason": " "}, follow_redirects=True)
    assert "Say why the course is withdrawn." in no_reason.get_data(as_text=True) and engine.courses()
    done = admin.post(url, data={"csrf_token": token(admin, "/"), "reason": "opened twice"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "1 open task(s) were withdrawn" in page and "by Alla Admin: opened twice" in page
    assert engine.courses() == [] and engine.tasks() == []
    assert "Hydrometry by mistake" not in admin.get("/courses/?which=list").get_data(as_text=True)
    assert engine.course(course.id).withdrawn_reason == "opened twice"
    assert [e[:2] for e in events(engine, "task_withdrawn", "course_withdrawn")] == [
        ("task_withdrawn", "admin"), ("course_withdrawn", "admin")]
    assert [o.status for o in engine.replay_course(course.id)] == ["reproduced"]
    assert engine.verify().ok


# -- the course lists (6.2, 8.2, 13.5) -------------------------------------------------------

def test_6_2_the_list_is_searched_filtered_sorted_counted_and_exported(app, engine, clock):
    import csv
    import io

    from openpyxl import load_workbook

    from tests.coomet import CourseDriver

    CourseDriver(engine, course_name="Flow measurement", initiator="VNIIM")
    published = CourseDriver(engine, course_name="Uncertainty of measurement", initiator="PTB")
    published.publish_one_csb_course()
    client = admin_client(app)
    page = client.get("/courses/?which=list").get_data(as_text=True)
    assert 'aria-current="page" class="current">List<' in page
    assert "2 of 2 courses: planned 1, published 1" in page
    assert "<td>Kirill Creator</td><td>Olga Coordinator</td>" in page  # names, not logins
    assert "2029-01-05" in page  # published 2026-01-05 + 3 years (13.1)
    found = client.get("/courses/?which=list&q=uncertainty").get_data(as_text=True)
    assert "1 of 2 courses" in found and "Flow measurement" not in found
    assert "Uncertainty" not in client.get("/courses/?which=list&status=planned").get_data(as_text=True)
    by_name_desc = client.get("/courses/?which=list&sort=name&order=desc").get_data(as_text=True)
    assert by_name_desc.index("Uncertainty of measurement") < by_name_desc.index("Flow measurement")
    exported = client.get("/courses/?which=list&sort=name&export=csv")
    assert exported.headers["Content-Disposition"].startswith('attachment; filename="coomet-courses-list-')
    rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
    assert rows[0][:4] == ["Course", "Planned year", "Proposed by", "Creator"]
    assert [r[0] for r in rows[1:]] == ["Flow measurement", "Uncertainty of measurement"]
    xlsx = client.get("/courses/?which=catalogue&export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert [c.value for c in sheet[2]][:1] == ["Uncertainty of measurement"] and sheet.max_row == 2


def test_7_3_the_course_page_shows_each_csbs_agreeing_and_links_my_tasks(app, engine):
    from tests.coomet import CourseDriver

    course = CourseDriver(engine, course_name="Pressure gauge calibration")
    course.prepare(csbs=("TC 1.3", "TC 2"))
    course.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    course.do("c_assign", "chair-tc13", scope="TC 1.3")
    chair = app.test_client()
    login(chair, "chair-tc2")
    page = chair.get(f"/courses/{course.course.id}").get_data(as_text=True)
    agreeing = re.search(r'<table class="tasks agreeing">.*?</table>', page, re.S).group(0)
    assert "<td>TC 1.3</td>" in agreeing and "<td>TC 2</td>" in agreeing
    (mine,) = course.open("chair-tc2")
    assert f'href="/tasks/{mine.id}"' in page  # the chair of TC 2 may act: linked
    (other,) = [t for t in course.open() if t.scope == "TC 1.3"]
    assert f'href="/tasks/{other.id}"' not in page
    assert "Kirill Creator" in page and ">creator<" not in page


# -- printed sheets (Appendix 1, 2; 8.3) -----------------------------------------------------

def published_course(engine):
    from tests.coomet import CourseDriver

    course = CourseDriver(engine)
    course.publish_one_csb_course()
    sheets = {s.sheet: s for s in engine.sheets(course.course.id)}
    return course.course, sheets


def test_appendix_2_prints_in_the_papers_order_with_its_headings(app, engine):
    course, sheets = published_course(engine)
    client = admin_client(app)
    page = client.get(f"/courses/{course.id}/sheets/{sheets['appendix2.json'].seq}").get_data(as_text=True)
    page = page[page.find("<article"):]
    order = ["Uncertainty of measurement", "COOMET sector administrator", "Compliance of the course with the "
             "requirements of recommendation", "Proper course description", "Content quality",
             "Copyright compliance", "can be posted", "should be refined",
             "<th>Date</th><td>1 Mar 2026", "<th>Signature</th>", "<th>Name</th><td>Alla Admin"]
    positions = [page.find(text) for text in order]
    assert -1 not in positions and positions == sorted(positions), list(zip(order, positions, strict=True))
    assert "Signed electronically by Alla Admin, COOMET sector administrator, on 5 Jan 2026 09:00 UTC" in page
    assert 'data-key="what_to_refine"><th>What should be refined</th><td><span class="blank"' in page


def test_appendix_1_prints_contact_groups_as_rows_and_the_russian_course_name(app, engine):
    course, sheets = published_course(engine)
    client = admin_client(app)
    url = f"/courses/{course.id}/sheets/{sheets['appendix1_initial.json'].seq}"
    page = client.get(url).get_data(as_text=True)
    creator = page[page.find('<th colspan="2">COOMET course creator</th>'):]
    assert creator.find('data-key="creator_details.nmi"') < creator.find('data-key="creator_details.name"') \
        < creator.find('<th>Contact details (phone, email)</th>') < creator.find("Prospective COOMET course coordinator")
    assert page.find("INITIAL AGREEING ON THE COURSE") < page.find("complies with")
    assert "<p class=\"paper-line\">TC 1.3</p>" in page
    client.post("/language", data={"csrf_token": token(client, "/"), "lang": "ru", "next": "/"})
    russian = client.get(url).get_data(as_text=True)
    assert '<p class="paper-line">Неопределенность измерений</p>' in russian and "ПЕРВИЧНОЕ СОГЛАСОВАНИЕ" in russian


def test_8_3_sheets_download_as_a4_pdf_one_sheet_per_page_in_english_and_russian(app, engine):
    import io

    from pypdf import PdfReader

    course, sheets = published_course(engine)
    client = admin_client(app)
    one = client.get(f"/courses/{course.id}/sheets/{sheets['appendix2.json'].seq}.pdf")
    assert one.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(one.get_data()))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Form for approving a COOMET course" in text and "Uncertainty of measurement" in text
    assert "Signed electronically by Alla Admin" in text
    client.post("/language", data={"csrf_token": token(client, "/"), "lang": "ru", "next": "/"})
    every = PdfReader(io.BytesIO(client.get(f"/courses/{course.id}/sheets.pdf").get_data()))
    texts = [page.extract_text() for page in every.pages]
    titles = [next((i for i, t in enumerate(texts) if title in t), None) for title in (
        "Лист согласования курса КООМЕТ", "Форма для утверждения курса КООМЕТ")]
    assert None not in titles and titles[0] < titles[1]
    assert len(every.pages) >= len(engine.sheets(course.id))  # each sheet starts a page
    assert "Неопределенность измерений" in texts[titles[1]]


# -- forms: errors once, plain and translated, at the conclusion; the signer's details filled in -----------

def open_task_form(engine, course, bpmn_id, login):
    (task,) = [t for t in course.open(login) if t.bpmn_id == bpmn_id]
    return task, {"instance_version": engine.task(task.id).instance_version}


def error_of(page: str, name: str) -> str | None:
    found = re.search(rf'<p class="error" id="err-{re.escape(name)}">([^<]*)</p>', page)
    return found.group(1) if found else None


def test_6_1_an_empty_survey_says_each_missing_answer_once_in_the_readers_language(app, engine):
    from tests.coomet import CourseDriver

    course = CourseDriver(engine)
    task, hidden = open_task_form(engine, course, "m_survey", "tc4")
    client = app.test_client()
    login(client, "tc4")
    csrf = token(client, f"/tasks/{task.id}")
    page = client.post(f"/tasks/{task.id}", data={"csrf_token": csrf, **hidden}).get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</ul>', page, re.S).group(0)
    links = re.findall(r'<a href="#f-([^"]+)"', summary)
    assert links == ["materials_available", "post_this_year", "languages", "format", "csbs", "procedural"]
    assert page.count("Fill in this field.") == 2 * len(links)  # once in the summary, once at the field
    assert 'id="f-languages" name="languages" aria-invalid="true" aria-describedby="err-languages"' in page
    assert "this field is required" not in page and "is not of type" not in page
    client.post("/language", data={"csrf_token": csrf, "lang": "ru", "next": "/"})
    russian = client.post(f"/tasks/{task.id}", data={"csrf_token": csrf, **hidden, "survey_notes": "x" * 4001,
                                                      "planned_year": "скоро"}).get_data(as_text=True)
    assert error_of(russian, "languages") == "Заполните это поле."
    assert error_of(russian, "planned_year") == "Введите число."
    assert error_of(russian, "survey_notes") == "Не более 4000 символов (введено 4001)."


def test_8_1_appendix_2_contradiction_is_asked_at_the_conclusion(app, engine):
    from tests.coomet import CourseDriver, sheets

    course = CourseDriver(engine)
    course.prepare()
    course.send_for_agreeing()
    course.chair_agrees("chair-tc13", "TC 1.3")
    course.finish_creation()
    task, hidden = open_task_form(engine, course, "r_review", "admin")
    client = admin_client(app)
    form = dict(sheets()["appendix2.json"])
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'name="approver_name" value="Alla Admin"' in page  # the signer's name, from the profile
    assert 'name="approved_on" value="2026-01-05"' in page    # today
    assert re.search(r'data-field="what_to_refine" data-when="should_be_refined" data-when-value="yes"', page)
    data = {"csrf_token": token(client, f"/tasks/{task.id}"), **hidden, "administrator_details.name": "Alla Admin",
            "administrator_details.phone": "call me", "administrator_details.email": "alla@coomet.org",
            "proper_description": "yes", "content_quality": "no", "copyright_ok": "yes", "can_be_posted": "yes",
            "should_be_refined": "no", "approved_on": form["approved_on"], "approver_name": "Alla Admin"}
    page = client.post(f"/tasks/{task.id}", data=data).get_data(as_text=True)
    assert error_of(page, "content_quality") is None  # the honest criterion is not blamed
    assert error_of(page, "can_be_posted") == "Revisit this conclusion: it contradicts “Content quality”. " \
                                              "Which is meant?"
    assert error_of(page, "administrator_details.phone") == "Enter a phone number: digits, spaces, + ( ) . / -"


def test_7_3_appendix_1_asks_which_conclusion_is_meant_and_prefills_the_chair(app, engine):
    from tests.coomet import CourseDriver

    engine.update_contact("chair-tc13", Contact("Anna Sidorova", "sidorova@vniims.ru", "VNIIMS", "+7 495 000 00 00"),
                          engine.actor("admin"))
    course = CourseDriver(engine)
    course.prepare()
    course.send_for_agreeing()
    course.do("c_assign", "chair-tc13", scope="TC 1.3")
    task, hidden = open_task_form(engine, course, "c_chair_review", "chair-tc13")
    client = app.test_client()
    login(client, "chair-tc13")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    for name, value in (("reviewer_details.name", "Anna Sidorova"), ("reviewer_details.phone", "+7 495 000 00 00"),
                        ("reviewer_details.email", "sidorova@vniims.ru"), ("signed_by", "Anna Sidorova"),
                        ("agreed_on", "2026-01-05")):
        assert f'name="{name}" value="{value}"' in page, name
    data = {"csrf_token": token(client, f"/tasks/{task.id}"), **hidden, "reviewer_details.name": "Anna Sidorova",
            "reviewer_details.phone": "+7 495 000 00 00", "reviewer_details.email": "sidorova@vniims.ru",
            "complies": "yes", "requires_refinement": "yes", "what_to_refine": "x", "agreed_on": "2026-01-05",
            "signed_by": "Anna Sidorova"}
    page = client.post(f"/tasks/{task.id}", data=data).get_data(as_text=True)
    assert error_of(page, "complies") == "Revisit this conclusion: it contradicts “The course requires refinement”. " \
                                         "Which is meant?"
    assert error_of(page, "requires_refinement") is None


def test_6_9_the_questionnaire_link_is_served_not_typed(app, engine):
    from tests.coomet import CourseDriver, sheets

    course = CourseDriver(engine)
    course.prepare(csbs=())
    task, hidden = open_task_form(engine, course, "m_finalize", "creator")
    client = app.test_client()
    login(client, "creator")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    link = f"http://localhost/survey/{course.course.id}"
    assert f'<div class="readonly">{link}</div>' in page and 'name="survey_link"' not in page
    sheet = sheets()["course_finalization.json"]
    data = {key: ("yes" if value else "no") if isinstance(value, bool) else value for key, value in sheet.items()}
    client.post(f"/tasks/{task.id}", data={**data, **hidden, "csrf_token": token(client, f"/tasks/{task.id}"),
                                           "survey_link": "https://typed.example/ignored"})
    assert engine.sheets(course.course.id)[-1].data["survey_link"] == link


# -- the questionnaire (Appendix 3, 11.1) ----------------------------------------------------------------

def satisfaction_answers(engine) -> int:
    with engine.db.read() as session:
        return len(session.scalars(select(Event).where(Event.kind == "instance_started",
                                                       Event.process_id == "satisfaction")).all())


def test_11_1_one_answer_per_submission_and_a_refresh_records_nothing(app, engine):
    course, _ = published_course(engine)
    student = app.test_client()
    url = f"/survey/{course.id}"
    page = student.get(url).get_data(as_text=True)
    grid = re.search(r'<table class="sheet rating-grid">.*?</table>', page, re.S).group(0)
    assert re.findall(r'<th scope="col">([^<]+)</th>', grid) == ["Criterion", "Excellent", "Good", "Satisfactory",
                                                                  "Unsatisfactory"]
    assert grid.count('type="radio"') == 16  # four criteria x four assessments, as on the paper
    submission = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    answers = {"csrf_token": token(student, url), "submission": submission, "relevance": "excellent",
               "theoretical_utility": "good", "material_quality": "good", "material_presentation": "satisfactory",
               "participated_from": "2026-04-20", "participated_to": "2026-04-01"}
    backwards = student.post(url, data=answers).get_data(as_text=True)
    assert error_of(backwards, "participated_to") == "Must not be before “Participation in the course: from” " \
                                                     "(2026-04-20)."
    answers["participated_to"] = "2026-04-30"
    first = student.post(url, data=answers)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/survey/{course.id}/thanks")
    assert "recorded anonymously" in student.get(first.headers["Location"]).get_data(as_text=True)
    student.get(first.headers["Location"])  # refreshing the thank-you page
    again = student.post(url, data=answers)  # the same submission sent again (back and resend)
    assert again.status_code == 302 and satisfaction_answers(engine) == 1


def test_11_1_a_course_that_is_not_published_shows_a_page_for_students(app, engine):
    from tests.coomet import CourseDriver

    planned = CourseDriver(engine, course_name="Not yet")
    for url in (f"/survey/{planned.course.id}", "/survey/424242"):
        response = app.test_client().get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 404 and "This questionnaire is not open" in page
        assert "Not found" not in page and "My tasks" not in page


# -- the demo ----------------------------------------------------------------------------------------------

def test_the_demo_gives_every_role_work_distinct_courses_and_the_questionnaire_link(engine):
    from demo import DEMO_USERS, load_demo
    from webapp.cli.server import demo_notice

    assert load_demo(engine) == []
    idle = [login for login, _, grants in DEMO_USERS
            if not engine.tasks(engine.actor(login)) and grants[0] not in ("process_owner", "auditor")]
    assert idle == []
    member = engine.tasks(engine.actor("member-tc2"))
    assert [(t.bpmn_id, t.assignee) for t in member] == [("c_member_review", "member-tc2")]  # appointed (7.3)
    courses = engine.courses()
    summaries = [c.summary for c in courses if c.summary]
    urls = [c.course_url for c in courses if c.course_url]
    assert len(set(summaries)) == len(summaries) >= 7 and len(set(urls)) == len(urls) >= 2
    (published,) = [c for c in courses if c.status == "published"]
    notice = demo_notice(engine, "http://127.0.0.1:5000")
    assert f"http://127.0.0.1:5000/survey/{published.id}  Uncertainty of measurement" in notice
    assert "member-tc2" in notice and "csb_member:TC 2" in notice


def test_13_5_the_cancelled_list_shows_the_date_and_tc4s_decision(app, engine, clock):
    from tests.coomet import CourseDriver

    course = CourseDriver(engine)
    course.publish_one_csb_course()
    engine.send_message(course.instance, "inspection_requested", {"reason": "superseded"}, course.actor("tc4"))
    course.do("i_inspect", "secretariat", outcome="irrelevant", findings="Superseded by a newer course.")
    clock.advance(days=30)
    course.do("i_decide", "tc4")
    client = admin_client(app)
    page = client.get("/courses/?which=cancelled").get_data(as_text=True)
    assert "TC 4 decision" in page
    assert re.search(r'<td><time datetime="2026-02-04[^>]*>4 Feb 2026</time></td><td>TC 4 meeting, 2029-04-20</td>', page)
    assert "Uncertainty of measurement" not in client.get("/courses/?which=list").get_data(as_text=True)
    rows = client.get("/courses/?which=cancelled&export=csv").get_data().decode("utf-8-sig").splitlines()
    assert rows[0].endswith("Cancelled on,TC 4 decision") and rows[1].endswith("2026-02-04,\"TC 4 meeting, 2029-04-20\"")


def test_6_2_cli_withdraws_a_course_with_a_reason(database_url, monkeypatch, engine):
    from tests.coomet import CourseDriver, deploy_with_people

    deploy_with_people(engine)
    course = CourseDriver(engine, course_name="Opened twice")
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    runner = CliRunner()
    refused = runner.invoke(main, ["withdraw-course", str(course.course.id), "--reason", " ", "--as", "admin"])
    assert refused.exit_code == 1 and "say why the course is withdrawn" in refused.stderr
    done = runner.invoke(main, ["withdraw-course", str(course.course.id), "--reason", "duplicate", "--as", "admin"])
    assert done.exit_code == 0 and "1 open task(s) withdrawn" in done.output
    assert "Opened twice" not in runner.invoke(main, ["courses"]).output


def test_a_person_keeps_their_own_contact_details_which_prefill_their_sheets(app, engine):
    client = app.test_client()
    login(client, "chair-tc13")
    assert 'value="Chair of TC 1.3"' in client.get("/profile").get_data(as_text=True)
    saved = client.post("/profile", data={"csrf_token": token(client, "/profile"), "name": "Anna Sidorova",
                                          "nmi": "VNIIMS", "email": "sidorova@vniims.ru", "phone": "+7 495 437 55 77"},
                        follow_redirects=True)
    assert "Your details are saved." in saved.get_data(as_text=True)
    assert engine.person("chair-tc13").phone == "+7 495 437 55 77"
    bad = client.post("/profile", data={"csrf_token": token(client, "/profile"), "name": "", "phone": "x"})
    assert bad.status_code == 422 and "Enter the person&#39;s name." in bad.get_data(as_text=True)
    assert not engine.actor("chair-tc13").holds("sector_administrator")
