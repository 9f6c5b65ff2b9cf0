"""The auditor's workspace benchmark (not a test; issue 13): ratios printed in one run.

1. One long course (about 200 events: every CSB with two refinement rounds, approval, inspections): the
   step-through page (replays every instance of the course), and the three dossier downloads, each against
   one course page.
2. "Verify the whole log" over N published courses (default 1,000, as bench/replay_speed.py): the request's
   time, per 1,000 events, and against gunicorn's 30 s worker timeout.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import versions  # noqa: E402
from replay_speed import START, Timed, new_engine  # noqa: E402

from demo import CourseDriver  # noqa: E402
from engine import Engine, FixedClock  # noqa: E402
from engine.registry.users import DEFAULT_CSBS  # noqa: E402
from webapp.app import create_app  # noqa: E402

GUNICORN_TIMEOUT = 30.0


def client_for(engine: Engine):
    client = create_app(engine, TESTING=True, TICK_SECONDS=0).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": "auditor", "password": "pw", "csrf_token": token})
    page = client.get("/audit").get_data(as_text=True)  # a new token is issued at login
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def timed(client, url: str, runs: int = 5, method: str = "get", **kwargs) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = getattr(client, method)(url, **kwargs)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def long_course(workdir: Path) -> None:
    clock = FixedClock(START)
    engine = new_engine(workdir / "long.db", clock)
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
        for again in (True, False):
            course.do("c_refine", "implementer")
            course.do("c_chair_re", chair[code], scope=code, complies=not again, requires_refinement=again,
                      **({"what_to_refine": "Still not there."} if again else {}))
    course.finish_creation()
    course.approve()
    for _ in range(3):
        clock.advance(days=3 * 366)
        engine.tick()
        course.do("i_inspect", "secretariat")
    course_id = course.course.id
    events = len(engine.steps(course_id))
    client, _ = client_for(engine)
    base = f"/courses/{course_id}"
    page = timed(client, base)
    rows = [("course page (the unit)", page)]
    rows.append((f"step-through page, last step ({events} steps)", timed(client, f"{base}/replay?step={events}", 3)))
    rows.append(("dossier JSON", timed(client, f"{base}/dossier.json", 3)))
    rows.append(("dossier HTML", timed(client, f"{base}/dossier.html", 3)))
    rows.append(("dossier PDF", timed(client, f"{base}/dossier.pdf", 2)))
    print(f"One long course: {events} events, {len(codes)} CSBs; {versions()}, Python {sys.version.split()[0]}")
    for name, ms in rows:
        print(f"  {name:<44} {ms:9.1f} ms   ratio {ms / page:6.1f}")
    engine.close()


def whole_log(workdir: Path, courses: int) -> None:
    clock = FixedClock(START)
    engine = new_engine(workdir / "all.db", clock)
    start = time.perf_counter()
    for index in range(courses):
        CourseDriver(engine, course_name=f"Course {index}").publish_one_csb_course()
    built = time.perf_counter() - start
    client, token = client_for(engine)
    page = timed(client, "/courses/1")
    verify = timed(client, "/audit", 3, "post", data={"csrf_token": token})
    checked = engine.verify_log()
    assert checked.ok, checked.problems
    per_thousand = verify / checked.events * 1000
    print(f"Verify the whole log: {courses:,} published courses, {checked.instances:,} instances, "
          f"{checked.events:,} events (built in {built:.0f} s)")
    print(f"  the verify request {verify / 1000:.2f} s = {per_thousand:.1f} ms per 1,000 events; "
          f"ratio to one course page {verify / page:.0f}")
    print(f"  events checkable within gunicorn's {GUNICORN_TIMEOUT:.0f} s timeout at this rate: "
          f"about {GUNICORN_TIMEOUT * 1000 / per_thousand * 1000:,.0f}")
    engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--courses", type=int, default=1000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        long_course(workdir)
        whole_log(workdir, args.courses)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
