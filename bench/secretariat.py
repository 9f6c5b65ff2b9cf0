"""Secretariat benchmark (not a test): the course lists and the printed sheets.

1. The List of created courses (6.2) as the page asks for it — searched, filtered, sorted, with people's
   names (``Engine.course_list``) — vs. the plain list of course records (``Engine.courses``), for N courses.
2. One Appendix 2 sheet as an A4 PDF (WeasyPrint) vs. the same sheet as an HTML page, through the web app.

Prints medians and their ratios; asserts nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import demo_engine, median_ms  # noqa: E402

from demo import CourseDriver  # noqa: E402
from engine import LIST_STATUSES, CourseQuery, FixedClock  # noqa: E402
from webapp.app import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        engine = demo_engine(folder / "bench.db", FixedClock(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)))
        published = CourseDriver(engine)
        published.publish_one_csb_course()
        admin = engine.actor("admin")
        for number in range(args.courses - 1):
            engine.start("course_creation", {"course_name": f"Course {number}", "initiator": "BelGIM"}, admin)
        query = CourseQuery(search="course 1", sort="creator", descending=True)
        plain = median_ms(lambda: engine.courses(LIST_STATUSES), args.reps)
        listed = median_ms(lambda: engine.course_list(LIST_STATUSES, query), args.reps)
        print(f"{args.courses} courses: course_list (search, sort, names) {listed:.1f} ms, courses() {plain:.1f} ms, "
              f"ratio {listed / plain:.2f}")

        app = create_app(engine, TESTING=True, TICK_SECONDS=0)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = "secretariat", True
            session["generation"] = engine.session_generation("secretariat")  # a session the app has not revoked
        seq = next(s.seq for s in engine.sheets(published.course.id) if s.sheet == "appendix2.json")
        url = f"/courses/{published.course.id}/sheets/{seq}"
        first = client.get(url + ".pdf")  # WeasyPrint loads its fonts once
        if first.status_code != 200 or first.mimetype != "application/pdf":
            raise SystemExit(f"the sheet's PDF was not served ({first.status_code} {first.mimetype}): nothing to time")
        html = median_ms(lambda: client.get(url), args.reps)
        pdf = median_ms(lambda: client.get(url + ".pdf"), args.reps)
        print(f"Appendix 2 sheet: PDF {pdf:.1f} ms, HTML page {html:.1f} ms, ratio {pdf / html:.1f}")
        engine.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
