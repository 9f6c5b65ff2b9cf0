"""Scripts, conditions and expressions run under a CPU-time and memory budget (issue 11).

A hostile or careless script in a deployed BPMN file must fail its step with
ProcessFailed, save nothing, and leave the server answering everyone else.
"""
from __future__ import annotations

import threading

import pytest

from engine import ProcessFailed
from engine.definitions import script_limits
from engine.definitions.checks import SourceFile
from engine.definitions.scripts import RestrictedEnvironment, ScriptRuleError
from tests.conftest import FIXTURES

GOOD = (FIXTURES / "processes" / "review.bpmn").read_text()
FORMS = {p.name: p.read_text() for p in (FIXTURES / "forms").glob("*.json")}
BUILD = "csb_reviews = {code: {} for code in csbs}"
SUBMISSION = {"title": "x", "csbs": ["TC 2"], "creator": "bob"}

HOSTILE = {
    "big power": "x = 9**9**9",
    "big repetition": "x = 'a' * 10**10",
    "nested loops": "x = 0\nfor i in range(100000):\n    for j in range(100000):\n        x += 1",
    "big shift": "x = 1 << 10**10",
    "doubling list": "x = [0]\nfor i in range(40):\n    x = x + x",
    "doubling by unpacking": "x = [0]\nfor i in range(40):\n    x = [*x, *x]",
    "doubling by replace": "x = 'ab'\nfor i in range(40):\n    x = x.replace('a', x)",
    "doubling by extend": "x = [1]\nfor i in range(60):\n    x.extend(x)",
    "many copies": "rows = [0] * 100000\nx = [list(rows) for _ in range(100000)]",
    "many slices": "s = 'a' * 1000\nx = [s[:] for _ in range(100000)]",
    "exponential recursion": "f = lambda n: n and (f(n - 1), f(n - 1))\nx = f(60)",
    "loops inside map": "x = list(map(lambda a: sum(map(lambda b: b, range(100000))), range(100000)))",
    "squaring": "x = 10**100\nfor i in range(30):\n    x *= x",
    "percent width": "x = '%999999999d' % 1",
    "wide ljust": "x = 'a'.ljust(10**10)",
    "huge rounding": "x = round(10**300, -10**9)",
    "list sum": "x = sum([[1]] * 100000, [])",
    "stores too much": "x = 'a' * 300000",
}


@pytest.fixture
def quick_budget(monkeypatch):
    monkeypatch.setattr(script_limits, "LIMITS", script_limits.Limits(cpu_seconds=0.3))


@pytest.mark.parametrize("script", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_scripts_are_stopped_by_the_budget(quick_budget, script):
    with pytest.raises(script_limits.BudgetExceeded):
        RestrictedEnvironment().execute(script, {})


def test_ordinary_scripts_still_run():
    context = {"csbs": ["TC 2", "TC 1.3"], "rows": [{"n": 2}, {"n": 1}]}
    RestrictedEnvironment().execute(
        "reviews = {code: {} for code in csbs}\nordered = sorted(rows, key=lambda r: r['n'])\n"
        "label = ', '.join(csbs).upper()\nsquares = [i * i for i in range(1000)]\nnote = f'{len(csbs):>3}'", context)
    assert context["reviews"] == {"TC 2": {}, "TC 1.3": {}} and context["ordered"][0] == {"n": 1}
    assert context["label"] == "TC 2, TC 1.3" and context["squares"][-1] == 998001 and context["note"] == "  2"


@pytest.mark.parametrize("script, word", [
    ("try:\n    x = 1\nexcept* ValueError:\n    x = 2", "except*"),
    ("x = f'{1:>{10**9}}'", "computed width"),
])
def test_escapes_from_the_budget_are_refused_by_the_rules(script, word):
    with pytest.raises(ScriptRuleError, match=word.replace("*", r"\*")):
        RestrictedEnvironment().execute(script, {})


def _deploy(engine, script):
    report = engine.deploy_files([SourceFile("review.bpmn", GOOD.replace(BUILD, f"{BUILD}\n{script}").encode())],
                                 dict(FORMS))
    assert report.ok, report.problems


@pytest.mark.parametrize("name", ["big power", "nested loops", "doubling list", "stores too much"])
def test_a_step_past_its_budget_fails_and_saves_nothing_9_2(engine, people, quick_budget, name):
    _deploy(engine, HOSTILE[name])
    engine.start("review", {}, people["admin"])
    (task,) = engine.tasks(people["admin"])
    with pytest.raises(ProcessFailed, match="budget|limit|at most"):
        engine.complete(task.id, SUBMISSION, people["admin"])
    assert [t.id for t in engine.tasks(people["admin"])] == [task.id]
    assert engine.verify().ok


def test_others_are_answered_while_a_hostile_script_runs(engine, people, quick_budget):
    _deploy(engine, HOSTILE["nested loops"])
    engine.start("review", {}, people["admin"])
    (task,) = engine.tasks(people["admin"])
    outcome: list[Exception] = []
    hostile = threading.Thread(target=lambda: _record(outcome, engine.complete, task.id, SUBMISSION, people["admin"]))
    hostile.start()
    answered = 0
    while hostile.is_alive():
        engine.tasks(people["bob"])
        answered += 1
    hostile.join()
    assert isinstance(outcome[0], ProcessFailed) and answered > 1


def _record(outcome, function, *args):
    try:
        function(*args)
    except Exception as error:  # the test inspects whatever it was
        outcome.append(error)
