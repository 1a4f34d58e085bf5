"""The harness package's shape (issue 15 "Code health").

Its import graph is a DAG: every import counts, at the top, inside a function or under
``TYPE_CHECKING``. No module is over 800 lines. No module uses a private name of another
library: httpx's ``Response._content`` is read through fake_entra.httpx_internals, with its
contract test in tests/test_entra_httpx_internals.py.

A private name is another library's when harness does not define it (a def, a class, a name
or ``self.`` attribute assigned): ``target._serve`` is harness's own, ``response._content``
is httpx's, whatever the variable is called. Those checks read the source. Overriding a
private method of another library's class counts too; that check imports the classes, to
tell an override from a method of harness's own.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "harness"
MAX_LINES = 800
#: The modules allowed to use another library's private names, and what they use: none.
PRIVATE_USE_ALLOWED: dict[str, set[str]] = {}
#: Underscored on purpose, and documented: a namedtuple's public methods.
NAMEDTUPLE_API = frozenset({"_replace", "_asdict", "_make", "_fields", "_field_defaults"})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted((ROOT / PACKAGE).rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def imported_modules(name: str, tree: ast.Module) -> set[str]:
    """The harness modules ``name`` imports; ``from package import module`` counts the
    module."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imported_modules(name, tree) for name, tree in TREES.items()}


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def defined_names(trees: Iterable[ast.Module]) -> set[str]:
    """Every name harness defines: functions, classes, assigned names, arguments and the
    attributes it assigns on ``self`` or ``cls`` (assigning another object's attribute
    defines nothing)."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                    names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names


def private_uses(tree: ast.Module, own: set[str]) -> list[str]:
    """Where ``tree`` uses a private name that ``own`` (harness's names) does not define."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if isinstance(node, ast.ImportFrom) and (node.level or module.startswith(PACKAGE)):
                continue
            for alias in node.names:
                dotted = f"{module}.{alias.name}" if module else alias.name
                if any(is_private(part) for part in dotted.split(".")):
                    found.append(f"line {node.lineno}: imports {dotted}")
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            if node.attr not in own and node.attr not in NAMEDTUPLE_API:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("getattr", "setattr"):
            name = node.args[1] if len(node.args) > 1 else None
            if (
                isinstance(name, ast.Constant)
                and isinstance(name.value, str)
                and is_private(name.value)
                and name.value not in own
            ):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def private_overrides(classes: Iterable[type]) -> list[str]:
    """The private methods written in ``classes`` that override one of another library's
    class (the first such class up the MRO names it)."""
    found: list[str] = []
    for cls in classes:
        for name, value in vars(cls).items():
            function = getattr(value, "__func__", value)  # classmethod, staticmethod
            written_here = getattr(function, "__qualname__", "") == f"{cls.__qualname__}.{name}"
            if not (is_private(name) and written_here):
                continue
            overridden = next(
                (
                    base
                    for base in cls.__mro__[1:]
                    if not base.__module__.startswith(PACKAGE) and name in vars(base)
                ),
                None,
            )
            if overridden is not None:
                found.append(
                    f"{cls.__qualname__}.{name} overrides "
                    f"{overridden.__module__}.{overridden.__qualname__}"
                )
    return found


def test_the_graph_sees_the_package() -> None:
    assert {"harness.cli", "harness.reports.plugin", "harness.transport"} <= set(GRAPH)
    assert "harness.reports.page" in GRAPH["harness.reports.plugin"]
    assert "harness.reports.progress" in GRAPH["harness.cli"]  # imported inside run()
    assert "harness.recorder" in GRAPH["harness.reports.artifacts"]  # under TYPE_CHECKING


def test_the_import_graph_has_no_cycle() -> None:
    try:
        TopologicalSorter(GRAPH).prepare()
    except CycleError as error:
        pytest.fail(f"import cycle within {PACKAGE}: {' -> '.join(error.args[1])}")


def test_no_module_is_over_800_lines() -> None:
    sizes = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}


def test_no_private_name_of_another_library_is_used_but_httpx_response_content() -> None:
    own = defined_names(TREES.values())
    uses = {name: found for name, tree in TREES.items() if (found := private_uses(tree, own))}
    assert set(uses) == set(PRIVATE_USE_ALLOWED), uses
    for name, used in PRIVATE_USE_ALLOWED.items():
        assert {use.rpartition(".")[2] for use in uses[name]} == used


def test_no_class_overrides_a_private_method_of_another_library() -> None:
    classes = [
        cls
        for name in MODULES
        for cls in vars(importlib.import_module(name)).values()
        if isinstance(cls, type) and cls.__module__ == name
    ]
    assert len(classes) > 50  # the check sees harness's classes
    assert private_overrides(classes) == []


def test_the_override_check_tells_an_override_from_a_method_of_our_own() -> None:
    class Overriding(pytest.Module):
        def _getobj(self) -> None:
            return None

    class Adding(pytest.Module):
        def _scenarios(self) -> None:
            return None

    assert private_overrides([Overriding]) == [
        "test_the_override_check_tells_an_override_from_a_method_of_our_own.<locals>"
        ".Overriding._getobj overrides _pytest.python.Module"
    ]
    assert private_overrides([Adding]) == []


@pytest.mark.parametrize(
    "source",
    [
        "import _thread",
        "from typer._click import exceptions",
        "import httpx\nresponse = httpx.Response(200)\nresponse._content = b''",
        "def f(response):\n    return response._content",
        "def f(client):\n    return getattr(client, '_transport')",
    ],
)
def test_the_private_name_check_sees_each_form(source: str) -> None:
    assert private_uses(ast.parse(source), {"_ours"})


def test_the_private_name_check_leaves_our_own_names_dunders_and_namedtuples_alone() -> None:
    source = (
        "from harness.target import _TYPE_NAMES\n"
        "from urllib.parse import urlsplit\n"
        "class A:\n"
        "    def _ours(self):\n"
        "        return self._ours, A.__name__, urlsplit('x')._replace(query='')\n"
        "def f(target):\n"
        "    return target._ours\n"
    )
    assert private_uses(ast.parse(source), {"_ours"}) == []
