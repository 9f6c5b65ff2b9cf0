"""The Outbox page (sector administrators) and each person's mail settings, on the demo data: the demo's mail
waits in the outbox, since the demo has no mail server."""
from __future__ import annotations

import re

import pytest

from demo import load_demo
from webapp.app import create_app


@pytest.fixture
def app(engine, monkeypatch):
    monkeypatch.delenv("COURSEFLOW_SMTP_URL", raising=False)
    assert load_demo(engine) == []
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


def token(client, url="/login"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def as_user(app, user):
    client = app.test_client()
    response = client.post("/login", data={"login": user, "password": "demo", "csrf_token": token(client)})
    assert response.status_code == 302
    return client


def test_the_demo_outbox_shows_every_message_its_state_and_text(app, engine):
    admin = as_user(app, "admin")
    page = admin.get("/admin/outbox/").get_data(as_text=True)
    assert "New task: " in page and "chair-tc13@coomet.example" in page
    assert "held for the daily digest" in page  # member-tc13 takes the digest
    first = re.search(r'href="/admin/outbox/(\d+)"', page).group(1)
    message = admin.get(f"/admin/outbox/{first}").get_data(as_text=True)
    assert "Hello " in message and "http://127.0.0.1:5000/tasks/" in message and "Message-ID" in message
    assert 'sandbox=""' in message  # the HTML part is shown without running anything
    assert admin.get("/admin/outbox/?state=nonsense").status_code == 404


def test_the_outbox_is_the_sector_administrators_only(app):
    assert as_user(app, "chair-tc13").get("/admin/outbox/").status_code == 403
    assert app.test_client().get("/admin/outbox/").status_code == 302  # to the login page


def test_a_person_changes_their_mail_settings(app, engine):
    chair = as_user(app, "chair-tc13")
    page = chair.get("/mail/preferences").get_data(as_text=True)
    assert re.search(r'value="immediately" checked', page)
    response = chair.post("/mail/preferences", data={"frequency": "off", "csrf_token": token(chair, "/mail/preferences")})
    assert response.status_code == 302 and engine.mail_preference("chair-tc13") == "off"
    refused = chair.post("/mail/preferences", data={"frequency": "off"})  # no CSRF token
    assert refused.status_code == 400
    bad = chair.post("/mail/preferences", data={"frequency": "hourly", "csrf_token": token(chair, "/mail/preferences")},
                     follow_redirects=True)
    assert "Choose how often" in bad.get_data(as_text=True) and engine.mail_preference("chair-tc13") == "off"


def test_the_outbox_page_in_russian(app):
    admin = as_user(app, "admin")
    admin.post("/language", data={"lang": "ru", "next": "/admin/outbox/", "csrf_token": token(admin, "/")})
    page = admin.get("/admin/outbox/").get_data(as_text=True)
    assert "Исходящая почта" in page and "ждёт ежедневной сводки" in page


def test_12_2_the_public_course_list_json_and_atom_need_no_login_and_poll_cheaply(app):
    client = app.test_client()
    page = client.get("/public/courses")
    assert page.status_code == 200 and "Uncertainty of measurement" in page.get_data(as_text=True)
    assert "Flow measurement in pipelines" not in page.get_data(as_text=True)  # only planned
    listing = client.get("/public/courses.json")
    names = [c["name"] for c in listing.get_json()["courses"]]
    assert sorted(names) == ["Length measurement", "Uncertainty of measurement"]
    assert listing.headers["ETag"] and listing.headers["Last-Modified"]
    again = client.get("/public/courses.json", headers={"If-None-Match": listing.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get("/public/courses.json", headers={"If-Modified-Since": listing.headers["Last-Modified"]})
    assert since.status_code == 304
    atom = client.get("/public/courses.atom")
    assert atom.mimetype == "application/atom+xml"
    import xml.etree.ElementTree as ET
    entries = ET.fromstring(atom.get_data()).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 2


def test_12_1_the_secretariat_keeps_the_nmi_directory_and_sees_the_invitations(app, engine):
    import io

    secretariat = as_user(app, "secretariat")
    page = secretariat.get("/announcement/nmis").get_data(as_text=True)
    assert "BelGIM" in page and "Ukrmetrteststandard" in page
    upload = {"csrf_token": token(secretariat, "/announcement/nmis"),
              "file": (io.BytesIO(b"country,nmi,email\nCuba,INIMET,coomet@inimet.example\n"), "nmis.csv")}
    imported = secretariat.post("/announcement/nmis/import", data=upload, follow_redirects=True)
    assert "1 added" in imported.get_data(as_text=True) and "INIMET" in imported.get_data(as_text=True)
    course = next(c for c in engine.courses() if c.name == "Uncertainty of measurement")
    letters = secretariat.get(f"/announcement/courses/{course.id}").get_data(as_text=True)
    assert "Новый электронный курс КООМЕТ" in letters and "coomet@vniim.example" in letters
    sent = secretariat.post(f"/announcement/courses/{course.id}",
                            data={"csrf_token": token(secretariat, f"/announcement/courses/{course.id}")},
                            follow_redirects=True).get_data(as_text=True)
    assert "1 invitation letter(s) are in the outbox" in sent  # INIMET, the only NMI not yet invited
    assert as_user(app, "creator").get("/announcement/nmis").status_code == 403
