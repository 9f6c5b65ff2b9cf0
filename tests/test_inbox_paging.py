"""The inbox's page, count and course filter (issue 13's inbox, made cheap for long inboxes in issue 18).

The page is merged from the first entries of each index range (a person's named tasks; each role and scope
of their group tasks); these tests hold it to the plain meaning: every task the person may do, soonest due
first (undated last), then oldest, page after page, and the course filter offers exactly their tasks' courses.
"""
from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest
from sqlalchemy import insert, select

from engine import TaskFilter
from engine.base.models import Course, Instance, OpenTask
from tests.conftest import START
from webapp.tasks import page_links

LOGIN = "chair13"


@pytest.fixture
def inbox(engine, deployed):
    """60 instances in 6 courses with open tasks of every kind; returns the rows the listed person may do."""
    engine.add_user(LOGIN, ["csb_chair:TC 1.3", "csb_chair:TC 2", "secretariat"], "pw")
    definition = engine.deployed_versions()[0]
    rng = random.Random(7)
    courses = [dict(id=n, instance_id=str(uuid.UUID(int=n)), name=f"Course {n}", status="planned",
                    created_at=START, updated_at=START) for n in range(1, 7)]
    instances, tasks = [], []
    for n in range(60):
        instance_id = str(uuid.UUID(int=1000 + n))
        instances.append(dict(id=instance_id, definition_id=definition.id, process_id=definition.process_id,
                              course_id=None if n % 10 == 9 else 1 + n % 5, status="running",
                              state_json="{}", version=1, started_at=START, started_by="admin", updated_at=START))
    kinds = [("csb_chair", "TC 1.3", None), ("csb_chair", "TC 2", None), ("csb_chair", None, None),
             ("csb_chair", "TC 1.1", None), ("secretariat", None, None), ("secretariat", "TC 2", None),
             ("tc4", None, None), ("csb_member", "TC 1.3", None), ("course_creator", None, LOGIN),
             ("course_creator", None, "someone"), ("csb_chair", "TC 1.3", "someone")]
    for n in range(400):
        role, scope, assignee = rng.choice(kinds)
        instance = rng.choice(instances)
        if instance["course_id"] == 5:  # a course with open tasks, none of them the listed person's
            role, scope, assignee = rng.choice([("tc4", None, None), ("csb_chair", "TC 1.1", None)])
        created = START + dt.timedelta(minutes=n * 7 + rng.randrange(5))  # no two alike: the order is total
        tasks.append(dict(id=str(uuid.UUID(int=10_000 + n)), instance_id=instance["id"],
                          definition_id=definition.id, course_id=instance["course_id"],
                          process_id="review" if n % 3 else "other", bpmn_id="t", name=f"Task {n}", role=role,
                          scope=scope, assignee=assignee, created_at=created,
                          due_at=START + dt.timedelta(days=rng.randrange(1, 900), seconds=n) if n % 4 else None))
    with engine.db.engine.begin() as connection:
        for table, rows in ((Course, courses), (Instance, instances), (OpenTask, tasks)):
            connection.execute(insert(table.__table__), rows)
    actor = engine.actor(LOGIN)
    mine = [t for t in tasks if t["assignee"] == LOGIN or t["assignee"] is None and (
        t["role"] == "secretariat" or t["role"] == "csb_chair" and t["scope"] in (None, "TC 1.3", "TC 2"))]
    return engine, actor, mine


def in_inbox_order(rows):
    return [r["id"] for r in sorted(rows, key=lambda r: (r["due_at"] is None, r["due_at"] or START, r["created_at"]))]


def every_page(engine, actor, size, **filters):
    ids, offset = [], 0
    while page := engine.tasks(actor, TaskFilter(offset=offset, limit=size, **filters)):
        ids += [task.id for task in page]
        offset += size
    return ids


def test_inbox_pages_list_every_task_of_mine_soonest_due_first_then_undated_13_2(inbox):
    engine, actor, mine = inbox
    assert 100 < len(mine) < 400  # named and group tasks of several roles and scopes, and others' tasks hidden
    assert every_page(engine, actor, 7) == in_inbox_order(mine)
    assert engine.task_count(actor) == len(mine)
    assert [t.id for t in engine.tasks(actor, TaskFilter(offset=35, limit=10))] == in_inbox_order(mine)[35:45]


@pytest.mark.parametrize("filters", [{"course_id": 2}, {"role": "secretariat"}, {"process": "other"},
                                     {"course_id": 3, "role": "csb_chair", "process": "review"}])
def test_filtered_inbox_pages_keep_the_order_and_the_count_13_2(inbox, filters):
    engine, actor, mine = inbox
    keys = {"course_id": "course_id", "role": "role", "process": "process_id"}
    wanted = [t for t in mine if all(t[keys[name]] == value for name, value in filters.items())]
    assert wanted and every_page(engine, actor, 5, **filters) == in_inbox_order(wanted)
    assert engine.task_count(actor, TaskFilter(**filters)) == len(wanted)


def test_newest_first_inbox_lists_the_same_tasks(inbox):
    engine, actor, mine = inbox
    newest = [r["id"] for r in sorted(mine, key=lambda r: r["created_at"], reverse=True)]
    assert every_page(engine, actor, 9, sort="created") == newest


def test_course_filter_offers_exactly_the_courses_of_my_tasks_13_2(inbox):
    engine, actor, mine = inbox
    expected = {t["course_id"] for t in mine if t["course_id"] is not None}
    assert [c.id for c in engine.inbox_courses(actor)] == sorted(expected) == [1, 2, 3, 4]
    engine.add_user("nobody", ["auditor"], "pw")
    assert engine.inbox_courses(engine.actor("nobody")) == []
    engine.add_user("anychair", ["csb_chair"], "pw")  # every scope of the role
    every = engine.tasks(None, TaskFilter(limit=10_000))
    chairs = {t.course_id for t in every if t.role == "csb_chair" and t.assignee is None} - {None}
    assert [c.id for c in engine.inbox_courses(engine.actor("anychair"))] == sorted(chairs) == [1, 2, 3, 4, 5]


def test_inbox_links_the_first_the_last_and_the_nearby_pages():
    assert page_links(1, 1) == [1]
    assert page_links(1, 200) == [1, 2, 3, None, 200]
    assert page_links(50, 200) == [1, None, 48, 49, 50, 51, 52, None, 200]
    assert page_links(4, 7) == [1, 2, 3, 4, 5, 6, 7]


def test_a_long_inbox_links_a_few_pages_readably_in_english_and_russian_13_2(inbox):
    """1,000 more tasks (21 pages): the page links fit a phone, in both languages."""
    from tests.browser import browse
    from webapp.app import create_app

    engine, actor, mine = inbox
    definition = engine.deployed_versions()[0]
    with engine.db.engine.begin() as connection:
        instance = connection.execute(select(Instance.id)).scalars().first()
        connection.execute(insert(OpenTask.__table__), [dict(
            id=str(uuid.UUID(int=50_000 + n)), instance_id=instance, definition_id=definition.id, course_id=None,
            process_id="review", bpmn_id="t", name=f"Named task {n}", role="course_creator", assignee=LOGIN,
            created_at=START + dt.timedelta(days=3, minutes=n)) for n in range(1000)])
    pages = -(-(len(mine) + 1000) // 50)
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        ui.login(LOGIN)
        page = ui.page
        for language in ("en", "ru"):
            page.goto(f"{ui.base}/")
            ui.open_menu() if page.locator("form.lang").is_hidden() else None
            page.click(f"form.lang button[value={language}]")
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 844})
                page.goto(f"{ui.base}/?page=10")
                links = page.eval_on_selector_all("nav.pages a", "links => links.map(a => a.textContent)")
                assert links == ["1", "8", "9", "10", "11", "12", str(pages)]
                assert page.locator("nav.pages a[aria-current=page]").text_content() == "10"
                box = page.locator("nav.pages").bounding_box()
                assert box is not None and box["x"] + box["width"] <= width
                ui.screenshot(f"inbox-pages-{language}-{width}.png")
