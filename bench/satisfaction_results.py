"""§11 satisfaction benchmark (not a test): reading a course's results vs. recording one answer.

One published course receives N anonymous Appendix 3 answers (default 2,000; one an hour on the engine
clock, under the flood limit). Printed, as medians over --reps runs:

1. ``Engine.satisfaction`` (the results page's and the CLI's read) with N answers vs. with N/20 answers:
   how the read grows with the answers (it reads one event per answer);
2. that read vs. recording one answer (``Engine.answer_questionnaire``): what a results page costs in
   answers' worth of work;
3. ``Engine.start_quarterly_analyses`` for C published courses (default 20), per course vs. one answer.
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

from common import demo_engine, median_ms  # noqa: E402

from demo import CourseDriver  # noqa: E402
from engine import Engine, FixedClock  # noqa: E402

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
GRADES = ("excellent", "good", "satisfactory", "unsatisfactory")
CRITERIA = ("relevance", "theoretical_utility", "material_quality", "material_presentation")



def answer(engine: Engine, course_id: int, n: int) -> float:
    values = {key: GRADES[(n + i) % 4] for i, key in enumerate(CRITERIA)}
    start = time.perf_counter()
    engine.answer_questionnaire(course_id, {**values, "proposals": f"Comment {n}"})
    return (time.perf_counter() - start) * 1000



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        clock = FixedClock(START)
        engine = demo_engine(workdir / "s.db", clock)
        drivers = [CourseDriver(engine, course_name=f"Course {n}") for n in range(args.courses)]
        for driver in drivers:
            driver.publish_one_csb_course()
        large, small = drivers[0].course.id, drivers[1].course.id
        answer_times = []
        for n in range(args.answers):
            clock.advance(hours=1)
            answer_times.append(answer(engine, large, n))
            if n < args.answers // 20:
                answer(engine, small, n)
        one_answer = statistics.median(answer_times)
        read_large = median_ms(lambda: engine.satisfaction(large), args.reps)
        read_small = median_ms(lambda: engine.satisfaction(small), args.reps)
        clock.set(dt.datetime(2026, 7, 1, 0, 0, 1, tzinfo=dt.UTC))
        start = time.perf_counter()
        started = engine.start_quarterly_analyses()
        quarterly = (time.perf_counter() - start) * 1000 / max(started, 1)
        print(f"one answer recorded            {one_answer:8.2f} ms (median of {args.answers})")
        print(f"results, {args.answers // 20:>5} answers         {read_small:8.2f} ms")
        print(f"results, {args.answers:>5} answers         {read_large:8.2f} ms")
        print(f"quarterly analysis started      {quarterly:8.2f} ms per course ({started} courses)")
        print(f"ratio results {args.answers} / {args.answers // 20} answers: {read_large / read_small:6.2f}"
              f"  (the answers: {args.answers / (args.answers // 20):.0f}x)")
        print(f"ratio results of {args.answers} answers / one answer recorded: {read_large / one_answer:6.2f}")
        print(f"ratio one quarterly start / one answer recorded: {quarterly / one_answer:6.2f}")
        engine.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
