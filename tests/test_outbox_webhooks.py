"""Webhooks against a real receiver on 127.0.0.1 that checks every signature with the reference
``standardwebhooks`` library (not balita's code) and fails a share of requests at random: every
event is answered 2xx exactly once, in each story's order, and a run killed with SIGKILL loses
nothing."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from balita_cli.db import dbapi
from balita_cli.services import events
from balita_cli.services.delivery import signatures
from tests.checkers._tools import python_module
from tests.helpers.cli import Cli
from tests.helpers.receiver import receiving


@dataclass
class Receiver:
    """A webhook endpoint: verifies with standardwebhooks, answers 500 to ``failing`` of the
    requests (seeded), and keeps what it accepted."""

    secret: str
    failing: float = 0.0
    delay: float = 0.0
    status: int = 204
    seed: int = 29
    accepted: list[dict[str, Any]] = field(default_factory=list)
    ids_by_event: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    bad_signatures: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        webhooks = python_module("standardwebhooks", "standardwebhooks")
        time.sleep(self.delay)
        with self.lock:
            self.requests += 1
            try:
                payload = webhooks.Webhook(self.secret).verify(body, headers)
            except webhooks.WebhookVerificationError:
                self.bad_signatures += 1
                return 401
            self.ids_by_event[payload["data"]["id"]].add(headers["webhook-id"])
            if self.rng.random() < self.failing:
                return 500
            if self.status < 300:
                self.accepted.append(payload)
            return self.status

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    made = Receiver(secret=signatures.new_secret())
    with receiving(lambda _method, _path, headers, body: made.handle(body, headers)) as base:
        yield made, f"{base}/hooks/balita"


def site(tmp_path: Path, **delivery: float) -> None:
    settings = {"first_retry": 0, **delivery}
    lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
    (tmp_path / "balita.toml").write_text(f'[site]\nbase_url = "https://balita.example.ph"\n\n[delivery]\n{lines}')


def add_hook(cli: Cli, tmp_path: Path, url: str, secret: str, *flags: str) -> None:
    (tmp_path / "secret.txt").write_text(secret + "\n")
    cli.ok("hooks", "add", url, "--secret-file", str(tmp_path / "secret.txt"), "--allow-private", *flags)


def stories(cli: Cli, tmp_path: Path, count: int) -> list[int]:
    source = tmp_path / "drafts.jsonl"
    source.write_text("".join(json.dumps({"title": f"Story {n}", "body": f"Body {n}."}) + "\n" for n in range(count)))
    cli.ok("import", "jsonl", str(source))
    return [int(line) for line in cli.ok("list", "--status", "draft", "--format", "ids").stdout.split()]


def all_events(cli: Cli) -> list[events.Event]:
    with dbapi.reading(cli.db_url) as db:
        return events.since(db, limit=None)


def pending(cli: Cli) -> int:
    return sum(hook["pending"] for hook in cli.json("hooks", "list", "--format", "json"))


@pytest.mark.slow
def test_a_thousand_publishes_reach_a_flaky_receiver_once_each_in_order(
    cli: Cli, tmp_path: Path, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    hook.failing = 0.3
    site(tmp_path)
    add_hook(cli, tmp_path, url, hook.secret)
    ids = stories(cli, tmp_path, 1000)
    now, later = ids[:500], ids[500:]
    cli.ok("publish", *map(str, now))
    cli.ok("publish", *map(str, later), "--at", "2031-06-01 08:00")
    cli.ok("--clock", "2031-06-01 09:00", "publish", "--due")
    for story in now[:40]:  # more than one event for some stories: their order must hold
        cli.ok("edit", str(story), "--title", f"Story {story}, updated")
        cli.ok("correct", str(story), "A figure was wrong.")
    for story in now[:10]:
        cli.ok("retract", str(story), "--reason", "Not verified.")
    sent = all_events(cli)
    assert len(sent) == 1000 + 80 + 10
    for _run in range(5):  # a run goes on until nothing is due; nothing is left after the first
        cli.ok("hooks", "deliver")
        if pending(cli) == 0:
            break
    assert pending(cli) == 0
    answered = Counter(payload["data"]["id"] for payload in hook.accepted)
    assert set(answered) == {event.public_id for event in sent}
    assert set(answered.values()) == {1}
    assert hook.bad_signatures == 0 and hook.requests > len(sent)  # some were refused and tried again
    order: dict[int, list[int]] = defaultdict(list)
    for payload in hook.accepted:
        order[payload["data"]["article"]["id"]].append(payload["data"]["sequence"])
    assert all(sequence == sorted(sequence) for sequence in order.values())
    assert max(len(sequence) for sequence in order.values()) == 4
    assert all(len(ids) == 1 for ids in hook.ids_by_event.values())  # one webhook-id per event, every try
    log = cli.json("hooks", "log", "--limit", "2000", "--format", "json")
    assert {entry["state"] for entry in log} == {"delivered"} and len(log) == len(sent)


@pytest.mark.slow
def test_a_run_killed_mid_delivery_loses_nothing(cli: Cli, tmp_path: Path, receiver: tuple[Receiver, str]) -> None:
    hook, url = receiver
    hook.delay = 0.02
    site(tmp_path)
    add_hook(cli, tmp_path, url, hook.secret)
    ids = stories(cli, tmp_path, 200)
    cli.ok("publish", *map(str, ids))
    env = {"BALITA_DATABASE_URL": cli.db_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "balita_cli", "hooks", "deliver"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(hook.accepted) < 60 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 60 <= len(hook.accepted) < 200
    cli.ok("hooks", "deliver")  # the lock died with the process: this run goes ahead at once
    assert pending(cli) == 0
    answered = Counter(payload["data"]["id"] for payload in hook.accepted)
    assert set(answered) == {event.public_id for event in all_events(cli)}
    assert sum(answered.values()) - len(answered) <= 1  # at most the one in flight, sent again with its id


def test_a_second_run_meanwhile_does_nothing(cli: Cli, tmp_path: Path, receiver: tuple[Receiver, str]) -> None:
    hook, url = receiver
    site(tmp_path)
    add_hook(cli, tmp_path, url, hook.secret)
    cli.new("One story", "--body", "x", "--status", "published")
    from balita_cli.db import locks

    with locks.exclusive(cli.db_url, "deliver-hook") as held:
        assert held
        result = cli.ok("hooks", "deliver")
        assert "Another webhook delivery run is going on" in result.stderr
        assert hook.requests == 0
    cli.ok("hooks", "deliver")
    assert len(hook.accepted) == 1


def test_failures_back_off_then_give_up_and_replay_sends_again(
    cli: Cli, tmp_path: Path, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    hook.status = 500
    site(tmp_path, attempts=3, first_retry=3600)
    add_hook(cli, tmp_path, url, hook.secret, "--events", "published")
    story = cli.new("Storm warning", "--body", "x", "--status", "published")
    cli.ok("edit", str(story), "--title", "Storm warning lifted")  # updated: this hook does not take it
    report = cli.json("hooks", "deliver", "--format", "json")
    assert (report["delivered"], report["retrying"], report["waiting"]) == (0, 1, 1)
    [entry] = cli.json("hooks", "log", "--format", "json")
    assert entry["attempts"] == 1 and entry["last_status"] == 500 and "answered 500" in entry["last_error"]
    assert entry["kind"] == "published"
    cli.ok("hooks", "deliver")  # not due yet: the next try waits at least half an hour
    assert hook.requests == 1
    cli.ok("--clock", "in 3 hours", "hooks", "deliver")
    assert hook.requests == 2
    gave_up = cli.fails(["--clock", "in 12 hours", "hooks", "deliver"])
    assert "gave up: evt_" in gave_up.stderr and hook.requests == 3
    assert cli.json("hooks", "log", "--format", "json")[0]["state"] == "dead"
    hook.status = 204
    event = entry["event"]
    cli.ok("hooks", "replay", event)
    cli.ok("hooks", "deliver")
    assert [payload["data"]["id"] for payload in hook.accepted] == [event]
    assert len(hook.ids_by_event[event]) == 1  # the same webhook-id as every earlier try


def test_410_gone_disables_the_hook_until_enabled(cli: Cli, tmp_path: Path, receiver: tuple[Receiver, str]) -> None:
    hook, url = receiver
    hook.status = 410
    site(tmp_path)
    add_hook(cli, tmp_path, url, hook.secret)
    cli.new("First", "--body", "x", "--status", "published")
    cli.new("Second", "--body", "x", "--status", "published")
    result = cli.fails(["hooks", "deliver"])
    assert "410 Gone and is disabled" in result.stderr and hook.requests == 1
    [listed] = cli.json("hooks", "list", "--format", "json")
    assert listed["state"].startswith("disabled") and (listed["dead"], listed["pending"]) == (1, 1)
    cli.new("Third", "--body", "x", "--status", "published")  # a disabled hook is not queued for
    hook.status = 204
    cli.ok("hooks", "enable", str(listed["id"]))
    cli.ok("hooks", "deliver")
    assert [payload["data"]["article"]["title"] for payload in hook.accepted] == ["Second"]
