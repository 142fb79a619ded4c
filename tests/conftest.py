"""Shared fixtures: every test gets its own real database and never touches a user's data.

The database is a SQLite file under tmp_path, or, when BALITA_TEST_DATABASE_URL names a
PostgreSQL server, a fresh schema on that server (dropped afterwards). CI runs the suite once
each way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from balita_cli.cli import app

TEST_DATABASE_ENV = "BALITA_TEST_DATABASE_URL"
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = SHARED / "corpora"
# The small, permissively licensed part of the corpora, copied here (see its SOURCES.md).
LOCAL_CORPORA = Path(__file__).resolve().parent / "fixtures" / "corpora"
ISOLATED_ENV = ("BALITA_DATABASE_URL", "BALITA_SITE", "BALITA_USER", "VISUAL", "EDITOR", "NO_COLOR")


def postgres_url() -> str | None:
    return os.environ.get(TEST_DATABASE_ENV) or None


def on_postgres() -> bool:
    return postgres_url() is not None


def corpora_path(*parts: str) -> Path:
    """A file of the test corpora: the copy in tests/fixtures when there is one, else the shared
    corpora; the test is skipped where neither has it."""
    local = LOCAL_CORPORA.joinpath(*parts)
    if local.exists():
        return local
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpora not available at {path}")
    return path


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BALITA_RECOVERY_DIR", str(tmp_path / "recovery"))
    monkeypatch.setenv("BALITA_WIDTH", "200")
    monkeypatch.chdir(tmp_path)


def _postgres_schema_url(base: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        from balita_cli.services.users import group_roles

        with admin.begin() as connection:
            groups = group_roles(connection, schema)  # roles are the server's: dropped with the schema by hand
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            for group in groups:
                connection.execute(text(f'DROP ROLE IF EXISTS "{group}"'))
        admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database for this test, with no schema yet (see ``ready_db_url``)."""
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'balita.db'}"
    else:
        yield from _postgres_schema_url(base)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file at the head revision, copied for every test that wants a ready database."""
    from balita_cli.db.engine import create_db_engine
    from balita_cli.db.migrate import ensure_schema

    path = tmp_path_factory.mktemp("template") / "balita.db"
    engine = create_db_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()
    return path


@pytest.fixture
def ready_db_url(db_url: str, sqlite_template: Path) -> str:
    """This test's database with the schema in place, as `balita init` leaves it."""
    import shutil

    from balita_cli.db.engine import create_db_engine
    from balita_cli.db.migrate import ensure_schema

    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        if not path.exists():  # another fixture may have made it already
            shutil.copyfile(sqlite_template, path)
    else:
        engine = create_db_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
        ensure_schema(engine)
        engine.dispose()
    return db_url


@dataclass
class Cli:
    """Runs balita in-process against this test's database; stdout and stderr kept apart."""

    db_url: str
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        full_env = {"BALITA_DATABASE_URL": self.db_url, **(env or {})}
        return self.runner.invoke(app, list(args), input=input, env=full_env, catch_exceptions=True)

    def ok(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        """Run and insist on success, showing stderr and any traceback when it fails."""
        result = self(*args, input=input, env=env)
        if result.exit_code != 0:
            raise AssertionError(
                f"balita {' '.join(args)} exited {result.exit_code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\nexception: {result.exception!r}"
            )
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args).stdout)

    def new(self, title: str, *extra: str) -> int:
        return int(self.ok("new", title, "--porcelain", *extra).stdout.strip())

    def fails(self, args: Sequence[str], code: int = 1, *, input: str | None = None) -> Result:
        """Run and insist on a clean failure: the exit code, one error line, no traceback."""
        result = self(*args, input=input)
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
        return result


def store_raw(db_url: str, article_id: int, **columns: Any) -> None:
    """Write article columns straight into the database, past every check balita makes on input:
    how data from an older version or another client looks, for tests of the outputs' defences."""
    from sqlalchemy import create_engine, text

    from balita_cli.config import normalise_url

    engine = create_engine(normalise_url(db_url, Path.cwd()))
    try:
        with engine.begin() as connection:
            assignments = ", ".join(f"{name} = :{name}" for name in columns)
            connection.execute(text(f"UPDATE article SET {assignments} WHERE id = :id"), {**columns, "id": article_id})
    finally:
        engine.dispose()


@contextmanager
def demo_site(folder: Path) -> Iterator[Cli]:
    """The demo newsroom on SQLite in ``folder``, for a module's fixture (one site for many tests):
    while it is used, ``folder`` is the working directory and the environment is isolated."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ISOLATED_ENV:
            patch.delenv(name, raising=False)
        patch.chdir(folder)
        cli = Cli(db_url=f"sqlite:///{folder / 'balita.db'}", runner=CliRunner())
        cli.ok("init", "--demo", "--database", cli.db_url)
        yield cli


@pytest.fixture
def cli(ready_db_url: str) -> Cli:
    return Cli(db_url=ready_db_url, runner=CliRunner())


@pytest.fixture
def blank_cli(db_url: str) -> Cli:
    """balita on a database with no schema yet: the first command (or `db upgrade`) makes it."""
    return Cli(db_url=db_url, runner=CliRunner())


# ---------------------------------------------------------------- the site build's manifest


def site_manifest_files(output: Path) -> dict[str, dict[str, Any]]:
    """Path -> entry of each file the last build of ``output`` recorded, whichever layout its
    manifest has (version 3 keeps one list per field; older ones an object per file)."""
    files = json.loads((output / ".balita-build.json").read_text(encoding="utf-8"))["files"]
    if isinstance(files.get("path"), list):
        rows = zip(*(files[name] for name in ("path", "size", "sha256", "key")), strict=True)
        return {path: {"size": size, "sha256": sha256, "key": key} for path, size, sha256, key in rows}
    return dict(files)


# ---------------------------------------------------------------- outside programs

REQUIRE_EXTERNAL_ENV = "BALITA_REQUIRE_EXTERNAL"
MISSING_MARKERS = ("missing program", "not installed", "not available", "not on path", "is missing")


def needs_program(name: str) -> str:
    """The program's path; skip (fail under CI's BALITA_REQUIRE_EXTERNAL) when it is absent."""
    import shutil

    path = shutil.which(name)
    if path is None:
        pytest.skip(f"missing program: {name} is not installed")
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI every outside program is installed, so a skip for a missing one is a failure there."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not (os.environ.get(REQUIRE_EXTERNAL_ENV) and report.skipped and isinstance(report.longrepr, tuple)):
        return
    reason = str(report.longrepr[2]).lower()
    if any(marker in reason for marker in MISSING_MARKERS):
        report.outcome = "failed"
        report.longrepr = f"{REQUIRE_EXTERNAL_ENV} is set but the test was skipped: {report.longrepr[2]}"


@dataclass
class BalitaProcess:
    """Runs ``python -m balita_cli`` as a separate process against this test's database."""

    db_url: str

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "BALITA_DATABASE_URL": self.db_url, **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "balita_cli", *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
            check=False,
        )


@pytest.fixture
def balita_process(ready_db_url: str) -> BalitaProcess:
    return BalitaProcess(db_url=ready_db_url)


# The PostgreSQL newsroom (a login per role) that the roles and search tests share.
from tests.postgres_desk import connect, desk  # noqa: E402, F401
