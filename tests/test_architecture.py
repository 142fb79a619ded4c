"""The package's import graph: no cycles, and the layering of STYLE.md.

Every import counts, wherever it is written: at the top of a module, inside a function, or
under `if TYPE_CHECKING:`. A cycle hidden behind a function-local import is still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "balita_cli"
ROOT = PACKAGE.name


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_names(path: Path, name: str) -> Iterator[str]:
    """Every module name an import in the file reaches, absolute, in or out of the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports. `from pkg import sub` reaches `pkg.sub` when
    that is a module, else `pkg` itself."""
    modules = all_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {target for target in imported_names(path, name) if target in modules}
        # `from pkg import sub` yields both pkg and pkg.sub: keep pkg only when it is the
        # thing imported (a name defined in its __init__), not the path to a submodule.
        graph[name] = {
            target
            for target in targets
            if target != name and not any(other.startswith(target + ".") for other in targets)
        }
    return graph


def external_imports(path: Path, name: str) -> set[str]:
    return {target.split(".")[0] for target in imported_names(path, name)}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest path from the component's first module back to itself, within it."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & members):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError("a strongly connected component always has a cycle")


def describe(graph: dict[str, set[str]], components: list[list[str]]) -> str:
    return "\n".join(
        f"{len(component)} modules: " + " -> ".join(one_cycle(graph, component)) for component in components
    )


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 100, "the graph should hold every module of the package"
    components = strongly_connected(graph)
    assert not components, "import cycles:\n" + describe(graph, components)


def test_the_cycle_finder_finds_a_cycle_and_prints_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    components = strongly_connected(graph)
    assert components == [["a", "b", "c"]]
    assert describe(graph, components) == "3 modules: a -> b -> c -> a"


def test_local_and_type_checking_imports_count(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from balita_cli.models import Article\n"
        "def f():\n    from . import records\n    import balita_cli.config\n",
        encoding="utf-8",
    )
    names = set(imported_names(source, "balita_cli.services.mod"))
    assert {"balita_cli.models", "balita_cli.services.records", "balita_cli.config"} <= names


LAYERS = {
    # package prefix -> imports it may never make
    f"{ROOT}.services": ("typer", "rich", "click", f"{ROOT}.cli", f"{ROOT}.console"),
    f"{ROOT}.formats": (f"{ROOT}.cli",),
    f"{ROOT}.site": (f"{ROOT}.cli",),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layers_import_only_downwards(layer: str) -> None:
    forbidden = LAYERS[layer]
    breaches = []
    for name, path in all_modules().items():
        if name != layer and not name.startswith(layer + "."):
            continue
        for target in set(imported_names(path, name)):
            if any(target == bad or target.startswith(bad + ".") for bad in forbidden):
                breaches.append(f"{name} imports {target}")
    assert not breaches, "\n".join(sorted(breaches))
