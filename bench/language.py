"""Language benchmark (not a test): what saying things in Russian costs (issue 13).

1. A course's history with each task's Russian name looked up in its definition version (``nameRu``) vs. the
   same history without the lookup, for one published course.
2. The history page in Russian vs. in English, through the web app.

Prints medians and their ratios; asserts nothing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import demo_engine, median_ms  # noqa: E402

from demo import CourseDriver  # noqa: E402
from engine import FixedClock  # noqa: E402
from engine.registry import courses  # noqa: E402
from webapp.app import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        engine = demo_engine(folder / "bench.db", FixedClock(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)))
        course = CourseDriver(engine)
        course.publish_one_csb_course()
        course_id = course.course.id

        def history(with_names: bool) -> None:
            with engine._read() as session:
                lookup = partial(engine.definitions.name_ru, session) if with_names else None
                courses.history(session, course_id, name_ru=lookup)

        events = len(engine.history(course_id))
        plain = median_ms(lambda: history(False), args.reps)
        named = median_ms(lambda: history(True), args.reps)
        print(f"history of {events} events: {plain:.2f} ms without Russian names, {named:.2f} ms with them, "
              f"ratio {named / plain:.2f}")

        app = create_app(engine, TESTING=True, WTF_CSRF_ENABLED=False, TICK_SECONDS=0)
        clients = {}
        for language, login in (("en", "auditor"), ("ru", "admin")):  # one reader per language, both may read it
            engine.set_language(login, language)
            clients[language] = app.test_client()
            clients[language].post("/login", data={"login": login, "password": "pw"})
        url = f"/courses/{course_id}/history"
        for client in clients.values():  # warm up (templates, catalogs, caches) before measuring
            median_ms(lambda c=client: c.get(url), 10)
        times: dict[str, list[float]] = {"en": [], "ru": []}
        for _ in range(args.reps):  # alternate, so both languages see the same load on the machine
            for language, client in clients.items():
                times[language].append(median_ms(lambda c=client: c.get(url), 1))
        pages = {language: statistics.median(found) for language, found in times.items()}
        print(f"history page: {pages['en']:.2f} ms in English, {pages['ru']:.2f} ms in Russian, "
              f"ratio {pages['ru'] / pages['en']:.2f}")
        engine.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
