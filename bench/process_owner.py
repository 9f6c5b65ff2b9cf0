"""Process owners' benchmark (not a test): deploying from the modeller and migrating instances.

1. Deploy: the engine's ``deploy_model`` of an edited ``course_review.bpmn``
   (every deploy check; new versions of it and of ``course_creation`` and
   ``course_service``, which call it, built and stored) vs. SpiffWorkflow alone
   parsing the process files and building those three specs with their called
   processes — the
   ratio is what CourseFlow adds to the parse a deploy cannot skip.
2. Migration: N running courses (default 200) past the §6.1 survey move to a
   version whose survey form changed. The plan per instance and the move per
   instance vs. one task completion of the same courses.
3. The modeller's workspace (issue 13): a deploy refused because a newer version exists (the stale check and
   the differences) vs. the deploy itself; a trial run (a throw-away database with every process deployed)
   vs. one deploy; the processes list with N running courses (counting those inside called processes) vs.
   with none.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import versions  # noqa: E402
from replay_speed import START, new_engine  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402

from demo import REPO_ROOT, CourseDriver  # noqa: E402
from engine import FixedClock  # noqa: E402
from engine.definitions.safexml import parse_xml  # noqa: E402

FILE = REPO_ROOT / "processes" / "course_review.bpmn"


def median_ms(action, repeat: int) -> float:
    times = []
    for index in range(repeat):
        started = time.perf_counter()
        action(index)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


CALLERS = ("course_review", "course_creation", "course_service")  # the edited process and those that call it


def bare_parse(_index: int) -> None:
    parser = SpiffBpmnParser()
    for path in sorted(FILE.parent.glob("*.bpmn")):
        parser.add_bpmn_xml(parse_xml(path.read_bytes()), filename=path.name)
    for process in CALLERS:
        parser.get_spec(process)
        parser.get_subprocess_specs(process)


def deploy_figures(folder: Path, repeat: int) -> None:
    engine = new_engine(folder / "deploy.db", FixedClock(START))
    owner = engine.actor("owner")
    text = FILE.read_text(encoding="utf-8")

    def deploy(index: int) -> None:  # each a real change, so each stores a version
        report = engine.deploy_model(FILE.name, text.replace("(§8)", f"(§8, edit {index})", 1), owner)
        assert report.ok and sorted(p for p, _ in report.deployed) == sorted(CALLERS), report.as_dict()

    ours, bare = median_ms(deploy, repeat), median_ms(bare_parse, repeat)
    print(f"deploy of {FILE.name} from the modeller: {ours:.1f} ms; SpiffWorkflow parse + spec alone: "
          f"{bare:.1f} ms; ratio {ours / bare:.2f}")
    engine.close()


def migration_figures(folder: Path, count: int) -> None:
    clock = FixedClock(START)
    engine = new_engine(folder / "migrate.db", clock)
    courses = [CourseDriver(engine, course_name=f"Course {n}") for n in range(count)]
    completion = median_ms(lambda n: courses[n].do("m_survey", "tc4"), count)
    creation = (REPO_ROOT / "processes" / "course_creation.bpmn").read_text(encoding="utf-8")
    owner = engine.actor("owner")
    report = engine.deploy_model("course_creation.bpmn", creation.replace('"survey.json"', '"acknowledgement.json"'),
                                 owner)
    assert report.ok, report.as_dict()
    started = time.perf_counter()
    plan = engine.migration_plan("course_creation", 2)
    planned = (time.perf_counter() - started) * 1000 / count
    assert len(plan) == count and all(check.safe for check in plan)
    started = time.perf_counter()
    results = engine.migrate("course_creation", 2, [check.instance_id for check in plan], owner)
    moved = (time.perf_counter() - started) * 1000 / count
    assert all(result.migrated for result in results)
    print(f"{count} courses: task completion {completion:.1f} ms; migration plan {planned:.1f} ms per instance "
          f"(ratio {planned / completion:.2f}); migration {moved:.1f} ms per instance (ratio {moved / completion:.2f})")
    engine.close()


def workspace_figures(folder: Path, count: int, repeat: int) -> None:
    engine = new_engine(folder / "workspace.db", FixedClock(START))
    engine.trial_dir = folder / "trials"
    owner = engine.actor("owner")
    text = FILE.read_text(encoding="utf-8")
    empty = median_ms(lambda _: engine.processes(), repeat)
    assert engine.deploy_model(FILE.name, text.replace("(§8)", "(§8, v2)", 1), owner).ok

    def deploy(index: int) -> None:
        assert engine.deploy_model(FILE.name, text.replace("(§8)", f"(§8, edit {index})", 1), owner).ok

    def refused(index: int) -> None:
        assert engine.deploy_model(FILE.name, text.replace("(§8)", f"(§8, old {index})", 1), owner, 1).conflict

    def trial(_index: int) -> None:
        view = engine.start_trial("course_review", owner, FILE.name, text.replace("(§8)", "(§8, tried)", 1))
        assert not view.problems
        engine.discard_trial(view.id, owner)

    deployed, stale, tried = median_ms(deploy, repeat), median_ms(refused, repeat), median_ms(trial, max(3, repeat // 4))
    print(f"a deploy {deployed:.1f} ms; refused as stale with its differences {stale:.1f} ms (ratio "
          f"{stale / deployed:.2f}); a trial run started {tried:.1f} ms (ratio {tried / deployed:.2f})")
    for n in range(count):
        course = CourseDriver(engine, course_name=f"Course {n}")
        course.prepare(csbs=("TC 1.3", "TC 2"))
        course.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    full = median_ms(lambda _: engine.processes(), repeat)
    print(f"processes list: no instance {empty:.1f} ms; {count} courses agreeing in §7 with two CSBs {full:.1f} ms "
          f"(ratio {full / empty:.2f}, {(full - empty) / count * 1000:.0f} µs per course)")
    engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(versions())
    with tempfile.TemporaryDirectory() as folder:
        deploy_figures(Path(folder), args.repeat)
        migration_figures(Path(folder), args.courses)
        workspace_figures(Path(folder), args.courses, args.repeat)


if __name__ == "__main__":
    main()
