"""Partners, and what every destination refuses: stories go out as ninjs (checked against the
official schema) to a folder (whole files) or a URL (PUT, signed, checked with the reference
library), a story taken back as a cancel notice; hostile targets, secrets and roles are refused."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from balita_cli.services.delivery import signatures
from balita_cli.services.permissions import Role
from tests.checkers._tools import python_module
from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.database import on_postgres
from tests.helpers.receiver import receiving
from tests.helpers.roles import Desk
from tests.helpers.s3server import S3Bucket


def ninjs_validator() -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    path = corpora_path("schemas", "ninjs", "specification", "ninjs-schema_3.1.json")
    return Draft202012Validator(json.loads(path.read_text()), format_checker=FormatChecker())


def valid(document: dict[str, Any]) -> dict[str, Any]:
    errors = [error.message for error in ninjs_validator().iter_errors(document)]
    assert errors == [], errors
    return document


def newsroom(tmp_path: Path) -> None:
    (tmp_path / "balita.toml").write_text(
        '[site]\nbase_url = "https://balita.example.ph"\n\n[delivery]\nfirst_retry = 0\n'
    )


def test_a_folder_partner_gets_each_story_as_ninjs_and_cancels_when_taken_back(cli: Cli, tmp_path: Path) -> None:
    newsroom(tmp_path)
    drop = tmp_path / "drop"
    cli.ok("partner", "add", "Manila Wire", "--format", "ninjs", "--to", "drop", "--embargo-trusted")
    kept = cli.new("Senate passes budget", "--body", "The vote was 20-4.", "--status", "published")
    cli.ok("correct", str(kept), "The vote was 20-3.")
    cli.ok("edit", str(kept), "--title", "Senate passes the budget")  # updated: not taken unless asked
    killed = cli.new("Unverified claim", "--body", "x", "--status", "published")
    cli.ok("retract", str(killed), "--reason", "The claim could not be verified.")
    pulled = cli.new("Too early", "--body", "x", "--status", "published")
    cli.ok("unpublish", str(pulled))
    gone = cli.new("Gone for good", "--body", "x", "--status", "published")
    cli.ok("delete", str(gone), "--purge", "--yes")
    cli.ok("partner", "deliver")
    files = sorted(path.name for path in drop.iterdir())
    second = {kept: "corrected", killed: "retracted", pulled: "unpublished", gone: "deleted"}
    expected = [
        f"story-{story}-{n}-{kind}.json" for story, kind in second.items() for n, kind in ((1, "published"), (2, kind))
    ]
    assert files == sorted(expected)
    docs = {name: valid(json.loads((drop / name).read_text())) for name in files}
    first = docs[f"story-{kept}-1-published.json"]
    assert first["pubStatus"] == "usable" and first["headlines"][0]["value"] == "Senate passes the budget"
    assert "20-3" in json.dumps(docs[f"story-{kept}-2-corrected.json"])  # the notice is in the story
    for story in (killed, pulled, gone):
        name = f"story-{story}-2-{second[story]}.json"
        assert docs[name]["pubStatus"] == "canceled", name
    assert docs[f"story-{gone}-2-deleted.json"]["uri"] == docs[f"story-{gone}-1-published.json"]["uri"]
    assert docs[f"story-{pulled}-2-unpublished.json"]["uri"] == docs[f"story-{pulled}-1-published.json"]["uri"]
    umask = os.umask(0)
    os.umask(umask)
    assert {stat.S_IMODE((drop / name).stat().st_mode) for name in files} == {0o666 & ~umask}
    [partner] = cli.json("partner", "list", "--format", "json")
    assert partner["embargo_trusted"] is True and partner["delivered"] == len(files) and partner["signed"] is False
    assert partner["to"] == str(drop)


@dataclass
class Inbox:
    secret: str = ""
    puts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    bad: int = 0


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, str]]:
    made = Inbox(secret=signatures.new_secret())
    webhooks = python_module("standardwebhooks", "standardwebhooks")

    def answer(_method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        try:
            made.puts.append((path, webhooks.Webhook(made.secret).verify(body, headers)))
        except webhooks.WebhookVerificationError:
            made.bad += 1
            return 401
        return 201

    with receiving(answer) as base:
        yield made, f"{base}/incoming/"


def test_a_url_partner_gets_signed_puts_one_url_a_file(cli: Cli, tmp_path: Path, inbox: tuple[Inbox, str]) -> None:
    partner, url = inbox
    newsroom(tmp_path)
    cli.ok("partner", "add", "Wire", "--to", url, "--secret-file", "-", "--allow-private", input=partner.secret)
    story = cli.new("Typhoon landfall", "--body", "x", "--status", "published")
    cli.ok("retract", str(story), "--reason", "Wrong province.")
    cli.ok("partner", "deliver")
    assert partner.bad == 0
    assert [path for path, _doc in partner.puts] == [
        f"/incoming/story-{story}-1-published.json",
        f"/incoming/story-{story}-2-retracted.json",
    ]
    assert [valid(doc)["pubStatus"] for _path, doc in partner.puts] == ["canceled", "canceled"]  # as it is now


def test_a_bucket_partner_gets_each_story_as_an_object_and_a_cancel_notice(
    cli: Cli, tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    newsroom(tmp_path)
    cli.ok("partner", "add", "Wire", "--format", "ninjs", "--to", s3_bucket.url("wire//"))
    story = cli.new("Typhoon landfall", "--body", "Signal no. 4 over Aurora.", "--status", "published")
    cli.ok("partner", "deliver")
    cli.ok("retract", str(story), "--reason", "Wrong province.")
    cli.ok("partner", "deliver")
    objects = s3_bucket.server.objects(s3_bucket.name, "wire/")
    assert sorted(objects) == [f"story-{story}-1-published.json", f"story-{story}-2-retracted.json"]
    first = valid(json.loads(objects[f"story-{story}-1-published.json"]))
    notice = valid(json.loads(objects[f"story-{story}-2-retracted.json"]))
    assert first["pubStatus"] == "usable" and "Aurora" in json.dumps(first)
    assert notice["pubStatus"] == "canceled" and notice["uri"] == first["uri"]
    head = s3_bucket.server.head(s3_bucket.name, f"wire/story-{story}-2-retracted.json")
    assert head["ContentType"] == "application/json"
    [partner] = cli.json("partner", "list", "--format", "json")
    assert (partner["to"], partner["signed"], partner["delivered"]) == (f"s3://{s3_bucket.name}/wire/", False, 2)


def test_a_bucket_that_refuses_keeps_the_delivery_for_the_next_run(
    cli: Cli, tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    newsroom(tmp_path)
    cli.ok("partner", "add", "Wire", "--to", s3_bucket.url("in"))
    story = cli.new("Typhoon landfall", "--body", "x", "--status", "published")
    result = cli("partner", "deliver", env={"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    assert "partner Wire did not answer or asked to slow down" in result.stderr
    [entry] = cli.json("partner", "log", "--format", "json")
    assert (
        entry["state"] == "pending"
        and f"s3://{s3_bucket.name}/in/story-{story}-1-published.json" in entry["last_error"]
    )
    assert s3_bucket.server.objects(s3_bucket.name, "in/") == {}
    cli.ok("partner", "deliver")
    assert list(s3_bucket.server.objects(s3_bucket.name, "in/")) == [f"story-{story}-1-published.json"]


# ---------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["partner", "add", "B", "--to", "s3://Bad_Bucket/wire/"], "not a bucket name: 'Bad_Bucket'", 1),
        (["partner", "add", "B", "--to", "s3://wire-bucket/../up/"], "not a plain object path", 1),
        (["partner", "add", "B", "--to", "ftp://wire.example.ph/"], "must be an http(s) URL", 1),
        (["partner", "add", "B", "--to", "http://127.0.0.1/in/"], "127.0.0.1 is a loopback address", 1),
        (["partner", "add", "B", "--to", "https://user:pw@wire.example.ph/"], "user name or password", 1),
        (["partner", "add", "B", "--to", "balita.toml"], "is not a folder", 1),
        (["partner", "add", "B", "--to", "drop", "--format", "csv"], "unknown partner format 'csv'", 2),
        (["partner", "add", "B", "--to", "drop", "--events", "published,exploded"], "unknown event kind 'exploded'", 2),
        (["partner", "add", "\x1b[31mB", "--to", "drop"], "control character", 1),
        (["hooks", "add", "javascript:alert(1)"], "must be an http(s) URL", 1),
        (["hooks", "add", "http://[::1]:8080/hook"], "::1 is a loopback address", 1),
        (["hooks", "add", "http://169.254.169.254/latest/"], "169.254.169.254 is a link-local address", 1),
        (["hooks", "add", "http://169.254.169.254/latest/", "--allow-private"], "link-local", 1),
        (["hooks", "remove", "99"], "no webhook '99'", 1),
        (["hooks", "replay", "evt_nothere"], "no event evt_nothere", 1),
        (["hooks", "log", "--state", "lost"], "--state is one of pending, delivered, dead", 2),
    ],
)
def test_hostile_destinations_are_refused_in_one_line(
    cli: Cli, tmp_path: Path, args: list[str], message: str, code: int
) -> None:
    newsroom(tmp_path)
    result = cli.fails(args, code)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert cli.json("hooks", "list", "--format", "json") == [] and cli.json("partner", "list", "--format", "json") == []


def test_a_partners_name_is_its_own(cli: Cli, tmp_path: Path) -> None:
    newsroom(tmp_path)
    cli.ok("partner", "add", "Wire", "--to", "drop")
    assert "a partner named 'wire' exists" in cli.fails(["partner", "add", "wire", "--to", "drop2"]).stderr.lower()
    cli.ok("partner", "remove", "WIRE")
    assert cli.json("partner", "list", "--format", "json") == []


@pytest.mark.parametrize(
    "secret",
    ["letmein", "whsec_not base64!", "whsec_" + "QUJD" * 2, "whsec_" + "QUJD" * 40],
)
def test_a_bad_secret_is_refused_without_being_shown(cli: Cli, tmp_path: Path, secret: str) -> None:
    (tmp_path / "secret.txt").write_text(secret)
    result = cli.fails(["hooks", "add", "https://hooks.example.ph/x", "--secret-file", str(tmp_path / "secret.txt")])
    assert "secret" in result.stderr and secret not in result.stderr and secret not in result.stdout
    from_env = cli("hooks", "add", "https://hooks.example.ph/x", env={"BALITA_WEBHOOK_SECRET": secret})
    assert from_env.exit_code == 1 and secret not in from_env.stderr


def test_secrets_come_from_a_file_stdin_or_the_environment_and_are_never_listed(cli: Cli, tmp_path: Path) -> None:
    given = signatures.new_secret()
    made = cli.ok("hooks", "add", "https://hooks.example.ph/made").stdout.strip()
    assert made.startswith("whsec_") and signatures.check_secret(made) == made
    assert cli.ok("hooks", "add", "https://hooks.example.ph/stdin", "--secret-file", "-", input=given).stdout == ""
    assert cli.ok("hooks", "add", "https://hooks.example.ph/env", env={"BALITA_WEBHOOK_SECRET": given}).stdout == ""
    listed = cli.ok("hooks", "list", "--format", "json").stdout
    assert given not in listed and made not in listed and len(json.loads(listed)) == 3
    assert "--secret " not in cli.ok("hooks", "add", "--help").stdout  # there is no way to give it as an argument


# ---------------------------------------------------------------- roles


@pytest.mark.skipif(not on_postgres(), reason="roles are PostgreSQL's")
@pytest.mark.parametrize("role", list(Role))
def test_only_editors_and_admins_manage_hooks_and_partners(desk: Desk, role: Role) -> None:
    allowed = role in (Role.EDITOR, Role.ADMIN)
    tried = (
        ["hooks", "add", "https://hooks.example.ph/x"],
        ["hooks", "list"],
        ["hooks", "deliver"],
        ["partner", "list"],
        ["hooks", "log"],
    )
    for args in tried:
        result = desk.run(role, *args)
        if allowed:
            assert result.exit_code == 0, (args, result.stderr)
        else:
            assert result.exit_code == 1, (args, result.stdout, result.stderr)
            wanted = f"{role.plural} cannot manage webhooks and partners; ask an editor — {desk.names[role]} is"
            assert result.stderr.strip() == f"error: {wanted} {role.with_article}", result.stderr
