"""Process owners in the browser: every file in processes/ survives bpmn-js, an edit
deploys as a new version beside the running old one, and invalid models are refused
with their elements marked on the diagram.
"""
from __future__ import annotations

import json

import pytest

from engine import Engine, FixedClock
from engine.base.models import Definition, Event
from tests.browser import browse, require_modeller
from tests.conftest import START
from tests.coomet import DEMO_USERS, REPO, deploy_with_people, sheets
from tests.test_browser import flat
from tests.test_coverage import scenarios
from webapp.app import create_app

pytest.importorskip("playwright.sync_api")
PROCESSES = sorted((REPO / "processes").glob("*.bpmn"))


@pytest.fixture
def owner(engine):
    """The live app with the COOMET processes deployed, and the process owner logged in."""
    require_modeller()
    deploy_with_people(engine)
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        ui.login("owner")
        yield ui


def open_modeller(ui, process_id: str, version: int | None = None) -> None:
    ui.page.goto(f"{ui.base}/processes/{process_id}/edit" + (f"?version={version}" if version else ""))
    ui.page.wait_for_selector("body[data-modeller=ready]")


def save(ui) -> str:
    ui.page.click("#modeller-save")
    ui.page.wait_for_selector(".modeller-result.ok, .modeller-result.error")
    return ui.page.inner_text("#modeller-result")


def select(ui, element_id: str) -> None:
    ui.page.evaluate("id => { const m = courseflowModeller.modeler;"
                     " m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)
    ui.page.wait_for_selector("#bio-properties-panel-name")


def exported(ui) -> str:
    return ui.page.evaluate("async () => (await courseflowModeller.modeler.saveXML({ format: true })).xml")


def process_id(path) -> str:
    return path.stem


# -- round trip -----------------------------------------------------------------------------

def test_every_process_round_trips_through_bpmn_js(tmp_path):
    """Open each file in bpmn-js, export it with saveXML, deploy the exports: the engine sees the same
    processes (identical specs) and every COOMET scenario runs identically on them."""
    require_modeller()
    original = engine_at(tmp_path / "original.db")
    with browse(create_app(original, TICK_SECONDS=0)) as ui:
        ui.login("owner")
        round_tripped = tmp_path / "processes"
        round_tripped.mkdir()
        for path in PROCESSES:
            open_modeller(ui, process_id(path))
            assert ui.page.locator(".modeller-result.warning").count() == 0, ui.page.inner_text("#modeller-result")
            (round_tripped / path.name).write_text(exported(ui), encoding="utf-8")
    assert sorted(p.name for p in round_tripped.glob("*.bpmn")) == [p.name for p in PROCESSES]

    again = engine_at(tmp_path / "again.db", round_tripped)
    assert specs(again) == specs(original)
    for index, (name, scenario) in enumerate(scenarios()):
        runs = []
        for label, folder in (("original", None), ("round trip", round_tripped)):
            clock = FixedClock(START)
            engine = engine_at(tmp_path / f"{name}-{index}-{label}.db", folder, clock)
            scenario(engine, clock)
            runs.append(behaviour(engine))
            engine.close()
        assert runs[0] == runs[1], name
    original.close()
    again.close()


def engine_at(path, processes=None, clock=None) -> Engine:
    """A fresh engine with the demo people and the given process files (processes/ by default)."""
    engine = Engine(f"sqlite:///{path}", clock or FixedClock(START))
    engine.init()
    report = engine.deploy_directory(processes or REPO / "processes", REPO / "forms")
    assert report.ok and len(report.deployed) == len(PROCESSES), report.as_dict()
    for login, name, grants in DEMO_USERS:
        engine.add_user(login, grants, "pw", name=name)
    return engine


def specs(engine) -> dict:
    """The newest serialized spec of every process, as the engine runs it."""
    with engine.db.read() as session:
        rows = session.query(Definition).order_by(Definition.process_id, Definition.version).all()
        return {row.process_id: json.loads(row.spec_json) for row in rows}


def behaviour(engine) -> list:
    """What a scenario did, without what differs by deployment (which version number ran): every event's
    kind, place, actor, time and data."""
    with engine.db.read() as session:
        return [(e.kind, e.process_id, e.bpmn_id, e.mi_key, e.actor, e.at, without_version(e.data_json))
                for e in session.query(Event).order_by(Event.seq) if e.kind != "definition_deployed"]


def without_version(data_json: str) -> dict:
    """The event's data without the version number, nor a certificate PDF's hash (its token is random, §10), nor
    the ids of the instances one cycle continues in and follows (13.1; random too)."""
    data = json.loads(data_json)
    for random in ("version", "pdf_sha256", "continued_by", "follows"):
        data.pop(random, None)
    return data


# -- editing and deploying -------------------------------------------------------------------

def test_an_edited_task_deploys_a_version_and_old_instances_stay_on_theirs(owner, engine):
    old = engine.start("course_creation", sheets()["course_start.json"] | {"course_name": "Old course"},
                       engine.actor("admin"))
    open_modeller(owner, "course_creation")
    select(owner, "m_survey")
    owner.page.fill("#bio-properties-panel-name", "Survey the CSBs (6.1)")
    owner.page.select_option("#bio-properties-panel-courseflow-form", "acknowledgement.json")
    assert "Deployed" in save(owner) and "course_creation — version 2" in owner.page.inner_text("#modeller-result")
    owner.screenshot("modeller-deployed.png")

    owner.page.goto(f"{owner.base}/processes/course_creation/versions")
    newest = owner.page.locator("tr[data-version='2']")
    assert "m_survey" in newest.inner_text() and "Survey the CSBs (6.1)" in newest.inner_text()
    assert "acknowledgement.json" in newest.inner_text()
    assert owner.page.inner_text("tr[data-version='1'] td.running") == "1"
    assert owner.page.inner_text("tr[data-version='2'] td.running") == "0"

    owner.logout()
    owner.login("admin")  # a new course, started in the browser, runs on version 2
    owner.page.click("text=New course")
    owner.fill({"course_name": "New course", "initiator": "BelGIM"})
    owner.submit()
    owner.logout()
    owner.login("tc4")
    inbox = owner.page.inner_text("table.tasks")
    assert "Survey the CSBs (6.1)" in inbox and "Survey materials and plans (6.1)" in inbox
    owner.open_task("Survey the CSBs (6.1)")
    assert "Noted on" in owner.page.inner_text("form.card")  # the form bound in version 2
    owner.open_task("Survey materials and plans (6.1)")
    assert "Noted on" not in owner.page.inner_text("form.card")
    owner.fill(flat(sheets()["survey.json"]))
    owner.submit()  # the old course goes on as it was
    assert owner.page.locator(".flash.ok").count() == 1
    new = next(c.instance for c in engine.courses() if c.name == "New course")
    assert engine.instance(old).definition_version == 1 and engine.instance(new).definition_version == 2
    assert [t.bpmn_id for t in engine.tasks() if t.instance == old] == ["m_appoint"]


def test_saving_without_an_edit_deploys_nothing(owner, engine):
    """processes/ is kept in the modeller's own format, so what bpmn-js saves is byte for byte what was deployed."""
    for path in PROCESSES:
        open_modeller(owner, process_id(path))
        assert "Nothing changed" in save(owner), process_id(path)
    assert all(p.version == 1 for p in engine.processes())


def test_the_process_that_continues_a_course_is_shown_and_a_wrong_one_is_refused(owner, engine):
    """13.1: the end event "Course published" says in the panel which process carries the course on; naming a
    process that is not deployed is refused with the end event marked."""
    open_modeller(owner, "course_creation")
    select(owner, "m_published")
    field = "#bio-properties-panel-courseflow-continueWith"
    assert owner.page.input_value(field) == "course_service"
    assert "Continues with process (13.1)" in owner.page.inner_text(".bio-properties-panel-container")
    owner.screenshot("modeller-continue-with.png")
    owner.page.fill(field, "course_afterlife")
    assert "course_afterlife" in save(owner)
    assert owner.page.locator(".djs-element.cf-invalid[data-element-id='m_published']").count() == 1
    assert len(engine.process_versions("course_creation")) == 1


@pytest.mark.parametrize("defect, element, expected", [
    ("dangling", "m_f2", "targetRef"),
    ("no_lane", "m_appoint", "lane"),
    ("no_form", "m_describe", "form"),
    ("bad_timer", "i_due", "timer"),
    ("import", "i_keep", "import"),
])
def test_invalid_models_are_refused_with_their_element_marked(owner, engine, defect, element, expected):
    process = "course_inspection" if element.startswith("i_") else "course_creation"
    versions = len(engine.process_versions(process))
    open_modeller(owner, process)
    DEFECTS[defect](owner, element)
    text = save(owner)
    assert "Not deployed" in text and expected.lower() in text.lower(), text
    marked = owner.page.locator(f".djs-element.cf-invalid[data-element-id='{element}']")
    assert marked.count() == 1, f"{element} is not marked: {text}"
    owner.screenshot(f"modeller-refused-{defect}.png")
    assert len(engine.process_versions(process)) == versions


def _dangling(ui, flow_id):
    ui.page.evaluate("id => { courseflowModeller.modeler.get('elementRegistry').get(id).businessObject.targetRef"
                     " = undefined; }", flow_id)


def _no_lane(ui, task_id):
    ui.page.evaluate("""id => {
        const registry = courseflowModeller.modeler.get('elementRegistry');
        for (const lane of registry.filter(e => e.type === 'bpmn:Lane')) {
            const refs = lane.businessObject.get('flowNodeRef');
            const at = refs.findIndex(node => node.id === id);
            if (at >= 0) refs.splice(at, 1);
        }
    }""", task_id)


def _no_form(ui, task_id):
    select(ui, task_id)
    ui.page.select_option("#bio-properties-panel-courseflow-form", "")


def _bad_timer(ui, event_id):
    select(ui, event_id)
    ui.page.fill("#bio-properties-panel-timerEventDefinitionValue", "P3Y")
    ui.page.keyboard.press("Tab")


def _import(ui, script_id):
    select(ui, script_id)
    ui.page.fill("#bio-properties-panel-courseflow-script", "import os\nos.system('true')")
    ui.page.keyboard.press("Tab")


DEFECTS = {"dangling": _dangling, "no_lane": _no_lane, "no_form": _no_form, "bad_timer": _bad_timer,
           "import": _import}


def test_lint_marks_a_user_task_without_a_form_before_saving(owner):
    open_modeller(owner, "course_creation")
    owner.page.wait_for_selector("body[data-lint]")  # the first lint run has finished
    assert owner.page.inner_text("#modeller-lint-count") == "0"
    _no_form(owner, "m_describe")
    owner.page.wait_for_function("document.getElementById('modeller-lint-count').textContent !== '0'")
    assert owner.page.locator(".bjsl-overlay, .bjsl-issues").count() >= 1


def test_lint_asks_a_form_of_every_task_people_do_as_deploy_does(owner):
    """A manual task is a task people do (engine.HUMAN_TASKS): lint asks it for a form, as deploy would."""
    open_modeller(owner, "course_creation")
    owner.page.wait_for_selector("body[data-lint]")
    owner.page.evaluate("""() => {
        const m = courseflowModeller.modeler;
        const task = m.get('elementRegistry').get('m_describe');
        m.get('bpmnReplace').replaceElement(task, { type: 'bpmn:ManualTask' });
    }""")
    _no_form(owner, "m_describe")
    owner.page.wait_for_function("document.getElementById('modeller-lint-count').textContent !== '0'")
    issues = owner.page.evaluate("""() => new Promise(resolve => {
        const m = courseflowModeller.modeler;
        m.get('eventBus').once('linting.completed', ({ issues }) => resolve(issues['m_describe'] || []));
        m.get('linting').update();
    })""")
    assert [i["rule"] for i in issues if i["rule"].endswith("user-task-form")] == ["courseflow/user-task-form"]


# -- the form editor --------------------------------------------------------------------------

def test_the_form_editor_previews_live_and_saves_only_valid_schemas(owner, engine):
    owner.page.goto(f"{owner.base}/forms/survey.json")
    owner.page.wait_for_selector("body[data-preview=valid]")
    schema = json.loads(owner.page.input_value("#form-json"))  # the editor keeps the posted text in step
    first = next(iter(schema["properties"]))
    schema["properties"][first]["title"] = "A renamed question"
    owner.page.fill("#form-code .cm-content", json.dumps(schema, indent=2))
    owner.page.wait_for_selector("#form-preview :text('A renamed question')")

    owner.page.fill("#form-code .cm-content", '{"type": "object", "properties": {"x": {"type": "nonsense"}}}')
    owner.page.wait_for_selector("body[data-preview=invalid]")
    assert owner.page.locator("#form-problems li").count() >= 1
    owner.page.click("text=Save and deploy")
    assert owner.page.locator(".flash.error").count() == 1
    assert engine.forms()["survey.json"]["properties"][first]["title"] != "A renamed question"

    owner.page.fill("#form-code .cm-content", json.dumps(schema, indent=2))
    owner.page.click("text=Save and deploy")
    assert "course_creation 2" in owner.page.inner_text(".flash.ok")
    assert engine.forms()["survey.json"]["properties"][first]["title"] == "A renamed question"
