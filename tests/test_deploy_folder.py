"""`balita deploy FOLDER`: release folders and a link switched in one rename, `--keep`,
`--rollback`; a reader of the live folder never sees a half-written release."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.helpers.cli import Cli
from tests.helpers.deploy import lead_slug, make_site, site_files

pytestmark = pytest.mark.slow  # each builds a site


def live(target: Path) -> dict[str, bytes]:
    current = target / "current"
    return {
        path.relative_to(current).as_posix(): path.read_bytes()
        for path in current.rglob("*")
        if path.is_file() and path.name != ".balita-deploy.json"
    }


def releases(target: Path) -> list[str]:
    return sorted(entry.name for entry in (target / "releases").iterdir())


def test_deploy_switches_releases_keeps_some_and_rolls_back(cli: Cli, tmp_path: Path) -> None:
    public = make_site(cli, tmp_path)
    target = tmp_path / "www"
    first = cli.ok("deploy", str(target))
    assert live(target) == site_files(public)
    assert os.readlink(target / "current") == f"releases/{releases(target)[0]}"
    assert first.stdout == ""
    assert oct((target / "current" / "index.html").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    unchanged = cli.ok("deploy", str(target))
    assert len(releases(target)) == 1 and "0 uploaded, 0 deleted" in unchanged.stderr

    slug = lead_slug(public)
    versions = [site_files(public)]
    for number in range(1, 4):
        cli.ok("edit", slug, "--title", f"Correction number {number}")
        cli.ok("build")
        result = cli.ok("deploy", str(target), "--keep", "3")
        assert f"https://balita.example.ph/articles/{slug}/" in result.stdout.splitlines()
        versions.append(site_files(public))
        assert live(target) == versions[-1]
    kept = releases(target)
    assert len(kept) == 3
    newest = kept[-1]
    old_page = (target / "releases" / kept[-2] / "style.css").stat()
    assert (target / "releases" / newest / "style.css").stat().st_ino == old_page.st_ino  # unchanged: linked

    back = cli.ok("deploy", str(target), "--rollback")
    assert os.readlink(target / "current") == f"releases/{kept[-2]}"
    assert live(target) == versions[-2]
    assert f"https://balita.example.ph/articles/{slug}/" in back.stdout.splitlines()
    cli.ok("deploy", str(target), "--rollback")
    assert live(target) == versions[-3]
    refused = cli.fails(["deploy", str(target), "--rollback"])
    assert refused.stderr == f"error: no release before {kept[0]} in {target / 'releases'} to roll back to\n"
    again = cli.ok("deploy", str(target), "--keep", "3")  # the build is the newest: a new release
    assert live(target) == versions[-1] and "release" in again.stderr


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_reader_never_sees_a_half_written_release(cli: Cli, tmp_path: Path) -> None:
    public = make_site(cli, tmp_path)
    target = tmp_path / "www"
    cli.ok("deploy", str(target), "--keep", "50")
    slug = lead_slug(public)
    page = f"articles/{slug}/index.html"
    problems: list[str] = []
    stop = threading.Event()
    seen: set[bytes] = set()

    def reader() -> None:  # the front page and the lead's page, through the live link, again and again
        while not stop.is_set():
            for path in ("index.html", page, "feed.xml"):
                try:
                    data = (target / "current" / path).read_bytes()
                except OSError as error:
                    problems.append(f"{path}: {error}")
                    continue
                if not data.rstrip().endswith((b"</html>", b"</rss>")):
                    problems.append(f"{path}: cut short")
                if path == page:
                    seen.add(data)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    for number in range(4):
        cli.ok("edit", slug, "--title", f"Headline, take {number}")
        cli.ok("build")
        cli.ok("deploy", str(target), "--keep", "50")
    stop.set()
    thread.join(30)
    assert problems == []
    assert len(seen) >= 2  # the reader saw the page change under it
    every_release = {(target / "releases" / name / page).read_bytes() for name in releases(target)}
    assert seen <= every_release  # each read was one release's page, whole


def test_hostile_targets_are_refused(cli: Cli, tmp_path: Path) -> None:
    public = make_site(cli, tmp_path)
    inside = cli.fails(["deploy", str(public / "www")])
    assert "must not hold each other" in inside.stderr
    holding = cli.fails(["deploy", str(tmp_path)])
    assert "must not hold each other" in holding.stderr
    squatted = tmp_path / "squatted"
    squatted.mkdir()
    (squatted / "current").write_text("not a link")
    assert "is not a link balita made" in cli.fails(["deploy", str(squatted)]).stderr
    astray = tmp_path / "astray"
    astray.mkdir()
    (astray / "current").symlink_to("/etc")
    assert "not at one of" in cli.fails(["deploy", str(astray)]).stderr
    assert cli.fails(["deploy", str(tmp_path / "nothing-yet"), "--rollback"]).stderr == (
        f"error: nothing is deployed in {tmp_path / 'nothing-yet'} yet\n"
    )
    assert "--rollback works on a folder target" in cli.fails(["deploy", "s3://news", "--rollback"]).stderr
    assert cli.fails(["deploy", str(tmp_path / "w"), "--keep", "0"], code=2).stderr.count("Invalid value") == 1
    no_target = cli.fails(["deploy"], code=2)
    assert no_target.stderr == (
        "error: no deploy target: name one (s3://bucket/prefix or a folder), or set [deploy] target\n"
    )


def test_deploy_needs_a_finished_build(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    refused = cli.fails(["deploy", str(tmp_path / "www")])
    assert refused.stderr == (
        f"error: no finished build in {tmp_path / 'public'} (no readable .balita-build.json): "
        "run `balita build` first\n"
    )
    cli.ok("build", "--no-search")
    (tmp_path / "public" / "style.css").write_text("changed behind the build's back, and longer than before")
    assert "changed since the last build finished; build again" in cli.fails(["deploy", str(tmp_path / "w")]).stderr
    assert not (tmp_path / "w" / "current").exists()
    assert [entry.name for entry in (tmp_path / "w" / "releases").iterdir()] == []  # the half-made one is gone
    (tmp_path / "public" / "style.css").unlink()
    (tmp_path / "public" / "style.css").symlink_to(tmp_path / "balita.toml")  # a link left in the folder
    refused = cli.fails(["deploy", str(tmp_path / "w")])
    assert refused.stderr.startswith(f"error: cannot read {tmp_path / 'public' / 'style.css'}: ")
    assert not (tmp_path / "w" / "current").exists()


def test_the_target_comes_from_balita_toml(cli: Cli, tmp_path: Path) -> None:
    make_site(cli, tmp_path)
    with (tmp_path / "balita.toml").open("a") as toml:
        toml.write('\n[deploy]\ntarget = "www"\nkeep = 2\n')
    cli.ok("deploy")
    assert (tmp_path / "www" / "current" / "index.html").is_file()
