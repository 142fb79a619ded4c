"""`balita tick`: one locked run of what is due (publish, fetch, deliveries, build, deploy) through
the real CLI; two ticks started at once as two real processes, one of them waiting on a real
receiver, so the second finds the lock held."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.cli import Cli
from tests.helpers.receiver import receiving

SCHEDULED_AT = "2030-01-01 08:00"
LATER = "2030-01-01 09:00"  # --clock: the scheduled story is due


def newsroom(tmp_path: Path, extra: str = "") -> None:
    (tmp_path / "balita.toml").write_text(
        f'[site]\nbase_url = "https://balita.example.ph"\n\n[delivery]\nfirst_retry = 0\n{extra}'
    )


def scheduled(cli: Cli, title: str = "Budget vote at noon") -> int:
    story = cli.new(title, "--body", "The Senate votes today.")
    cli.ok("publish", str(story), "--at", SCHEDULED_AT)
    return story


def status(cli: Cli, story: int) -> str:
    return str(cli.json("show", str(story), "--format", "json")["status"])


def steps(summary: dict[str, object]) -> dict[str, dict[str, object]]:
    listed = summary["steps"]
    assert isinstance(listed, list)
    return {step["step"]: step for step in listed}


def test_a_tick_publishes_what_is_due_delivers_and_builds(cli: Cli, tmp_path: Path) -> None:
    newsroom(tmp_path)
    cli.ok("partner", "add", "Wire", "--to", "drop")
    story = scheduled(cli)
    result = cli("--clock", LATER, "tick", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    done = steps(summary)
    assert summary["ok"] is True and summary["busy"] is False
    assert list(done) == ["publish", "fetch", "deliver", "build", "deploy"]
    assert done["publish"]["published"] == [story] and done["publish"]["state"] == "done"
    assert (done["fetch"]["state"], done["fetch"]["said"]) == ("skipped", "no sources")
    assert done["deliver"]["state"] == "done" and done["deliver"]["partners"]["delivered"] == 1  # type: ignore[index]
    assert done["build"]["state"] == "done" and int(done["build"]["written"]) > 0  # type: ignore[call-overload]
    assert (done["deploy"]["state"], done["deploy"]["said"]) == ("skipped", "no [deploy] target")
    assert status(cli, story) == "published"
    assert [path.name for path in (tmp_path / "drop").iterdir()] == [f"story-{story}-1-published.json"]
    slug = cli.json("show", str(story), "--format", "json")["slug"]
    assert "Budget vote at noon" in (tmp_path / "public" / "articles" / slug / "index.html").read_text()

    again = cli("--clock", LATER, "tick")  # nothing new: every step says so, people's lines on stderr
    assert again.exit_code == 0 and again.stdout == ""
    assert "publish: 0 published, 0 expired" in again.stderr
    assert "fetch: skipped (no sources)" in again.stderr and "0 written" in again.stderr


def test_a_failed_fetch_still_lets_the_rest_run_and_the_tick_exits_1(cli: Cli, tmp_path: Path) -> None:
    newsroom(tmp_path)
    cli.ok("source", "add", "Dead", "http://127.0.0.1:9/feed.xml", "--allow-private")
    story = scheduled(cli)
    result = cli("--clock", LATER, "tick")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(failed) == 1 and failed[0].startswith("error: fetch: ") and "Dead: cannot fetch" in failed[0]
    assert "publish: 1 published" in result.stderr and "build: " in result.stderr
    assert status(cli, story) == "published" and (tmp_path / "public" / "index.html").exists()


def test_a_failed_build_stops_the_deploy(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the site would go\n")
    newsroom(tmp_path, '\n[deploy]\ntarget = "www"\n')
    toml = tmp_path / "balita.toml"
    toml.write_text(toml.read_text().replace("[site]\n", '[site]\noutput_dir = "taken"\n'))
    cli.new("Story", "--body", "x", "--status", "published")
    result = cli("tick", "--format", "json")
    assert result.exit_code == 1
    done = steps(json.loads(result.stdout))
    assert done["publish"]["state"] == "done" and done["build"]["state"] == "failed"
    assert (done["deploy"]["state"], done["deploy"]["said"]) == ("skipped", "not run: the build failed")
    assert not (tmp_path / "www").exists()
    assert "error: build: " in result.stderr


def test_dry_run_only_and_skip_choose_steps_and_change_nothing(cli: Cli, tmp_path: Path) -> None:
    newsroom(tmp_path, '\n[deploy]\ntarget = "www"\n')
    story = scheduled(cli)
    result = cli("--clock", LATER, "tick", "--dry-run", "--skip", "fetch", "--skip", "deliver", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["dry_run"] is True
    assert [(step["step"], step["state"]) for step in summary["steps"]] == [
        ("publish", "would run"),
        ("build", "would run"),
        ("deploy", "would run"),
    ]
    assert summary["steps"][0]["said"] == "1 due, 0 expired"
    assert summary["steps"][2]["said"] == f"to {tmp_path / 'www'}"
    assert status(cli, story) == "scheduled" and not (tmp_path / "public").exists()

    text = cli("--clock", LATER, "tick", "--dry-run", "--only", "deliver,fetch")
    assert text.exit_code == 0 and text.stdout == ""
    assert text.stderr.splitlines() == ["fetch: skipped (no sources)", "deliver: skipped (no webhooks or partners)"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "publish,launch"], "--only: no step 'launch'"),
        (["--skip", "\x1b[31mbuild"], "--skip: no step"),
        (["--only", " , "], "--only takes steps: publish, fetch, deliver, build, deploy"),
        (["--only", "build", "--format", "yaml"], "Invalid value for '--format'"),
    ],
)
def test_unknown_steps_are_a_usage_error(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    newsroom(tmp_path)
    result = cli.fails(["tick", *args], 2)
    assert message in result.stderr and "\x1b[31m" not in result.stderr


# ---------------------------------------------------------------- two at once


@pytest.fixture
def stalling_receiver() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A webhook receiver that holds the first request until released: the tick that sent it
    holds its lock meanwhile."""
    arrived, release = threading.Event(), threading.Event()

    def answer(_method: str, _path: str, _headers: dict[str, str], _body: bytes) -> int:
        arrived.set()
        release.wait(60)
        return 204

    with receiving(answer) as base:
        yield f"{base}/hook", arrived, release


def balita_process(cli: Cli, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "balita_cli", *args],
        cwd=tmp_path,
        env={**os.environ, "BALITA_DATABASE_URL": cli.db_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_ticks_at_once_one_runs_the_other_says_so_and_exits_0(
    cli: Cli, tmp_path: Path, stalling_receiver: tuple[str, threading.Event, threading.Event]
) -> None:
    url, arrived, release = stalling_receiver
    newsroom(tmp_path, "timeout = 90\n")
    cli.ok("hooks", "add", url, "--allow-private", "--events", "published")
    cli.new("Breaking", "--body", "x", "--status", "published")
    story = scheduled(cli)
    first = balita_process(cli, tmp_path, "tick", "--skip", "build", "--format", "json")
    try:
        assert arrived.wait(90), "the first tick reached the receiver"
        second = balita_process(cli, tmp_path, "--clock", LATER, "tick", "--format", "json")
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert json.loads(out) == {"busy": True, "dry_run": False, "ok": True, "steps": []}
        assert err.strip() == "Another balita tick is running on this database: nothing done"
        assert status(cli, story) == "scheduled"  # the second did nothing, not even what was due
    finally:
        release.set()
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    done = steps(json.loads(out))
    assert done["deliver"]["webhooks"]["delivered"] == 1  # type: ignore[index]

    after = balita_process(cli, tmp_path, "--clock", LATER, "tick", "--only", "publish", "--format", "json")
    out, err = after.communicate(timeout=120)
    assert after.returncode == 0, err
    assert steps(json.loads(out))["publish"]["published"] == [story]  # the lock went with the first


def test_a_killed_tick_leaves_no_lock_behind(
    cli: Cli, tmp_path: Path, stalling_receiver: tuple[str, threading.Event, threading.Event]
) -> None:
    url, arrived, release = stalling_receiver
    newsroom(tmp_path, "timeout = 90\n")
    cli.ok("hooks", "add", url, "--allow-private", "--events", "published")
    cli.new("Breaking", "--body", "x", "--status", "published")
    story = scheduled(cli)
    first = balita_process(cli, tmp_path, "tick", "--only", "deliver")
    try:
        assert arrived.wait(90), "the first tick reached the receiver"
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=120)
    finally:
        release.set()
    assert first.returncode == -signal.SIGKILL
    after = balita_process(cli, tmp_path, "--clock", LATER, "tick", "--skip", "build", "--format", "json")
    out, err = after.communicate(timeout=120)
    assert after.returncode == 0, err
    done = steps(json.loads(out))
    assert done["publish"]["published"] == [story]
    # The killed run's delivery is sent again (at least once), then the story this tick published.
    assert done["deliver"]["webhooks"]["delivered"] == 2  # type: ignore[index]
