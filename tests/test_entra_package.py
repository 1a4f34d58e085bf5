"""The fake_entra package's shape (issue 15 "Code health").

Its import graph is a DAG: every import counts, at the top, inside a function or under
``TYPE_CHECKING``; a package's ``__init__`` re-exporting its own modules is no cycle with
them. No module is over 800 lines. No module touches a private name (a leading underscore)
of another library, nor another module's private attributes: only
:mod:`fake_entra.httpx_internals` may, with its contract test
(tests/test_entra_httpx_internals.py).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = "fake_entra"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
MAX_LINES = 800
#: Modules allowed to use another library's private names, each with a contract test.
PRIVATE_USE_ALLOWED = frozenset({"fake_entra.httpx_internals"})
#: A named tuple's own API, public despite the underscore (collections.namedtuple docs).
NAMED_TUPLE_API = frozenset({"_replace", "_fields", "_asdict", "_make", "_field_defaults"})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The fake_entra modules ``name`` imports: ``from a.b import c`` is ``a.b.c`` when that
    is a module, else ``a.b``. A package's own modules do not count for its ``__init__``."""
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
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    own = f"{name}." if is_package else None
    return {
        module
        for module in found
        if module in MODULES and module != name and not (own and module.startswith(own))
    }


GRAPH = {name: imported_modules(name, path) for name, path in MODULES.items()}


def test_the_graph_sees_the_package() -> None:
    assert {"fake_entra.engine", "fake_entra.cycle", "fake_entra.cycle.job"} <= set(GRAPH)
    assert "fake_entra.cycle" in GRAPH["fake_entra.engine"]
    # An import under TYPE_CHECKING counts too.
    assert "fake_entra.applications" in GRAPH["fake_entra.cycle.job"]


def test_the_import_graph_has_no_cycle() -> None:
    try:
        TopologicalSorter(GRAPH).prepare()
    except CycleError as error:
        pytest.fail(f"import cycle within {PACKAGE}: {' -> '.join(error.args[1])}")


def test_the_cycle_does_not_import_the_engine_that_runs_it() -> None:
    # fake_entra.cycle sees the job as the CycleJob protocol of fake_entra.cycle.job.
    for name, imports in GRAPH.items():
        if name.startswith("fake_entra.cycle"):
            assert "fake_entra.engine" not in imports, name


def test_no_module_is_over_800_lines() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()
    }
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}


def is_private(name: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in name.split("."))


def private_uses(source: str) -> list[str]:
    """Where ``source`` imports another library's private module or name, or reads or sets
    a private attribute of anything but ``self`` or ``cls`` (another library's object, or
    one of another module's)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(
                f"line {node.lineno}: import {alias.name}"
                for alias in node.names
                if not alias.name.startswith(PACKAGE) and is_private(alias.name)
            )
        elif isinstance(node, ast.ImportFrom) and not node.level:
            module = node.module or ""
            if module.startswith(PACKAGE) or module == "__future__":
                continue
            found.extend(
                f"line {node.lineno}: from {module} import {alias.name}"
                for alias in node.names
                if is_private(module) or is_private(alias.name)
            )
        elif isinstance(node, ast.Attribute):
            owner = node.value
            own = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
            if is_private(node.attr) and node.attr not in NAMED_TUPLE_API and not own:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call):
            callee = ast.unparse(node.func)
            first = node.args[0] if node.args else None
            literal = first.value if isinstance(first, ast.Constant) else None
            if callee in ("importlib.import_module", "import_module", "__import__"):
                # A module chosen at run time could be anything: only public literals.
                if not isinstance(literal, str) or is_private(literal):
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
            elif callee in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) > 1:
                name = node.args[1]
                if (
                    isinstance(name, ast.Constant)
                    and isinstance(name.value, str)
                    and is_private(name.value)
                ):
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_private_name_of_another_library_or_module_is_used() -> None:
    uses = {
        name: found
        for name, path in MODULES.items()
        if name not in PRIVATE_USE_ALLOWED
        and (found := private_uses(path.read_text(encoding="utf-8")))
    }
    assert uses == {}


def test_the_modules_allowed_private_names_exist_and_need_it() -> None:
    # An allowance nobody needs any more is removed, not left open.
    for name in PRIVATE_USE_ALLOWED:
        assert private_uses(MODULES[name].read_text(encoding="utf-8")), name


@pytest.mark.parametrize(
    "source",
    [
        "import _sha256",
        "from _sha2 import sha256",
        "from httpx._urlparse import ParseResult",
        "import httpx\nhttpx.URL('x')._uri_reference",
        "def f(url):\n    url._uri_reference = None",
        "class C:\n    def f(self):\n        return self._http._cookies",
        "def f(job):\n    return job._uuid()",
        "getattr(base, '_uri_reference', None)",
        "setattr(url, '_uri_reference', None)",
        "import importlib\nfor name in ('_sha256',):\n    importlib.import_module(name)",
    ],
)
def test_the_private_name_check_sees_each_form(source: str) -> None:
    assert private_uses(source)


def test_the_private_name_check_leaves_own_attributes_named_tuples_and_dunders_alone() -> None:
    source = (
        "from fake_entra.expressions.grammar import _parse_cached\n"
        "import hashlib\n"
        "class A:\n"
        "    def f(self, point):\n"
        "        return self._x, hashlib.__name__, point._replace(x=1), point._fields\n"
        "    @classmethod\n"
        "    def g(cls):\n"
        "        return cls._registry, getattr(cls, '__annotations__', {})\n"
    )
    assert private_uses(source) == []


def test_a_package_reexporting_its_own_modules_is_no_cycle() -> None:
    assert "fake_entra.cycle.sync_cycle" not in GRAPH["fake_entra.cycle"]
    assert "fake_entra.cycle" not in GRAPH["fake_entra.cycle.sync_cycle"]
