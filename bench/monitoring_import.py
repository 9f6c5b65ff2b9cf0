"""§9 monitoring at scale: importing an Activity completion export of 10,000 participants × 20 activities,
and the course summary at that size.

A SQLite file database is set up with the engine's schema, the repository's processes and the demo
people; one course is started through the engine (``demo.CourseDriver``). The exports are written
as Moodle's "CSV" download (UTF-8, comma, every value quoted), every participant with an e-mail.
Measured, all through ``Engine`` (the real calls, one transaction each):

- **first import**: every (participant, activity) result is new — 200,000 rows by default;
- **same file again**: recognised by its sha256, nothing is parsed or written;
- **overlapping export**: a later export where 10 % of the participants moved on (updates only);
- **summary**: ``Engine.monitoring_summary`` at that size (median of ``--reps`` calls);
- **participant states**: ``Engine.participant_states`` for the page (first 501) and for everyone (§10);
- **peak memory** of the first import, a second run of it under ``tracemalloc`` on a fresh course.

Figures and ratios are printed, never asserted.

Run from the repository root:  python bench/monitoring_import.py [--participants 10000 --activities 20 --reps 5]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import versions  # noqa: E402
from demo import CourseDriver  # noqa: E402
from engine import Engine, FixedClock  # noqa: E402
from tests.coomet import deploy_with_people  # noqa: E402

STATES = ["Not completed", "Completed", "Completed (achieved pass grade)", "Completed (did not achieve pass grade)"]


def export(participants: int, activities: int, seed: int, moved: float = 0.0) -> bytes:
    """A report_progress CSV; with ``moved``, that share of participants has one more activity completed."""
    rng = random.Random(seed)
    header = ["", "Email address"]
    for number in range(1, activities + 1):
        header += [f"Module {number}", ""]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    day = dt.datetime(2026, 1, 5, 9, 0)
    for person in range(participants):
        rng_person = random.Random(person)
        done = rng_person.randint(0, activities)
        if moved and rng.random() < moved:
            done = min(activities, done + 1)
        row = [f"Participant {person:05d}", f"p{person:05d}@example.org"]
        for number in range(activities):
            state = STATES[0] if number >= done else STATES[1 + (number + person) % 3]
            when = "" if number >= done else (day + dt.timedelta(days=number, minutes=person % 600)).strftime(
                "%Y-%m-%d %H:%M:%S")
            row += [state, when]
        writer.writerow(row)
    return out.getvalue().encode()


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=20)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir)


def run(args, workdir: Path) -> None:
    engine = Engine(f"sqlite:///{workdir / 'bench.db'}", FixedClock(dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)))
    engine.init()
    deploy_with_people(engine)
    admin = engine.actor("admin")
    course, fresh = CourseDriver(engine).course.id, CourseDriver(engine, course_name="Memory run").course.id
    first = export(args.participants, args.activities, seed=1)
    later = export(args.participants, args.activities, seed=2, moved=0.1)
    results = args.participants * args.activities
    print(f"monitoring import: {args.participants:,} participants × {args.activities} activities = {results:,} "
          f"results; file {len(first) / 1e6:.1f} MB ({versions()})")

    t_first, report = timed(lambda: engine.import_monitoring(course, first, "progress.csv", admin,
                                                             period="..2026-01-31"))
    print(f"  first import        {t_first:8.2f} s   ({report.added:,} added; {results / t_first:,.0f} results/s)")
    t_same, again = timed(lambda: engine.import_monitoring(course, first, "progress.csv", admin))
    print(f"  same file again     {t_same:8.3f} s   (unchanged: {again.unchanged})")
    t_later, update = timed(lambda: engine.import_monitoring(course, later, "progress-feb.csv", admin,
                                                             period="..2026-02-28"))
    print(f"  overlapping export  {t_later:8.2f} s   ({update.updated:,} updated, {update.added:,} added)")
    times = [timed(lambda: engine.monitoring_summary(course, admin))[0] for _ in range(args.reps)]
    t_summary = statistics.median(times)
    print(f"  summary (median of {args.reps}) {t_summary:6.3f} s")
    period_times = [timed(lambda: engine.monitoring_summary(course, admin, "2026-01-10..2026-01-20"))[0]
                    for _ in range(args.reps)]
    print(f"  summary for a period {statistics.median(period_times):6.3f} s")
    t_page, _ = timed(lambda: engine.participant_states(course, admin, 501))
    t_all, states = timed(lambda: engine.participant_states(course, admin))
    print(f"  participant states: first 501 (the page) {t_page:6.3f} s; everyone (§10, export) {t_all:6.2f} s "
          f"for {len(states):,}")

    tracemalloc.start()
    engine.import_monitoring(fresh, first, "progress.csv", admin, period="..2026-01-31")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory of an import (tracemalloc) {peak / 2**20:6.1f} MiB  "
          f"({peak / len(first):.1f} × the file's size)")
    print("ratios:")
    print(f"  overlapping / first import   {t_later / t_first:6.2f}")
    print(f"  same file again / first      {t_same / t_first:6.4f}")
    print(f"  summary / first import       {t_summary / t_first:6.4f}")
    engine.close()


if __name__ == "__main__":
    main()
