"""Articles as balita's own commands give them back: every field, by slug, and what an import
reports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from balita_cli.schema import RECORD_FIELDS
from tests.helpers.cli import Cli

ALL_FIELDS = ",".join(RECORD_FIELDS)
# A test's stories by the names it gives them: the ids balita gave them.
Stories = dict[str, int]


def import_summary(cli: Cli, *args: str, env: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """What ``balita import <args> --format json`` reports, the import having succeeded."""
    data: dict[str, Any] = json.loads(cli.ok("import", *args, "--format", "json", env=env).stdout)
    return data


def records(cli: Cli, *extra: str) -> list[dict[str, Any]]:
    """Every article with every field, as ``list --format jsonl`` writes them (``extra``: more
    options of ``list``)."""
    out = cli.ok("list", "--format", "jsonl", "--fields", ALL_FIELDS, "--limit", "100000", *extra).stdout
    return [json.loads(line) for line in out.splitlines()]


def by_slug(cli: Cli, *extra: str) -> dict[str, dict[str, Any]]:
    return {record["slug"]: record for record in records(cli, *extra)}


def export(cli: Cli, *args: str) -> str:
    """What ``balita export <args>`` writes to stdout; it must succeed and say nothing."""
    result = cli.ok("export", *args)
    assert result.stderr == ""
    return result.stdout
