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
