"""The fetcher process the launcher starts for ``balita fetch`` (``balita_cli/net/fetcher.py``).

Each case runs a fresh Python process (the fetcher is forked before anything else is loaded,
which a test runner with threads is not) against a real HTTP server on 127.0.0.1 in this one.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from balita_cli.cli import app
from balita_cli.launcher import FETCHING, VALUE_OPTIONS, command_word
from balita_cli.net import FetchError, FetchPolicy, Validators
from balita_cli.net.fetch import fetch_here

two_cpus = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="the fetcher is forked only on Linux with two CPUs",
)

FEED = b"<rss version='2.0'><channel><title>Outlet</title></channel></rss>"


@pytest.fixture(scope="module")
def outlet() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()

    def answer(request: Request) -> Response:
        if request.path == "/feed":
            if request.headers.get("If-None-Match") == '"v1"':
                return Response(b"", status=304, headers={"ETag": '"v1"'})
            return Response(FEED, content_type="application/rss+xml", headers={"ETag": '"v1"'})
        if request.path == "/busy":
            return Response("later", status=503, headers={"Retry-After": "120"})
        if request.path == "/metadata":
            return Response("", status=302, headers={"Location": "http://169.254.169.254/latest/"})
        return Response("not here", status=404)

    server.expect_request("/feed").respond_with_handler(answer)
    server.expect_request("/busy").respond_with_handler(answer)
    server.expect_request("/metadata").respond_with_handler(answer)
    yield server
    server.clear()
    server.stop()


def requests_for(server: HTTPServer) -> list[tuple[int, str, Validators | None]]:
    return [
        (1, server.url_for("/feed"), None),
        (2, server.url_for("/feed"), Validators('"v1"')),
        (3, server.url_for("/busy"), None),
        (4, server.url_for("/metadata"), None),
        (5, "file:///etc/passwd", None),
    ]


PROGRAM = """
import json, os, pickle, signal, sys
from balita_cli.net import fetcher
fetcher.start(sys.argv[1:])
started = fetcher.take()
report = {"started": started is not None}
"""


def run(script: str, *argv: str, stdin: bytes = b"") -> dict[str, object]:
    """The JSON a Python program writes last on stdout; it begins with PROGRAM."""
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM + textwrap.dedent(script), *argv],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return json.loads(done.stdout.decode().splitlines()[-1])  # type: ignore[no-any-return]


def outcomes_shown(outcomes: dict[int, object]) -> dict[str, object]:
    shown: dict[str, object] = {}
    for key, outcome in outcomes.items():
        if isinstance(outcome, FetchError):
            shown[str(key)] = ["error", outcome.message, outcome.status, outcome.retry_after]
        else:
            shown[str(key)] = ["fetched", outcome.status, outcome.body.decode(), list(outcome.validators)]  # type: ignore[attr-defined]
    return shown


FETCH_AND_REPORT = """
from balita_cli.net import FetchError, FetchPolicy, fetch_many
requests, policy = pickle.loads(sys.stdin.buffer.read())
outcomes = fetch_many(requests, policy)
shown = {}
for key, outcome in outcomes.items():
    if isinstance(outcome, FetchError):
        shown[str(key)] = ["error", outcome.message, outcome.status, outcome.retry_after]
    else:
        shown[str(key)] = ["fetched", outcome.status, outcome.body.decode(), list(outcome.validators)]
report["outcomes"] = shown
report["httpx here"] = "httpx" in sys.modules
fetcher.end()
try:
    os.waitpid(-1, os.WNOHANG)
    report["children left"] = True
except ChildProcessError:
    report["children left"] = False
print(json.dumps(report))
"""


@two_cpus
def test_the_fetcher_fetches_what_this_process_would_and_this_process_never_loads_httpx(outlet: HTTPServer) -> None:
    policy = FetchPolicy(deadline=5, allow_private=True)
    requests = requests_for(outlet)
    here = outcomes_shown(fetch_here(requests, policy))  # type: ignore[arg-type]

    report = run(FETCH_AND_REPORT, "fetch", stdin=pickle.dumps((requests, policy)))

    assert report["started"] is True
    assert report["outcomes"] == here
    assert here["1"] == ["fetched", 200, FEED.decode(), ['"v1"', None]]
    assert here["2"][:2] == ["fetched", 304]
    assert here["3"][0] == "error" and here["3"][2:] == [503, 120.0]
    assert "169.254.169.254 is a link-local address" in str(here["4"][1])
    assert "scheme 'file' is not allowed" in str(here["5"][1])
    assert report["httpx here"] is False  # the fetcher did the fetching
    assert report["children left"] is False  # ended and reaped


@two_cpus
def test_a_fetcher_that_died_leaves_the_fetching_to_this_process(outlet: HTTPServer) -> None:
    script = "os.kill(started.pid, signal.SIGKILL)\n" + FETCH_AND_REPORT
    policy = FetchPolicy(deadline=5, allow_private=True)

    report = run(script, "fetch", stdin=pickle.dumps((requests_for(outlet)[:1], policy)))

    assert report["started"] is True
    assert report["outcomes"] == {"1": ["fetched", 200, FEED.decode(), ['"v1"', None]]}
    assert report["httpx here"] is True and report["children left"] is False


@two_cpus
def test_a_fetcher_outlives_no_command_even_one_killed_outright() -> None:
    script = """
    print(json.dumps({"pid": started.pid}), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM + textwrap.dedent(script), "fetch"], capture_output=True, timeout=60, check=False
    )
    assert done.returncode == -signal.SIGKILL
    pid = json.loads(done.stdout)["pid"]
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:  # the pipe's end is its signal to leave
        time.sleep(0.05)
    assert not alive(pid)


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in {"Z", "X"}


@pytest.mark.parametrize(
    ("setup", "argv"),
    [
        ("os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})", ["fetch"]),  # one CPU
        ("import threading; threading.Thread(target=__import__('time').sleep, args=(1,)).start()", ["fetch"]),
        ("", ["fetch", "--help"]),
        ("os.environ['_BALITA_COMPLETE'] = 'complete_bash'", ["fetch"]),
    ],
    ids=["one CPU", "another thread", "help", "completion"],
)
def test_no_fetcher_where_it_would_not_gain(setup: str, argv: list[str]) -> None:
    program = f"import os\n{setup}\n" + PROGRAM + "print(json.dumps(report))\n"
    done = subprocess.run([sys.executable, "-c", program, *argv], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout.decode().splitlines()[-1]) == {"started": False}


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["fetch"], "fetch"),
        (["-q", "fetch", "philstar"], "fetch"),
        (["--db", "fetch.db", "list"], "list"),
        (["--site=fetch", "fetch"], "fetch"),
        (["--as", "ana", "--clock", "2026-01-01", "--no-color", "fetch"], "fetch"),
        (["--db"], None),
        (["--", "fetch"], "fetch"),
        ([], None),
    ],
)
def test_the_command_word_skips_global_options_and_their_values(argv: list[str], word: str | None) -> None:
    assert command_word(argv) == word


def test_the_launcher_knows_every_global_option_that_takes_a_value() -> None:
    command = typer.main.get_command(app)
    takes_value = {
        name
        for param in command.params
        if not getattr(param, "is_flag", True) and not getattr(param, "count", False)
        for name in param.opts
    }
    assert takes_value == VALUE_OPTIONS
    assert FETCHING <= set(command.commands)  # type: ignore[attr-defined]


def test_a_fetch_error_crosses_processes_whole() -> None:
    error = FetchError("https://user:secret@example.ph/feed", "the server answered 503", status=503, retry_after=60.0)
    again = pickle.loads(pickle.dumps(error))  # noqa: S301  (made here)
    assert (again.message, again.url, again.reason, again.status, again.retry_after) == (
        error.message,
        error.url,
        error.reason,
        503,
        60.0,
    )
    assert "secret" not in again.message
