"""Growth benchmark (not a test): does a completion cost the same in a course's thirtieth year as in its first?

Courses are published and then taken through N three-yearly inspection cycles
(13.1), each "up to date", on a temporary SQLite database with the clock
pinned and moved three years at a time. At cycles 1, 10 and 30 it prints the
median time of the inspection task's completion (one per course) and the size
of the state of the instance that drives the course then (the one loaded and
rewritten by that completion), and the ratio cycle N / cycle 1 (goal ≤ 1.2).
Then, in the same database at the same moment, the same number of courses
published just now has its first inspection, interleaved with the old
courses' next one: that ratio isolates the course's age from the database's
size and the machine's load, which both change over the first measurement.

It uses the engine found on the Python path, else this checkout's, so the same
script measures another checkout: ``PYTHONPATH=/path/to/other python bench/growth.py``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("engine") is None:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_engine, versions  # noqa: E402

from demo import CourseDriver  # noqa: E402
from engine import Engine, FixedClock  # noqa: E402

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
REPORTED = (1, 10, 30)



def inspect(engine: Engine, course: CourseDriver) -> tuple[float, int]:
    """Complete the course's open inspection task (13.2); return (ms, state bytes of the instance it ran in)."""
    (task,) = [t for t in course.open("secretariat") if t.bpmn_id == "i_inspect"]
    state = engine.instance(task.instance).state_bytes
    data = {**course.sheets["inspection.json"], "outcome": "up_to_date"}
    begin = time.perf_counter()
    engine.complete(task.id, data, course.actor("secretariat"))
    return (time.perf_counter() - begin) * 1000, state


def run(cycles: int, courses: int) -> tuple[dict[int, tuple[float, float]], tuple[float, float]]:
    """{cycle: (median completion ms, median state KiB)} for the reported cycles, and (old, new) median ms of
    the old courses' next inspection and new courses' first, side by side."""
    clock = FixedClock(START)
    found: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        engine = demo_engine(Path(workdir) / "growth.db", clock)
        drivers = [CourseDriver(engine, course_name=f"Course {n}") for n in range(courses)]
        for driver in drivers:
            driver.publish_one_csb_course()
        for cycle in range(1, cycles + 1):
            clock.advance(days=3 * 366)
            engine.tick(batch=10 * courses)
            measured = [inspect(engine, driver) for driver in drivers]
            if cycle in REPORTED or cycle == cycles:
                found[cycle] = (statistics.median(ms for ms, _ in measured),
                                statistics.median(size for _, size in measured) / 1024)
            print(f"  cycle {cycle}", end="\r", file=sys.stderr)
        side_by_side = _side_by_side(engine, clock, drivers)
        engine.close()
    print(file=sys.stderr)
    return found, side_by_side


def _side_by_side(engine: Engine, clock: FixedClock, old: list[CourseDriver]) -> tuple[float, float]:
    new = [CourseDriver(engine, course_name=f"New course {n}") for n in range(len(old))]
    for driver in new:
        driver.publish_one_csb_course()
    clock.advance(days=3 * 366)
    engine.tick(batch=10 * len(old) * 2)
    times: tuple[list[float], list[float]] = ([], [])
    for index, (aged, young) in enumerate(zip(old, new, strict=True)):
        pair = (aged, young) if index % 2 else (young, aged)  # alternate which goes first
        for driver in pair:
            times[driver is young].append(inspect(engine, driver)[0])
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--courses", type=int, default=7, help="courses inspected side by side (samples per cycle)")
    args = parser.parse_args()
    import engine
    print(f"engine from {Path(engine.__file__).parent.parent}; {versions()}")
    found, (aged, young) = run(args.cycles, args.courses)
    first_ms, first_kib = found[1]
    print(f"{'cycle':>5} {'inspection completion ms':>25} {'driving state KiB':>18}")
    for cycle, (ms, kib) in sorted(found.items()):
        print(f"{cycle:>5} {ms:>25.1f} {kib:>18.1f}")
    last = max(found)
    ms, kib = found[last]
    print(f"cycle {last} / cycle 1: completion {ms / first_ms:.2f} (goal ≤ 1.2), state {kib / first_kib:.2f}")
    print(f"same database, same moment: cycle {last + 1} {aged:.1f} ms, a new course's cycle 1 {young:.1f} ms, "
          f"ratio {aged / young:.2f}")


if __name__ == "__main__":
    main()
