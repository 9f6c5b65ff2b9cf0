"""What follows from running an instance, derived one way for the runtime and for replay.

A run (a completion, a message, timers refreshed) can fire timers, withdraw
tasks people could do (a boundary timer cancels them, a branch closes), and
complete the instance. The runtime records these as events; replay derives
them again from its own re-execution and must find exactly the recorded ones.
Both call :func:`derive`, so the two can never disagree about what follows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from engine.instances import timers
from engine.instances.tree import Scan, scan


@dataclass(frozen=True)
class Before:
    """What a run is compared with: the instance as it stood when loaded."""

    timers: dict[str, Any]  # {task id: waiting timer task}
    ready: dict[str, dt.datetime | None]  # {task id: due} of READY tasks people do (the open-task rows)
    completed: bool


NOTHING = Before({}, {}, False)  # before an instance starts


def before(workflow: Any) -> Before:
    scanned = scan(workflow)
    return Before(timers.waiting_timers(scanned), {task_id: timers.task_due(task)
                                                   for task_id, task in scanned.ready.items()},
                  workflow.is_completed())


@dataclass(frozen=True)
class Derived:
    """What followed from a run."""

    timers_fired: list[Any]  # timer tasks that were waiting and fired
    withdrawn: list[str]  # ids of tasks people could do that went away without being completed
    instance_completed: bool  # the instance completed in this run
    after: Scan  # the workflow as it stands now


def derive(was: Before, workflow: Any, completed_ids: set[str]) -> Derived:
    after = scan(workflow)
    done = workflow.is_completed()
    still_ready = {} if done else after.ready
    withdrawn = [task_id for task_id in was.ready if task_id not in still_ready and task_id not in completed_ids]
    return Derived(timers.fired_since(was.timers, workflow), withdrawn, done and not was.completed, after)


def following(follows: Derived, workflow: Any) -> Before:
    """The ``Before`` of the next run, from this run's scan (what ``before`` would find after a reload)."""
    return Before(timers.waiting_timers(follows.after), {task_id: timers.task_due(task)
                                                         for task_id, task in follows.after.ready.items()},
                  workflow.is_completed())
