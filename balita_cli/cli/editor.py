"""$EDITOR on a document, and the recovery file that keeps an editor's text whatever happens."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from balita_cli.errors import Aborted, InvalidInput

RECOVERY_DIR_ENV = "BALITA_RECOVERY_DIR"


def editor_command() -> list[str]:
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not raw:
        if not sys.stdin.isatty():
            raise InvalidInput("no $EDITOR set and no terminal: give the body with --body or --body-file")
        raw = "vi"
    return shlex.split(raw)


def edit_text(initial: str, *, suffix: str = ".md", unchanged_ok: bool = False) -> str:
    """Open the editor on ``initial``; an emptied document (or an unchanged one) aborts."""
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
    if result == initial and not unchanged_ok:
        raise Aborted("the document was not changed; nothing was saved")
    return result


def save_recovery(text: str, label: str) -> Path:
    """Keep an editor's text that could not be saved, so no work is lost (private: mode 0600)."""
    folder = Path(os.environ.get(RECOVERY_DIR_ENV) or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    handle, name = tempfile.mkstemp(prefix=f"balita-{label}-{stamp}-", suffix=".md", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    return Path(name)
