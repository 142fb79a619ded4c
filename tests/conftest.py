"""Fixtures and hooks: every test gets its own real database and never touches a user's data.

The database is a SQLite file under tmp_path, or, when BALITA_TEST_DATABASE_URL names a
PostgreSQL server, a fresh schema on that server (dropped afterwards). CI runs the suite once
each way. What the test modules share besides fixtures is in tests/helpers/.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from balita_cli.db.dbapi import postgres_conninfo
from balita_cli.db.migrate import ensure_schema
from balita_cli.services.permissions import Role
from tests.helpers.cli import BalitaProcess, Cli, isolate
from tests.helpers.database import TEST_DATABASE_ENV, engine_of, fresh_database, on_postgres
from tests.helpers.feed_server import FeedSite
from tests.helpers.programs import MISSING_MARKERS, REQUIRE_EXTERNAL_ENV
from tests.helpers.roles import Connect, Desk


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(monkeypatch, tmp_path)


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database for this test, with no schema yet (see ``ready_db_url``)."""
    yield from fresh_database(tmp_path)


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """More empty databases for this test, on the same kind of server, on demand."""
    made: list[Generator[str, None, None]] = []

    def make() -> str:
        made.append(fresh_database(tmp_path, f"other{len(made)}"))
        return next(made[-1])

    yield make
    for generator in made:
        generator.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file at the head revision, copied for every test that wants a ready database."""
    path = tmp_path_factory.mktemp("template") / "balita.db"
    engine = engine_of(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()
    return path


@pytest.fixture
def ready_db_url(db_url: str, sqlite_template: Path) -> str:
    """This test's database with the schema in place, as `balita init` leaves it."""
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        if not path.exists():  # another fixture may have made it already
            shutil.copyfile(sqlite_template, path)
    else:
        engine = engine_of(db_url)
        ensure_schema(engine)
        engine.dispose()
    return db_url


@pytest.fixture
def cli(ready_db_url: str) -> Cli:
    return Cli(db_url=ready_db_url, runner=CliRunner())


@pytest.fixture
def blank_cli(db_url: str) -> Cli:
    """balita on a database with no schema yet: the first command (or `db upgrade`) makes it."""
    return Cli(db_url=db_url, runner=CliRunner())


@pytest.fixture
def other_cli(cli: Cli, new_database: Callable[[], str]) -> Cli:
    """A second, empty newsroom next to ``cli``'s, on the same kind of database."""
    url = new_database()
    engine = engine_of(url)
    ensure_schema(engine)
    engine.dispose()
    return Cli(db_url=url, runner=cli.runner)


@pytest.fixture
def balita_process(ready_db_url: str) -> BalitaProcess:
    return BalitaProcess(db_url=ready_db_url)


# ---------------------------------------------------------------- markers


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``postgres`` runs only where BALITA_TEST_DATABASE_URL names a server (CI has
    one); ``pytest -m postgres`` picks these tests out."""
    marker = item.get_closest_marker("postgres")
    if marker is not None and not on_postgres():
        why = marker.kwargs.get("reason", "it needs a PostgreSQL server")
        pytest.skip(f"{why}: set {TEST_DATABASE_ENV} (CI does)")


# ---------------------------------------------------------------- outside programs


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI every outside program is installed, so a skip for a missing one is a failure there."""
    report = yield
    if not (os.environ.get(REQUIRE_EXTERNAL_ENV) and report.skipped and isinstance(report.longrepr, tuple)):
        return report
    reason = str(report.longrepr[2]).lower()
    if any(marker in reason for marker in MISSING_MARKERS):
        report.outcome = "failed"
        report.longrepr = f"{REQUIRE_EXTERNAL_ENV} is set but the test was skipped: {report.longrepr[2]}"
    return report


# ---------------------------------------------------------------- the desk's feeds


@pytest.fixture(scope="module")
def http_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def feed_site(http_server: HTTPServer) -> Iterator[FeedSite]:
    """A fresh set of feeds on the module's server; handlers that hang are let go at the end."""
    http_server.clear()
    feeds = FeedSite(http_server, threading.Event())
    http_server.expect_request(re.compile(".*")).respond_with_handler(feeds.handle)
    yield feeds
    feeds.release.set()
    http_server.clear()


# ---------------------------------------------------------------- the PostgreSQL newsroom


@pytest.fixture
def desk(cli: Cli, tmp_path: Path) -> Iterator[Desk]:
    """One login per role on this test's PostgreSQL schema, dropped when the test ends."""
    made = Desk(cli, tmp_path)
    try:
        made.add_logins()
        yield made
    finally:
        made.drop_logins()


@pytest.fixture
def connect(desk: Desk) -> Iterator[Connect]:
    """Connections straight to PostgreSQL as each role's login, closed when the test ends."""
    opened: list[psycopg.Connection[Any]] = []

    def open_as(role: Role) -> psycopg.Connection[Any]:
        connection = psycopg.connect(postgres_conninfo(desk.urls[role]) or "", autocommit=True)
        opened.append(connection)
        return connection

    yield open_as
    for connection in opened:
        connection.close()


# The S3-compatible server (SeaweedFS) that the bucket, deploy and media store tests share.
from tests.helpers.s3server import s3_bucket, s3_server  # noqa: E402, F401
