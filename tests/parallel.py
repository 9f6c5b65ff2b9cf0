"""Running jobs at the same moment, each on its own Engine (as separate workers would)."""
from __future__ import annotations

import threading

from engine import CourseFlowError, Engine


def at_once(database_url, clock, jobs) -> list:
    """Run each ``job(engine)`` in its own thread, released together; return each result or refusal type name."""
    engines = [Engine(database_url, clock) for _ in jobs]
    barrier, outcomes = threading.Barrier(len(jobs)), [None] * len(jobs)

    def run(index):
        barrier.wait()
        try:
            outcomes[index] = jobs[index](engines[index])
        except CourseFlowError as error:
            outcomes[index] = type(error).__name__
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.close()
    return outcomes
