"""A throwaway PostgreSQL server for the test session (tests start what they need).

Uses ``COURSEFLOW_TEST_POSTGRES_URL`` when set; otherwise starts a private
cluster on a free loopback port with the installed server binaries.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bin = _binaries()
        self.dir: str | None = None
        self.port = _free_port()

    @property
    def available(self) -> bool:
        return self.bin is not None

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        self.dir = tempfile.mkdtemp(prefix="courseflow-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        data = os.path.join(self.dir, "data")
        self._run(str(self.bin / "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off -c max_connections=200"
        self._run(str(self.bin / "pg_ctl"), "-D", data, "-o", options, "-w", "-l", os.path.join(self.dir, "log"),
                  "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.dir:
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", os.path.join(self.dir, "data"), "-m", "immediate", "stop")
            finally:
                shutil.rmtree(self.dir, ignore_errors=True)
