"""Outside programs a test needs: skipped where one is missing, a failure where CI installed
everything (BALITA_REQUIRE_EXTERNAL; the hook is in tests/conftest.py)."""

from __future__ import annotations

import shutil

import pytest

REQUIRE_EXTERNAL_ENV = "BALITA_REQUIRE_EXTERNAL"
# A skip whose reason says one of these is a missing program.
MISSING_MARKERS = ("missing program", "not installed", "not available", "not on path", "is missing")


def needs_program(name: str) -> str:
    """The program's path; skip (fail under CI's BALITA_REQUIRE_EXTERNAL) when it is absent."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"missing program: {name} is not installed")
    return path
