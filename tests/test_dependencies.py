"""Every third-party module that balita or its tests import is declared in pyproject.toml.

A package the machine happens to have (pulled in by another extra, or left from an earlier
install) must not be what makes `pip install -e ".[test]" && pytest` pass.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUR_PACKAGES = {"balita_cli", "tests", "benchmarks", "docs"}


def distribution_name(requirement: str) -> str:
    """`psycopg[binary]>=3.1` -> `psycopg`, normalised as PEP 503 does."""
    name = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def with_its_extras(requirement: str) -> set[str]:
    """A requirement's distribution, and those its extras bring (`pagefind[bin]` brings
    `pagefind-bin`, whose module balita imports)."""
    name = distribution_name(requirement)
    extras = re.findall(r"[\w-]+", requirement.partition("[")[2].partition("]")[0]) if "[" in requirement else []
    brought = {name}
    for extra in extras:
        for needed in requires(name) or []:
            if re.search(rf"extra\s*==\s*['\"]{re.escape(extra)}['\"]", needed):
                brought.add(distribution_name(needed))
    return brought


def declared(*extras: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {name for requirement in requirements for name in with_its_extras(requirement)}


def imported_modules(folder: Path) -> dict[str, Path]:
    """The top-level name of every module imported anywhere under folder (function-local
    imports included), with one file that imports it."""
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.partition(".")[0], path)
    return found


def third_party(modules: dict[str, Path]) -> dict[str, Path]:
    return {
        name: path
        for name, path in modules.items()
        if name not in sys.stdlib_module_names and name not in OUR_PACKAGES and not name.startswith("_")
    }


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def undeclared(modules: dict[str, Path], allowed: set[str]) -> list[str]:
    owners = packages_distributions()
    problems = []
    for name, path in sorted(third_party(modules).items()):
        distributions = {distribution_name(dist) for dist in owners.get(name, [])}
        if not distributions:
            problems.append(f"{name} (imported by {shown(path)}) is not installed")
        elif not distributions & allowed:
            problems.append(f"{name} (imported by {shown(path)}) comes from {sorted(distributions)}")
    return problems


def test_the_product_imports_only_what_it_declares() -> None:
    assert undeclared(imported_modules(ROOT / "balita_cli"), declared()) == []


def test_the_tests_import_only_what_the_test_extra_declares() -> None:
    assert undeclared(imported_modules(ROOT / "tests"), declared("test")) == []


def test_the_check_sees_an_undeclared_import(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text("import yaml\n\ndef later():\n    from pytest import fixture\n", encoding="utf-8")
    found = imported_modules(tmp_path)
    assert set(found) == {"yaml", "pytest"}
    assert undeclared(found, {"pyyaml"}) == ["pytest (imported by probe.py) comes from ['pytest']"]


def test_an_extra_declares_what_it_brings() -> None:
    assert with_its_extras("pagefind[bin]>=1.5.2,<2") == {"pagefind", "pagefind-bin"}


@pytest.mark.parametrize(
    ("requirement", "name"),
    [("psycopg[binary]>=3.1", "psycopg"), ("python_slugify>=8", "python-slugify"), ("types-PyYAML", "types-pyyaml")],
)
def test_requirement_names_are_normalised(requirement: str, name: str) -> None:
    assert distribution_name(requirement) == name
