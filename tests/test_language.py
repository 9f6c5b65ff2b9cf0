"""Russian throughout (issue 13): the engine's refusals carry a reason and values, and the web app says them in
the reader's language — role names instead of role keys, dates in the language's format; the CLI keeps English."""
from __future__ import annotations

import re

import pytest

from engine import ROLES, NotAllowed, TaskNotOpen
from tests.coomet import REPO, CourseDriver, deploy_with_people
from tests.test_web import as_user, task_of, token
from webapp.app import create_app
from webapp.refusals import MESSAGES

RAISED = re.compile(r'reason="([a-z_]+)"(?: if [^)]*? else "([a-z_]+)")?|Refused\("([a-z_]+)"')


@pytest.fixture
def app(engine):
    deploy_with_people(engine)
    for login in ("chair-tc2", "creator", "tc4", "admin"):
        engine.set_language(login, "ru")
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


def _flash(page: str) -> str:
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', page))


def test_every_reason_the_engine_gives_has_a_message_for_the_web_app():
    raised = set()
    for path in (REPO / "engine").rglob("*.py"):
        for groups in RAISED.findall(path.read_text(encoding="utf-8")):
            raised.update(name for name in groups if name)
    assert len(raised) > 80, "the scan found too few reasons: the pattern itself is broken"
    assert sorted(raised - set(MESSAGES)) == []


def test_a_task_of_another_csb_is_refused_in_russian_with_the_role_s_name(app, engine):
    course = CourseDriver(engine)
    course.prepare(csbs=("TC 1.3", "TC 2"))
    course.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    tc13 = next(t for t in course.open("chair-tc13"))
    response = as_user(app, "chair-tc2").get(f"/tasks/{tc13.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert f"Для этой задачи нужна роль «{ROLES['csb_chair'].name_ru} (TC 1.3)», которой у вас нет." in page
    assert "csb_chair" not in page and "needs the role" not in page


def test_a_page_of_another_role_names_the_role_needed_in_russian(app):
    response = as_user(app, "creator").get("/sector")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert f"Для этого нужна роль «{ROLES['sector_administrator'].name_ru}»." in page
    assert "sector_administrator" not in page


def test_a_completed_task_says_who_and_when_in_the_russian_date_format(app, engine):
    course = CourseDriver(engine)
    task = task_of(engine, course, "m_survey")
    course.do("m_survey", "tc4")
    page = as_user(app, "tc4").get(f"/tasks/{task.id}", follow_redirects=True).get_data(as_text=True)
    assert re.search(r"Эту задачу уже выполнил\(а\) tc4 \d\d\.\d\d\.\d{4} \d\d:\d\d UTC\.", _flash(page)), _flash(page)


def test_a_claimed_task_names_who_claimed_it_in_russian_and_stays_english_for_the_cli(app, engine):
    engine.add_user("tc4-b", ["tc4"], "pw", name="Second TC 4")
    engine.set_language("tc4-b", "ru")
    course = CourseDriver(engine)
    task = task_of(engine, course, "m_survey")
    engine.claim(task.id, engine.actor("tc4"))
    with pytest.raises(NotAllowed) as refused:
        engine.complete(task.id, {}, engine.actor("tc4-b"))
    assert refused.value.reason == "task_claimed" and refused.value.params == {"login": "tc4"}
    assert str(refused.value).startswith("tc4 has claimed this task")  # the CLI and logs stay English
    client = as_user(app, "tc4-b")
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": token(client, "/")})
    assert response.status_code == 403
    assert "tc4 взял(а) эту задачу" in response.get_data(as_text=True)


def test_a_message_the_process_does_not_wait_for_is_refused_in_russian(app, engine):
    course = CourseDriver(engine)
    client = as_user(app, "tc4")
    page = client.post(f"/courses/{course.course.id}/inspection",
                       data={"csrf_token": token(client, f"/courses/{course.course.id}"), "reason": "why"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Сейчас процесс этого не ожидает." in _flash(page)
    with pytest.raises(TaskNotOpen, match="is not waiting for the message"):
        engine.send_message(engine.course(course.course.id).instance, "inspection_requested", {},
                            engine.actor("tc4"))


def test_history_and_step_through_name_tasks_by_their_russian_names_and_say_the_verdict(app, engine):
    engine.set_language("auditor", "ru")
    course = CourseDriver(engine)
    course.do("m_survey", "tc4")
    client = as_user(app, "auditor")
    page = client.get(f"/courses/{course.course.id}/history?replay=1").get_data(as_text=True)
    assert "Опрос о материалах и планах (6.1)" in page and "Survey materials and plans" not in page
    events = len([e for e in engine.history(course.course.id) if e.instance_id == course.instance])
    assert re.search(rf'id="replay-outcome">Раздел 6\. Создание \({events} событи[йея]\): воспроизведено повторным '
                     r'исполнением<', page)
    assert re.search(r'id="replay-checked">Проверено <time[^>]*>\d\d\.\d\d\.\d{4} \d\d:\d\d</time>', page)
    step = client.get(f"/courses/{course.course.id}/replay?step=2").get_data(as_text=True)
    assert "Опрос о материалах и планах (6.1)" in step and "задача выполнена" in step


@pytest.mark.parametrize(("language", "reference", "shown"), [
    ("ru", "Appendix 1, 7.2, 7.3", "Приложение 1, пункты 7.2, 7.3"),
    ("ru", "6.1", "Пункт 6.1"),
    ("en", "Appendix 2, 8.1, 8.2", "Appendix 2, clauses 8.1, 8.2"),
    ("en", "13.5", "Clause 13.5"),
])
def test_clause_references_of_sheets_read_in_the_reader_s_language(app, language, reference, shown):
    from webapp.i18n import clause

    with app.test_request_context(headers={"Accept-Language": language}):
        assert clause(reference) == shown


def test_migration_reasons_and_version_differences_are_said_in_russian(app, engine):
    from tests.test_process_owner_web import CREATION, deploy

    engine.set_language("owner", "ru")
    CourseDriver(engine, course_name="At the survey")
    owner = as_user(app, "owner")
    assert deploy(owner, CREATION.replace('value="survey.json"', 'value="acknowledgement.json"')).status_code == 200
    plan = owner.get("/processes/course_creation/migrate?to=2").get_data(as_text=True)
    reason = re.search(r'class="verdict">(.*?)</td>', plan, re.S).group(1)
    assert "Открытая задача «" in reason and "(m_survey): в версии 2 отличается форма" in reason, reason
    assert "is changed" not in reason
    versions = owner.get("/processes/course_creation/versions").get_data(as_text=True)
    assert "<strong>изменён</strong> пользовательская задача <code>m_survey</code>" in versions
    assert "форма: survey.json → acknowledgement.json" in versions


def test_deploy_problems_reach_the_modeller_in_russian(app, engine):
    from tests.test_process_owner_web import CREATION, deploy

    engine.set_language("owner", "ru")
    owner = as_user(app, "owner")
    broken = (CREATION.replace('sourceRef="m_start"', 'sourceRef="nowhere"', 1)
              .replace('value="survey.json"', 'value="no_such_form.json"'))
    response = deploy(owner, broken)
    messages = [p["message"] for p in response.get_json()["problems"]]
    assert response.status_code == 422
    assert any(m.startswith("ссылается на «nowhere», которого нет в этом файле") for m in messages), messages
    assert "файла формы «no_such_form.json» нет: создайте его или привяжите существующую форму" in messages
    assert not [m for m in messages if "does not exist" in m]


def test_a_signed_sheet_shows_its_dates_in_the_russian_format_and_processes_have_russian_names(app, engine):
    engine.set_language("auditor", "ru")
    published = CourseDriver(engine)
    published.publish_one_csb_course()
    client = as_user(app, "auditor")
    course_page = client.get(f"/courses/{published.course.id}").get_data(as_text=True)
    seq = re.search(r'/sheets/(\d+)">Форма для утверждения курса КООМЕТ<', course_page).group(1)
    sheet = client.get(f"/courses/{published.course.id}/sheets/{seq}").get_data(as_text=True)
    assert "01.03.2026" in sheet and "2026-03-01" not in sheet
    engine.set_language("owner", "ru")
    processes = as_user(app, "owner").get("/processes/").get_data(as_text=True)
    assert "Экспертиза и утверждение курса КООМЕТ (раздел 8)" in processes
    assert "Review and approval of a COOMET course" not in processes


def test_lists_are_sorted_by_the_names_people_read(app, engine):
    CourseDriver(engine, course_name="Alpha course", course_name_ru="Яблоко")
    CourseDriver(engine, course_name="Zeta course", course_name_ru="Арбуз")
    listing = as_user(app, "admin").get("/courses/?which=list&sort=name").get_data(as_text=True)
    assert listing.index("Арбуз") < listing.index("Яблоко")
    people = as_user(app, "admin").get("/admin/users").get_data(as_text=True)
    names = re.findall(r'">(Chair of TC 1\.3|Alla Admin|Auditor|Kirill Creator)</a></td>', people)
    assert names == sorted(names, key=str.casefold), names
