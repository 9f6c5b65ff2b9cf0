"""Engine overhead: completing a user task through the engine (with persistence
in a SQLite file database) vs. the bare SpiffWorkflow cycle
deserialize -> run -> serialize on the same process, side by side in one run.

Target: engine / bare <= 1.5 (medians).

Both sides run the SAME task ("prepare" of tests/fixtures/processes/review.bpmn)
on the SAME process state (just started, "prepare" READY) with the same data;
completing it runs the "build" script task and creates the multi-instance
"review_task" with its boundary timer, on both sides.

* engine: ``Engine.complete(task_id, data, actor)`` on a freshly started
  instance each repetition (all instances are started before timing begins).
  That includes everything the engine does: timer check, open-task lookup,
  permission and form checks, load (state JSON without spec, spec from cache),
  run, dump state, sync the open-task table, hash-chained audit events, and the
  SQLite commit with the engine's own pragmas (WAL, synchronous=NORMAL).
* bare: what a plain SpiffWorkflow user does with a workflow stored as full
  JSON (spec included): ``BpmnWorkflowSerializer(SPIFF_CONFIG)``
  ``deserialize_json`` -> set data on the READY task -> ``task.run()`` ->
  ``do_engine_steps()`` -> ``serialize_json``. No database, no file write.

Measurements are interleaved (engine, bare, bare, engine, ...) so machine noise
hits both equally; medians are reported. Timings are printed, never asserted.

Second part (issue 18), the real ``course_creation`` process: the same comparison on the task "i_inspect"
(13.2, inspection) of published one-CSB courses at inspection cycle 1 and at cycle 10 (``--cycles``). The
courses are driven by the demo's ``CourseDriver``; each cycle advances the clock three years and runs
``Engine.tick`` (the inspection timer fires), then the open i_inspect task *of the course* is completed with
outcome "up to date" (found by course, so it works whether the cycle lives in the course's instance or in an
instance of its own). Two groups of courses: in one the instance is hot (kept in memory by the engine after
the timer fired), in the other it is dropped from the hot cache first (a miss: restored from its stored text).
The bare side runs deserialize -> run -> serialize on the full JSON (spec included) of the same workflow at
the same moment, with the engine's script engine set after deserializing (scripts need it).

Run from the repository root:  python bench/engine_overhead.py [--reps 300] [--courses 8 --cycles 1,10]
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pct, versions  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine import Engine, FixedClock, SystemClock  # noqa: E402
from engine.base.clock import use_clock  # noqa: E402
from engine.base.models import Definition, Instance  # noqa: E402
from engine.instances.inbox import TaskFilter  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PROCESS_FILE = FIXTURES / "processes" / "review.bpmn"
FORMS_DIR = FIXTURES / "forms"
PROCESS_ID = "review"
TASK = "prepare"
DATA = {"title": "x", "csbs": ["TC 2"], "creator": "bob"}
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
TARGET = 1.5


def kib(text: str) -> str:
    return f"{len(text.encode()) / 1024:.1f} KiB"


# -- engine side ---------------------------------------------------------------------

class EngineSide:
    def __init__(self, workdir: Path, instances: int):
        processes = workdir / "processes"
        processes.mkdir()
        shutil.copy(PROCESS_FILE, processes / PROCESS_FILE.name)  # only review.bpmn, not the other fixtures
        self.engine = Engine(f"sqlite:///{workdir / 'courseflow.db'}", FixedClock(START))
        self.engine.init()
        report = self.engine.deploy_directory(processes, FORMS_DIR)
        if not report.ok:
            raise SystemExit(f"deploy failed: {report.problems}")
        self.engine.add_user("admin", ["sector_administrator"])
        self.actor = self.engine.actor("admin")
        self.instance_ids = [self.engine.start(PROCESS_ID, {}, self.actor) for _ in range(instances)]
        by_instance = {t.instance: t.id for t in self.engine.tasks(self.actor, TaskFilter(limit=instances + 10))
                       if t.bpmn_id == TASK}
        self.task_ids = [by_instance[i] for i in self.instance_ids]
        with self.engine.db.read() as session:
            self.spec_json = session.scalars(select(Definition.spec_json)).first()
        self.state_before = self._state()
        self.done = 0

    def complete_next(self) -> None:
        task_id = self.task_ids[self.done]
        self.done += 1
        self.engine.complete(task_id, DATA, self.actor)

    def state_after(self) -> str:
        return self._state()

    def _state(self) -> str:
        with self.engine.db.read() as session:  # a benchmark may look behind the front door
            return session.get(Instance, self.instance_ids[0]).state_json

    def open_tasks_after(self) -> list[tuple[str, str | None]]:
        first = self.instance_ids[0]
        return sorted((t.bpmn_id, t.scope) for t in self.engine.tasks(None, TaskFilter(limit=100000)) if t.instance == first)

    def close(self) -> None:
        self.engine.close()


# -- bare SpiffWorkflow side ----------------------------------------------------------

class BareSide:
    def __init__(self):
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_bpmn_file(str(PROCESS_FILE))
        spec = parser.get_spec(PROCESS_ID)
        subprocess_specs = parser.get_subprocess_specs(PROCESS_ID)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        workflow = BpmnWorkflow(spec, subprocess_specs)
        with use_clock(SystemClock()):
            workflow.do_engine_steps()
        ready = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY, manual=True)]
        if ready != [TASK]:
            raise SystemExit(f"bare workflow: expected only {TASK!r} READY, got {ready}")
        self.state_before = self.serializer.serialize_json(workflow)
        dct = json.loads(self.state_before)
        self.spec_json = json.dumps({"spec": dct["spec"], "subprocess_specs": dct["subprocess_specs"]})
        self.last = self.state_before

    def cycle(self) -> str:
        with use_clock(SystemClock()):  # CourseFlow routes SpiffWorkflow's timer clock to the engine's
            return self._cycle()

    def _cycle(self) -> str:
        workflow = self.serializer.deserialize_json(self.state_before)
        (task,) = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == TASK]
        task.data.update(DATA)
        task.run()
        workflow.do_engine_steps()
        self.last = self.serializer.serialize_json(workflow)
        return self.last

    def open_tasks_after(self) -> list[tuple[str, str | None]]:
        workflow = self.serializer.deserialize_json(self.last)
        out = []
        for t in workflow.get_tasks(state=TaskState.READY, manual=True):
            key = t.internal_data.get("key_or_index")
            out.append((t.task_spec.bpmn_id, None if key is None else str(key)))
        return sorted(out)


# -- the real course_creation process ------------------------------------------------

INSPECTION = "i_inspect"


class CourseCycles:
    """Published one-CSB courses taken through inspection cycles; both sides time the inspection task."""

    def __init__(self, workdir: Path, courses: int):
        from demo import DEMO_USERS, REPO_ROOT, CourseDriver
        from engine.definitions.scripts import script_engine

        self.script_engine = script_engine
        self.clock = FixedClock(START)
        self.engine = Engine(f"sqlite:///{workdir / 'courses.db'}", self.clock)
        self.engine.init()
        report = self.engine.deploy_directory(REPO_ROOT / "processes", REPO_ROOT / "forms")
        if not report.ok:
            raise SystemExit(f"deploy failed: {report.problems}")
        for login, name, grants in DEMO_USERS:
            self.engine.add_user(login, grants, "pw", name=name)
        self.drivers = []
        for number in range(2 * courses):
            driver = CourseDriver(self.engine, course_name=f"Course {number}")
            driver.publish_one_csb_course()
            self.drivers.append(driver)
        self.secretariat = self.engine.actor("secretariat")
        registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)  # plain SpiffWorkflow, plus dates in the data
        registry.register(dt.date, lambda v: {"value": v.isoformat()}, lambda v: dt.date.fromisoformat(v["value"]))
        self.bare = BpmnWorkflowSerializer(registry)
        self.cycle = 0
        self.data = {**self.drivers[0].sheets["inspection.json"], "outcome": "up_to_date"}

    def next_cycle(self) -> None:
        self.clock.advance(days=3 * 366)
        self.engine.tick()
        self.cycle += 1

    def inspection_task(self, driver) -> Any:
        course_id = driver.course.id
        (task,) = [t for t in self.engine.tasks(self.secretariat, TaskFilter(course_id=course_id))
                   if t.bpmn_id == INSPECTION]
        return task

    def full_state(self, instance_id: str) -> str:
        """The workflow as a plain SpiffWorkflow user stores it: one JSON with the spec."""
        with self.engine.db.read() as session:
            row = session.get(Instance, instance_id)
            workflow = self.engine.definitions.load_workflow(session, row.definition_id, row.state_json)
        return self.bare.serialize_json(workflow)

    def bare_cycle(self, full_state: str) -> str:
        with use_clock(FixedClock(self.clock.now())):
            workflow = self.bare.deserialize_json(full_state)
            workflow.script_engine = self.script_engine()
            (task,) = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                       if t.task_spec.bpmn_id == INSPECTION]
            task.data.update(self.data)
            task.run()
            workflow.do_engine_steps()
            return self.bare.serialize_json(workflow)

    def measure(self, outcome: str = "up_to_date") -> dict[str, list[float]]:
        """One completion per course at the current cycle: half hot, half restored; the bare cycle beside each.

        "up_to_date" ends the cycle, so the engine also starts the next cycle's instance (13.1) where bare
        SpiffWorkflow, with no cycles of its own, only runs on; "update_required" stays in the cycle (13.3).
        """
        self.data = {**self.data, "outcome": outcome, "findings": "The units chapter needs the 2019 SI."}
        times: dict[str, list[float]] = {"hit": [], "miss": [], "bare": [], "state": []}
        half = len(self.drivers) // 2
        for index, driver in enumerate(self.drivers):
            task = self.inspection_task(driver)
            full = self.full_state(task.instance)
            times["state"].append(len(full.encode()) / 1024)
            bare_first = index % 2 == 0
            if bare_first:
                times["bare"].append(timed(lambda full=full: self.bare_cycle(full)))
            side = "hit" if index < half else "miss"
            if side == "miss" and hasattr(self.engine, "hot"):
                self.engine.hot.discard(task.instance)
            times[side].append(timed(lambda task=task: self.engine.complete(task.id, self.data, self.secretariat)))
            if not bare_first:
                times["bare"].append(timed(lambda full=full: self.bare_cycle(full)))
        return times

    def close(self) -> None:
        self.engine.close()


def course_cycles(workdir: Path, courses: int, cycles: list[int], outcome: str = "up_to_date") -> None:
    started = time.perf_counter()
    side = CourseCycles(workdir, courses)
    print()
    print(f"Real process: inspection (13.2) of published courses, {courses} hot + {courses} restored per cycle; "
          f"setup {time.perf_counter() - started:.1f} s")
    print(f"  {'cycle':>5} {'state KiB':>10} {'bare':>8} {'hit':>8} {'miss':>8} {'hit/bare':>9} "
          f"{'miss/bare':>10}   (medians, ms)")
    hot = getattr(side.engine, "hot", None)  # an engine without hot instances: both groups are restored
    hits_before = hot.hits if hot else 0
    for cycle in range(1, max(cycles) + 1):
        side.next_cycle()
        if cycle not in cycles:
            for driver in side.drivers:
                side.engine.complete(side.inspection_task(driver).id, side.data, side.secretariat)
            continue
        times = side.measure(outcome if cycle == max(cycles) else "up_to_date")
        bare, hit, miss = (statistics.median(times[name]) for name in ("bare", "hit", "miss"))
        print(f"  {cycle:>5} {statistics.median(times['state']):>10.1f} {bare:8.2f} {hit:8.2f} {miss:8.2f} "
              f"{hit / bare:9.2f} {miss / bare:10.2f}")
    if hot is not None:
        print(f"  hot cache: {hot.hits - hits_before} hits, {hot.misses} misses in all (size {hot.size})")
    else:
        print("  this engine keeps no hot instances: 'hit' and 'miss' are both restored from the database")
    print("  target engine/bare <= 1.0")
    side.close()


# -- measuring ------------------------------------------------------------------------

def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def profile_engine(side: EngineSide, count: int, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        side.complete_next()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"cProfile of {count} engine completions, sorted by cumulative time (top {top}):\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write(f"\nsorted by own time (top {top}):\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=300, help="timed repetitions per side (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed repetitions per side first (default 20)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="after timing, profile N more engine completions with cProfile and print the top costs")
    parser.add_argument("--top", type=int, default=30, help="rows of the profile to print (default 30)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (prints its path)")
    parser.add_argument("--courses", type=int, default=8, help="courses per group on the real process (default 8; "
                        "0 skips the real process)")
    parser.add_argument("--outcome", default="up_to_date", choices=("up_to_date", "update_required"),
                        help="the inspection's outcome at the last cycle timed: up_to_date ends the cycle and starts "
                             "the next one; update_required stays in it (13.3); earlier cycles are up to date")
    parser.add_argument("--cycles", default="1,10", help="inspection cycles to time on the real process")
    args = parser.parse_args(argv)
    # Hot instances: enough that every instance the bench touched since its last change is still in memory.
    os.environ.setdefault("COURSEFLOW_HOT_INSTANCES", "4096")

    workdir = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        t0 = time.perf_counter()
        engine_side = EngineSide(workdir, args.warmup + args.reps + args.profile)
        bare = BareSide()
        setup_s = time.perf_counter() - t0

        for _ in range(args.warmup):
            engine_side.complete_next()
            bare.cycle()

        engine_ms, bare_ms = [], []
        gc.collect()
        for i in range(args.reps):
            if i % 2 == 0:  # alternate which side goes first
                engine_ms.append(timed(engine_side.complete_next))
                bare_ms.append(timed(bare.cycle))
            else:
                bare_ms.append(timed(bare.cycle))
                engine_ms.append(timed(engine_side.complete_next))

        e_med, b_med = statistics.median(engine_ms), statistics.median(bare_ms)
        ratio = e_med / b_med
        e_open, b_open = engine_side.open_tasks_after(), bare.open_tasks_after()

        print("Engine overhead: complete one user task (review.bpmn, task 'prepare' -> multi-instance review)")
        print(f"  {versions()}, Python {sys.version.split()[0]}")
        print(f"  repetitions: {args.reps} per side, interleaved (+{args.warmup} warm-up); setup {setup_s:.1f} s")
        print(f"  same outcome on both sides: {e_open == b_open}  (READY user tasks after: engine {e_open}, "
              f"bare {b_open})")
        print()
        print(f"  {'':38}{'median':>9}{'p10':>9}{'p90':>9}   (ms)")
        print(f"  {'engine.complete() + SQLite commit':38}{e_med:9.2f}{pct(engine_ms, 10):9.2f}"
              f"{pct(engine_ms, 90):9.2f}")
        print(f"  {'bare deserialize->run->serialize':38}{b_med:9.2f}{pct(bare_ms, 10):9.2f}"
              f"{pct(bare_ms, 90):9.2f}")
        print()
        verdict = "meets" if ratio <= TARGET else "MISSES"
        print(f"  ratio engine/bare (medians): {ratio:.2f}   target <= {TARGET}  -> {verdict} the target")
        print()
        print("  sizes:")
        print(f"    engine instance state (no spec), before / after:  {kib(engine_side.state_before)} / "
              f"{kib(engine_side.state_after())}")
        print(f"    engine definition spec_json (stored once):        {kib(engine_side.spec_json)}")
        print(f"    bare full state (spec included), before / after:  {kib(bare.state_before)} / {kib(bare.last)}")
        print(f"    bare spec part of the full state:                 {kib(bare.spec_json)}")

        if args.profile:
            print()
            print(profile_engine(engine_side, args.profile, args.top))
        engine_side.close()
        if args.courses:
            course_cycles(workdir, args.courses, [int(c) for c in args.cycles.split(",")], args.outcome)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
