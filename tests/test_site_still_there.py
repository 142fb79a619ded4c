"""The look a build with nothing to do takes at its output: every file of the last build still
there with its size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from balita_cli.site.output import all_there


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, list[tuple[str, Any]]]:
    files = []
    for number in range(300):
        relative = f"articles/story-{number}/index.html"
        path = tmp_path / relative
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x" * (number % 50))
        files.append((relative, number % 50))
    return tmp_path, files


def test_every_file_there_with_its_size(folder: tuple[Path, list[tuple[str, Any]]]) -> None:
    root, files = folder
    assert all_there(root, files)


@pytest.mark.parametrize("position", [0, 150, -1])
def test_a_missing_changed_or_linked_file_is_seen(folder: tuple[Path, list[tuple[str, Any]]], position: int) -> None:
    root, files = folder
    relative, size = files[position]
    (root / relative).write_bytes(b"y" * (size + 1))
    assert not all_there(root, files)
    (root / relative).unlink()
    assert not all_there(root, files)
    (root / relative).symlink_to(root / files[1][0])  # a link is not the file, whatever it points at
    assert not all_there(root, files)


def test_an_unreadable_list_or_folder_is_not_all_there(tmp_path: Path) -> None:
    assert not all_there(tmp_path / "missing", [("a", 1)])
    assert not all_there(tmp_path, [("a\0b", 1)])
    assert not all_there(tmp_path, [("../outside", 1)])
    assert all_there(tmp_path, [])  # nothing to look at: nothing missing
