"""Scale: listing one user's open tasks with 1,000 vs. 100,000 instances in the
database. Target: large / small <= 2 (medians).

Two SQLite file databases are built with the engine's own schema (``Engine.init``)
and the fixture process deployed once (tests/fixtures/processes/review.bpmn);
then instances and open-task rows are bulk-inserted with SQLAlchemy Core
(going through ``Engine.start`` 100,000 times would take too long). Instance
state is a placeholder: listing tasks never loads a workflow.

The filler data spreads open tasks over every role of engine/roles.py, over the
CSB codes of engine/users.py ("JCMS", "TC 1.1".."TC 1.12", "TC 2", ...) for the
scoped roles, over a pool of assignees, with claims and due dates; about 30 %
of the instances are completed (no open tasks), the others have 1-3 open tasks.

The listed user, ``chair17``, holds ``csb_chair:TC 1.7``. In both databases they
see the same number of tasks (default 10: 5 unassigned csb_chair tasks for
TC 1.7 and 5 tasks assigned to them by name): the filler never adds unassigned
csb_chair/TC 1.7 tasks nor tasks assigned to chair17, but has plenty of
csb_chair tasks of other CSBs and csb_member tasks of TC 1.7. So the ratio
shows whether the inbox query uses its indexes, not the result size.

Instances belong to courses (one course per 10 instances, as a course has its
creation, quarterly analyses and so on), and every open task carries its
instance's course. The listed user's tasks lie in the courses of one pool
(``USER_COURSES``, 40, as the courses one CSB chair deals with), so the
inbox's course filter offers at most 40 courses in both databases.

``Engine.tasks(actor)`` (the real engine call: a read session and the inbox
query) is timed many times, interleaved between the two databases; medians
are printed with the ratio, and the query plan (EXPLAIN QUERY PLAN) of the
exact SQL the engine sent. Timings are printed, never asserted.

Run from the repository root:  python bench/inbox_scale.py [--small 1000 --large 100000 --reps 1000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import pct, versions  # noqa: E402
from sqlalchemy import event, func, insert, select  # noqa: E402

from engine import ROLES, Engine, FixedClock  # noqa: E402
from engine.base.models import Course, Instance, OpenTask  # noqa: E402
from engine.registry.users import DEFAULT_CSBS  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PROCESS_FILE = FIXTURES / "processes" / "review.bpmn"
FORMS_DIR = FIXTURES / "forms"
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
TARGET = 2.0

USER = "chair17"
USER_ROLE, USER_SCOPE = "csb_chair", "TC 1.7"
CSB_CODES = [code for code, _, _ in DEFAULT_CSBS]
# How often each role owns an open task: the reviews (multi-instance per CSB) dominate.
ROLE_WEIGHTS = {
    "csb_chair": 30, "csb_member": 20, "course_creator": 12, "course_coordinator": 8, "sector_administrator": 8,
    "implementer": 6, "secretariat": 5, "tc4": 4, "student": 4, "process_owner": 2, "auditor": 1,
}
DEFAULT_WEIGHT = 2  # a role added to engine/roles.py later
INSTANCES_PER_COURSE = 10
USER_COURSES = 40  # the listed user's tasks lie in courses 1..40
# Which task of review.bpmn a role's open task looks like (others get a generic one).
TASK_OF_ROLE = {
    "sector_administrator": ("prepare", "Prepare the course", "sector_administrator", "prepare.json"),
    "csb_chair": ("review_task", "Review by the CSB", "csb_chair", "review.json"),
    "course_creator": ("fix", "Refine the course", "course_creator", "fix.json"),
}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Populated:
    """One SQLite database with ``n`` instances and the listed user's actor."""

    def __init__(self, workdir: Path, n: int, visible: int, seed: int, analyze: bool):
        self.n = n
        self.path = workdir / f"inbox_{n}.db"
        processes = workdir / f"processes_{n}"
        processes.mkdir()
        shutil.copy(PROCESS_FILE, processes / PROCESS_FILE.name)
        self.engine = Engine(f"sqlite:///{self.path}", FixedClock(START))
        self.engine.init()
        report = self.engine.deploy_directory(processes, FORMS_DIR)
        if not report.ok:
            raise SystemExit(f"deploy failed: {report.problems}")
        self.definition_id = self.engine.deployed_versions()[0].id
        self.engine.add_user(USER, [f"{USER_ROLE}:{USER_SCOPE}"])
        self.actor = self.engine.actor(USER)
        started = time.perf_counter()
        self.open_rows = self._fill(random.Random(seed), visible)
        if analyze:
            with self.engine.db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        self.fill_seconds = time.perf_counter() - started

    def _fill(self, rng: random.Random, visible: int) -> int:
        roles = list(ROLES)
        weights = [ROLE_WEIGHTS.get(role, DEFAULT_WEIGHT) for role in roles]
        assignees = [f"user{i:04d}" for i in range(max(50, self.n // 50))]
        instances, tasks, running, pool = [], [], [], []
        courses = [dict(id=number, instance_id=_uuid(rng), name=f"Course {number}", status="planned",
                        created_at=START, updated_at=START)
                   for number in range(1, max(USER_COURSES, self.n // INSTANCES_PER_COURSE) + 1)]
        self.course_of: dict[str, int] = {}
        for _ in range(self.n):
            instance_id = _uuid(rng)
            started = START - dt.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            completed = rng.random() < 0.3
            course_id = self.course_of[instance_id] = rng.randrange(len(courses)) + 1
            instances.append(dict(
                id=instance_id, definition_id=self.definition_id, process_id="review", course_id=course_id,
                status="completed" if completed else "running", state_json='{"placeholder":true}', version=3,
                next_timer_at=None if completed else started + dt.timedelta(days=rng.randrange(1, 60)),
                started_at=started, started_by=rng.choice(assignees), updated_at=started,
                completed_at=started + dt.timedelta(days=30) if completed else None))
            if completed:
                continue
            running.append((instance_id, started))
            if course_id <= USER_COURSES:
                pool.append((instance_id, started))
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                role = rng.choices(roles, weights)[0]
                scope = assignee = claimed = None
                if ROLES[role].scoped:
                    scope = rng.choice(CSB_CODES)
                    while role == USER_ROLE and scope == USER_SCOPE:  # reserved: only the planted tasks
                        scope = rng.choice(CSB_CODES)
                elif role == "course_creator" or rng.random() < 0.1:
                    assignee = rng.choice(assignees)  # e.g. "fix", assigned to the course's creator
                if assignee is None and rng.random() < 0.1:
                    claimed = rng.choice(assignees)
                tasks.append(self._task(rng, instance_id, started, role, scope, assignee, claimed))
        # The listed user's tasks: half theirs by role and scope, half assigned to them by name.
        for i in range(visible):
            instance_id, started = rng.choice(pool)
            if i % 2 == 0:
                tasks.append(self._task(rng, instance_id, started, USER_ROLE, USER_SCOPE, None, None))
            else:
                tasks.append(self._task(rng, instance_id, started, "course_creator", None, USER, None))
        with self.engine.db.engine.begin() as conn:
            for table, rows in ((Course.__table__, courses), (Instance.__table__, instances),
                                (OpenTask.__table__, tasks)):
                for at in range(0, len(rows), 10_000):
                    conn.execute(insert(table), rows[at:at + 10_000])
        return len(tasks)

    def _task(self, rng, instance_id, started, role, scope, assignee, claimed) -> dict:
        bpmn_id, name, lane, form = TASK_OF_ROLE.get(role, (f"task_{role}", f"Task of {role}", role, None))
        created = started + dt.timedelta(hours=rng.randrange(1, 24 * 30))
        return dict(id=_uuid(rng), instance_id=instance_id, definition_id=self.definition_id, process_id="review",
                    course_id=self.course_of[instance_id],
                    bpmn_id=bpmn_id, name=name, lane=lane, role=role, scope=scope, assignee=assignee,
                    claimed_by=claimed, form=form, mi_key=scope if bpmn_id == "review_task" else None,
                    created_at=created,
                    due_at=created + dt.timedelta(days=3) if rng.random() < 0.4 else None)

    def list_tasks(self):
        return self.engine.tasks(self.actor)

    def counts(self) -> tuple[int, int]:
        with self.engine.db.read() as session:
            return (session.scalar(select(func.count()).select_from(Instance)),
                    session.scalar(select(func.count()).select_from(OpenTask)))

    def inbox_sql(self) -> tuple[str, tuple]:
        """The exact SQL and parameters the engine sends for ``tasks(actor)``."""
        seen = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            if "FROM open_tasks" in statement:
                seen.append((statement, parameters))

        event.listen(self.engine.db.engine, "before_cursor_execute", capture)
        try:
            self.list_tasks()
        finally:
            event.remove(self.engine.db.engine, "before_cursor_execute", capture)
        return seen[-1]

    def query_plan(self) -> list[str]:
        statement, parameters = self.inbox_sql()
        with self.engine.db.engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        depth, lines = {0: -1}, []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return lines

    def size_mib(self) -> float:
        with self.engine.db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return self.path.stat().st_size / 2**20

    def close(self) -> None:
        self.engine.close()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1_000, help="instances in the small database (default 1000)")
    parser.add_argument("--large", type=int, default=100_000,
                        help="instances in the large database (default 100000)")
    parser.add_argument("--visible", type=int, default=10, help="tasks the listed user sees in each (default 10)")
    parser.add_argument("--reps", type=int, default=1_000, help="timed listings per database (default 1000)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed listings per database first (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the filler data (default 1)")
    parser.add_argument("--analyze", action="store_true",
                        help="run ANALYZE after loading (the engine itself never does; off by default)")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="courseflow-bench-"))
    dbs = []
    try:
        begun = time.perf_counter()
        small = Populated(workdir, args.small, args.visible, args.seed, args.analyze)
        dbs.append(small)
        large = Populated(workdir, args.large, args.visible, args.seed + 1, args.analyze)
        dbs.append(large)

        results = {db.n: db.list_tasks() for db in dbs}
        for _ in range(args.warmup):
            small.list_tasks()
            large.list_tasks()
        times: dict[int, list[float]] = {small.n: [], large.n: []}
        for i in range(args.reps):
            order = (small, large) if i % 2 == 0 else (large, small)  # alternate which goes first
            for db in order:
                times[db.n].append(timed(db.list_tasks))

        s_med, l_med = statistics.median(times[small.n]), statistics.median(times[large.n])
        ratio = l_med / s_med
        print(f"Inbox scale: Engine.tasks(actor) for {USER} ({USER_ROLE}:{USER_SCOPE}), "
              f"{args.reps} listings per database, interleaved (+{args.warmup} warm-up)")
        print(f"  {versions()}, Python {sys.version.split()[0]}; "
              f"ANALYZE {'run' if args.analyze else 'not run (as in the engine)'}")
        print()
        print(f"  {'instances':>10}{'open tasks':>12}{'db MiB':>8}{'fill s':>8}{'visible':>9}"
              f"{'median':>9}{'p10':>8}{'p90':>8}  (ms)")
        for db in dbs:
            n_inst, n_open = db.counts()
            xs = times[db.n]
            print(f"  {n_inst:>10,}{n_open:>12,}{db.size_mib():>8.1f}{db.fill_seconds:>8.1f}"
                  f"{len(results[db.n]):>9}{statistics.median(xs):>9.3f}{pct(xs, 10):>8.3f}{pct(xs, 90):>8.3f}")
        print()
        verdict = "meets" if ratio <= TARGET else "MISSES"
        print(f"  ratio {args.large:,} / {args.small:,} instances (medians): {ratio:.2f}   target <= {TARGET:g}"
              f"  -> {verdict} the target")
        print()
        statement, parameters = large.inbox_sql()
        print("  inbox query sent by the engine:")
        print("    " + " ".join(statement.split()))
        print(f"    parameters: {parameters}")
        plans = {db.n: db.query_plan() for db in dbs}
        print(f"  EXPLAIN QUERY PLAN ({args.large:,} instances):")
        for line in plans[large.n]:
            print("    " + line)
        if plans[small.n] != plans[large.n]:
            print(f"  EXPLAIN QUERY PLAN ({args.small:,} instances) differs:")
            for line in plans[small.n]:
                print("    " + line)
        else:
            print(f"  (same plan on the {args.small:,}-instance database)")
        print(f"  total run time {time.perf_counter() - begun:.0f} s")
    finally:
        for db in dbs:
            db.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
