"""Database connection: one SQLAlchemy engine, read and write sessions.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` so that two
writers queue on the database lock (busy timeout) instead of failing half-way;
reads stay deferred and run beside a writer thanks to WAL. On PostgreSQL the
instance version column and row locks do the same job.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.base.config import lock_timeout_seconds
from engine.base.errors import BUSY, Busy

_WRITE = "courseflow_write"


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class Database:
    """Owns the engine; hands out read sessions and write transactions."""

    def __init__(self, url: str):
        self.url = normalize_url(url)
        self.lock_timeout = lock_timeout_seconds()
        self.engine: Engine = create_engine(self.url, **_engine_options(self.url, self.lock_timeout))
        if self.is_sqlite:
            _configure_sqlite(self.engine, self.lock_timeout)
        else:
            _configure_postgres(self.engine, self.lock_timeout)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with busy_as_error(), self._reader() as session:
            yield session

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only transaction that sees one snapshot throughout (long consistency checks)."""
        options = {} if self.is_sqlite else {"isolation_level": "REPEATABLE READ"}
        with busy_as_error(), Session(self.engine.execution_options(**options), expire_on_commit=False) as session, \
                session.begin():
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on error."""
        with busy_as_error(), self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


# SQLite: the busy timeout ran out. PostgreSQL: lock_timeout (55P03), deadlock (40P01).
_BUSY_SQLITE = ("database is locked", "database table is locked")
_BUSY_POSTGRES = ("55P03", "40P01")


def is_busy(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in _BUSY_POSTGRES or any(text in str(error.orig) for text in _BUSY_SQLITE)


@contextlib.contextmanager
def busy_as_error() -> Iterator[None]:
    """A held lock becomes :class:`Busy` ("try again"), never a driver traceback."""
    try:
        yield
    except OperationalError as error:
        if is_busy(error):
            raise Busy(BUSY, reason="busy") from None
        raise


def _engine_options(url: str, lock_timeout: float) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": lock_timeout}}
    return {"pool_pre_ping": True}


def _configure_postgres(engine: Engine, lock_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout * 1000)}")
        dbapi_connection.commit()


def _configure_sqlite(engine: Engine, lock_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       f"busy_timeout={int(lock_timeout * 1000)}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
