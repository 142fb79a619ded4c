"""The test corpora: real feeds, exports and official schemas (see shared/corpora/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
SHARED = TESTS.parents[1] / "shared"
CORPORA = SHARED / "corpora"
# The small, permissively licensed part of the corpora, copied here (see its SOURCES.md).
LOCAL_CORPORA = TESTS / "fixtures" / "corpora"


def corpora_path(*parts: str) -> Path:
    """A file of the test corpora: the copy in tests/fixtures when there is one, else the shared
    corpora; the test is skipped where neither has it."""
    local = LOCAL_CORPORA.joinpath(*parts)
    if local.exists():
        return local
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpora not available at {path}")
    return path
