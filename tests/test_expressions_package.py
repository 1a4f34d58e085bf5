"""The shape of fake_entra.expressions: an import graph without cycles, modules of a readable size.

Issue 15 "Code health": the evaluator and the function library once imported each
other, and the library was one module of 1,683 lines. These checks read the source
(nothing is imported), so they hold for code paths that only run under TYPE_CHECKING
or inside a function too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import fake_entra.expressions

PACKAGE = "fake_entra.expressions"
ROOT = Path(fake_entra.expressions.__file__).parent
MAX_LINES = 800


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((PACKAGE, *parts))] = path
    return modules


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str, path: Path) -> Iterator[tuple[str, str]]:
    """(module imported from, name) for every import in the file, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = _package_of(module, path).split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield base, alias.name


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for base, imported in _imports(name, path):
            # "from package import module" depends on the module, not only on the package.
            target = f"{base}.{imported}" if f"{base}.{imported}" in modules else base
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_has_no_cycle() -> None:
    graph = _graph()
    assert {"fake_entra.expressions.functions.registry"} <= graph[
        "fake_entra.expressions.functions"
    ]
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_is_longer_than_800_lines() -> None:
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in _modules().items()
    }
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def test_no_private_name_is_imported_from_another_package() -> None:
    modules = _modules()
    crossings = [
        f"{name} imports {imported} from {base}"
        for name, path in modules.items()
        for base, imported in _imports(name, path)
        if imported.startswith("_")
        and not imported.startswith("__")
        and base.startswith(PACKAGE)
        and (
            modules.get(base) is None or _package_of(base, modules[base]) != _package_of(name, path)
        )
    ]
    assert crossings == []
