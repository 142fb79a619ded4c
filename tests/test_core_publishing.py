"""publish (now, --at, --due), unpublish, archive; status rules and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from balita_cli.db.engine import create_db_engine
from balita_cli.db.urls import normalise_url
from tests.helpers.cli import Cli

FAR_FUTURE = "2099-12-01 08:00"


def record(cli: Cli, ref: int) -> dict[str, Any]:
    data: dict[str, Any] = cli.json("show", str(ref), "--format", "json")
    return data


def run_sql(db_url: str, statement: str, **params: Any) -> list[Any]:
    """Reach under the command line, e.g. to move a time into the past."""
    engine = create_db_engine(normalise_url(db_url, Path.cwd()))
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def test_publish_now_and_unpublish(cli: Cli) -> None:
    article = cli.new("Breaking", "--body", "x")
    result = cli.ok("publish", str(article))
    assert result.stderr == "Published 1 (breaking)\n"
    data = record(cli, article)
    assert data["status"] == "published" and data["published_at"].endswith("+00:00")
    cli.ok("unpublish", "breaking")
    assert record(cli, article)["status"] == "draft"


def test_publish_at_reads_manila_time_and_stores_utc(cli: Cli) -> None:
    article = cli.new("Scheduled story", "--body", "x")
    result = cli.ok("publish", str(article), "--at", FAR_FUTURE)
    assert result.stderr == "Scheduled 1 (scheduled-story) for 2099-12-01 08:00 +0800\n"
    data = record(cli, article)
    assert data["status"] == "scheduled"
    assert data["scheduled_at"] == "2099-12-01T00:00:00+00:00"
    assert "2099-12-01 08:00 +0800" in cli.ok("show", str(article)).stdout
    stored = run_sql(cli.db_url, "SELECT scheduled_at FROM article WHERE id = :id", id=article)
    value = stored[0][0]
    if isinstance(value, str):  # SQLite keeps naive UTC text
        assert value.startswith("2099-12-01 00:00:00")
    else:
        assert value.astimezone(UTC) == datetime(2099, 12, 1, tzinfo=UTC)
    # Rescheduling keeps it scheduled; unpublishing drops the schedule.
    cli.ok("publish", str(article), "--at", "2099-12-02 08:00")
    assert record(cli, article)["scheduled_at"] == "2099-12-02T00:00:00+00:00"
    cli.ok("unpublish", str(article))
    data = record(cli, article)
    assert data["status"] == "draft" and data["scheduled_at"] is None


def test_publish_at_the_issue_example_is_midnight_utc(cli: Cli) -> None:
    article = cli.new("December story", "--body", "x")
    cli.ok("--clock", "2026-11-29 12:00", "publish", str(article), "--at", "2026-12-01 08:00")
    assert record(cli, article)["scheduled_at"] == "2026-12-01T00:00:00+00:00"


def test_publish_at_a_past_time_is_refused_and_changes_nothing(cli: Cli) -> None:
    article = cli.new("Embargoed", "--body", "x")
    before = record(cli, article)
    refused = cli.fails(["--clock", "2026-12-07 09:00", "publish", str(article), "--at", "2025-12-08 08:00"])
    assert refused.stderr == (
        "error: --at 2025-12-08 08:00 +0800 is in the past (364 days 1 hour ago): leave out --at to publish now, "
        "or add --backdate to publish it dated then on purpose\n"
    )
    assert record(cli, article) == before
    # A minute ago is past too; the same time in the future schedules, as before.
    cli.fails(["--clock", "2026-12-07 09:00", "publish", str(article), "--at", "2026-12-07 08:59"])
    cli.ok("--clock", "2026-12-07 09:00", "publish", str(article), "--at", "2026-12-08 08:00")
    assert record(cli, article)["status"] == "scheduled"


def test_publish_in_the_past_backdates_when_told(cli: Cli) -> None:
    article = cli.new("Old news", "--body", "x")
    cli.ok("publish", str(article), "--at", "2024-06-12 09:30", "--backdate")
    data = record(cli, article)
    assert data["status"] == "published" and data["published_at"] == "2024-06-12T01:30:00+00:00"
    table = cli.ok("list", "--fields", "id,published_at").stdout
    assert "2024-06-12 09:30 +0800" in table


def test_backdate_needs_a_time_and_is_not_for_the_due_run(cli: Cli) -> None:
    article = str(cli.new("Story", "--body", "x"))
    assert "--backdate goes with --at" in cli.fails(["publish", article, "--backdate"], 2).stderr
    assert "--due takes no" in cli.fails(["publish", "--due", "--backdate"], 2).stderr
    assert record(cli, int(article))["status"] == "draft"


def test_submit_moves_drafts_to_review(cli: Cli) -> None:
    first, second = cli.new("First draft", "--body", "x"), cli.new("Second draft", "--body", "x")
    result = cli.ok("submit", str(first), "second-draft")
    assert result.stderr == "Submitted 1 (first-draft) for review\nSubmitted 2 (second-draft) for review\n"
    assert {record(cli, i)["status"] for i in (first, second)} == {"review"}
    assert cli.json("history", str(first), "--format", "json")[0]["note"] == "submitted for review"


def test_submit_takes_only_drafts_and_all_or_none(cli: Cli) -> None:
    draft = cli.new("Draft", "--body", "x")
    published = cli.new("Out", "--body", "x", "--status", "published")
    in_review = cli.new("Waiting", "--body", "x", "--status", "review")
    refused = cli.fails(["submit", str(draft), str(published)])
    assert refused.stderr == f"error: article {published} is published; only drafts are submitted for review\n"
    assert record(cli, draft)["status"] == "draft"  # one refused: none moved
    assert cli.fails(["submit", str(in_review)]).stderr == f"error: article {in_review} is already in review\n"
    assert cli.fails(["submit"], 2).exit_code == 2


def test_publish_several_and_by_slug(cli: Cli) -> None:
    first = cli.new("First", "--body", "x")
    second = cli.new("Second", "--body", "x")
    cli.ok("publish", str(first), "second")
    assert cli.ok("list", "--status", "published", "--format", "count").stdout == "2\n"
    assert {record(cli, i)["status"] for i in (first, second)} == {"published"}


def test_publish_due_publishes_and_expires(cli: Cli) -> None:
    due = cli.new("Due now", "--body", "x")
    later = cli.new("Not yet", "--body", "x")
    expiring = cli.new("Expiring", "--body", "x")
    cli.ok("publish", str(due), str(later), "--at", FAR_FUTURE)
    past = datetime.now(UTC) - timedelta(hours=1)
    stored_past = past.replace(tzinfo=None) if "sqlite" in cli.db_url else past
    run_sql(cli.db_url, "UPDATE article SET scheduled_at = :t WHERE id = :id", t=stored_past, id=due)
    cli.ok("publish", str(expiring), "--at", "2020-01-01 08:00", "--backdate")
    cli.ok("edit", str(expiring), "--expires", "2021-01-01")
    result = cli.ok("publish", "--due")
    assert result.stdout == f"published\t{due}\tdue-now\nexpired\t{expiring}\texpiring\n"
    assert "1 published, 1 expired" in result.stderr
    assert record(cli, due)["status"] == "published"
    assert record(cli, due)["published_at"] is not None
    assert record(cli, later)["status"] == "scheduled"
    assert record(cli, expiring)["status"] == "archived"
    again = cli.ok("publish", "--due")
    assert again.stdout == "" and "0 published, 0 expired" in again.stderr


def test_archive_and_republish_keeps_the_date(cli: Cli) -> None:
    article = cli.new("Archive me", "--body", "x", "--status", "published", "--at", "2025-05-05 10:00")
    cli.ok("archive", str(article))
    assert record(cli, article)["status"] == "archived"
    cli.ok("publish", str(article))
    data = record(cli, article)
    assert data["status"] == "published" and data["published_at"] == "2025-05-05T02:00:00+00:00"


def test_invalid_transitions(cli: Cli) -> None:
    draft = cli.new("Draft", "--body", "x")
    result = cli.fails(["unpublish", str(draft)])
    assert result.stderr == "error: article 1 is draft, not published or scheduled\n"
    retracted = cli.new("Killed", "--body", "x", "--status", "retracted")
    refused = cli.fails(["publish", str(retracted)])
    assert refused.stderr.startswith("error: cannot change status from retracted to published")
    cli.fails(["archive", str(retracted)])
    cli.ok("archive", str(draft))
    assert cli.fails(["archive", str(draft)]).stderr == "error: article is already archived\n"
    assert record(cli, retracted)["version"] == 1


def test_publish_usage_and_bad_dates(cli: Cli) -> None:
    article = str(cli.new("Story", "--body", "x"))
    cli.fails(["publish"], 2)
    cli.fails(["publish", article, "--due"], 2)
    bad = cli.fails(["publish", article, "--at", "next-ish week"])
    assert bad.stderr.startswith("error: cannot read date 'next-ish week'")
    assert "future time" in cli.fails(["new", "S", "--status", "scheduled", "--at", "2001-01-01"]).stderr
    assert "--at only applies" in cli.fails(["new", "S", "--at", "2030-01-01"], 2).stderr
    assert record(cli, int(article))["status"] == "draft"


def test_retract_takes_the_reason_as_correct_takes_its_text(cli: Cli) -> None:
    first, second = (cli.new(title, "--body", "x", "--status", "published") for title in ("One", "Two"))
    cli.ok("retract", str(first), "The document was forged.")
    cli.ok("retract", str(second), "--reason", "The quote was made up.")
    assert [record(cli, i)["retraction_reason"] for i in (first, second)] == [
        "The document was forged.",
        "The quote was made up.",
    ]
    third = str(cli.new("Three", "--body", "x", "--status", "published"))
    assert "give the reason readers will see" in cli.fails(["retract", third], 2).stderr
    assert "give the reason once" in cli.fails(["retract", third, "One", "--reason", "Two"], 2).stderr
    assert record(cli, int(third))["status"] == "published"
