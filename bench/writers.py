"""Parallel writers: completions per second with one writer process vs. two, on PostgreSQL.

Target: two writers on distinct courses >= 1.7 x one writer.

Each writer is its own process with its own ``Engine`` (as gunicorn workers or
``courseflow worker`` processes would be) and completes the task "prepare" of
``tests/fixtures/processes/review.bpmn`` on instances of its own, started
before timing begins; the two writers never touch the same instance, so the
only thing they share is the database — and the event log's chain head,
which a completion takes only when it commits (its events are numbered and
hashed then, in a before-commit hook), holding it for the last few statements.
PostgreSQL runs on the same 2-core machine, so it shares the cores.

Run from the repository root:  python bench/writers.py [--tasks 300]
Needs the PostgreSQL server binaries (apt-get install postgresql).
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import versions  # noqa: E402

from engine import Engine, FixedClock, TaskFilter  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PROCESS_ID, TASK = "review", "prepare"
DATA = {"title": "x", "csbs": ["TC 2"], "creator": "bob"}
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
TARGET = 1.7


def prepare(url: str, count: int) -> list[str]:
    """Start ``count`` instances; return the ids of their "prepare" tasks."""
    engine = Engine(url, FixedClock(START))
    actor = engine.actor("admin")
    started = {engine.start(PROCESS_ID, {}, actor) for _ in range(count)}
    tasks = [t.id for t in engine.tasks(actor, TaskFilter(limit=count * 10))
             if t.bpmn_id == TASK and t.instance in started]
    engine.close()
    return tasks


def writer(url: str, task_ids: list[str], ready, go) -> None:
    engine = Engine(url, FixedClock(START))
    actor = engine.actor("admin")
    engine.complete(task_ids[0], DATA, actor)  # warm: connection pool, spec cache
    ready.wait()
    go.wait()
    for task_id in task_ids[1:]:
        engine.complete(task_id, DATA, actor)
    engine.close()


def run(url: str, batches: list[list[str]]) -> float:
    """Completions per second with one writer process per batch, all started together."""
    context = multiprocessing.get_context("spawn")
    ready, go = context.Barrier(len(batches) + 1), context.Barrier(len(batches) + 1)
    processes = [context.Process(target=writer, args=(url, batch, ready, go)) for batch in batches]
    for process in processes:
        process.start()
    ready.wait()
    began = time.perf_counter()
    go.wait()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    if any(process.exitcode for process in processes):
        raise SystemExit("a writer failed")
    return sum(len(batch) - 1 for batch in batches) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300, help="completions per writer (default 300)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating one/two-writer rounds (default 2)")
    args = parser.parse_args()
    server = PostgresServer()
    if not server.available:
        raise SystemExit("PostgreSQL server binaries are not installed")
    url = server.start()
    try:
        engine = Engine(url, FixedClock(START))
        engine.init()
        report = engine.deploy_directory(FIXTURES / "processes", FIXTURES / "forms")
        if not report.ok:
            raise SystemExit(f"deploy failed: {report.problems}")
        engine.add_user("admin", ["sector_administrator"])
        engine.close()
        one, two = [], []
        for _ in range(args.rounds):
            one.append(run(url, [prepare(url, args.tasks + 1)]))
            two.append(run(url, [prepare(url, args.tasks + 1), prepare(url, args.tasks + 1)]))
        best_one, best_two = max(one), max(two)
        print(f"Parallel writers on PostgreSQL ({versions()})")
        print(f"  one writer:  {' '.join(f'{r:.1f}' for r in one)} completions/s (best {best_one:.1f})")
        print(f"  two writers: {' '.join(f'{r:.1f}' for r in two)} completions/s (best {best_two:.1f})")
        ratio = best_two / best_one
        print(f"  ratio two/one (best of {args.rounds}): {ratio:.2f}   target >= {TARGET}  -> "
              f"{'meets' if ratio >= TARGET else 'MISSES'} the target")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
