"""The fake_elevate package's shape (issue 15 "Code health").

Its import graph is a DAG: every import counts, at the top, inside a function or under
``TYPE_CHECKING``, since each is a dependency a reader (or a type checker) follows. No
module is over 800 lines. No module reaches into another library's private modules or
attributes (a leading underscore): there is no module allowed to, so far; one that must
would be named here, with a contract test that fails when that library changes.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = "fake_elevate"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
MAX_LINES = 800
#: Modules allowed to use another library's private names: none.
PRIVATE_USE_ALLOWED: frozenset[str] = frozenset()


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


def test_no_module_is_over_800_lines() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()
    }
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}


def is_private(name: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in name.split("."))


def private_uses(source: str) -> list[str]:
    """Where ``source`` uses a private module or attribute of a library other than ours."""
    tree = ast.parse(source)
    foreign: set[str] = set()  # names bound to other libraries' modules and objects
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not alias.name.startswith(PACKAGE):
                    foreign.add(alias.asname or alias.name.split(".")[0])
                    if is_private(alias.name):
                        found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and not node.level:
            module = node.module or ""
            if module.startswith(PACKAGE) or module == "__future__":
                continue
            for alias in node.names:
                foreign.add(alias.asname or alias.name)
                if is_private(module) or is_private(alias.name):
                    found.append(f"line {node.lineno}: from {module} import {alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            root: ast.expr = node.value
            while isinstance(root, ast.Attribute | ast.Call | ast.Subscript):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name) and root.id in foreign:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call):
            callee = ast.unparse(node.func)
            first = node.args[0] if node.args else None
            literal = first.value if isinstance(first, ast.Constant) else None
            if callee in ("importlib.import_module", "import_module", "__import__"):
                # A module chosen at run time could be anything: only public literals.
                if not isinstance(literal, str) or is_private(literal):
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
            elif callee == "getattr" and len(node.args) > 1:
                target, name = node.args[0], node.args[1]
                if (
                    isinstance(target, ast.Name)
                    and target.id in foreign
                    and isinstance(name, ast.Constant)
                    and isinstance(name.value, str)
                    and is_private(name.value)
                ):
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_private_name_of_another_library_is_used() -> None:
    uses = {
        name: found
        for name, path in MODULES.items()
        if name not in PRIVATE_USE_ALLOWED
        and (found := private_uses(path.read_text(encoding="utf-8")))
    }
    assert uses == {}


@pytest.mark.parametrize(
    "source",
    [
        "import _sha256",
        "from _sha2 import sha256",
        "from starlette._utils import is_async_callable",
        "from hashlib import _hashlib",
        "import importlib\nfor name in ('_sha256',):\n    importlib.import_module(name)",
        "from fastapi import FastAPI\nFastAPI()._debug",
        "import starlette.routing\nstarlette.routing._PATH",
        "import orjson\ngetattr(orjson, '_private')",
    ],
)
def test_the_private_name_check_sees_each_form(source: str) -> None:
    assert private_uses(source)


def test_the_private_name_check_leaves_our_own_names_and_dunders_alone() -> None:
    source = (
        "from .scim.filter.grammar import _parse_filter_cached\n"
        "from fake_elevate.store import ScimStore\n"
        "import hashlib\n"
        "class A:\n"
        "    def f(self):\n"
        "        return self._x, hashlib.__name__, _parse_filter_cached.__wrapped__\n"
    )
    assert private_uses(source) == []
