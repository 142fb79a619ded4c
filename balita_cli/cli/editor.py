"""$EDITOR on a front-matter document: YAML fields between --- lines, then the Markdown body."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from balita_cli.errors import Aborted, InvalidInput

# The fields an editor sees, in this order. `body` is the text after the front matter.
DOCUMENT_FIELDS = (
    "title", "subtitle", "slug", "summary", "section", "tags", "authors", "language",
    "source_name", "source_url", "canonical_url", "image_url", "image_alt", "image_caption",
    "image_credit", "dateline", "editor_note", "featured", "expires_at",
)  # fmt: skip
LIST_FIELDS = {"tags", "authors"}
RECOVERY_DIR_ENV = "BALITA_RECOVERY_DIR"


def render_document(fields: dict[str, Any], body: str) -> str:
    front = {name: fields.get(name) for name in DOCUMENT_FIELDS if name in fields}
    text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{text}---\n\n{body.rstrip()}\n"


def parse_document(text: str) -> tuple[dict[str, Any], str]:
    """Split and validate a document; every scalar comes back as text, lists as lists of text."""
    if not text.startswith("---"):
        raise InvalidInput("the document must start with a --- front matter block")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise InvalidInput("the front matter block is not closed with a --- line")
    head, rest = parts[0].removeprefix("---"), parts[1]
    body = rest.split("\n", 1)[1] if "\n" in rest else ""
    try:
        data = yaml.safe_load(head) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise InvalidInput(f"the front matter is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise InvalidInput("the front matter must be a set of 'name: value' lines")
    unknown = sorted(set(map(str, data)) - set(DOCUMENT_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown field(s) in the front matter: {', '.join(unknown)}")
    return {str(key): _clean(str(key), value) for key, value in data.items()}, body.strip("\n")


def _clean(name: str, value: Any) -> Any:
    if name in LIST_FIELDS:
        if value is None:
            return []
        items = value if isinstance(value, list) else str(value).split(",")
        return [str(item).strip() for item in items if str(item).strip()]
    if name == "featured":
        return bool(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def editor_command() -> list[str]:
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not raw:
        if not sys.stdin.isatty():
            raise InvalidInput("no $EDITOR set and no terminal: give the body with --body or --body-file")
        raw = "vi"
    return shlex.split(raw)


def edit_text(initial: str, *, suffix: str = ".md") -> str:
    """Open the editor on ``initial``; an unchanged or emptied document aborts."""
    with tempfile.TemporaryDirectory(prefix="balita-") as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_text(initial, encoding="utf-8")
        try:
            completed = subprocess.run([*editor_command(), str(path)], check=False)
        except OSError as exc:
            raise InvalidInput(f"cannot start the editor: {exc}") from None
        if completed.returncode != 0:
            raise Aborted(f"the editor exited with status {completed.returncode}; nothing was changed")
        try:
            result = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("the edited file is not valid UTF-8; nothing was changed") from None
    if not result.strip():
        raise Aborted("the document was emptied; nothing was changed")
    if result == initial:
        raise Aborted("the document was not changed; nothing was saved")
    return result


def save_recovery(text: str, article_id: int) -> Path:
    """Keep an editor's text that could not be saved, so no work is lost."""
    folder = Path(os.environ.get(RECOVERY_DIR_ENV) or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    handle, name = tempfile.mkstemp(prefix=f"balita-{article_id}-{stamp}-", suffix=".md", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    return Path(name)
