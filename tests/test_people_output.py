"""What a person reads: time-to-publish in words, a fixed clock, and the docs' screenshots."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from tests.helpers.cli import Cli

ROOT = Path(__file__).resolve().parents[1]


def test_scheduled_list_says_when_in_words(cli: Cli) -> None:
    cli.ok("--clock", "2026-11-29 12:00", "new", "Budget vote", "--status", "scheduled", "--at", "2026-11-30 08:00")
    out = cli.ok("--clock", "2026-11-30 05:00", "list", "--status", "scheduled").stdout
    header, row = out.splitlines()
    assert header.split("\t") == ["id", "status", "scheduled_at", "section", "title"]
    assert "2026-11-30 08:00 +0800 (in 3 hours)" in row


def test_clock_decides_what_is_due(cli: Cli) -> None:
    cli.ok("--clock", "2026-11-29 12:00", "new", "Morning story", "--status", "scheduled", "--at", "2026-11-30 08:00")
    assert cli.ok("--clock", "2026-11-30 07:59", "publish", "--due").stdout == ""
    assert cli.ok("--clock", "2026-11-30 08:00", "publish", "--due").stdout.startswith("published\t1\t")
    shown = cli.json("show", "1", "--format", "json")
    assert shown["published_at"] == "2026-11-30T00:00:00+00:00"


def test_bad_clock_is_a_clean_error(cli: Cli) -> None:
    result = cli.fails(["--clock", "someday", "list"])
    assert result.stderr.startswith("error: cannot read date 'someday'")


def test_docs_screenshots_show_what_the_app_prints() -> None:
    generator = runpy.run_path(str(ROOT / "docs" / "generate_screenshots.py"))
    assert generator["stale"]() == [], "run: python docs/generate_screenshots.py"
    picture = (ROOT / "docs" / "screenshots" / "list.svg").read_text(encoding="utf-8")
    assert "Philippines,&#160;Vietnam" in picture or "Philippines, Vietnam" in picture


@pytest.mark.slow
def test_recording_screenshots_leaves_scripts_plain_output(cli: Cli) -> None:
    runpy.run_path(str(ROOT / "docs" / "generate_screenshots.py"))["render"]()
    cli.new("After the pictures")
    assert cli.ok("list").stdout.startswith("id\tstatus\t")


def test_a_date_error_names_every_form_the_parser_reads(cli: Cli) -> None:
    message = cli.fails(["list", "--since", "last blue moon"]).stderr
    assert message.count("\n") == 1 and message.startswith("error: cannot read date 'last blue moon': use ")
    forms = [
        "2026-12-01",
        "'2026-12-01 08:00'",
        "2026-12-01T08:00+08:00",
        "now",
        "today",
        "yesterday",
        "tomorrow",
        "'in 3 hours'",
        "'2 days ago'",
        "minutes",
        "weeks",
    ]
    assert all(form in message for form in forms), message
    # Each form named is read, and so are the units it names.
    for form in [*forms[:-2], "'in 90 minutes'", "'1 week ago'"]:
        cli.ok("list", "--since", form.strip("'"))
