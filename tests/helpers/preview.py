"""``balita serve`` in a process of its own, asked over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.cli import Cli


@dataclass
class Preview:
    process: subprocess.Popen[str]
    url: str
    port: int

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", errors="replace")

    def version(self) -> int:
        status, text = self.get("/__balita/version")
        assert status == 200
        return int(text)

    def wait_for_version(self, above: int, seconds: float = 30) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            version = self.version()
            if version > above:
                return version
            time.sleep(0.1)
        raise AssertionError(f"the preview did not rebuild within {seconds} s")


def start_preview(cli: Cli, *args: str, scratch: Path) -> Preview:
    """``balita serve --port 0`` in a process of its own (its temporary folder under ``scratch``)."""
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url, "TMPDIR": str(scratch)}
    process = subprocess.Popen(
        [sys.executable, "-m", "balita_cli", "serve", "--port", "0", "--poll", "0.2", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("Preview of Balita at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        preview = Preview(process, url, int(url.rsplit(":", 1)[1].strip("/")))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if preview.version() >= 1:
                    return preview
            except (urllib.error.URLError, OSError):
                pass  # not listening yet, or busy with the first build
            time.sleep(0.1)
        raise AssertionError("the preview did not start")
    except BaseException:
        finish(process)
        raise


def finish(process: subprocess.Popen[str]) -> None:
    """Stop a preview that is still running: Ctrl-C first (it removes its folder), then kill."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate(timeout=10)


def stop(preview: Preview) -> str:
    """Ctrl-C: the preview must end cleanly; what it said on stderr."""
    preview.process.send_signal(signal.SIGINT)
    _out, err = preview.process.communicate(timeout=30)
    assert preview.process.returncode == 0, err
    return err
