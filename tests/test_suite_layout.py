"""The test suite's own rules, read from its source with ``ast``: no test module imports another (what
they share is in tests/helpers/ or a conftest fixture), every declared marker is used, and no test
asserts on the clock (timings are figures in benchmarks/, not verdicts)."""

from __future__ import annotations

import ast
import textwrap
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CLOCKS = {("time", "time"), ("time", "monotonic"), ("time", "perf_counter"), ("time", "process_time")}


@cache
def modules() -> tuple[tuple[Path, ast.Module], ...]:
    """Every Python file of the suite, parsed once."""
    paths = sorted(path for path in TESTS.rglob("*.py") if "node_modules" not in path.parts)
    return tuple((path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))) for path in paths)


def named(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported_names(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every module an import statement names, and the code run in subprocesses (``python -c``)
    that a string holds."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            yield node.lineno, ("." * node.level) + node.module
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "import" in node.value:
            for line in node.value.splitlines():
                words = line.replace(";", " ").split()
                for before, after in zip(words, words[1:], strict=False):
                    if before in ("import", "from"):
                        yield node.lineno, after


def is_test_module(name: str) -> bool:
    last = name.lstrip(".").rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_no_test_module_imports_another_or_the_conftest() -> None:
    found = [
        f"{named(path)}:{line} imports {name}"
        for path, tree in modules()
        for line, name in imported_names(tree)
        if (name.startswith("tests.") or name.startswith(".")) and is_test_module(name)
    ]
    assert found == [], "share it through tests/helpers/ or a conftest fixture instead:\n" + "\n".join(found)


def test_the_check_sees_an_import_of_a_test_module_in_code_and_in_a_subprocess() -> None:
    package = "tests"  # spelled apart, so that this module's own source imports no test module
    code = f"""
from {package}.test_export import x
import {package}.conftest
run("-c", "from {package}.test_build import y")
"""
    names = {name for _line, name in imported_names(ast.parse(code))}
    assert {"tests.test_export", "tests.conftest", "tests.test_build"} <= names
    assert all(is_test_module(name) for name in names if name.startswith("tests."))
    assert not is_test_module("tests.helpers.cli")


def declared_markers() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lines = config["tool"]["pytest"]["ini_options"]["markers"]
    return {line.split(":", 1)[0].split("(", 1)[0].strip() for line in lines}


def used_markers() -> set[str]:
    used = set()
    for _path, tree in modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "mark"
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id == "pytest"
            ):
                used.add(node.attr)
    return used


def test_every_declared_marker_is_used() -> None:
    assert declared_markers() - used_markers() == set()


def clock_readings(function: ast.FunctionDef, clocks: set[str]) -> set[str]:
    """Names that hold a reading of the clock, or a sum or difference of readings (``clocks``:
    the module's functions that return one)."""
    pairs = [pair for node in ast.walk(function) if isinstance(node, ast.Assign) for pair in assigned_pairs(node)]
    readings: set[str] = set()
    changed = True
    while changed:
        changed = False
        for target, value in pairs:
            if reads_the_clock(value, readings, clocks):
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and name.id not in readings:
                        readings.add(name.id)
                        changed = True
    return readings


def assigned_pairs(node: ast.Assign) -> Iterator[tuple[ast.expr, ast.expr]]:
    """(target, value) of an assignment, element by element where a tuple is unpacked from a tuple."""
    for target in node.targets:
        if (
            isinstance(target, ast.Tuple)
            and isinstance(node.value, ast.Tuple)
            and len(target.elts) == len(node.value.elts)
        ):
            yield from zip(target.elts, node.value.elts, strict=True)
        else:
            yield target, node.value


def reads_the_clock(expression: ast.AST, readings: set[str], clocks: set[str]) -> bool:
    for node in ast.walk(expression):
        if isinstance(node, ast.Name) and node.id in readings:
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in clocks:
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) in CLOCKS
        ):
            return True
    return False


def clock_functions(tree: ast.Module) -> set[str]:
    """The module's functions that return a reading of the clock (``timed(...)``), however nested."""
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    clocks: set[str] = set()
    changed = True
    while changed:
        changed = False
        for function in functions:
            readings = clock_readings(function, clocks)
            returns = [node.value for node in ast.walk(function) if isinstance(node, ast.Return) and node.value]
            if function.name not in clocks and any(reads_the_clock(value, readings, clocks) for value in returns):
                clocks.add(function.name)
                changed = True
    return clocks


def clock_assertions(tree: ast.Module) -> Iterator[int]:
    if not reads_the_clock(tree, set(), set()):
        return
    clocks = clock_functions(tree)
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            readings = clock_readings(function, clocks)
            for node in ast.walk(function):
                if isinstance(node, ast.Assert) and reads_the_clock(node.test, readings, clocks):
                    yield node.lineno


def test_no_test_asserts_on_the_clock() -> None:
    found = [f"{named(path)}:{line}" for path, tree in modules() for line in clock_assertions(tree)]
    assert found == [], "measure it in benchmarks/ and report it instead:\n" + "\n".join(found)


TIME_BUDGETS = {
    "read twice": """
        def test_x():
            started = time.monotonic()
            run()
            assert time.monotonic() - started < 2
    """,
    "a difference": """
        def test_x():
            started = time.perf_counter()
            run()
            elapsed = time.perf_counter() - started
            assert elapsed < 1
    """,
    "a helper that times": """
        def timed(action):
            started = time.monotonic()
            action()
            return time.monotonic() - started

        def test_x():
            took = timed(run)
            assert took < 2
    """,
    "unpacked": """
        def test_x():
            before, after = time.perf_counter(), time.perf_counter()
            spent, count = after - before, 0
            assert spent < 1
    """,
}


@pytest.mark.parametrize("name", sorted(TIME_BUDGETS))
def test_the_check_sees_a_time_budget(name: str) -> None:
    assert list(clock_assertions(ast.parse(textwrap.dedent(TIME_BUDGETS[name])))) != []


def test_the_check_leaves_a_deadline_loop_alone() -> None:
    code = """
        def wait():
            screen, deadline = "", time.monotonic() + 5
            while time.monotonic() < deadline:
                screen += poll()
            assert screen
            return screen
    """
    assert list(clock_assertions(ast.parse(textwrap.dedent(code)))) == []
