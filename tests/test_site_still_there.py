"""The look a build with nothing to do takes at its output: every file there with its size, with a
forked child looking at half of them when there are many (Linux, two CPUs, no other thread)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from balita_cli.site import still_there
from balita_cli.site.still_there import FORK_FROM, Look, all_there

FILES = FORK_FROM + 500
TWO_CPUS_ON_LINUX = sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) >= 2


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, list[tuple[str, Any]]]:
    files = []
    for number in range(FILES):
        relative = f"articles/story-{number}/index.html"
        path = tmp_path / relative
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x" * (number % 50))
        files.append((relative, number % 50))
    return tmp_path, files


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []
    real_fork = os.fork

    def counted_fork() -> int:
        child = real_fork()
        if child:
            made.append(child)
        return child

    monkeypatch.setattr(os, "fork", counted_fork)
    return made


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def can_fork() -> bool:
    """Whether this process may fork now (another test may have left a thread behind)."""
    return TWO_CPUS_ON_LINUX and threading.active_count() == 1


def test_every_file_there_with_its_size(folder: tuple[Path, list[tuple[str, Any]]], forks: list[int]) -> None:
    root, files = folder
    expected = 1 if can_fork() else 0
    assert all_there(root, files)
    assert len(forks) == expected
    assert no_child_left()


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2, reason="forks on Linux with 2 CPUs"
)
def test_a_fresh_build_process_forks_one_child_and_reaps_it(folder: tuple[Path, list[tuple[str, Any]]]) -> None:
    """In a process of its own (no thread left by other tests): one child, reaped, either answer."""
    root, files = folder
    script = f"""
import os, sys
from balita_cli.site.still_there import all_there
made = []
real = os.fork
def fork():
    child = real()
    if child:
        made.append(child)
    return child
os.fork = fork
files = {files!r}
first = all_there({str(root)!r}, files)
os.unlink(os.path.join({str(root)!r}, files[-1][0]))
second = all_there({str(root)!r}, files)
try:
    os.waitpid(-1, os.WNOHANG)
    left = True
except ChildProcessError:
    left = False
print(first, second, len(made), left)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split() == ["True", "False", "2", "False"], result.stderr


@pytest.mark.parametrize("where", ["this process's half", "the child's half"])
def test_a_missing_or_changed_file_is_seen_in_either_half(
    folder: tuple[Path, list[tuple[str, Any]]], forks: list[int], where: str
) -> None:
    root, files = folder
    expected = 3 if can_fork() else 0
    position = 10 if where == "this process's half" else FILES - 10
    relative, size = files[position]
    (root / relative).write_bytes(b"y" * (size + 1))
    assert not all_there(root, files)
    (root / relative).unlink()
    assert not all_there(root, files)
    (root / relative).symlink_to(root / files[0][0])  # a link is not the file, whatever it points at
    assert not all_there(root, files)
    assert no_child_left()
    assert len(forks) == expected  # a fork each time, unless another test left a thread running


def test_no_fork_with_another_thread_or_few_files(folder: tuple[Path, list[tuple[str, Any]]], forks: list[int]) -> None:
    root, files = folder
    assert all_there(root, files[: FORK_FROM - 1])
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert all_there(root, files)
        (root / files[-1][0]).unlink()
        assert not all_there(root, files)
    finally:
        stop.set()
        other.join()
    assert forks == []


def test_an_unreadable_list_or_folder_is_not_all_there(tmp_path: Path) -> None:
    assert not all_there(tmp_path / "missing", [("a", 1)])
    assert not all_there(tmp_path, [("a\0b", 1)])
    assert not all_there(tmp_path, [("../outside", 1)])
    assert all_there(tmp_path, [])  # nothing to look at: nothing missing


def test_the_module_keeps_to_its_platform_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not still_there._may_fork(FILES)


def test_a_look_not_answered_leaves_no_child(folder: tuple[Path, list[tuple[str, Any]]], forks: list[int]) -> None:
    """A build that finds something changed closes the look it began: its child is ended and reaped."""
    root, files = folder
    expected = 1 if can_fork() else 0
    look = Look(root, files)
    look.close()
    look.close()  # twice is harmless
    assert len(forks) == expected
    assert no_child_left()
    with closing(Look(root, files)) as answered:
        assert answered.answer()
    assert no_child_left()
