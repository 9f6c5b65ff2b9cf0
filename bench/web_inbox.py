"""Web benchmark (not a test): the inbox page at scale, and the form round trip.

1. GET / (the inbox page, first 50 of the user's tasks + the count) for a user
   who can see 10,000 open tasks among 100,000 instances vs. one who can see 10
   (same database size): ratio of median response times, target <= 2.
2. Form submission round trip on SQLite: POST a task's form -> redirect ->
   inbox page, median printed.

Requests go through Flask's test client (the whole app: routing, login,
engine, templates), interleaved between the two cases.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pct, versions  # noqa: E402
from inbox_scale import FORMS_DIR, PROCESS_FILE, START, USER, Populated  # noqa: E402

from engine import Engine, FixedClock  # noqa: E402
from webapp.app import create_app  # noqa: E402

TARGET = 2.0


def client_for(engine: Engine, login: str):
    app = create_app(engine, TESTING=True, TICK_SECONDS=0)
    client = app.test_client()
    with client.session_transaction() as session:  # logged in as ``login`` (Flask-Login's session key)
        session["_user_id"], session["_fresh"] = login, True
        session["generation"] = engine.session_generation(login)  # a session the server has not ended
    return client


def timed_get(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def inbox_ratio(workdir: Path, instances: int, reps: int) -> None:
    many = Populated(workdir / "many", instances, 10_000, seed=1, analyze=False)
    few = Populated(workdir / "few", instances, 10, seed=2, analyze=False)
    clients = {"many": client_for(many.engine, USER), "few": client_for(few.engine, USER)}
    times = {"many": [], "few": []}
    for name in times:  # warm-up
        for _ in range(5):
            timed_get(clients[name], "/")
    for i in range(reps):
        for name in (("many", "few") if i % 2 else ("few", "many")):
            times[name].append(timed_get(clients[name], "/"))
    print(f"Inbox page: GET / for {USER} among {instances:,} instances, {reps} requests each, interleaved")
    print(f"  {versions()}, Python {sys.version.split()[0]}")
    print(f"  {'visible tasks':>14} {'median':>8} {'p10':>8} {'p90':>8}  (ms)")
    for name, visible in (("few", 10), ("many", 10_000)):
        xs = times[name]
        print(f"  {visible:>14,} {statistics.median(xs):8.2f} {pct(xs, 10):8.2f} {pct(xs, 90):8.2f}")
    ratio = statistics.median(times["many"]) / statistics.median(times["few"])
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"  ratio 10,000 / 10 visible (medians): {ratio:.2f}   target <= {TARGET} -> {verdict} the target")
    many.close()
    few.close()


def round_trip(workdir: Path, reps: int) -> None:
    processes = workdir / "rt_processes"
    processes.mkdir()
    shutil.copy(PROCESS_FILE, processes / PROCESS_FILE.name)
    engine = Engine(f"sqlite:///{workdir / 'roundtrip.db'}", FixedClock(START))
    engine.init()
    engine.deploy_directory(processes, FORMS_DIR)
    engine.add_user("admin", ["sector_administrator"])
    actor = engine.actor("admin")
    for _ in range(reps + 5):
        engine.start("review", {}, actor)
    client = client_for(engine, "admin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    tasks = [t.id for t in engine.tasks(actor) if t.bpmn_id == "prepare"]
    times = []
    for index, task_id in enumerate(tasks[:reps + 5]):
        version = engine.task(task_id).instance_version
        start = time.perf_counter()
        response = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "instance_version": version,
                                                          "title": "Mass", "csbs": "TC 2", "creator": "admin"},
                               follow_redirects=True)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200 and "Done:" in response.get_data(as_text=True)
        if index >= 5:
            times.append(elapsed)
    print(f"Form round trip (SQLite): POST form -> redirect -> inbox page, {len(times)} submissions")
    print(f"  median {statistics.median(times):.2f} ms   p10 {pct(times, 10):.2f}   p90 {pct(times, 90):.2f}")
    engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=100)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        (workdir / "many").mkdir()
        (workdir / "few").mkdir()
        inbox_ratio(workdir, args.instances, args.reps)
        round_trip(workdir, args.reps)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
