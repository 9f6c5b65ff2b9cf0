"""Shared fixtures: every database test runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine import Engine, FixedClock
from engine.base.db import normalize_url
from tests.pgserver import PostgresServer

FIXTURES = Path(__file__).parent / "fixtures"
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def postgres_url():
    url = os.environ.get("COURSEFLOW_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    server = PostgresServer()
    if not server.available:
        if os.environ.get("COURSEFLOW_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (COURSEFLOW_REQUIRE_POSTGRES) but its server is not installed")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'courseflow.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def engine(database_url, clock):
    engine = Engine(database_url, clock)
    engine.init()
    yield engine
    engine.close()


@pytest.fixture
def people(engine):
    """One user per role the test processes need, keyed by login."""
    engine.add_user("admin", ["sector_administrator"], "pw")
    engine.add_user("chair13", ["csb_chair:TC 1.3"], "pw")
    engine.add_user("chair2", ["csb_chair:TC 2"], "pw")
    engine.add_user("anychair", ["csb_chair"], "pw")
    engine.add_user("bob", ["course_creator"], "pw")
    engine.add_user("carol", ["course_creator"], "pw")
    engine.add_user("owner", ["process_owner"], "pw")
    return {login: engine.actor(login) for login in
            ("admin", "chair13", "chair2", "anychair", "bob", "carol", "owner")}


@pytest.fixture
def deployed(engine):
    report = engine.deploy_directory(FIXTURES / "processes", FIXTURES / "forms")
    assert report.ok, report.problems
    return report
