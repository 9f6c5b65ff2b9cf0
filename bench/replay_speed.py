"""Replay benchmark (not a test): proof by re-execution vs. the engine's own work.

1. A course of about 200 events (creation with many CSBs, each with a
   refinement round, then approval and inspections): re-execution time per
   event vs. the engine's own task completion time, ratio printed.
2. ``replay --all`` over N published courses (default 1,000): total time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_engine, versions  # noqa: E402

from demo import CourseDriver  # noqa: E402
from engine import FixedClock  # noqa: E402
from engine.registry.users import DEFAULT_CSBS  # noqa: E402

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)



class Timed(CourseDriver):
    """The demo's driver, timing each completion."""

    times: list[float] = []

    def do(self, *args, **kwargs):
        start = time.perf_counter()
        task = super().do(*args, **kwargs)
        self.times.append((time.perf_counter() - start) * 1000)
        return task


def big_course(workdir: Path) -> None:
    clock = FixedClock(START)
    engine = demo_engine(workdir / "big.db", clock)
    codes = [code for code, _, _ in DEFAULT_CSBS]
    chair = {code: "chair-" + code.replace(" ", "").replace(".", "-") for code in codes}
    for code in codes:
        engine.add_user(chair[code], [f"csb_chair:{code}"], "pw")
    course = Timed(engine)
    course.prepare(csbs=codes)
    course.send_for_agreeing(csbs=codes)
    for code in codes:
        course.do("c_assign", chair[code], scope=code)
        course.do("c_chair_review", chair[code], scope=code, complies=False, requires_refinement=True,
                  what_to_refine="Please refine.")
        for again in (True, False):  # two refinement rounds
            course.do("c_refine", "implementer")
            course.do("c_chair_re", chair[code], scope=code, complies=not again, requires_refinement=again,
                      **({"what_to_refine": "Still not there."} if again else {}))
    course.finish_creation()
    course.approve()
    for _ in range(4):
        clock.advance(days=3 * 366)
        engine.tick()
        course.do("i_inspect", "secretariat")
    events = sum(1 for _ in engine.history(course.course.id))
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        outcomes = engine.replay_course(course.course.id)  # the course's own instance and those about it (11.2)
        runs.append((time.perf_counter() - start) * 1000)
        assert all(outcome.ok for outcome in outcomes), outcomes
    per_event = statistics.median(runs) / events
    complete = statistics.median(Timed.times)
    print(f"Re-execution of one course: {events} events, {len(Timed.times)} task completions")
    print(f"  {versions()}, Python {sys.version.split()[0]}")
    print(f"  replay of the course (median of 5): {statistics.median(runs):.1f} ms = {per_event:.3f} ms per event")
    print(f"  engine task completion (median):    {complete:.3f} ms")
    print(f"  ratio replay per event / completion: {per_event / complete:.2f}")
    engine.close()


def replay_all(workdir: Path, courses: int) -> None:
    clock = FixedClock(START)
    engine = demo_engine(workdir / "all.db", clock)
    start = time.perf_counter()
    for index in range(courses):
        CourseDriver(engine, course_name=f"Course {index}").publish_one_csb_course()
    built = time.perf_counter() - start
    start = time.perf_counter()
    outcomes = [o for course_id in engine.course_ids() for o in engine.replay_course(course_id)]
    total = time.perf_counter() - start
    events = sum(1 for course_id in engine.course_ids() for _ in engine.history(course_id))
    assert all(o.ok for o in outcomes)
    print(f"replay --all over {courses:,} published courses ({events:,} events; built in {built:.0f} s)")
    print(f"  total {total:.1f} s = {total / courses * 1000:.1f} ms per course, all reproduced")
    engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=1000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        big_course(workdir)
        replay_all(workdir, args.courses)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
