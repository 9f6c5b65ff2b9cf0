"""Script budgets: what the checked operators cost, and how long others wait while a hostile script runs.

1. Per script: the same scripts run instrumented (checked operators, ticking
   loops; engine.definitions.script_limits) vs. plainly compiled with the same
   safe builtins. Ratio = instrumented / plain (medians).
2. Per completion: ``Engine.complete`` of task "prepare" of
   tests/fixtures/processes/review.bpmn (runs its "build" script), with the
   budget as shipped vs. with the rewrite switched off.
3. Hostile scripts (issue 11): each runs in a completion on one thread while
   the main thread keeps listing an inbox; printed: how the step ended, how
   long it ran, and the longest any inbox listing waited meanwhile.

Timings are printed, never asserted. Run from the repository root:
    python bench/script_budget.py [--reps 200]
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Engine, FixedClock  # noqa: E402
from engine.definitions import script_limits, scripts  # noqa: E402
from engine.definitions.checks import SourceFile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ORDINARY = {
    "build (review.bpmn)": "csb_reviews = {code: {} for code in csbs}",
    "arithmetic loop": "total = 0\nfor i in range(2000):\n    total += i * i % 7",
    "list and strings": "names = sorted(c.lower() for c in csbs)\nlabel = ', '.join(names) + ' ' + str(len(names))",
}
HOSTILE = {
    "9**9**9": "x = 9**9**9",
    "'a' * 10**10": "x = 'a' * 10**10",
    "nested range(100000) loops": "x = 0\nfor i in range(100000):\n    for j in range(100000):\n        x += 1",
    "1 << 10**10": "x = 1 << 10**10",
    "doubling list": "x = [0]\nfor i in range(40):\n    x = x + x",
    "exponential lambda": "f = lambda n: n and (f(n - 1), f(n - 1))\nx = f(60)",
    "map over map": "x = list(map(lambda a: sum(map(lambda b: b, range(100000))), range(100000)))",
    "100k copies of a list": "rows = [0] * 100000\nx = [list(rows) for _ in range(100000)]",
}


def median_us(function, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


class rewrite_off:
    """The script rewrite switched off: plain operators, no ticks (the rules are still checked)."""

    def __enter__(self):
        self.original = script_limits.instrument
        script_limits.instrument = lambda tree: tree
        scripts.compiled.cache_clear()

    def __exit__(self, *_):
        script_limits.instrument = self.original
        scripts.compiled.cache_clear()


def per_script(reps: int) -> None:
    print("1. per script run by the engine's script environment (median µs): budgeted vs rewrite off")
    environment = scripts.RestrictedEnvironment()
    for name, source in ORDINARY.items():
        def run(source=source):
            environment.execute(source, {"csbs": ["TC 2", "TC 1.3", "JCMS"]})

        budgeted = median_us(run, reps)
        with rewrite_off():
            off = median_us(run, reps)
        print(f"   {name:24} {budgeted:9.1f} {off:9.1f}   ratio {budgeted / off:5.2f}")


def engine_with_review(directory: Path, name: str, script: str | None = None) -> Engine:
    engine = Engine(f"sqlite:///{directory / name}", FixedClock(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)))
    engine.init()
    forms = {p.name: p.read_text() for p in (FIXTURES / "forms").glob("*.json")}
    text = (FIXTURES / "processes" / "review.bpmn").read_text()
    if script:
        text = text.replace(ORDINARY["build (review.bpmn)"], f"{ORDINARY['build (review.bpmn)']}\n{escape(script)}")
    assert engine.deploy_files([SourceFile("review.bpmn", text.encode())], forms).ok
    engine.add_user("admin", ["sector_administrator"], "pw")
    engine.add_user("bob", ["course_creator"], "pw")
    return engine


def per_completion(directory: Path, reps: int) -> None:
    engine = engine_with_review(directory, "completion.db")
    admin = engine.actor("admin")
    data = {"title": "x", "csbs": ["TC 2"], "creator": "bob"}
    for _ in range(2 * reps):
        engine.start("review", {}, admin)
    tasks = iter(engine.tasks(admin))
    shipped = median_us(lambda: engine.complete(next(tasks).id, data, admin), reps)
    with rewrite_off():
        off = median_us(lambda: engine.complete(next(tasks).id, data, admin), reps)
    print(f"2. per completion (median µs): budgeted {shipped:.0f}, rewrite off {off:.0f}, ratio {shipped / off:.3f}")
    engine.close()


def hostile(directory: Path) -> None:
    print(f"3. hostile scripts (budget {script_limits.LIMITS.cpu_seconds:g} s CPU, "
          f"{script_limits.LIMITS.memory_bytes >> 20} MB): outcome, run time, worst inbox wait meanwhile")
    worst_overall = 0.0
    for number, (name, script) in enumerate(HOSTILE.items()):
        engine = engine_with_review(directory, f"hostile{number}.db", script)
        admin, bob = engine.actor("admin"), engine.actor("bob")
        engine.start("review", {}, admin)
        (task,) = engine.tasks(admin)
        outcome: list[str] = []

        def run(task=task, engine=engine, admin=admin, outcome=outcome):
            try:
                engine.complete(task.id, {"title": "x", "csbs": ["TC 2"], "creator": "bob"}, admin)
                outcome.append("completed (!)")
            except Exception as error:  # printed, whatever it is
                outcome.append(type(error).__name__)

        worker = threading.Thread(target=run)
        started = time.perf_counter()
        worker.start()
        worst = 0.0
        while worker.is_alive():
            before = time.perf_counter()
            engine.tasks(bob)
            worst = max(worst, time.perf_counter() - before)
        worker.join()
        took = time.perf_counter() - started
        worst_overall = max(worst_overall, worst)
        print(f"   {name:28} {outcome[0]:16} {took:6.2f} s   worst wait {worst * 1000:7.1f} ms")
        engine.close()
    print(f"   scripts tried: {len(HOSTILE)}; worst time another request waited: {worst_overall * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        per_script(args.reps)
        per_completion(directory, args.reps)
        hostile(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
