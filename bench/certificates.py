"""§10 certificates: what issuing costs, and how eligibility grows with the course.

A SQLite file database with the engine's schema, the repository's processes (so an import proposes a batch, as
in production) and the demo people; one course driven to "in preparation" through ``demo.CourseDriver``.
Measured, all through ``Engine``:

- **eligibility**: ``Engine.certificate_eligibility`` for a course of N participants × A activities (median);
- **issue one**: ``Engine.issue_certificates`` for one participant — number, token, HTML → PDF (WeasyPrint),
  QR code, outbox row with the PDF, audit event, one transaction (median);
- **PDF alone**: the HTML → PDF step of one certificate, outside the database (median).

Figures and ratios are printed, never asserted.

Run from the repository root:  python bench/certificates.py [--participants 2000 --activities 10 --reps 5]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import versions  # noqa: E402
from demo import CourseDriver  # noqa: E402
from engine import Engine, FixedClock  # noqa: E402
from tests import moodle_files as mf  # noqa: E402
from tests.coomet import deploy_with_people  # noqa: E402


def timed(call, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--activities", type=int, default=10)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="courseflow-bench-certificates-"))
    try:
        run(folder, args)
    finally:
        shutil.rmtree(folder)


def run(folder: Path, args) -> None:
    import os

    os.environ["COURSEFLOW_CERTIFICATE_DIR"] = str(folder / "pdf")
    engine = Engine(f"sqlite:///{folder / 'bench.db'}", FixedClock(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)))
    engine.init()
    deploy_with_people(engine)
    driver = CourseDriver(engine)
    driver.do("m_survey", "tc4")
    driver.do("m_appoint", "admin")
    course, admin = driver.course.id, engine.actor("admin")
    activities = [f"Module {n}" for n in range(1, args.activities)] + ["Final test"]
    done = [("y", "2026-01-05 10:00:00")] * (args.activities - 1) + [("pass", "2026-01-06 10:00:00")]
    people = [(f"Student {i}", f"s{i}@example.org", done) for i in range(args.participants)]
    engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(people, activities=activities)), "p.csv", admin,
                             period="2026-01-01..2026-01-31")
    ids = iter(v.participant_id for v in engine.certificate_eligibility(course))
    eligibility = timed(lambda: engine.certificate_eligibility(course), args.reps)
    issue_one = timed(lambda: engine.issue_certificates(course, admin, [next(ids)]), args.reps)
    from engine.certificates import document, settings
    content = document.Content("COOMET-2026-0001", "Анна Иванова", "Course", "Курс", dt.date(2026, 1, 6),
                               dt.date(2026, 3, 1), tuple(activities))
    chosen = settings.from_env()
    pdf_alone = timed(lambda: document.pdf(content, chosen.verification_url("x" * 32), chosen), args.reps)
    print(f"§10 certificates — {versions()}")
    print(f"course: {args.participants} participants × {args.activities} activities")
    print(f"eligibility of everyone:     {eligibility * 1000:8.1f} ms  "
          f"({eligibility / args.participants * 1e6:.0f} µs per participant)")
    print(f"issue one certificate:       {issue_one * 1000:8.1f} ms")
    print(f"  of which PDF alone:        {pdf_alone * 1000:8.1f} ms  (PDF / issue = {pdf_alone / issue_one:.2f})")
    print(f"issue one / eligibility:     {issue_one / eligibility:8.2f}")
    engine.close()


if __name__ == "__main__":
    main()
