"""§11.3 and §9.3 annual report benchmark (not a test): what making the report costs.

C published courses (default 10), each with A questionnaire answers (default 20). Printed, as medians over
--reps runs:

1. the year's figures (``Engine.annual_report``) for C courses vs. for one course: how it grows with courses;
2. the A4 PDF (WeasyPrint) and the XLSX (openpyxl) vs. the figures alone: what the files cost on top.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import demo_engine, median_ms  # noqa: E402

from demo import CourseDriver  # noqa: E402
from engine import Engine, FixedClock  # noqa: E402

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
CRITERIA = ("relevance", "theoretical_utility", "material_quality", "material_presentation")


def new_engine(path: Path, courses: int, answers: int) -> Engine:
    clock = FixedClock(START)
    engine = demo_engine(path, clock)
    for index in range(courses):
        driver = CourseDriver(engine, course_name=f"Course {index + 1}")
        driver.publish_one_csb_course()
        for n in range(answers):
            clock.advance(hours=1)
            engine.answer_questionnaire(driver.course.id, dict.fromkeys(CRITERIA, ("good", "excellent")[n % 2]))
    clock.set(dt.datetime(2026, 12, 20, tzinfo=dt.UTC))
    return engine



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=10)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="courseflow-bench-report-"))
    try:
        many = new_engine(folder / "many.db", args.courses, args.answers)
        one = new_engine(folder / "one.db", 1, args.answers)
        figures_many = median_ms(lambda: many.annual_report(2026), args.reps)
        figures_one = median_ms(lambda: one.annual_report(2026), args.reps)
        pdf = median_ms(lambda: many.annual_report_pdf(2026, "ru"), args.reps)
        xlsx = median_ms(lambda: many.annual_report_xlsx(2026), args.reps)
        print(f"figures, {args.courses:>3} courses            {figures_many:8.2f} ms")
        print(f"figures,   1 course             {figures_one:8.2f} ms")
        print(f"PDF (RU), {args.courses:>3} courses           {pdf:8.2f} ms")
        print(f"XLSX, {args.courses:>3} courses               {xlsx:8.2f} ms")
        print(f"ratio figures {args.courses} courses / 1 course: {figures_many / figures_one:6.2f}")
        print(f"ratio PDF / figures: {pdf / figures_many:6.2f}")
        print(f"ratio XLSX / figures: {xlsx / figures_many:6.2f}")
        many.close()
        one.close()
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
