"""Where the outside checkers live, and the skip for each one that is missing.

Every skip reason says "... is not installed", which conftest's BALITA_REQUIRE_EXTERNAL hook
turns into a failure in CI (where everything is installed by .ci/run).
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers.programs import needs_program

TESTS = Path(__file__).resolve().parents[1]
JS = TESTS / "js"
NODE_MODULES = JS / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
NPM_HINT = "run: npm ci --prefix tests/js --ignore-scripts"
CHROMIUM_ENV = "BALITA_CHROMIUM"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")


def npm_file(path: Path, what: str) -> Path:
    """A file from tests/js/node_modules; skip when `npm ci` has not been run."""
    if not path.is_file():
        pytest.skip(f"{what} is not installed at {path.relative_to(TESTS.parent)} ({NPM_HINT})")
    return path


def java() -> str:
    """The java program (vnu.jar needs Java 11 or later)."""
    return needs_program("java")


def chromium() -> str:
    """Debian's Chromium (or the one named by BALITA_CHROMIUM); skip when there is none."""
    named = os.environ.get(CHROMIUM_ENV)
    for candidate in (named,) if named else CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    pytest.skip(f"missing program: {named or 'chromium'} is not installed (Debian package chromium)")


def python_module(module: str, distribution: str) -> ModuleType:
    """Import a test-only Python package; skip when it is absent."""
    try:
        return importlib.import_module(module)
    except ImportError:
        pytest.skip(f"{distribution} is not installed (pip install '{distribution}', or the test extra)")
