"""The Nu HTML Checker (vnu.jar, the engine behind validator.w3.org/nu) over built pages.

One JVM checks every page of a build: start-up costs about a second, each page a few tens of
milliseconds. Messages come back as `NuMessage`, errors and warnings apart.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from tests.checkers import _tools

NuType = Literal["error", "warning", "info"]
# One command line must stay far below ARG_MAX; a larger build is checked in a few JVM runs.
MAX_ARGV_CHARS = 100_000
TIMEOUT_SECONDS = 900
JVM_OPTIONS = ("-Xss2m", "-Djava.awt.headless=true", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
VNU_OPTIONS = ("--format", "json", "--stdout", "--exit-zero-always", "--also-check-css", "--also-check-svg")


@dataclass(frozen=True, order=True)
class NuMessage:
    """One message of the checker: where, how bad, what."""

    file: Path | None
    line: int | None
    column: int | None
    type: NuType
    message: str
    extract: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line or 0}:{self.column or 0}" if self.file else "(checker)"
        return f"{where}: {self.type}: {self.message}"


def nu_messages(paths: Sequence[Path], *, ignore: Sequence[str] = ()) -> list[NuMessage]:
    """Every message vnu gives for these files (HTML, CSS, SVG), in one JVM per ~1,000 files.

    `ignore` holds regular expressions searched in each message's text (as vnu's
    --filterpattern); a matching message is dropped. A checker that crashes or prints no JSON
    raises, so a broken run never looks like a clean one.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("nu_messages: no files to check (an empty build would pass silently)")
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"nu_messages: not files: {missing[:5]}")
    command = [_tools.java(), *JVM_OPTIONS, "-jar", str(_tools.npm_file(_tools.VNU_JAR, "vnu.jar")), *VNU_OPTIONS]
    by_resolved = {p.resolve(): p for p in files}
    patterns = [re.compile(p) for p in ignore]
    messages: list[NuMessage] = []
    for batch in _batches([str(p) for p in files], MAX_ARGV_CHARS):
        for raw in _run_vnu([*command, *batch]):
            message = _message(raw, by_resolved)
            if not any(p.search(message.message) for p in patterns):
                messages.append(message)
    return sorted(messages)


def nu_errors(paths: Sequence[Path], *, ignore: Sequence[str] = ()) -> list[NuMessage]:
    """The errors (what validator.w3.org/nu shows in red): `assert nu_errors(pages) == []`."""
    return [m for m in nu_messages(paths, ignore=ignore) if m.type == "error"]


def nu_warnings(paths: Sequence[Path], *, ignore: Sequence[str] = ()) -> list[NuMessage]:
    """The warnings (info messages of subType "warning", e.g. a wrong lang, a redundant role)."""
    return [m for m in nu_messages(paths, ignore=ignore) if m.type == "warning"]


def _batches(arguments: list[str], limit: int) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for argument in arguments:
        if batch and size + len(argument) + 1 > limit:
            yield batch
            batch, size = [], 0
        batch.append(argument)
        size += len(argument) + 1
    if batch:
        yield batch


def _run_vnu(command: list[str]) -> list[dict[str, Any]]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise RuntimeError(
            f"vnu.jar printed no JSON (exit {done.returncode}): {error}\nstdout: {done.stdout[-2000:]}\n"
            f"stderr: {done.stderr[-2000:]}"
        ) from error
    if done.returncode != 0:
        raise RuntimeError(f"vnu.jar exited {done.returncode}: {done.stderr[-2000:]}")
    messages: list[dict[str, Any]] = report.get("messages", [])
    return messages


def _message(raw: dict[str, Any], by_resolved: dict[Path, Path]) -> NuMessage:
    kind = raw.get("type")
    sub_type = raw.get("subType")
    nu_type: NuType
    if kind == "info":
        nu_type = "warning" if sub_type == "warning" else "info"
    else:  # "error" (subType "fatal" too) and "non-document-error" (I/O, schema, internal)
        nu_type = "error"
    url = raw.get("url")
    file = None
    if isinstance(url, str) and url.startswith("file:"):
        local = Path(unquote(urlsplit(url).path)).resolve()
        file = by_resolved.get(local, local)
    line = raw.get("lastLine", raw.get("firstLine"))
    column = raw.get("firstColumn", raw.get("lastColumn"))
    text = str(raw.get("message", ""))
    if kind == "non-document-error":
        text = f"checker could not read the file ({sub_type}): {text}"
    return NuMessage(file, line, column, nu_type, text, str(raw.get("extract", "")))
