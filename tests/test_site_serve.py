"""balita serve through real HTTP requests: drafts with their ribbon, a rebuild after an edit,
the site's 404 page, nothing outside the folder, and the port free again after Ctrl-C."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.cli import Cli
from tests.helpers.preview import Preview, finish, start_preview, stop

pytestmark = pytest.mark.slow


@pytest.fixture
def preview(cli: Cli, tmp_path: Path) -> Iterator[Preview]:
    cli.ok("init", "--demo", "--database", cli.db_url)
    cli.new("Draft scoop on the budget", "--status", "draft", "--section", "Politics", "--body", "DRAFTBODY here.")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    running = start_preview(cli, "--no-search", scratch=scratch)
    try:
        yield running
    finally:
        finish(running.process)
    assert list(scratch.iterdir()) == [], "the preview removes its folder when it stops"


def test_a_draft_is_served_with_its_ribbon_and_never_written_to_public(preview: Preview, tmp_path: Path) -> None:
    status, text = preview.get("/articles/draft-scoop-on-the-budget/")
    assert status == 200
    assert "PREVIEW / DRAFT" in " ".join(text.split())
    assert "DRAFTBODY" in text and "/__balita/version" in text  # the reload script, in preview pages only
    status, home = preview.get("/")
    assert status == 200 and "Draft scoop on the budget" in home
    assert not (tmp_path / "public").exists()


def test_an_edit_shows_after_the_next_poll(cli: Cli, preview: Preview) -> None:
    before = preview.version()
    draft = cli.json("list", "--status", "draft", "--format", "json", "--fields", "id,title")
    target = next(row for row in draft if row["title"] == "Draft scoop on the budget")
    cli.ok("edit", str(target["id"]), "--title", "Draft scoop, now with numbers")
    preview.wait_for_version(before)
    status, text = preview.get("/articles/draft-scoop-on-the-budget/")
    assert status == 200 and "Draft scoop, now with numbers" in text
    quiet = preview.version()
    time.sleep(1)
    assert preview.version() == quiet  # no change, no rebuild


def test_missing_pages_folders_and_paths_outside(preview: Preview) -> None:
    status, text = preview.get("/no/such/page/")
    assert status == 404 and "Page not found" in text
    assert preview.get("/media/")[0] == 404  # no folder listings
    assert preview.get("/articles/")[0] == 404
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd"):
        connection.request("GET", path)
        answer = connection.getresponse()
        body = answer.read()
        assert answer.status == 404 and b"root:" not in body, path
    connection.close()
    with urllib.request.urlopen(preview.url + "style.css", timeout=10) as answer:
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["Content-Type"].startswith("text/css")


def test_ctrl_c_stops_cleanly_and_frees_the_port(preview: Preview) -> None:
    err = stop(preview)
    assert "Preview stopped" in err and "Traceback" not in err
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as again:
        # As a server binds (connections of the old one may wait in TIME_WAIT): fails while it listens.
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", preview.port))
        again.listen()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(preview.url, timeout=3)


def test_a_port_in_use_is_one_error_line(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url}
        done = subprocess.run([sys.executable, "-m", "balita_cli", "serve", "--port", str(port)], env=env,
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}") and "Traceback" not in done.stderr


def test_show_open_opens_the_storys_preview(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    draft = cli.new("Unpublished exclusive", "--status", "draft", "--body", "EXCLUSIVE body.")
    opened = tmp_path / "opened.txt"
    recorder = tmp_path / "browser.py"
    recorder.write_text(f"import sys\nopen({str(opened)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url, "BROWSER": f"{sys.executable} {recorder} %s",
           "TMPDIR": str(tmp_path)}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "balita_cli", "show", str(draft), "--open"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    url = opened.read_text().strip()
    assert url.startswith("file://") and url.endswith("/articles/unpublished-exclusive/index.html")
    page = Path(url.removeprefix("file://"))
    assert "EXCLUSIVE body." in page.read_text() and "PREVIEW / DRAFT" in " ".join(page.read_text().split())
    assert oct(page.parents[2].stat().st_mode & 0o777) == "0o700"
    assert not (tmp_path / "public").exists()


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_only_its_own_address_is_answered(preview: Preview) -> None:
    """A page elsewhere that rebinds its name to 127.0.0.1 sends its own name as Host: no draft for it."""
    path = b"/articles/draft-scoop-on-the-budget/"
    for host in (b"evil.example:%d" % preview.port, b"evil.example", b"127.0.0.1:1", b""):
        answer = raw_request(
            preview.port, b"GET " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.0 421 ") and b"DRAFTBODY" not in answer, host
    no_host = raw_request(preview.port, b"GET " + path + b" HTTP/1.0\r\n\r\n")
    assert no_host.startswith(b"HTTP/1.0 421 ") and b"DRAFTBODY" not in no_host
    for host in (b"127.0.0.1:%d" % preview.port, b"LOCALHOST:%d" % preview.port):
        answer = raw_request(
            preview.port, b"GET " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.0 200 ") and b"DRAFTBODY" in answer, host


def test_a_control_character_in_the_path_is_a_bad_request(preview: Preview) -> None:
    host = b"127.0.0.1:%d" % preview.port
    for path in (b"/%00", b"/articles/%00/", b"/a%0ab"):
        answer = raw_request(
            preview.port, b"GET " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.0 400 "), path


def test_idle_half_sent_requests_neither_pile_up_threads_nor_stay(preview: Preview) -> None:
    """300 clients that send half a request and wait: threads stay capped, and each is dropped."""
    threads_before = len(os.listdir(f"/proc/{preview.process.pid}/task"))
    idlers = []
    try:
        for _ in range(300):
            idler = socket.create_connection(("127.0.0.1", preview.port), timeout=30)
            idler.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idlers.append(idler)
        time.sleep(1)  # let the server accept what it will
        threads = len(os.listdir(f"/proc/{preview.process.pid}/task"))
        assert threads <= threads_before + 64, threads
        assert idlers[0].recv(1024) == b"", "an idle connection is closed by the server"
    finally:
        for idler in idlers:
            idler.close()
    assert preview.get("/")[0] == 200
