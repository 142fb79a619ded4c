"""The PostgreSQL newsroom the roles and search tests share: one login per role made with `balita
user add`, connections as each of them, and what the database refuses them. The fixtures
``desk`` and ``connect`` are in tests/conftest.py."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import Result

from balita_cli.services.permissions import Role
from tests.helpers.cli import Cli
from tests.helpers.database import engine_of

PASSWORD = "kape-at-pandesal-42"
# The ``connect`` fixture: a connection straight to PostgreSQL as a role's login.
Connect = Callable[[Role], psycopg.Connection[Any]]
# Every table a command may write, and who belongs to which role: hashed together by ``digest``.
WRITTEN_TABLES = (
    "article", "revision", "correction", "tag", "section", "author", "article_tag", "article_author",
    "article_slug", "photo", "source", "setting", "page", "page_revision",
)  # fmt: skip
MEMBERSHIPS = (
    "(SELECT string_agg(pair, ',' ORDER BY pair) FROM (SELECT roleid::regrole || '>' "
    "|| member::regrole AS pair FROM pg_auth_members) AS pairs)"
)


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
            self.engine = engine_of(self.cli.db_url)
        with self.engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []

    def digest(self) -> str:
        """Everything a command could have written, as one hash (read by the owner)."""
        each = [
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {t} AS t)"
            for t in WRITTEN_TABLES
        ]
        row = self.sql(f"SELECT {', '.join([*each, MEMBERSHIPS])}")[0]
        return hashlib.sha256(json.dumps(list(row)).encode()).hexdigest()

    def add_logins(self) -> None:
        """One login per role, made with ``balita user add``."""
        suffix = uuid.uuid4().hex[:8]
        (self.tmp_path / "pw").write_text(PASSWORD + "\n")
        for role, person in zip(Role, ("ana", "ben", "cora", "dado"), strict=True):
            name = f"{person}_{suffix}"
            email, password_file = f"{person}@balita.example.ph", str(self.tmp_path / "pw")
            added = self.cli.ok(
                "user", "add", name, "--role", role.value, "--email", email, "--password-file", password_file
            )
            assert f"{name} is {role.with_article} here (a new login)" in added.stderr
            self.names[role], self.urls[role] = name, login_url(self.cli.db_url, name)

    def drop_logins(self, seconds: float = 10) -> None:
        """Drop every login the test made, once their sessions have ended (a closed connection's
        server process ends a moment later)."""
        logins = [*self.names.values(), *self.extra]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = ANY(:names)", names=logins)
            if found[0][0] == 0:
                break
            time.sleep(0.05)
        for name in logins:
            self.sql(f'DROP ROLE IF EXISTS "{name}"')
        if self.engine is not None:
            self.engine.dispose()


def denied(connection: psycopg.Connection[Any], statement: str, *params: Any) -> str:
    """The statement is refused by the database (insufficient privilege); its message."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        connection.execute(statement, params)
    return str(caught.value)
