"""init and balita.toml, db upgrade/status, migrations, database failures, concurrency, startup."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from balita_cli.db.engine import WRITE_OPTION, create_db_engine
from balita_cli.db.migrate import head_revision
from balita_cli.db.urls import normalise_url
from tests.helpers.cli import BalitaProcess, Cli

UNSET = {"BALITA_DATABASE_URL": None}  # CliRunner removes variables set to None
HEAD = head_revision()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    made = create_db_engine(normalise_url(db_url, Path.cwd()))
    yield made
    made.dispose()


# ---------------------------------------------------------------- init and settings


def test_init_writes_settings_found_from_a_subdirectory(cli: Cli, tmp_path: Path) -> None:
    result = cli.ok(
        "init", "--database", cli.db_url, "--name", "Balita Ngayon",
        "--base-url", "https://ngayon.example.ph", "--language", "fil",
        "--publisher", "Ngayon Media", "--contact", "desk@ngayon.example.ph",
    )  # fmt: skip
    assert "Database ready" in result.stderr and result.stdout == ""
    with (tmp_path / "balita.toml").open("rb") as handle:
        settings = tomllib.load(handle)
    assert settings["site"]["name"] == "Balita Ngayon"
    assert settings["site"]["base_url"] == "https://ngayon.example.ph"
    assert settings["site"]["language"] == "fil"
    assert settings["site"]["timezone"] == "Asia/Manila"
    assert settings["publisher"] == {"name": "Ngayon Media", "email": "desk@ngayon.example.ph"}
    assert settings["database"]["url"] == cli.db_url

    deep = tmp_path / "drafts" / "2026"
    deep.mkdir(parents=True)
    os.chdir(deep)
    created = cli.ok("new", "Mula sa subdirectory", "--body", "x", "--porcelain", env=UNSET)
    data = cli.json("show", created.stdout.strip(), "--format", "json")
    assert data["language"] == "fil"
    assert data["url"] == "https://ngayon.example.ph/articles/mula-sa-subdirectory/"
    assert cli.ok("db", "status", env=UNSET).stdout.split()[2:] == ["revision", HEAD, "head", HEAD]


def test_init_refuses_to_overwrite_without_force(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--database", cli.db_url)
    refused = cli.fails(["init", "--database", cli.db_url])
    assert "exists (use --force" in refused.stderr
    cli.ok("init", "--database", cli.db_url, "--force", "--name", "Renamed")
    assert 'name = "Renamed"' in (tmp_path / "balita.toml").read_text(encoding="utf-8")
    assert "unknown time zone" in cli.fails(["init", "--force", "--timezone", "Mars/Olympus"]).stderr


def test_init_default_is_sqlite_next_to_the_settings(cli: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    cli.ok("init", str(site), env=UNSET)
    assert (site / "balita.db").is_file()
    with (site / "balita.toml").open("rb") as handle:
        assert tomllib.load(handle)["database"]["url"] == "sqlite:///balita.db"
    cli.ok("--site", str(site), "new", "Local", "--body", "x", env=UNSET)
    assert cli.ok("--site", str(site), "list", "--format", "count", env=UNSET).stdout == "1\n"


def test_init_demo(cli: Cli) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    rows = cli.json("list", "--format", "json", "--fields", "id,title,language,source_name,section")
    assert len(rows) >= 5 and {row["language"] for row in rows} == {"en", "fil"}
    vietnam = next(row for row in rows if "Vietnam" in row["title"])
    assert "Philippines" in vietnam["title"] and vietnam["source_name"] == "philstar.com"
    assert "Read more on philstar.com" in cli.ok("show", str(vietnam["id"])).stdout
    assert cli.ok("list", "--source", "philstar.com", "--format", "ids").stdout.split() == [str(vietnam["id"])]


def test_bad_settings_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "balita.toml").write_text("[site\nname = 1", encoding="utf-8")
    assert "cannot read" in cli.fails(["list"]).stderr
    (tmp_path / "balita.toml").write_text('[site]\ncolour = "red"\n', encoding="utf-8")
    assert "unknown setting" in cli.fails(["list"]).stderr
    assert "no balita.toml" in cli.fails(["--site", str(tmp_path / "nowhere"), "list"]).stderr


# ---------------------------------------------------------------- db commands and failures


def test_db_upgrade_and_status(blank_cli: Cli) -> None:
    cli = blank_cli
    before = cli.ok("db", "status").stdout.split()
    assert before[2:] == ["revision", "none", "head", HEAD]
    upgraded = cli.ok("db", "upgrade")
    assert f"upgraded from empty to {HEAD}" in upgraded.stderr
    assert "up to date" in cli.ok("db", "upgrade").stderr
    assert cli.ok("db", "status").stdout.split()[2:] == ["revision", HEAD, "head", HEAD]


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent/dir/x.db", "postgresql://postgres@127.0.0.1:1/balita", "ftp://example.ph/x"],
)
def test_database_that_cannot_connect(cli: Cli, url: str) -> None:
    for command in (["list"], ["new", "T", "--body", "x"], ["db", "upgrade"]):
        result = cli.fails(["--db", url, *command])
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ")
        assert "database" in lines[0]


def test_database_newer_than_the_code_is_refused(cli: Cli, engine: Engine) -> None:
    cli.ok("new", "Before the upgrade", "--body", "x")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    for command in (["list"], ["db", "upgrade"], ["new", "T", "--body", "x"]):
        result = cli.fails(command)
        assert result.stderr.startswith("error: the database is at schema revision 9999, newer than")
        assert len(result.stderr.splitlines()) == 1


def test_reader_is_not_blocked_by_an_open_write(cli: Cli, engine: Engine, balita_process: BalitaProcess) -> None:
    article = cli.new("Shared story", "--body", "x")
    with engine.execution_options(**{WRITE_OPTION: True}).connect() as connection:
        transaction = connection.begin()
        connection.execute(text("UPDATE article SET title = 'Uncommitted' WHERE id = :id"), {"id": article})
        reader = balita_process("list", "--format", "json", "--fields", "id,title")
        assert reader.returncode == 0, reader.stderr
        assert reader.stdout.count('"Shared story"') == 1
        transaction.rollback()


# ---------------------------------------------------------------- migrations


def _compare(engine: Engine) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import balita_cli.models  # noqa: F401

    def include_name(name: str | None, type_: str, _parent: object) -> bool:
        search = ("article_fts", "ix_article_fulltext", "article_search", "ix_article_search")  # the migrations' own
        return not (name or "").startswith((*search, "alembic_version"))

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        differences = list(compare_metadata(context, SQLModel.metadata))
        if connection.dialect.name == "sqlite":
            differences = _without_unreflected_on_delete(connection, differences)
        return differences


def _fk_key(constraint: Any) -> tuple[str, tuple[str, ...], str]:
    return (constraint.table.name, tuple(c.name for c in constraint.columns), constraint.referred_table.name)


def _without_unreflected_on_delete(connection: Any, differences: list[Any]) -> list[Any]:
    """SQLAlchemy does not read ON DELETE from a column's own REFERENCES clause on SQLite (the form
    a migration's ADD COLUMN must use there): such a foreign key shows as one removed and one
    added. Drop those pairs once SQLite itself confirms the action."""
    removed = {_fk_key(d[1]): d for d in differences if d[0] == "remove_fk"}
    added = {_fk_key(d[1]): d for d in differences if d[0] == "add_fk"}
    same = set(removed) & set(added)
    for table, columns, parent in same:
        actions = {(row[2], row[3]): row[6] for row in connection.exec_driver_sql(f"PRAGMA foreign_key_list({table})")}
        assert actions[(parent, columns[0])] == (added[(table, columns, parent)][1].ondelete or "NO ACTION")
    return [d for d in differences if not (d[0] in {"remove_fk", "add_fk"} and _fk_key(d[1]) in same)]


def test_migrations_match_the_models(engine: Engine) -> None:
    from balita_cli.db.migrate import downgrade, read_revision, upgrade

    upgrade(engine)
    assert read_revision(engine) == HEAD
    assert _compare(engine) == []
    downgrade(engine, "base")
    assert read_revision(engine) is None
    with engine.connect() as connection:
        from sqlalchemy import inspect

        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert _compare(engine) == []


def test_fulltext_index_survives_downgrade_and_upgrade(cli: Cli, engine: Engine) -> None:
    from balita_cli.db.migrate import downgrade, upgrade

    cli.new("Typhoon warning", "--body", "Signal number 3.")
    downgrade(engine, "base")
    upgrade(engine)
    cli.new("Typhoon again", "--body", "Signal number 4.")
    assert cli.ok("search", "typhoon", "--format", "count").stdout == "1\n"


# ---------------------------------------------------------------- startup cost


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_do_not_import_the_database_layer(flag: str) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "balita_cli", flag],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    heavy = {name for name in imported if re.match(r"(sqlalchemy|sqlmodel|pydantic|alembic)\b", name)}
    assert heavy == set()
    assert "balita_cli.launcher" in imported  # the check ran through the real entry point
    if flag == "--version":
        assert re.fullmatch(r"balita \d+\.\d+\.\d+\n", result.stdout)
    else:
        assert "publish" in result.stdout and "search" in result.stdout
