"""Mail benchmark (not a test): what notifications cost a completion, and how fast the outbox empties.

1. Notification cost: completing task ``prepare`` of ``tests/fixtures/processes/review.bpmn`` opens one review
   per CSB (here TC 1.3 and TC 2); with its open-task rows the completion writes one pending outbox row per new
   task (engine.mail.notify). The same completion with the notification hook replaced by a no-op is the
   baseline; the ratio's excess over 1 is what the notifications cost a completion (target: at most 10 %).
   SQLite file database, engine pragmas.
2. Addressing (the worker's share, off the completion's path): pending rows turned into one message per person
   (here four: a chair per CSB and one chair of every CSB), per task.
3. Delivery: N queued messages (default 1,000) sent by ``Engine.deliver_mail`` to an aiosmtpd server on
   loopback (its own process, keeping every message: ``aiosmtpd.handlers.Sink``), one SMTP connection per
   batch of 100: messages per second, lease and record included.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Engine, FixedClock  # noqa: E402
from engine.mail import notify  # noqa: E402
from tests.smtp import free_port  # noqa: E402

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
FIXTURES = ROOT / "tests" / "fixtures"
DATA = {"title": "x", "csbs": ["TC 1.3", "TC 2"], "creator": "bob"}


def new_engine(path: Path) -> Engine:
    engine = Engine(f"sqlite:///{path}", FixedClock(START))
    engine.init()
    assert engine.deploy_directory(FIXTURES / "processes", FIXTURES / "forms").ok
    for login, grant in (("admin", "sector_administrator"), ("chair13", "csb_chair:TC 1.3"),
                         ("chair2", "csb_chair:TC 2"), ("anychair", "csb_chair")):
        engine.add_user(login, [grant], "pw", name=login.title(), email=f"{login}@coomet.example")
    return engine


def prepared(engine: Engine, reps: int) -> list:
    """Start ``reps`` instances; return their ``prepare`` tasks."""
    admin = engine.actor("admin")
    for _ in range(reps):
        engine.start("review", {}, admin)
    return [t for t in engine.tasks(admin) if t.bpmn_id == "prepare"][:reps]


def complete_ms(engine: Engine, task) -> float:
    started = time.perf_counter()
    engine.complete(task.id, DATA, engine.actor("admin"))
    return (time.perf_counter() - started) * 1000


def notification_figures(folder: Path, reps: int) -> None:
    """Two databases side by side; completions alternate between them, so the machine's load hits both alike."""
    real, off = notify.task_opened, (lambda connection, rows: None)
    with_engine, without_engine = new_engine(folder / "with.db"), new_engine(folder / "without.db")
    notify.task_opened = off
    without_tasks = prepared(without_engine, reps)
    notify.task_opened = real
    with_tasks = prepared(with_engine, reps)
    with_mail, without = [], []
    try:
        for mine, theirs in zip(with_tasks, without_tasks):
            notify.task_opened = real
            with_mail.append(complete_ms(with_engine, mine))
            notify.task_opened = off
            without.append(complete_ms(without_engine, theirs))
    finally:
        notify.task_opened = real
        with_engine.close()
        without_engine.close()
    a, b = statistics.median(with_mail), statistics.median(without)
    print(f"completion writing its notifications: median {a:.3f} ms over {len(with_mail)}")
    print(f"completion without (hook a no-op):    median {b:.3f} ms over {len(without)}")
    print(f"notification cost: with / without = {a / b:.3f}  (target <= 1.10)")


def smtp_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                               "-l", f"127.0.0.1:{port}"])
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"smtp://127.0.0.1:{port}"
        time.sleep(0.1)
    raise RuntimeError("aiosmtpd did not start")


def delivery_figures(folder: Path, count: int) -> None:
    server, url = smtp_server()
    engine = new_engine(folder / "delivery.db")
    admin = engine.actor("admin")
    for _ in range(count // 4 + 1):  # each completion writes four letters, each start one to the admin
        engine.start("review", {}, admin)
    for task in [t for t in engine.tasks(admin) if t.bpmn_id == "prepare"]:
        engine.complete(task.id, DATA, admin)
    tasks = len(engine.tasks())
    started = time.perf_counter()
    engine.deliver_mail()  # no server: address the pending rows only
    seconds = time.perf_counter() - started
    queued = engine.outbox_counts(admin).get("queued", 0)
    print(f"addressing: {tasks} new tasks -> {queued} messages in {seconds:.2f} s = "
          f"{seconds / tasks * 1000:.2f} ms per task (in the worker)")
    os.environ["COURSEFLOW_SMTP_URL"] = url
    started = time.perf_counter()
    run = engine.deliver_mail(batch=100)
    seconds = time.perf_counter() - started
    server.terminate()
    server.wait()
    engine.close()
    assert run.sent == queued, (run, queued)
    print(f"delivery: {run.sent} messages to aiosmtpd on loopback in {seconds:.2f} s = {run.sent / seconds:.0f} per s")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=400, help="completions per side")
    parser.add_argument("--messages", type=int, default=1000, help="messages for the delivery figure")
    args = parser.parse_args(argv)
    os.environ.pop("COURSEFLOW_SMTP_URL", None)
    with tempfile.TemporaryDirectory(prefix="courseflow-bench-mail-") as folder:
        notification_figures(Path(folder), args.reps)
        delivery_figures(Path(folder), args.messages)


if __name__ == "__main__":
    main()
