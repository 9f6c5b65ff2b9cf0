"""The web app with Flask's test client: login, inbox, task form, refusals."""
from __future__ import annotations

import re

import pytest

from webapp.app import create_app


@pytest.fixture
def app(engine, deployed, people):
    app = create_app(engine, TESTING=True, TICK_SECONDS=0)
    return app


def login(client, user, password="pw"):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/login", data={"login": user, "password": password, "csrf_token": token})


def csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_login_required_and_wrong_password(app):
    client = app.test_client()
    assert client.get("/").status_code == 302
    assert login(client, "admin", "nope").status_code == 401
    assert login(client, "admin").status_code == 302
    assert "My tasks" in client.get("/").get_data(as_text=True)


def test_inbox_lists_my_tasks_and_form_submits(app, engine, people):
    engine.start("review", {}, people["admin"])
    client = app.test_client()
    login(client, "admin")
    page = client.get("/").get_data(as_text=True)
    task_id = re.search(r'href="/tasks/([^"]+)"', page).group(1)
    url = f"/tasks/{task_id}"
    token = csrf(client, url)
    version = engine.task(task_id).instance_version
    bad = client.post(url, data={"csrf_token": token, "instance_version": version, "title": ""})
    assert bad.status_code == 422 and 'role="alert"' in bad.get_data(as_text=True)
    ok = client.post(url, data={"csrf_token": token, "instance_version": version, "title": "Mass",
                                "csbs": "TC 2", "creator": "bob"})
    assert ok.status_code == 302
    assert engine.tasks(people["chair2"])[0].bpmn_id == "review_task"


def test_missing_csrf_is_refused_and_nothing_changes(app, engine, people):
    engine.start("review", {}, people["admin"])
    (task,) = engine.tasks(people["admin"])
    client = app.test_client()
    login(client, "admin")
    response = client.post(f"/tasks/{task.id}", data={"title": "x", "csbs": "TC 2", "creator": "bob"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert [t.id for t in engine.tasks(people["admin"])] == [task.id]


def test_other_roles_task_is_forbidden_even_with_its_url(app, engine, people):
    engine.start("review", {}, people["admin"])
    (task,) = engine.tasks(people["admin"])
    client = app.test_client()
    login(client, "bob")
    assert client.get(f"/tasks/{task.id}").status_code == 403
    token = csrf(client, "/")
    assert client.post(f"/tasks/{task.id}", data={"csrf_token": token}).status_code == 403
