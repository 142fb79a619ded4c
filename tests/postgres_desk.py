"""The PostgreSQL newsroom the roles and search tests share: one login per role made with `balita
user add`, connections as each of them, and what the database refuses them."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from typer.testing import Result

from balita_cli.db.dbapi import postgres_conninfo
from balita_cli.services.permissions import Role
from tests.conftest import Cli

PASSWORD = "kape-at-pandesal-42"


def login_url(url: str, user: str, password: str | None = PASSWORD) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    auth = f"{user}:{password}" if password else user
    return urlunsplit((parts.scheme, f"{auth}@{host}", parts.path, parts.query, parts.fragment))


@dataclass
class Desk:
    """This test's newsroom: one login per role (the admin is one by membership, not the owner),
    and the owner (postgres) for setting things up and looking at what happened."""

    cli: Cli
    tmp_path: Path
    names: dict[Role, str] = field(default_factory=dict)
    urls: dict[Role, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)  # other logins a test made, dropped at the end
    engine: Engine | None = None

    def run(self, role: Role, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.cli(*args, env={"BALITA_DATABASE_URL": self.urls[role], **(env or {})})

    def story(self, owner: str, *flags: str) -> str:
        """A story created by ``owner`` (the owner may record it under any name)."""
        title = f"Story {uuid.uuid4().hex[:8]}"
        return self.cli.ok("--as", owner, "new", title, "--body", "Text.", "--porcelain", *flags).stdout.strip()

    def other(self, role: Role) -> str:
        """A login of another role than ``role``."""
        return self.names[Role.EDITOR if role is not Role.EDITOR else Role.CONTRIBUTOR]

    def sql(self, statement: str, **params: Any) -> list[Any]:
        """Run SQL as the owner (postgres), in a transaction of its own."""
        if self.engine is None:
            self.engine = create_engine(self.cli.db_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with self.engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []

    def digest(self) -> str:
        """Everything a command could have written, as one hash (read by the owner)."""
        tables = ("article", "revision", "correction", "tag", "section", "author", "article_tag", "article_author",
                  "article_slug", "photo", "source", "setting")  # fmt: skip
        each = [f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {t} AS t)" for t in tables]
        members = ("(SELECT string_agg(pair, ',' ORDER BY pair) FROM (SELECT roleid::regrole || '>' "
                   "|| member::regrole AS pair FROM pg_auth_members) AS pairs)")  # fmt: skip
        row = self.sql(f"SELECT {', '.join([*each, members])}")[0]
        return hashlib.sha256(json.dumps(list(row)).encode()).hexdigest()


@pytest.fixture
def desk(cli: Cli, tmp_path: Path) -> Iterator[Desk]:
    suffix = uuid.uuid4().hex[:8]
    made = Desk(cli, tmp_path)
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    for role, person in zip(Role, ("ana", "ben", "cora", "dado"), strict=True):
        name = f"{person}_{suffix}"
        result = cli.ok("user", "add", name, "--role", role.value, "--email", f"{person}@balita.example.ph",
                        "--password-file", str(tmp_path / "pw"))  # fmt: skip
        assert f"{name} is {role.with_article} here (a new login)" in result.stderr
        made.names[role], made.urls[role] = name, login_url(cli.db_url, name)
    try:
        yield made
    finally:
        logins = [*made.names.values(), *made.extra]
        _wait_for_sessions_to_end(made, logins)  # a closed connection's server process ends a moment later
        for name in logins:
            made.sql(f'DROP ROLE IF EXISTS "{name}"')
        if made.engine is not None:
            made.engine.dispose()


def _wait_for_sessions_to_end(desk: Desk, logins: list[str], seconds: float = 10) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = desk.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = ANY(:names)", names=logins)
        if found[0][0] == 0:
            return
        time.sleep(0.05)


@pytest.fixture
def connect(desk: Desk) -> Iterator[Callable[[Role], Any]]:
    import psycopg

    opened: list[Any] = []

    def open_as(role: Role) -> Any:
        connection = psycopg.connect(postgres_conninfo(desk.urls[role]) or "", autocommit=True)
        opened.append(connection)
        return connection

    yield open_as
    for connection in opened:
        connection.close()


def denied(connection: Any, statement: str, *params: Any) -> str:
    """The statement is refused by the database (insufficient privilege); its message."""
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        connection.execute(statement, params)
    return str(caught.value)
