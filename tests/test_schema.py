"""The article schema is declared once: a field added there reaches every command and format."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from balita_cli import schema
from tests.helpers.cli import Cli
from tests.helpers.database import store_raw

PACKAGE = Path(schema.__file__).parent
NEW_FIELD = (
    '    Field("kicker", Kind.TEXT, "A word or two above the headline.", limit=100, flag="--kicker", extra=True),\n'
)
NEW_COLUMN = '    kicker: str = Field(default="", max_length=limit_of("kicker"))\n'


def _with_new_field(folder: Path) -> Path:
    """A copy of balita with one field more, added where the schema says a field is added: a line
    in schema.py and its column in models.py (the test adds the column itself, as a migration would)."""
    copy = folder / "balita_cli"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    schema_file, models_file = copy / "schema.py", copy / "models.py"
    text = schema_file.read_text(encoding="utf-8")
    anchor = '    Field("subtitle",'
    schema_file.write_text(text.replace(anchor, NEW_FIELD + anchor, 1), encoding="utf-8")
    models = models_file.read_text(encoding="utf-8")
    column = '    subtitle: str = Field(default="")\n'
    assert column in models
    models_file.write_text(models.replace(column, column + NEW_COLUMN, 1), encoding="utf-8")
    return folder


def _add_column(db_url: str) -> None:
    from sqlalchemy import create_engine, text

    from balita_cli.db.urls import normalise_url

    engine = create_engine(normalise_url(db_url, Path.cwd()))
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE article ADD COLUMN kicker VARCHAR(100) NOT NULL DEFAULT ''"))
    engine.dispose()


@pytest.mark.slow
def test_a_field_added_to_the_schema_reaches_show_export_and_import(cli: Cli, tmp_path: Path) -> None:
    patched = _with_new_field(tmp_path / "patched")
    _add_column(cli.db_url)

    def balita(*args: str, db: str = cli.db_url) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(patched), "BALITA_DATABASE_URL": db}
        done = subprocess.run([sys.executable, "-m", "balita_cli", *args], env=env, capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done

    article_id = balita("new", "Senate passes the budget", "--kicker", "Exclusive", "--porcelain").stdout.strip()
    assert "--kicker" in balita("edit", "--help").stdout
    shown = json.loads(balita("show", article_id, "--format", "json").stdout)
    assert shown["kicker"] == "Exclusive"
    exported = balita("export", "jsonl").stdout
    assert json.loads(exported)["kicker"] == "Exclusive"

    dump = tmp_path / "dump.jsonl"
    dump.write_text(exported.replace("Exclusive", "Eksklusibo"), encoding="utf-8")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    balita("db", "upgrade", db=other)
    _add_column(other)
    balita("import", "jsonl", str(dump), db=other)
    assert json.loads(balita("show", "1", "--format", "json", db=other).stdout)["kicker"] == "Eksklusibo"


def test_list_jsonl_and_export_jsonl_print_the_same_bytes(cli: Cli) -> None:
    cli.new("Isa", "--status", "published", "--tag", "Senate", "--author", "Ana Reyes", "--body", "Unang talata.")
    cli.new("Dalawa", "--lang", "fil", "--section", "Politics", "--body", "Ikalawa")
    listed = cli.ok("list", "--format", "jsonl", "--sort", "id").stdout
    exported = cli.ok("export", "jsonl", "--sort", "id").stdout
    assert listed == exported and len(listed.splitlines()) == 2
    shown = json.loads(cli.ok("show", "1", "--format", "json").stdout)
    assert shown == json.loads(listed.splitlines()[0])


def test_every_record_field_is_in_the_schema_and_in_order(cli: Cli) -> None:
    cli.new("Isa", "--body", "x")
    record = json.loads(cli.ok("show", "1", "--format", "json").stdout)
    assert tuple(record) == schema.RECORD_FIELDS


@pytest.mark.parametrize("name", [spec.name for spec in schema.FIELDS if spec.kind is schema.Kind.URL and spec.flag])
def test_every_url_field_takes_http_only(cli: Cli, name: str) -> None:
    flag = schema.BY_NAME[name].flag or ""
    for hostile in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd", "//evil"):
        assert "http(s) URL" in cli.fails(["new", "T", flag, hostile]).stderr
    article = cli.new("T", flag, "https://example.ph/a")
    store_raw(cli.db_url, article, **{name: "https://example.ph/b"})
    assert json.loads(cli.ok("show", str(article), "--format", "json").stdout)[name] == "https://example.ph/b"
