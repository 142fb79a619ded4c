"""A newcomer's first hour: each stumble found by following the README, through the real CLI."""

from __future__ import annotations

import json
import os
import stat
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers.cli import Cli
from tests.helpers.database import postgres_url
from tests.helpers.terminal import balita_on_terminal

UNSET_SITE: dict[str, str | None] = {"BALITA_DATABASE_URL": None, "BALITA_SITE": None}


def terminal_env(cli: Cli, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "BALITA_WIDTH"}
    return {**env, "BALITA_DATABASE_URL": cli.db_url, "TERM": "dumb", **extra}


# ---------------------------------------------------------------- 1. a site others can serve


def test_built_and_exported_files_are_world_readable_under_the_usual_umask(cli: Cli, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        cli.ok("init", "--demo", "--database", cli.db_url)
        cli.ok("build")
        modes = {stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "public").rglob("*") if path.is_file()}
        assert modes == {0o644}
        feed = tmp_path / "feed.xml"
        cli.ok("export", "rss", "-o", str(feed))
        assert stat.S_IMODE(feed.stat().st_mode) == 0o644
        feed.chmod(0o640)  # an existing file keeps the mode its owner gave it
        cli.ok("export", "rss", "-o", str(feed))
        assert stat.S_IMODE(feed.stat().st_mode) == 0o640
    finally:
        os.umask(previous)


# ---------------------------------------------------------------- 2. no tracebacks on bad paths


@pytest.mark.parametrize(
    "args",
    [
        ["export", "rss", "-o", "afile/feed.xml"],
        ["build", "-o", "afile"],
        ["db", "backup", "afile/b.db"],
        ["export", "rss", "-o", "/proc/balita-x.xml"],
        ["export", "rss", "-o", "locked/feed.xml"],
        ["db", "backup", "."],
    ],
)
def test_unwritable_targets_are_one_line(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    if os.geteuid() == 0 and "locked" in args[-1]:
        pytest.skip("root may write into a read-only folder: there is nothing to refuse")
    (tmp_path / "afile").write_text("a file, not a folder", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    cli.new("Story", "--status", "published", "--body", "x")
    try:
        result = cli.fails(args)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    finally:
        locked.chmod(0o700)


# ---------------------------------------------------------------- 3. the wrong folder


def test_outside_a_site_commands_say_so_and_create_nothing(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for command in (["list"], ["stats"], ["new", "T"], ["build"]):
        result = cli(*command, env=UNSET_SITE)
        assert result.exit_code == 1, (command, result.stderr)
        assert "no balita site here" in result.stderr and "balita init" in result.stderr
    assert list(elsewhere.iterdir()) == []


# ---------------------------------------------------------------- 5. PostgreSQL from init


def test_init_writes_nothing_until_the_database_works(cli: Cli, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = cli("init", str(site), "--database", "postgresql://balita:secret@127.0.0.1:1/nowhere", env=UNSET_SITE)
    assert result.exit_code == 1 and "cannot open database" in result.stderr
    assert "secret" not in result.stderr and "***" in result.stderr
    assert not (site / "balita.toml").exists()


@pytest.mark.postgres
def test_init_keeps_the_password_out_of_balita_toml(cli: Cli, tmp_path: Path) -> None:
    base = postgres_url() or ""
    with_password = base.replace("postgres@", "postgres:secret@", 1)
    site = tmp_path / "site"
    result = cli("init", str(site), "--database", with_password, env=UNSET_SITE)
    assert result.exit_code == 0, result.stderr
    settings = tomllib.loads((site / "balita.toml").read_text(encoding="utf-8"))
    assert "secret" not in settings["database"]["url"] and "secret" not in result.stderr


# ---------------------------------------------------------------- 6. --db takes a path, refuses memory


def test_db_takes_a_plain_path_and_refuses_an_in_memory_database(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    cli.ok("--db", str(path), "new", "Story", "--body", "x")
    assert path.is_file()
    assert cli.ok("--db", str(path), "list", "--format", "count").stdout == "1\n"
    for url in ("sqlite://", "sqlite:///", "sqlite:///:memory:"):
        assert (
            "in-memory" in cli.fails(["--db", url, "list"]).stderr
            or "names no file" in cli.fails(["--db", url, "list"]).stderr
        )


# ---------------------------------------------------------------- 7. narrow terminals and pipes


def test_a_narrow_terminal_keeps_the_title_readable(cli: Cli) -> None:
    title = "Philippines and Vietnam hold coast guard talks in Hanoi"
    cli.new(title, "--status", "published", "--section", "Politics", "--body", "x")
    code, screen = balita_on_terminal(["--no-pager", "list"], terminal_env(cli, COLUMNS="60", LINES="40"))
    assert code == 0, screen
    line = next(row for row in screen.splitlines() if "Philippines" in row)
    shown = line.split("│")[-2].strip().rstrip("…")
    assert len(shown) >= 20 and title.startswith(shown)


def test_show_into_a_pipe_is_not_wrapped(cli: Cli) -> None:
    url = "https://www.philstar.com/headlines/2026/11/24/" + "very-long-path-segment-" * 6 + "end"
    article = cli.new("Story", "--source-name", "philstar.com", "--source-url", url, "--body", " ".join(["word"] * 300))
    out = cli.ok("show", str(article)).stdout
    assert any(url in line for line in out.splitlines())
    assert not any(line.endswith(" ") for line in out.splitlines())


# ---------------------------------------------------------------- 8. accents, both databases


def test_search_folds_accents_on_both_databases(cli: Cli) -> None:
    cli.new("Parañaque food park opens", "--body", "Crowds in Parañaque.")
    assert cli.ok("search", "paranaque", "--format", "count").stdout == "1\n"
    assert cli.ok("search", "Parañaque", "--format", "count").stdout == "1\n"
    decomposed = "Paran\u0303aque"  # n + combining tilde
    assert cli.ok("search", decomposed, "--format", "count").stdout == "1\n"
    assert cli.ok("list", "--query", "paranaque", "--format", "count").stdout == "1\n"


# ---------------------------------------------------------------- 9. said once


def test_show_does_not_repeat_the_first_paragraph_as_a_summary(cli: Cli) -> None:
    article = cli.new("Story", "--body", "The first paragraph says it.\n\nThe second.")
    out = cli.ok("show", str(article)).stdout
    assert out.count("The first paragraph says it.") == 1
    written = cli.new("Other", "--summary", "A written standfirst.", "--body", "Body text.")
    assert "A written standfirst." in cli.ok("show", str(written)).stdout


def test_a_retraction_is_said_once_and_is_no_correction(cli: Cli) -> None:
    article = cli.new("Killed", "--status", "published", "--body", "Story.")
    cli.ok("retract", str(article), "--reason", "The document was fabricated.")
    rss = cli.ok("export", "rss").stdout
    assert rss.count("The document was fabricated.") <= 2  # description + content, nowhere twice in one
    assert "Corrections" not in rss
    shown = cli.ok("show", str(article)).stdout
    assert shown.count("The document was fabricated.") == 1


def test_diff_after_a_correction_shows_it(cli: Cli) -> None:
    article = cli.new("Story", "--body", "x")
    cli.ok("correct", str(article), "The name was misspelled.")
    assert "The name was misspelled." in cli.ok("diff", str(article)).stdout


# ---------------------------------------------------------------- 10. help and errors in plain words


def test_help_and_errors_show_no_internals(cli: Cli) -> None:
    reference = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    for internal in ("<list[str]>", "{ref}", "[[", "Rename a author", "Create a author", "(created if new)"):
        assert internal not in reference.replace("Tags to add (created if new)", ""), internal
    section_add = reference.split("## `balita section add`", 1)[1].split("## ", 1)[0]
    assert "--email" not in section_add
    bad = cli.fails(["list", "--status", "drafts"], 2).stderr
    assert "Value error" not in bad and "Input should be" not in bad and "drafts" in bad
    assert "Input should be" not in cli.fails(["show", "1", "--trash", "--format", "yaml"], 2).stderr


def test_static_site_generators_are_names_for_the_markdown_reader(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: Isa\n---\nBody\n", encoding="utf-8")
    for name in ("jekyll", "hugo", "zola"):
        cli.ok("import", name, str(tmp_path / "a.md"))
    assert "markdown reads Hugo, Jekyll and Zola" in cli.fails(["import", "docx", str(tmp_path)], 2).stderr


@pytest.mark.slow
def test_conflicts_speak_in_the_site_time_zone(cli: Cli) -> None:
    article = cli.new("Story", "--body", "x")
    cli.ok("--as", "rival", "edit", str(article), "--title", "Rival")
    message = cli.fails(["edit", str(article), "--if-version", "1", "--title", "Mine"]).stderr
    assert "+0800" in message and "changed by rival" in message


# ---------------------------------------------------------------- 11. long lists page


@pytest.mark.slow
def test_a_long_list_on_a_terminal_goes_through_the_pager_and_never_into_a_pipe(cli: Cli, tmp_path: Path) -> None:
    for number in range(5):
        cli.new(f"Story {number}", "--body", "x")
    pager = tmp_path / "pager.py"
    seen = tmp_path / "paged.txt"
    pager.write_text(f"import sys; open({str(seen)!r}, 'w').write(sys.stdin.read())\n", encoding="utf-8")
    env = terminal_env(cli, BALITA_PAGER=f"{sys.executable} {pager}", COLUMNS="100")
    code, _screen = balita_on_terminal(["list"], env)
    assert code == 0 and "Story 4" in seen.read_text(encoding="utf-8")
    seen.unlink()
    code, screen = balita_on_terminal(["--no-pager", "list"], env)
    assert code == 0 and "Story 4" in screen and not seen.exists()
    assert "Story 4" in cli.ok("list", env={"BALITA_PAGER": f"{sys.executable} {pager}"}).stdout
    assert not seen.exists()  # piped: no pager


# ---------------------------------------------------------------- 12. Ctrl-C during an import


@pytest.mark.slow
def test_ctrl_c_during_an_import_says_what_was_kept(cli: Cli, tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    dump = tmp_path / "many.jsonl"
    total = 20_000  # more than an import writes in the time it takes to see its first batch
    rows = ({"title": f"Story {n}", "slug": f"story-{n}", "body": "x " * 20} for n in range(total))
    dump.write_text("".join(json.dumps(row) + "\n" for row in rows))
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "balita_cli", "import", "jsonl", str(dump), "--batch-size", "50"],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while cli.ok("list", "--format", "count").stdout == "0\n" and time.monotonic() < deadline:
        time.sleep(0.05)  # interrupted once the first batches are in
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted:" in err and "run the same command again" in err and "Traceback" not in err
    kept = int(cli.ok("list", "--format", "count").stdout)
    assert f"{kept} created" in err
    cli.ok("import", "jsonl", str(dump))
    assert cli.ok("list", "--format", "count").stdout == f"{total}\n"


# ---------------------------------------------------------------- 14. cron runs twice at once


@pytest.mark.slow
def test_two_due_runs_at_once_both_exit_zero(cli: Cli) -> None:
    import subprocess

    from balita_cli.timeutil import utcnow

    soon = utcnow().strftime("%Y-%m-%d %H:%M")
    for number in range(30):
        cli.ok("new", f"Due {number}", "--status", "scheduled", "--at", "in 1 minute", "--body", "x")
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url, "BALITA_CLOCK": "in 5 minutes"}
    runs = [
        subprocess.Popen([sys.executable, "-m", "balita_cli", "publish", "--due"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]  # fmt: skip
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], results
    published = sum(out.count("published\t") for out, _err in results)
    assert published == 30 and soon
    assert cli.ok("list", "--status", "published", "--format", "count").stdout == "30\n"
