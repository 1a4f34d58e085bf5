"""The fake_elevate package's shape: its import graph is a DAG (issue 15 "Code health").

Every import counts, at the top, inside a function or under ``TYPE_CHECKING``, since each
is a dependency a reader (or a type checker) follows.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = "fake_elevate"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The fake_elevate modules ``name`` imports (a package, when no submodule is named)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            found.add(base)
            # ``from . import x`` / ``from .scim import filter``: x may be a module itself.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imported_modules(name, path) for name, path in MODULES.items()}


def test_the_graph_sees_the_package() -> None:
    assert {"fake_elevate.app", "fake_elevate.elevate", "fake_elevate.scim.filter"} <= set(GRAPH)
    assert "fake_elevate.account" in GRAPH["fake_elevate.app"]
    assert "fake_elevate.app" in GRAPH["fake_elevate.elevate"]  # imported inside asgi_app


def test_the_import_graph_has_no_cycle() -> None:
    try:
        TopologicalSorter(GRAPH).prepare()
    except CycleError as error:
        pytest.fail(f"import cycle within {PACKAGE}: {' -> '.join(error.args[1])}")


def test_the_web_layer_does_not_import_the_account_it_serves() -> None:
    # fake_elevate.elevate builds the app; the app knows the account only as the
    # ElevateAccount protocol of fake_elevate.account.
    for name, imports in GRAPH.items():
        if name == "fake_elevate.app" or name.startswith("fake_elevate.web"):
            assert "fake_elevate.elevate" not in imports, name
