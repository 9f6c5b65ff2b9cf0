"""The process owner's workspace (issue 13, modeller): deploying an edit of an old version never silently
reverts the versions since, every deploy keeps a change note, leaving with edits asks first, each diagram opens
legible and clear of the palette without console errors, and the shipped processes pass their own lint."""
from __future__ import annotations

import json

import pytest

from engine.base.models import Event
from tests.browser import ARTIFACTS
from tests.coomet import REPO, CourseDriver, deploy_with_people, sheets
from tests.test_browser import flat
from tests.test_modeller import PROCESSES, open_modeller, owner, process_id, save, select  # noqa: F401
from tests.test_web import app, as_user, token  # noqa: F401  (the app fixture)

pytest.importorskip("playwright.sync_api")
CREATION = (REPO / "processes" / "course_creation.bpmn").read_text(encoding="utf-8")
V2 = CREATION.replace("Survey materials and plans (6.1)", "Survey (6.1)")
V3 = V2.replace('value="survey.json"', 'value="acknowledgement.json"')


def three_versions(engine) -> None:
    """Versions 2 and 3 of course_creation, each deployed with a change note."""
    owner_ = engine.actor("owner")
    assert engine.deploy_model("course_creation.bpmn", V2, owner_, 1, note="6.1: a shorter name").deployed
    assert engine.deploy_model("course_creation.bpmn", V3, owner_, 2, note="6.1: TC 4 acknowledges").deployed


def versions(engine, process="course_creation") -> list[int]:
    return [v.version for v in engine.process_versions(process)]


# -- 1. an edit of an old version; change notes ------------------------------------------------

def test_deploying_version_1_of_3_is_refused_with_the_differences_unless_confirmed(owner, engine):  # noqa: F811
    three_versions(engine)
    open_modeller(owner, "course_creation", 1)
    assert "Version 3 is the newest" in owner.page.inner_text(".modeller-head")
    text = save(owner)  # no edit: it would revert versions 2 and 3
    assert "you opened version 1, and version 3 was deployed since" in text, text
    assert "m_survey" in text and "Survey materials and plans (6.1)" in text and "survey.json" in text
    assert "6.1: TC 4 acknowledges" in text  # the newest version's change note
    assert owner.page.locator(".djs-element.cf-changed[data-element-id='m_survey']").count() == 1
    owner.screenshot("modeller-conflict.png")
    assert versions(engine) == [3, 2, 1]

    owner.page.fill("#modeller-note", "Back to the first survey (6.1)")
    owner.page.click(".modeller-confirm")
    owner.page.wait_for_selector(".modeller-result.ok")
    assert "course_creation — version 4" in owner.page.inner_text("#modeller-result")
    assert versions(engine) == [4, 3, 2, 1]
    assert engine.process_versions("course_creation")[0].note == "Back to the first survey (6.1)"


def test_after_a_deploy_the_header_version_links_changes_and_migration_are_current(owner, engine):  # noqa: F811
    open_modeller(owner, "course_creation")
    select(owner, "m_survey")
    owner.page.fill("#bio-properties-panel-name", "Survey the CSBs (6.1)")
    owner.page.fill("#modeller-note", "6.1: a clearer name")
    assert "version 2" in save(owner)
    assert "opened at version 2" in owner.page.inner_text("#modeller-opened")
    assert owner.page.get_attribute("#modeller-version-links a[aria-current=page]", "href").endswith("version=2")
    assert owner.page.url.endswith("/processes/course_creation/edit?version=2")
    assert owner.page.input_value("#modeller-note") == ""
    assert owner.page.get_attribute(".modeller-migrate", "href").endswith("/processes/course_creation/migrate?to=2")
    owner.screenshot("modeller-deployed-links.png")

    select(owner, "m_survey")  # the next deploy is an edit of version 2: no conflict
    owner.page.fill("#bio-properties-panel-name", "Survey the CSBs and plans (6.1)")
    assert "version 3" in save(owner)
    owner.page.click(".modeller-changes")
    owner.page.wait_for_selector("tr[data-version='3']")
    assert owner.page.url.endswith("/processes/course_creation/versions#v3")
    assert "6.1: a clearer name" in owner.page.inner_text("tr[data-version='2'] td.changes")
    assert "Survey the CSBs and plans (6.1)" in owner.page.inner_text("tr[data-version='3'] td.changes")


def test_a_stale_deploy_is_http_409_and_the_note_is_kept(app, engine):  # noqa: F811
    three_versions(engine)
    owner_ = as_user(app, "owner")
    headers = {"X-CSRFToken": token(owner_, "/processes/")}
    body = {"xml": CREATION, "filename": "course_creation.bpmn", "base_version": 1, "note": "revert"}
    response = owner_.post("/processes/course_creation/deploy", json=body, headers=headers)
    conflict = response.get_json()["conflict"]
    assert response.status_code == 409 and conflict["newest_version"] == 3 and conflict["base_version"] == 1
    assert {c["element_id"] for c in conflict["changes"]} == {"m_survey"}
    assert response.get_json()["edit_url"].endswith("version=3") and versions(engine) == [3, 2, 1]
    assert owner_.post("/processes/course_creation/deploy", json=body | {"base_version": "1"},
                       headers=headers).status_code == 400
    response = owner_.post("/processes/course_creation/deploy", json=body | {"confirm": True}, headers=headers)
    assert response.status_code == 200 and response.get_json()["deployed"] == [
        {"process": "course_creation", "version": 4}]
    page = owner_.get("/processes/course_creation/versions").get_data(as_text=True)
    assert "6.1: a shorter name" in page and "6.1: TC 4 acknowledges" in page and "revert" in page


def test_cli_deploy_takes_a_note_and_versions_shows_it(database_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from webapp.cli import main
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-01-05T09:00:00Z")
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert runner.invoke(main, ["deploy", "--note", "First COOMET release (§6-§13)"]).exit_code == 0
    shown = runner.invoke(main, ["versions", "course_creation"])
    assert shown.exit_code == 0 and "note     First COOMET release (§6-§13)" in shown.output
    assert '"note": "First COOMET release' in runner.invoke(main, ["versions", "course_review", "--json"]).output


# -- 2. leaving with edits that are not deployed ------------------------------------------------

def test_leaving_the_modeller_with_edits_asks_first(owner):  # noqa: F811
    open_modeller(owner, "course_review")
    owner.page.click("nav >> text=Processes")  # nothing edited: no question
    owner.page.wait_for_selector("table.tasks tr[data-process]")

    open_modeller(owner, "course_review")
    select(owner, "r_review")
    owner.page.fill("#bio-properties-panel-name", "Review the course (8.1)")
    owner.page.keyboard.press("Tab")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    owner.page.once("dialog", lambda dialog: answer(dialog, False))
    owner.page.click("nav >> text=Processes")
    assert asked == ["The diagram has changes that are not deployed. Leave and lose them?"]
    assert "/edit" in owner.page.url  # stayed, edits kept
    assert owner.page.evaluate("courseflowModeller.isDirty()")

    owner.page.once("dialog", lambda dialog: answer(dialog, True))
    owner.page.click("nav >> text=Processes")
    owner.page.wait_for_selector("table.tasks tr[data-process]")
    assert len(asked) == 2


def test_closing_or_reloading_with_edits_is_held_by_the_browser_question(owner):  # noqa: F811
    """The page's beforeunload handler cancels the unload (the browser then asks) only while edits are pending."""
    unload = "() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e);" \
             " return e.defaultPrevented; }"
    open_modeller(owner, "course_review")
    assert owner.page.evaluate(unload) is False
    select(owner, "r_review")
    owner.page.fill("#bio-properties-panel-name", "Review the course (8.1)")
    owner.page.keyboard.press("Tab")
    assert owner.page.evaluate(unload) is True
    assert "version 2" in save(owner)
    assert owner.page.evaluate(unload) is False  # deployed: nothing to lose


# -- 3. and 4. each diagram opens legible, clear of the palette, without console errors or lint -----------

@pytest.mark.parametrize("language, width", [("en", 1280), ("ru", 1280), ("en", 390)])
def test_each_diagram_opens_legible_and_clear_of_the_palette(owner, language, width):  # noqa: F811
    """The start of every diagram is visible beside the palette at a zoom its labels can be read at; the console
    has no error or warning; the shipped processes pass their own lint (fake-join among its rules)."""
    problems = []
    owner.page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    owner.page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                  if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    if language != "en":
        owner.page.click("form.lang button[value=ru]")
        owner.page.wait_for_load_state()
    owner.page.set_viewport_size({"width": width, "height": 900})
    for path in PROCESSES:
        open_modeller(owner, process_id(path))
        owner.page.wait_for_selector("body[data-lint]")
        assert owner.page.inner_text("#modeller-lint-count") == "0", process_id(path)
        scale = owner.page.evaluate("courseflowModeller.modeler.get('canvas').zoom()")
        canvas = owner.page.locator("#modeller-canvas").bounding_box()
        palette = owner.page.locator(".djs-palette").bounding_box()
        start = owner.page.locator(".djs-element[data-element-id$='start']").first.bounding_box()
        assert scale >= 0.85, (process_id(path), scale)
        assert start["x"] >= palette["x"] + palette["width"], process_id(path)  # not under the palette
        assert start["x"] + start["width"] <= canvas["x"] + canvas["width"], process_id(path)
        assert start["y"] + start["height"] <= canvas["y"] + canvas["height"], process_id(path)
        owner.screenshot(f"modeller-{process_id(path)}-{language}-{width}.png")
    assert problems == []


FAKE_JOIN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" name="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:{split} id="split" name="Split"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:{split}>
    <bpmn:task id="a" name="A"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:task>
    <bpmn:task id="b" name="B"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:task>
    <bpmn:scriptTask id="both" name="Both"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing></bpmn:scriptTask>
    <bpmn:endEvent id="end" name="End"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="a" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="b" />
    <bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="both" />
    <bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="both" />
    <bpmn:sequenceFlow id="f6" sourceRef="both" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="plane" bpmnElement="p" /></bpmndi:BPMNDiagram>
</bpmn:definitions>"""


@pytest.mark.parametrize("split, flagged", [("parallelGateway", True), ("exclusiveGateway", False)])
def test_fake_join_flags_a_task_two_tokens_can_reach_at_once(owner, split, flagged):  # noqa: F811
    """A task after an exclusive split's two paths is an exclusive merge (no warning, as in csb_agreeing's
    reminder, 7.3); after a parallel split it would run twice."""
    open_modeller(owner, "satisfaction")
    rules = owner.page.evaluate("""async xml => {
        const m = courseflowModeller.modeler;
        await m.importXML(xml);
        return await new Promise(resolve => {
            m.get('eventBus').once('linting.completed', ({ issues }) => resolve(Object.values(issues).flat()
                .filter(i => (i.actualElementId || i.id) === 'both').map(i => i.rule)));
            m.get('linting').update();
        });
    }""", FAKE_JOIN.replace("{split}", split))
    assert ("courseflow/fake-join" in rules) is flagged, rules


# -- 6. the processes list counts instances in called processes -----------------------------------

def test_the_processes_list_counts_courses_inside_called_processes(owner, engine):  # noqa: F811
    """A course agreeing with two CSBs (§7) is in course_creation, course_agreeing and csb_agreeing at once; a
    published course waits in its inspection (§13), in its first cycle of service (13.1)."""
    agreeing = CourseDriver(engine, course_name="Pressure gauge calibration")
    agreeing.prepare(csbs=("TC 1.3", "TC 2"))
    agreeing.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    CourseDriver(engine, course_name="Uncertainty of measurement").publish_one_csb_course()
    owner.page.goto(f"{owner.base}/processes/")
    inside = {row.get_attribute("data-process"): row.locator("td.inside").inner_text()
              for row in owner.page.locator("tr[data-process]").all()}
    procedure = ("course_creation", "course_agreeing", "csb_agreeing", "course_review", "course_service",
                 "course_inspection")
    assert {key: inside[key] for key in procedure} == {"course_creation": "1", "course_agreeing": "1",
                                                      "csb_agreeing": "1", "course_review": "0",
                                                      "course_service": "1", "course_inspection": "1"}
    assert {"satisfaction", "quarterly_analysis", "certificate_issuing", "annual_report"} <= set(inside)
    owner.screenshot("processes-inside.png")


# -- 7. the form editor is a code editor; the new-form name check -----------------------------------

def test_the_form_editor_marks_problems_beside_their_lines(owner):  # noqa: F811
    owner.page.goto(f"{owner.base}/forms/survey.json")
    owner.page.wait_for_selector("body[data-preview=valid]")
    assert owner.page.locator("#form-code .cm-lineNumbers .cm-gutterElement").count() > 20  # line numbers
    colours = owner.page.evaluate("[...document.querySelectorAll('#form-code .cm-line span')]"
                                  ".map(span => getComputedStyle(span).color)")
    assert len(set(colours)) >= 2  # names and values highlighted apart
    text = '{\n  "type": "object",\n  "properties": {\n    "x": {"type": "nonsense"}\n  }\n}'
    owner.page.fill("#form-code .cm-content", text)
    owner.page.wait_for_selector("body[data-preview=invalid]")
    assert owner.page.get_attribute("#form-problems li", "data-line") == "4"
    assert "Line 4:" in owner.page.inner_text("#form-problems")
    assert owner.page.locator("#form-code .cm-lint-marker-error").count() == 1
    marker = owner.page.locator("#form-code .cm-lint-marker-error").bounding_box()
    line_4 = owner.page.locator("#form-code .cm-line").nth(3).bounding_box()
    assert abs(marker["y"] - line_4["y"]) < line_4["height"]  # beside line 4

    owner.page.fill("#form-code .cm-content", '{\n  "type": "object",\n  "properties": {\n    "x": \n  }\n}')
    owner.page.wait_for_selector("#form-problems li[data-line='5']")  # JSON syntax: where the value is missing
    owner.page.click("#form-code .cm-line >> nth=1")
    owner.page.keyboard.press("End")
    owner.page.keyboard.type("{")
    assert "{}" in owner.page.inner_text("#form-code .cm-line >> nth=1")  # brackets close as you type
    owner.screenshot("form-editor-problems.png")


def test_a_new_form_name_is_checked_in_the_browser_and_opens_the_editor(owner):  # noqa: F811
    problems = []
    owner.page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
                  and "favicon" not in m.text and "404" not in m.text else None)
    owner.page.goto(f"{owner.base}/forms/")
    owner.page.fill("input[name=name]", "bad name!")
    assert owner.page.evaluate("document.querySelector('input[name=name]').validity.patternMismatch")
    owner.page.click("text=Create")
    assert owner.page.url.endswith("/forms/")  # the browser refused it
    owner.page.fill("input[name=name]", "csb_countersign")
    owner.page.click("text=Create")
    owner.page.wait_for_selector("body[data-preview]")
    assert owner.page.url.endswith("/forms/csb_countersign.json")
    assert problems == []


# -- 8. migration: nothing pre-ticked, all or none, a confirmation, course names, waiting timers ---------------

def test_migration_chooses_nothing_by_itself_and_asks_before_moving(owner, engine):  # noqa: F811
    ahead = CourseDriver(engine, course_name="Temperature scales ITS-90")
    ahead.do("m_survey", "tc4")
    CourseDriver(engine, course_name="Flow measurement in pipelines")  # at the survey: cannot move
    published = CourseDriver(engine, course_name="Uncertainty of measurement")
    published.publish_one_csb_course()  # waits three years for its inspection (13.1)
    engine.deploy_model("course_creation.bpmn", V3, engine.actor("owner"), 1)
    owner.page.goto(f"{owner.base}/processes/course_creation/migrate?to=2")
    boxes = owner.page.locator("input[name=instance]")
    assert boxes.count() == 1 and not any(box.is_checked() for box in boxes.all())
    owner.page.click("text=Select all that can move")
    assert all(box.is_checked() for box in boxes.all())
    owner.page.click("text=Select none")
    assert not any(box.is_checked() for box in boxes.all())
    owner.screenshot("migration-plan.png")

    owner.page.check(f"tr[data-instance='{ahead.instance}'] input[name=instance]")
    asked = []
    owner.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    owner.page.click("text=Migrate the chosen instances")
    assert asked == ["Move 1 instance(s) to version 2? Each moves in its own transaction and is recorded in the "
                     "audit log."]
    assert engine.instance(ahead.instance).definition_version == 1  # dismissed: nothing moved

    owner.page.once("dialog", lambda dialog: dialog.accept())
    owner.page.click("text=Migrate the chosen instances")
    owner.page.wait_for_selector("td.verdict")
    result = owner.page.inner_text(f"tr[data-instance='{ahead.instance}']")
    assert "Temperature scales ITS-90" in result and "migrated to version 2" in result
    assert engine.instance(ahead.instance).definition_version == 2
    assert engine.instance(published.instance).definition_version == 1

    # the published course waits in its first inspection cycle (13.1), an instance of course_service
    service = (REPO / "processes" / "course_service.bpmn").read_text(encoding="utf-8")
    engine.deploy_model("course_service.bpmn", service.replace('name="Up to date: next cycle (13.1)"',
                                                               'name="Up to date: the next cycle (13.1)"'),
                        engine.actor("owner"), 1)
    owner.page.goto(f"{owner.base}/processes/course_service/migrate?to=2")
    inspection = owner.page.inner_text(f"tr[data-instance='{published.instance}'] td.open")
    assert "waiting for “Inspection due or requested? (13.1)”, due 5 Jan 2029 09:00" in inspection, inspection
    assert owner.page.is_checked(f"tr[data-instance='{published.instance}'] input[name=instance]") is False


# -- 9. a trial run on a throw-away course ----------------------------------------------------------------

def test_a_draft_is_tried_on_a_throw_away_course_that_leaves_no_trace(owner, engine, tmp_path):  # noqa: F811
    engine.trial_dir = tmp_path / "trials"
    with engine.db.read() as session:
        events = session.query(Event).count()
    open_modeller(owner, "course_creation")
    select(owner, "m_survey")
    owner.page.fill("#bio-properties-panel-name", "Survey the CSBs (6.1)")
    owner.page.keyboard.press("Tab")
    with owner.page.context.expect_page() as opened:
        owner.page.click("#modeller-try")
    trial = opened.value
    trial.wait_for_selector("h1:has-text('Trial run')")
    assert "course_creation" in trial.inner_text("h1")
    assert trial.input_value("select[name=start]") == "course_creation"
    for name, value in flat(sheets()["course_start.json"] | {"course_name": "A trial course"}).items():
        _fill(trial, name, value)
    trial.click("text=Start course_creation in the trial")
    trial.wait_for_selector(".flash.ok")
    assert "Survey the CSBs (6.1)" in trial.inner_text("table.trial-tasks")  # the draft runs, not version 1
    assert "A trial course" in trial.inner_text(".trial-courses")
    trial.click("table.trial-tasks a:has-text('Survey the CSBs (6.1)')")
    for name, value in flat(sheets()["survey.json"]).items():
        _fill(trial, name, value)
    trial.click("form.card button[type=submit]")
    trial.wait_for_selector(".flash.ok")
    assert "Request materials, appoint creator and coordinators" in trial.inner_text("table.trial-tasks")
    assert "course_creation" in trial.inner_text("h1")
    trial.screenshot(path=str(ARTIFACTS / "trial-run.png"), full_page=True)

    assert engine.courses() == [] and engine.tasks() == []  # the real registry saw nothing
    assert [v.version for v in engine.process_versions("course_creation")] == [1]
    with engine.db.read() as session:
        assert session.query(Event).count() == events
    assert owner.page.evaluate("courseflowModeller.isDirty()")  # the draft is still being edited

    trial.click("text=Discard the trial")
    trial.wait_for_selector(".flash.ok")
    assert list((tmp_path / "trials").iterdir()) == []


def _fill(page, name: str, value) -> None:
    selector = f"[name='{name}']"
    if isinstance(value, bool):
        page.check(f"input{selector}[value={'yes' if value else 'no'}]")
    elif isinstance(value, list):
        page.select_option(f"select{selector}", [str(v) for v in value])
    elif page.locator(f"select{selector}").count():
        page.select_option(f"select{selector}", str(value))
    else:
        page.fill(selector, str(value))


def test_a_trial_is_its_owners_and_a_draft_with_problems_makes_none(engine, tmp_path):
    from engine import NotAllowed, NotFound
    deploy_with_people(engine)
    engine.trial_dir = tmp_path / "trials"
    engine.add_user("owner2", ["process_owner"], "pw")
    owner_, other = engine.actor("owner"), engine.actor("owner2")
    view = engine.start_trial("course_creation", owner_, "course_creation.bpmn", V2)
    assert view.problems == []
    with pytest.raises(NotAllowed):
        engine.trial(view.id, other)
    with pytest.raises(NotAllowed):
        engine.start_trial("course_creation", engine.actor("admin"), "course_creation.bpmn", V2)
    with pytest.raises(NotFound):
        engine.trial("../" + view.id, owner_)
    broken = engine.start_trial("course_creation", owner_, "course_creation.bpmn",
                                V2.replace('sourceRef="m_start"', 'sourceRef="nowhere"', 1))
    assert any("nowhere" in p.message for p in broken.problems)
    assert [p.name for p in (tmp_path / "trials").iterdir()] == [view.id]


def test_a_draft_form_is_tried_before_it_is_saved(owner, engine, tmp_path):  # noqa: F811
    engine.trial_dir = tmp_path / "trials"
    owner.page.goto(f"{owner.base}/forms/survey.json")
    owner.page.wait_for_selector("body[data-preview=valid]")
    schema = json.loads(owner.page.input_value("#form-json"))
    first = next(iter(schema["properties"]))
    schema["properties"][first]["title"] = "A question tried first"
    owner.page.fill("#form-code .cm-content", json.dumps(schema, indent=2))
    owner.page.wait_for_selector("#form-preview :text('A question tried first')")
    with owner.page.context.expect_page() as opened:
        owner.page.click("#form-try")
    trial = opened.value
    trial.wait_for_selector("h1:has-text('Trial run')")
    assert "course_creation" in trial.inner_text("h1")  # the process binding the form
    for name, value in flat(sheets()["course_start.json"]).items():
        _fill(trial, name, value)
    trial.click("text=Start course_creation in the trial")
    trial.click("table.trial-tasks a:has-text('Survey materials and plans (6.1)')")
    assert "A question tried first" in trial.inner_text("form.card")
    assert engine.forms()["survey.json"]["properties"][first]["title"] != "A question tried first"
    assert [v.version for v in engine.process_versions("course_creation")] == [1]


def test_a_layout_only_version_since_is_a_conflict_too(engine):
    """Moving shapes changes no element, but deploying an old version would still undo it: refused, with no
    element listed."""
    deploy_with_people(engine)
    owner_ = engine.actor("owner")
    moved = CREATION.replace('<dc:Bounds x="150"', '<dc:Bounds x="140"', 1)
    assert moved != CREATION and engine.deploy_model("course_creation.bpmn", moved, owner_, 1).deployed
    report = engine.deploy_model("course_creation.bpmn", CREATION, owner_, 1)
    assert report.conflict is not None and report.conflict.changes == [] and not report.deployed
    assert engine.deploy_model("course_creation.bpmn", moved, owner_, 1).unchanged  # the newest itself: no conflict
