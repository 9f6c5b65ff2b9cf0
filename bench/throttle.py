"""Throttle benchmark (not a test): what the one throttle of the anonymous pages (webapp.rate_limit) costs.

1. Counting one request (``RateLimit.wait``) with 10,000 addresses tracked vs. the public verification page
   (10.3) answered through the web app — the throttle's share of a throttled page.
2. A refused request (429 page with Retry-After) vs. an answered one.

Prints medians and their ratios; asserts nothing.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine import Engine  # noqa: E402
from webapp.app import create_app  # noqa: E402
from webapp.rate_limit import MAX_TRACKED, RateLimit  # noqa: E402


def median_us(action, reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1_000_000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    try:
        limit = RateLimit(10**9, 60)
        for n in range(MAX_TRACKED):
            limit.wait(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
        count = median_us(lambda: limit.wait("10.200.0.1"), args.reps)

        engine = Engine(f"sqlite:///{folder / 'bench.db'}")
        engine.init()
        app = create_app(engine, TICK_SECONDS=0, THROTTLES={"certificate": (10**9, 60)})
        client = app.test_client()
        page = median_us(lambda: client.get("/certificates/verify/unknown-token"), args.reps // 4)
        refusing = create_app(engine, TICK_SECONDS=0, THROTTLES={"certificate": (1, 3600)}).test_client()
        refusing.get("/certificates/verify/x")
        refused = median_us(lambda: refusing.get("/certificates/verify/unknown-token"), args.reps // 4)
        status = refusing.get("/certificates/verify/x").status_code  # 429: the refused side was refused
        engine.close()
        print(f"count one request ({MAX_TRACKED} addresses tracked): {count:8.1f} µs")
        print(f"verification page (answered):                 {page:8.1f} µs   throttle share {count / page:.4f}")
        print(f"verification page (refused, {status}):             {refused:8.1f} µs   "
              f"refused / answered {refused / page:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
