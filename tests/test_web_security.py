"""Web security (issue 11): sessions ended on the server, login throttling, framing, cookies, who sees history."""
from __future__ import annotations

import re

import pytest

from engine import NotAllowed, TooManyAttempts
from engine.registry import users
from engine.security import throttle
from tests.coomet import CourseDriver, deploy_with_people
from webapp.app import create_app


@pytest.fixture
def app(engine):
    deploy_with_people(engine)
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


def csrf(client, url="/login"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def login(client, user, password="pw", address="10.0.0.1"):
    return client.post("/login", data={"login": user, "password": password, "csrf_token": csrf(client)},
                       environ_base={"REMOTE_ADDR": address})


def logged_in(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_stops_working_after_logout(app):
    client = logged_in(app, "creator")
    thief = copy_of(app, client)
    assert thief.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert thief.get("/").status_code == 302 and client.get("/").status_code == 302


def test_deactivation_ends_the_users_sessions_at_once(app):
    creator = logged_in(app, "creator")
    admin = logged_in(app, "admin")
    admin.post("/admin/users/creator/active", data={"csrf_token": csrf(admin, "/admin/users"), "active": "no"})
    assert creator.get("/").status_code == 302


def test_a_new_csrf_token_at_login(app):
    client = app.test_client()
    before = csrf(client)
    login(client, "creator")
    assert csrf(client, "/") != before


def test_login_is_throttled_per_account_even_with_the_right_password(app):
    client = app.test_client()
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert login(client, "creator", "wrong").status_code == 401
    response = login(client, "creator")
    assert response.status_code == 429 and "Too many failed logins" in response.get_data(as_text=True)
    assert 60 < int(response.headers["Retry-After"]) <= 15 * 60  # the block's end, for clients that honour it
    assert login(client, "admin").status_code == 302  # other accounts are not locked out


def test_login_is_throttled_per_address_across_accounts(app):
    client = app.test_client()
    for attempt in range(throttle.ADDRESS_LIMIT):
        assert login(client, f"guess{attempt}", "wrong", address="10.9.9.9").status_code == 401
    assert login(client, "admin", address="10.9.9.9").status_code == 429
    assert login(client, "admin", address="10.1.1.1").status_code == 302


def test_unknown_logins_cost_a_password_check_like_known_ones(engine, people, monkeypatch):
    """Equal-time answers: the slow password hash runs whether the login exists or not."""
    checked = []
    original = users.check_password
    monkeypatch.setattr(users, "check_password", lambda stored, pw: checked.append(stored) or original(stored, pw))
    assert engine.authenticate("nobody-here", "pw") is None
    assert engine.authenticate("admin", "wrong") is None
    assert len(checked) == 2 and all(stored.startswith("scrypt$") for stored in checked)


def test_a_blocked_account_is_refused_by_the_engine_too(engine, people):
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert engine.authenticate("admin", "wrong", "10.0.0.2") is None
    with pytest.raises(TooManyAttempts):
        engine.authenticate("admin", "pw", "10.0.0.3")


def test_pages_may_not_be_framed_and_cookies_are_secure_in_production(engine, monkeypatch):
    deploy_with_people(engine)
    monkeypatch.setenv("COURSEFLOW_ENV", "production")
    monkeypatch.setenv("COURSEFLOW_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("COURSEFLOW_BASE_URL", "https://courseflow.coomet.example")
    app = create_app(engine, TESTING=True, TICK_SECONDS=0)
    client = app.test_client()
    response = login(client, "admin")
    assert "Secure" in response.headers["Set-Cookie"]
    page = client.get("/login")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("login_name, allowed", [("auditor", True), ("admin", True), ("secretariat", True),
                                                  ("creator", False), ("tc4", False), ("chair-tc13", False)])
def test_history_replay_and_diagram_are_for_auditors_administrators_and_the_secretariat(app, engine, login_name,
                                                                                     allowed):
    course = CourseDriver(engine)
    course.do("m_survey", "tc4")
    client = logged_in(app, login_name)
    base = f"/courses/{course.course.id}"
    codes = {client.get(f"{base}{page}").status_code for page in ("/history", "/history?replay=1", "/replay",
                                                                 "/diagram")}
    assert codes == ({200} if allowed else {403})
    assert ("History and proof" in client.get(base).get_data(as_text=True)) is allowed


ANSWERS = {"relevance": "excellent", "theoretical_utility": "good", "material_quality": "good",
           "material_presentation": "satisfactory"}


def test_the_questionnaire_is_throttled_without_identity_11_1(app, engine):
    course = CourseDriver(engine)
    course.publish_one_csb_course()
    url = f"/survey/{course.course.id}"
    browser = app.test_client()
    first = browser.post(url, data={**ANSWERS, "csrf_token": csrf(browser, url)}, follow_redirects=True)
    assert "recorded anonymously" in first.get_data(as_text=True)
    again = browser.post(url, data={**ANSWERS, "csrf_token": csrf(browser, url)})
    assert again.status_code == 429 and "answered this questionnaire already" in again.get_data(as_text=True)
    statuses = []
    for _ in range(12):
        fresh = app.test_client()  # a new browser each time: only the address is the same
        statuses.append(fresh.post(url, data={**ANSWERS, "csrf_token": csrf(fresh, url)}).status_code)
    # every answer from the address counts (the refused second one too): 8 more are recorded, then 429
    assert statuses == [302] * 8 + [429] * 4
    late = app.test_client()
    refused = late.post(url, data={**ANSWERS, "csrf_token": csrf(late, url)})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 600
    assert "Too many answers from your network" in refused.get_data(as_text=True)
    other = app.test_client()
    answer = other.post(url, data={**ANSWERS, "csrf_token": csrf(other, url)}, environ_base={"REMOTE_ADDR": "10.7.7.7"})
    assert answer.status_code == 302


def test_an_assignee_whose_role_was_revoked_can_no_longer_complete(engine, deployed, people):
    engine.start("review", {}, people["admin"])
    (prepare,) = engine.tasks(people["admin"])
    engine.complete(prepare.id, {"title": "x", "csbs": ["TC 2"], "creator": "bob"}, people["admin"])
    (review,) = engine.tasks(people["chair2"])
    engine.complete(review.id, {"complies": False, "comments": "refine"}, people["chair2"])
    (fix,) = [t for t in engine.tasks() if t.bpmn_id == "fix"]
    engine.revoke("bob", "course_creator", people["admin"])
    with pytest.raises(NotAllowed, match="no longer hold"):
        engine.complete(fix.id, {"done": True}, engine.actor("bob"))
