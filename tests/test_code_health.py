"""Code-health guards over the source packages (issue 15, "Done when").

The one guard over fake_elevate, fake_entra and harness (``benchmarks/`` holds no code; it
is covered only by rule 4's "nothing imports it"). The rules, each read from the source with
:mod:`ast` (only rule 2's override check imports the modules):

1. **No private import from another package.** ``from httpx._models import X``,
   ``import httpx._models`` and ``from fake_entra.logs import _helper`` (from ``harness``) are
   refused: a name or module path part starting with ``_`` (dunders such as ``__future__``
   aside) imported from a module outside the importer's own package. The own package is
   the one the module is in: ``fake_entra.cycle`` may import a private name of
   ``fake_entra.engine``, not one of ``fake_entra.logs.records``. Every import counts, at
   module level, under ``if TYPE_CHECKING:`` or inside a function, and so does
   ``importlib.import_module``/``__import__`` of a literal name. In the two sides
   (:data:`SELF_ONLY_PACKAGES`) a module chosen at run time could be anything, so they
   import only names written in the source.
2. **No private attribute of another package's object.** ``x._name`` and ``getattr``/
   ``hasattr``/``setattr``/``delattr(x, "_name")`` are refused where the accessing module's
   top-level package (``fake_entra``, ``harness``, ...) does not define ``_name`` itself: as
   a class, function, module-level name, ``self._name``/``cls._name`` assignment,
   class-body field, ``__slots__`` entry, parameter or local. A name defined nowhere in our
   packages belongs to a library (``response._content``); one defined only in another of
   our packages is that package's private state. Without types this is a rule on names,
   with three sharpenings. ``self._name`` counts only when no code of ours defines
   ``_name``: then it can only come from a library's base class. The private attributes of
   httpx, the library this code reaches into (:data:`LIBRARY_PRIVATE_NAMES`: ``_content``,
   ``_uri_reference``, ...), and any private attribute reached from a name a library's
   import binds (``starlette.routing._PATH``, ``FastAPI()._debug``) are refused on any
   object but ``self``/``cls`` whoever defines them. In the two sides
   (:data:`SELF_ONLY_PACKAGES`) a private attribute is used through ``self``/``cls`` only,
   whoever defines it. :data:`PUBLIC_UNDERSCORE_NAMES` lists the documented public names
   that start with ``_`` (``_replace`` of a named tuple). No class of ours overrides a
   private method of a library's class (this check imports the modules, to walk the MRO).
3. **No import cycle** among the packages' modules, counting every import statement: at
   module level (``try``/``if`` blocks included), under ``if TYPE_CHECKING:`` and inside
   functions. A lazy or type-checking import is still a dependency a reader and the type
   checker follow, and issue 15 named module pairs that imported each other only so. As in
   grimp/import-linter, ``from a.b import c`` depends on the module ``a.b.c`` when there is
   one, else on ``a.b``; ``import a.b.c`` depends on ``a.b.c``. A package's ``__init__``
   importing its own submodules, and a submodule importing a sibling, are ordinary edges;
   the parent packages that Python initialises first are not edges. A failure names each
   cycle, module by module.
4. **Layers** (:data:`FORBIDDEN_IMPORTS`). ``fake_entra`` never imports ``fake_elevate`` or
   ``harness``; ``fake_elevate`` never imports ``fake_entra`` or ``harness``; within a side,
   the web layer never imports the ``FakeElevate`` that builds it, nor the sync cycle the
   engine that runs it. Nothing imports ``benchmarks`` or the test code (``tests`` and the
   modules beside the tests, such as ``engine_support``). Every import counts, as in rule 3.
5. **No source module over 800 lines.**

:data:`PRIVATE_ACCESS_ALLOWED` is the issue's one allowed exception: a clearly named module
that holds unavoidable private-internals access, the private names it touches, and a
contract test that fails (never skips) when the library changes under it. Its one entry is
``fake_entra.httpx_internals``.

The rules' walkers are tested on small packages written to ``tmp_path``, so each rule is
shown to fail on a planted violation and pass without it.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent

#: The packages the rules cover.
SOURCE_PACKAGES = ("fake_elevate", "fake_entra", "harness")

#: Module line limit (issue 15).
MAX_LINES = 800


@dataclass(frozen=True)
class PrivateAccess:
    """An allowed exception to rules 1 and 2: why, what, and the test that pins the contract."""

    reason: str
    #: A test file (relative to the repository root) that names the module it guards.
    contract_test: str
    #: The private names the module may touch (module path parts and attributes alike).
    names: frozenset[str] = field(default_factory=frozenset)


#: module name -> why it may touch a library's private internals. The issue allows one.
PRIVATE_ACCESS_ALLOWED: dict[str, PrivateAccess] = {
    "fake_entra.httpx_internals": PrivateAccess(
        "httpx has no public way to make a URL from a parsed base without parsing it again "
        "(_uri_reference), nor to hand a response a body already in hand (_content); both "
        "shortcuts fall back to the public way when the installed httpx breaks them",
        "tests/test_entra_httpx_internals.py",
        frozenset({"_urlparse", "_uri_reference", "_content"}),
    ),
}

#: Names that start with ``_`` but are documented public API.
PUBLIC_UNDERSCORE_NAMES: Mapping[str, str] = {
    "_asdict": "collections.namedtuple / typing.NamedTuple",
    "_replace": "collections.namedtuple / typing.NamedTuple",
    "_fields": "collections.namedtuple / typing.NamedTuple",
    "_field_defaults": "collections.namedtuple / typing.NamedTuple",
    "_make": "collections.namedtuple / typing.NamedTuple",
    "_exit": "os._exit",
}

#: The private attributes of httpx's ``Request``, ``Response``, ``URL``, ``Headers`` and
#: ``Client`` (its _models.py, _urls.py, _client.py), refused whoever else defines them.
LIBRARY_PRIVATE_NAMES = frozenset(
    {
        "_auth",
        "_base_url",
        "_content",
        "_cookies",
        "_decoder",
        "_default_encoding",
        "_elapsed",
        "_encoding",
        "_event_hooks",
        "_headers",
        "_mounts",
        "_num_bytes_downloaded",
        "_params",
        "_request",
        "_state",
        "_stream",
        "_text",
        "_timeout",
        "_transport",
        "_trust_env",
        "_uri_reference",
    }
)

#: The packages held to the stricter form of rules 1 and 2: private attributes only through
#: ``self``/``cls``, dynamic imports only of names written in the source. The two sides meet
#: it; harness, which composes them, has one same-class use (``ScimTarget.in_process`` sets
#: up the target it made through ``target._serve``) and imports its step modules by name.
SELF_ONLY_PACKAGES = frozenset({"fake_elevate", "fake_entra"})

#: importer (a package or module, with everything under it) -> what it must never import.
FORBIDDEN_IMPORTS: Mapping[str, frozenset[str]] = {
    "fake_entra": frozenset({"fake_elevate", "harness"}),
    "fake_elevate": frozenset({"fake_entra", "harness"}),
    # fake_elevate.elevate builds the app; the app and the web layer know the account only
    # as the ElevateAccount protocol of fake_elevate.account.
    "fake_elevate.app": frozenset({"fake_elevate.elevate"}),
    "fake_elevate.web": frozenset({"fake_elevate.elevate"}),
    # The engine runs the cycle; the cycle sees the job as the CycleJob protocol of
    # fake_entra.cycle.job.
    "fake_entra.cycle": frozenset({"fake_entra.engine"}),
}
#: Imported by none of the packages (rule 4); the test modules' own names join these.
NEVER_IMPORTED = frozenset({"benchmarks", "tests"})

_ATTRIBUTE_FUNCTIONS = frozenset({"getattr", "hasattr", "setattr", "delattr"})
_DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "import_module", "__import__"})
_DUNDER = re.compile(r"^__\w+__$")


def is_private(name: str) -> bool:
    return name.startswith("_") and not _DUNDER.match(name)


def within(name: str, prefix: str) -> bool:
    """``name`` is the module or package ``prefix`` or lies under it."""
    return name == prefix or name.startswith(f"{prefix}.")


# --- reading the packages -------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    lines: int

    @property
    def top(self) -> str:
        return self.name.partition(".")[0]

    @property
    def package(self) -> str:
        """The package that relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    def where(self, node: ast.AST) -> str:
        return f"{self.path.as_posix()}:{getattr(node, 'lineno', 0)}"


def load_modules(root: Path, packages: Sequence[str]) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            text = path.read_text(encoding="utf-8")
            name = ".".join(parts)
            modules[name] = Module(
                name,
                path.relative_to(root),
                is_package,
                ast.parse(text, filename=str(path)),
                len(text.splitlines()),
            )
    return modules


@dataclass(frozen=True)
class Finding:
    """One thing a rule refuses, where it is, and (rules 1 and 2) the private names."""

    module: str
    where: str
    text: str
    names: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def permitted(finding: Finding, allowed: Mapping[str, PrivateAccess]) -> bool:
    entry = allowed.get(finding.module)
    return entry is not None and bool(finding.names) and finding.names <= entry.names


@dataclass(frozen=True)
class Import:
    """One imported module (``names`` empty) or names from one module, where it is done."""

    module: str
    names: tuple[str, ...]
    node: ast.AST


def _resolve(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.package.split(".")
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def dynamic_import(node: ast.AST) -> tuple[bool, str | None]:
    """Whether ``node`` calls ``importlib.import_module``/``__import__``, and the absolute
    module name it passes when that is written in the source."""
    if not isinstance(node, ast.Call) or ast.unparse(node.func) not in _DYNAMIC_IMPORTS:
        return False, None
    first = node.args[0] if node.args else None
    if (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and not first.value.startswith(".")
    ):
        return True, first.value
    return True, None


def imports(module: Module) -> Iterator[Import]:
    """Every import of ``module``, anywhere in it, in source order: import statements, and
    ``importlib.import_module``/``__import__`` of a literal name."""

    def walk(node: ast.AST) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(alias.name, (), child)
            elif isinstance(child, ast.ImportFrom):
                names = tuple(alias.name for alias in child.names)
                yield Import(_resolve(module, child), names, child)
            else:
                is_dynamic, name = dynamic_import(child)
                if is_dynamic and name is not None:
                    yield Import(name, (), child)
                yield from walk(child)

    yield from walk(module.tree)


def targets(item: Import, modules: Mapping[str, Module]) -> list[str]:
    """What ``item`` depends on: ``from a.b import c`` is the module ``a.b.c`` if there is
    one, else ``a.b`` (grimp's reading); ``import a.b.c`` is ``a.b.c``."""
    if not item.names:
        return [item.module]
    return list(
        dict.fromkeys(
            f"{item.module}.{name}" if f"{item.module}.{name}" in modules else item.module
            for name in item.names
        )
    )


# --- rule 1: private imports ----------------------------------------------------------------


def private_import_findings(modules: Mapping[str, Module]) -> list[Finding]:
    found: list[Finding] = []
    for module in modules.values():
        for item in imports(module):
            private_path = [part for part in item.module.split(".") if is_private(part)]
            private_names = [name for name in item.names if is_private(name)]
            source = modules.get(item.module)
            if source is not None and source.package == module.package:
                continue
            if private_path or private_names:
                what = item.module + (
                    f" import {', '.join(private_names)}" if private_names else ""
                )
                found.append(
                    Finding(
                        module.name,
                        module.where(item.node),
                        f"{module.name} imports {what}",
                        frozenset(private_path + private_names),
                    )
                )
    return found


def private_imports(
    modules: Mapping[str, Module], allowed: Mapping[str, PrivateAccess]
) -> list[Finding]:
    return [f for f in private_import_findings(modules) if not permitted(f, allowed)]


def unnamed_dynamic_imports(
    modules: Mapping[str, Module], self_only: frozenset[str] = SELF_ONLY_PACKAGES
) -> list[Finding]:
    """``importlib.import_module(name)`` of a name not written in the source, in the
    packages of ``self_only``: a module chosen at run time could be anything."""
    found: list[Finding] = []
    for module in modules.values():
        if module.top not in self_only:
            continue
        for node in ast.walk(module.tree):
            is_dynamic, name = dynamic_import(node)
            if is_dynamic and name is None:
                text = f"{module.name} imports a module named at run time: {ast.unparse(node)}"
                found.append(Finding(module.name, module.where(node), text))
    return sorted(found, key=lambda f: (f.module, f.where))


# --- rule 2: private attributes -------------------------------------------------------------


def _defined_names(module: Module) -> set[str]:
    """The private names this module defines: everything it binds itself."""
    names: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.partition(".")[0])
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            names.add(node.attr)
        elif isinstance(node, ast.Call) and (name := _attribute_name(node)) is not None:
            target = node.args[0]
            if isinstance(target, ast.Name) and target.id in ("self", "cls"):
                names.add(name)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in node.targets
        ):
            names.update(
                item.value
                for item in ast.walk(node.value)
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            )
    return {name for name in names if is_private(name)}


def _library_bound_names(module: Module, ours: set[str]) -> set[str]:
    """The names this module's imports of libraries (not of our packages) bind."""
    names: set[str] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            names.update(
                alias.asname or alias.name.partition(".")[0]
                for alias in node.names
                if alias.name.partition(".")[0] not in ours
            )
        elif isinstance(node, ast.ImportFrom) and not node.level:
            source = node.module or ""
            if source.partition(".")[0] not in ours and source != "__future__":
                names.update(alias.asname or alias.name for alias in node.names)
    return names


def _root(node: ast.expr) -> ast.expr:
    """The name an attribute chain starts from: ``a`` of ``a.b().c[0]``."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _attribute_name(node: ast.Call) -> str | None:
    """``"_x"`` of ``getattr(obj, "_x")`` and its kin, and of ``object.__setattr__(o, "_x", v)``."""
    function = node.func
    named = (isinstance(function, ast.Name) and function.id in _ATTRIBUTE_FUNCTIONS) or (
        isinstance(function, ast.Attribute) and function.attr in ("__setattr__", "__getattribute__")
    )
    if named and len(node.args) >= 2:
        name = node.args[1]
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return name.value
    return None


def private_attribute_findings(
    modules: Mapping[str, Module], self_only: frozenset[str] = SELF_ONLY_PACKAGES
) -> list[Finding]:
    defined: dict[str, set[str]] = {}
    for module in modules.values():
        defined.setdefault(module.top, set()).update(_defined_names(module))
    everywhere = set().union(*defined.values()) if defined else set()
    ours = set(defined)
    found: list[Finding] = []
    for module in modules.values():
        own = defined[module.top]
        libraries = _library_bound_names(module, ours)
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Attribute):
                target, name = node.value, node.attr
            elif isinstance(node, ast.Call) and (name := _attribute_name(node) or ""):
                target = node.args[0]
            else:
                continue
            if not is_private(name) or name in PUBLIC_UNDERSCORE_NAMES:
                continue
            on_self = isinstance(target, ast.Name) and target.id in ("self", "cls")
            root = _root(target)
            if name in LIBRARY_PRIVATE_NAMES and not on_self:
                whose = "a library's private attribute"
            elif isinstance(root, ast.Name) and root.id in libraries:
                whose = f"a private attribute of the library {root.id}"
            elif module.top in self_only and not on_self:
                whose = "a private attribute of an object other than self or cls"
            elif name in own:
                continue
            elif name in everywhere:
                if on_self:
                    continue
                owners = sorted(top for top, names in defined.items() if name in names)
                whose = f"a private attribute of {' and '.join(owners)}"
            else:
                whose = "a library's private attribute"
            found.append(
                Finding(
                    module.name,
                    module.where(node),
                    f"{module.name} uses {name} ({whose})",
                    frozenset({name}),
                )
            )
    return found


def private_attribute_accesses(
    modules: Mapping[str, Module],
    allowed: Mapping[str, PrivateAccess],
    self_only: frozenset[str] = SELF_ONLY_PACKAGES,
) -> list[Finding]:
    return [f for f in private_attribute_findings(modules, self_only) if not permitted(f, allowed)]


def private_overrides(classes: Iterable[type], ours: Iterable[str]) -> list[str]:
    """The private methods written in ``classes`` that override one of a library's class
    (the first such class up the MRO names it); ``ours`` are our top-level packages."""
    own = frozenset(ours)
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
                    if base.__module__.partition(".")[0] not in own and name in vars(base)
                ),
                None,
            )
            if overridden is not None:
                found.append(
                    f"{cls.__qualname__}.{name} overrides "
                    f"{overridden.__module__}.{overridden.__qualname__}"
                )
    return found


# --- rule 3: import cycles ------------------------------------------------------------------


def import_graph(modules: Mapping[str, Module]) -> dict[str, set[str]]:
    """module -> the modules of ours it imports, by any import anywhere in it."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module in modules.values():
        for item in imports(module):
            graph[module.name].update(
                target
                for target in targets(item, modules)
                if target in modules and target != module.name
            )
    return graph


def import_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_a_cycle(graph, component) for component in sorted(components)]


def _a_cycle(graph: Mapping[str, set[str]], component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module, start and end included."""
    start, members = component[0], set(component)
    paths: dict[str, list[str]] = {start: [start]}
    queue = [start]
    for node in queue:
        for successor in sorted(graph[node] & members):
            if successor == start:
                return [*paths[node], start]
            if successor not in paths:
                paths[successor] = [*paths[node], successor]
                queue.append(successor)
    raise AssertionError(f"no cycle through {start}")  # a component always has one


# --- rule 4: layers -------------------------------------------------------------------------


def names_of_test_modules(tests: Path) -> frozenset[str]:
    """The names that importing the test code would use: ``tests`` and its own modules."""
    return frozenset(path.stem for path in tests.glob("*.py"))


def layer_violations(
    modules: Mapping[str, Module],
    forbidden: Mapping[str, frozenset[str]],
    never_imported: frozenset[str],
) -> list[Finding]:
    found: list[Finding] = []
    for module in modules.values():
        refused = {
            layer
            for importer, layers in forbidden.items()
            if within(module.name, importer)
            for layer in layers
        } | {name for name in never_imported if not within(module.name, name)}
        for item in imports(module):
            for target in dict.fromkeys([item.module, *targets(item, modules)]):
                if any(within(target, layer) for layer in refused):
                    text = f"{module.name} imports {target}"
                    found.append(Finding(module.name, module.where(item.node), text))
                    break
    return found


# --- rule 5: size ---------------------------------------------------------------------------


def oversized(modules: Mapping[str, Module], limit: int = MAX_LINES) -> list[str]:
    return [
        f"{module.path.as_posix()}: {module.lines} lines"
        for module in modules.values()
        if module.lines > limit
    ]


# --- the allowed exception ------------------------------------------------------------------

#: What lets a test pass without running: a contract test must not use any of it.
_NOT_RUN = frozenset({"skip", "skipif", "xfail", "importorskip"})


def allow_list_problems(
    root: Path,
    modules: Mapping[str, Module],
    allowed: Mapping[str, PrivateAccess],
    self_only: frozenset[str] = SELF_ONLY_PACKAGES,
) -> list[str]:
    """At most one allowed module (issue 15), which exists, says why, uses every private name
    it lists, and has a contract test that names it and cannot skip or xfail."""
    problems: list[str] = []
    if len(allowed) > 1:
        problems.append(f"{len(allowed)} modules allowed, {', '.join(allowed)}: at most one")
    used: dict[str, set[str]] = {}
    for finding in [
        *private_import_findings(modules),
        *private_attribute_findings(modules, self_only),
    ]:
        used.setdefault(finding.module, set()).update(finding.names)
    for name, entry in allowed.items():
        if name not in modules:
            problems.append(f"{name}: no such module")
        if not entry.reason.strip():
            problems.append(f"{name}: no reason given")
        if not entry.names:
            problems.append(f"{name}: no private names listed")
        unused = sorted(entry.names - used.get(name, set()))
        if name in modules and unused:
            problems.append(f"{name}: does not use {', '.join(unused)} (drop it from the list)")
        contract = root / entry.contract_test
        if not contract.is_file():
            problems.append(f"{name}: contract test {entry.contract_test} is missing")
            continue
        text = contract.read_text(encoding="utf-8")
        if name not in text:
            problems.append(f"{name}: contract test {entry.contract_test} does not name it")
        for node in ast.walk(ast.parse(text)):
            word = (
                node.attr
                if isinstance(node, ast.Attribute)
                else node.id
                if isinstance(node, ast.Name)
                else None
            )
            if word in _NOT_RUN:
                problems.append(
                    f"{name}: contract test {entry.contract_test}:{getattr(node, 'lineno', 0)} "
                    f"can {word}: it must fail loudly"
                )
    return problems


# --- the rules on this repository -----------------------------------------------------------


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    return load_modules(ROOT, SOURCE_PACKAGES)


def _report(title: str, found: Sequence[object]) -> str:
    return f"{len(found)} {title}:\n" + "\n".join(f"  {line}" for line in found)


def test_the_rules_cover_every_source_package(modules: dict[str, Module]) -> None:
    assert {m.top for m in modules.values()} == set(SOURCE_PACKAGES)
    assert all((ROOT / package / "__init__.py").is_file() for package in SOURCE_PACKAGES)
    assert not (ROOT / "benchmarks" / "__init__.py").exists()  # a README, not a package
    assert {"fake_entra.engine", "fake_elevate.scim.filter", "harness.reports.plugin"} <= set(
        modules
    )


def test_the_graph_sees_every_kind_of_import(modules: dict[str, Module]) -> None:
    graph = import_graph(modules)
    assert "fake_entra.expressions.functions.registry" in graph["fake_entra.expressions.functions"]
    assert "fake_elevate.account" in graph["fake_elevate.app"]
    assert "fake_entra.cycle" in graph["fake_entra.engine"]
    assert "harness.reports.page" in graph["harness.reports.plugin"]
    # A package's __init__ importing its own module is an edge.
    assert "fake_entra.cycle.sync_cycle" in graph["fake_entra.cycle"]
    # Imports inside a function.
    assert "fake_elevate.app" in graph["fake_elevate.elevate"]
    assert "harness.reports.progress" in graph["harness.cli.run"]
    # Imports under TYPE_CHECKING.
    assert "fake_entra.applications" in graph["fake_entra.cycle.job"]
    assert "harness.recorder" in graph["harness.reports.artifacts"]
    # Across packages.
    assert "fake_entra.httpx_internals" in graph["harness.transport"]


def test_no_private_import_from_another_package(modules: dict[str, Module]) -> None:
    found = private_imports(modules, PRIVATE_ACCESS_ALLOWED)
    assert not found, _report("private imports from another package", found)


def test_the_sides_import_only_modules_named_in_the_source(modules: dict[str, Module]) -> None:
    found = unnamed_dynamic_imports(modules)
    assert not found, _report("imports of a module named at run time", found)


def test_no_private_attribute_of_another_package(modules: dict[str, Module]) -> None:
    found = private_attribute_accesses(modules, PRIVATE_ACCESS_ALLOWED)
    assert not found, _report("private attributes of another package's objects", found)


def test_no_class_overrides_a_private_method_of_a_library(modules: dict[str, Module]) -> None:
    classes = [
        cls
        for name in modules
        for cls in vars(importlib.import_module(name)).values()
        if isinstance(cls, type) and cls.__module__ == name
    ]
    assert len(classes) > 200  # the check sees the packages' classes
    found = private_overrides(classes, SOURCE_PACKAGES)
    assert not found, _report("private methods of a library overridden", found)


def test_the_private_access_allow_list_is_explained_and_pinned(
    modules: dict[str, Module],
) -> None:
    assert list(PRIVATE_ACCESS_ALLOWED) == ["fake_entra.httpx_internals"]
    problems = allow_list_problems(ROOT, modules, PRIVATE_ACCESS_ALLOWED)
    assert not problems, _report("problems in PRIVATE_ACCESS_ALLOWED", problems)


def test_no_import_cycle(modules: dict[str, Module]) -> None:
    cycles = import_cycles(import_graph(modules))
    assert not cycles, _report("import cycles", [" -> ".join(cycle) for cycle in cycles])


def test_the_sides_and_the_harness_stay_in_their_layers(modules: dict[str, Module]) -> None:
    found = layer_violations(
        modules, FORBIDDEN_IMPORTS, NEVER_IMPORTED | names_of_test_modules(TESTS)
    )
    assert not found, _report("imports across a layer", found)


def test_no_source_module_is_over_the_line_limit(modules: dict[str, Module]) -> None:
    found = oversized(modules)
    assert not found, _report(f"modules over {MAX_LINES} lines", found)


# --- the rules' walkers, on small packages ---------------------------------------------------


def write_tree(root: Path, files: Mapping[str, str]) -> dict[str, Module]:
    """Write ``{"pkg/mod.py": source}`` under ``root`` and load its packages."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    packages = sorted({relative.partition("/")[0] for relative in files})
    return load_modules(root, packages)


def texts(found: Iterable[Finding]) -> list[str]:
    return [finding.text for finding in found]


def test_module_names_and_relative_imports_resolve(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "from .sub import thing\n",
            "pkg/sub/__init__.py": "from . import leaf\nfrom .leaf import value as thing\n",
            "pkg/sub/leaf.py": (
                "import importlib\n"
                "from .. import other\n"
                "from ..other import x\n"
                "value = 1\n"
                "def load(name):\n"
                "    importlib.import_module('pkg.late')\n"
                "    importlib.import_module(name)\n"
            ),
            "pkg/other.py": "x = 1\n",
            "pkg/late.py": "",
        },
    )
    assert set(tree) == {"pkg", "pkg.sub", "pkg.sub.leaf", "pkg.other", "pkg.late"}
    assert tree["pkg.sub"].is_package and not tree["pkg.sub.leaf"].is_package
    assert [(i.module, i.names) for i in imports(tree["pkg.sub.leaf"])] == [
        ("importlib", ()),
        ("pkg", ("other",)),
        ("pkg.other", ("x",)),
        ("pkg.late", ()),
    ]
    assert import_graph(tree) == {
        "pkg": {"pkg.sub"},
        "pkg.sub": {"pkg.sub.leaf"},
        "pkg.sub.leaf": {"pkg.other", "pkg.late"},
        "pkg.other": set(),
        "pkg.late": set(),
    }


def test_private_imports_from_other_packages_are_found(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/own.py": "from app.helpers import _shared\nfrom . import _local\n",
            "app/helpers.py": "_shared = 1\n",
            "app/_local.py": "",
            "app/bad.py": (
                "from __future__ import annotations\n"
                "from typing import TYPE_CHECKING\n"
                "from lib._models import Thing\n"
                "import lib._internal.deep\n"
                "from lib import __version__, public, _hidden\n"
                "from other.api import _helper\n"
                "if TYPE_CHECKING:\n"
                "    from lib.types import _Alias\n"
                "def later():\n"
                "    from lib import _late\n"
                "    __import__('lib._dynamic')\n"
            ),
            "other/__init__.py": "",
            "other/api.py": "def _helper(): pass\n",
            "app/sub/__init__.py": "_near = 1\n",
            "app/sub/_inner.py": "x = 1\n",
            "app/sub/mod.py": (
                "from app.sub import _near\n"
                "from app.sub._inner import x\n"
                "from . import _inner\n"
                "from app.helpers import _shared\n"
            ),
        },
    )
    found = private_imports(tree, {})
    assert texts(found) == [
        "app.bad imports lib._models",
        "app.bad imports lib._internal.deep",
        "app.bad imports lib import _hidden",
        "app.bad imports other.api import _helper",
        "app.bad imports lib.types import _Alias",
        "app.bad imports lib import _late",
        "app.bad imports lib._dynamic",
        "app.sub.mod imports app.helpers import _shared",
    ]
    assert str(found[0]).startswith("app/bad.py:3: ")
    names = frozenset({"_models", "_internal", "_hidden", "_helper", "_Alias", "_late"})
    allowed = {"app.bad": PrivateAccess("lib offers no public way", "t", names)}
    # Only the names listed are allowed, and only in the module listed.
    assert texts(private_imports(tree, allowed)) == [
        "app.bad imports lib._dynamic",
        "app.sub.mod imports app.helpers import _shared",
    ]


def test_a_module_named_at_run_time_is_refused_in_the_sides(tmp_path: Path) -> None:
    source = (
        "import importlib\n"
        "for name in ('json',):\n"
        "    importlib.import_module(name)\n"
        "importlib.import_module('json')\n"
    )
    tree = write_tree(tmp_path, {"side/__init__.py": "", "side/load.py": source})
    assert texts(unnamed_dynamic_imports(tree, frozenset({"side"}))) == [
        "side.load imports a module named at run time: importlib.import_module(name)"
    ]
    assert unnamed_dynamic_imports(tree, frozenset()) == []


def test_private_attributes_of_libraries_and_other_packages_are_found(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            "side/__init__.py": "",
            "side/store.py": (
                "class Store:\n"
                "    __slots__ = ('_slot',)\n"
                "    _class_field: int = 0\n"
                "    def __init__(self):\n"
                "        self._items = {}\n"
                "        object.__setattr__(self, '_frozen', 1)\n"
                "    def _helper(self):\n"
                "        return self._items, self._slot, self._frozen, self.__class__\n"
                "    def __eq__(self, other):\n"
                "        return self._items == other._items and other._helper()\n"
                "def _module_private(): pass\n"
                "def _content(resource): return resource\n"
            ),
            "side/client.py": (
                "import side.store as store\n"
                "import starlette.routing\n"
                "_PATH = 1\n"
                "def send(response, row, self):\n"
                "    store._module_private()\n"
                "    row._asdict()\n"
                "    response._content = _content(b'')\n"
                "    self._content = b''\n"
                "    getattr(response, '_request', None)\n"
                "    hasattr(response, 'public')\n"
                "    starlette.routing._PATH\n"
                "    return response._uri_reference, self._inherited, response.__dict__\n"
            ),
            "glue/__init__.py": "",
            "glue/use.py": (
                "def peek(store, self):\n"
                "    setattr(store, '_items', {})\n"
                "    return store._helper(), self._items\n"
            ),
        },
    )
    found = texts(private_attribute_accesses(tree, {}, frozenset()))
    assert sorted(found) == sorted(
        [
            "side.client uses _content (a library's private attribute)",
            "side.client uses _request (a library's private attribute)",
            "side.client uses _uri_reference (a library's private attribute)",
            "side.client uses _inherited (a library's private attribute)",
            "side.client uses _PATH (a private attribute of the library starlette)",
            "glue.use uses _items (a private attribute of side)",
            "glue.use uses _helper (a private attribute of side)",
        ]
    )
    # In a self-only package the same names are refused on any object but self and cls.
    strict = texts(private_attribute_accesses(tree, {}, frozenset({"side"})))
    assert sorted(set(strict) - set(found)) == [
        "side.client uses _module_private (a private attribute of an object other than self "
        "or cls)",
        "side.store uses _helper (a private attribute of an object other than self or cls)",
        "side.store uses _items (a private attribute of an object other than self or cls)",
    ]
    everything = frozenset(
        {"_content", "_request", "_uri_reference", "_inherited", "_PATH", "_items", "_helper"}
    )
    allowed = {
        "side.client": PrivateAccess("r", "t", everything),
        "glue.use": PrivateAccess("r", "t", everything),
    }
    assert private_attribute_accesses(tree, allowed, frozenset()) == []
    only_content = {"side.client": PrivateAccess("r", "t", frozenset({"_content"}))}
    assert "side.client uses _request (a library's private attribute)" in texts(
        private_attribute_accesses(tree, only_content, frozenset())
    )


#: Each a module of the package ``glue`` (rules 1 and 2 refuse it in any package);
#: ``ours`` in the package ``side`` defines ``_ours``.
REFUSED_EVERYWHERE = [
    "import _sha256",
    "from _sha2 import sha256",
    "from hashlib import _hashlib",
    "from starlette._utils import is_async_callable",
    "from httpx._urlparse import ParseResult",
    "from typer._click import exceptions",
    "from side.ours import _ours",
    "import importlib\nimportlib.import_module('_sha256')",
    "from importlib import import_module\nimport_module('lib._private')",
    "__import__('_thread')",
    "from fastapi import FastAPI\nFastAPI()._debug",
    "import starlette.routing\nstarlette.routing._PATH",
    "import orjson\ngetattr(orjson, '_private')",
    "import httpx\nhttpx.URL('x')._uri_reference",
    "import httpx\nresponse = httpx.Response(200)\nresponse._content = b''",
    "def f(response):\n    return response._content",
    "def f(url):\n    url._uri_reference = None",
    "getattr(base, '_uri_reference', None)",
    "setattr(url, '_uri_reference', None)",
    "def f(client):\n    return getattr(client, '_transport')",
    "class C:\n    def f(self):\n        return self._http._cookies",
    "def f(thing):\n    return thing._ours()",
]
#: Refused only in a self-only package: our own names, on an object other than self/cls.
REFUSED_IN_THE_SIDES = [
    "import importlib\nfor name in ('_sha256',):\n    importlib.import_module(name)",
    "def _uuid(): pass\ndef f(job):\n    return job._uuid()",
    "class A:\n    _x = 1\n    def __eq__(self, other):\n        return self._x == other._x",
    "class A:\n    _x = 1\n    @classmethod\n    def make(cls):\n        a = cls()\n        a._x = 2",
]
LEFT_ALONE = [
    "from glue.grammar import _parse_cached\nx = _parse_cached.__wrapped__",
    "from .grammar import _parse_cached",
    "import hashlib\nfrom urllib.parse import urlsplit\n"
    "x = hashlib.__name__, urlsplit('x')._replace(query=''), urlsplit('x')._fields",
    "class A:\n"
    "    _registry: dict[str, int] = {}\n"
    "    def __init__(self):\n"
    "        self._x = 1\n"
    "    def f(self, point):\n"
    "        return self._x, point._replace(x=1), point._asdict(), getattr(self, '_x')\n"
    "    @classmethod\n"
    "    def g(cls):\n"
    "        return cls._registry, getattr(cls, '__annotations__', {})\n",
    "import importlib\nimportlib.import_module('json')",
    "import os\nos._exit(0)",
]


def _glue_findings(tmp_path: Path, source: str, self_only: frozenset[str]) -> list[str]:
    tree = write_tree(
        tmp_path,
        {
            "side/__init__.py": "",
            "side/ours.py": "def _ours(): pass\n",
            "glue/__init__.py": "",
            "glue/grammar.py": "def _parse_cached(): pass\n",
            "glue/mod.py": source,
        },
    )
    return [
        str(finding)
        for finding in [
            *private_imports(tree, {}),
            *unnamed_dynamic_imports(tree, self_only),
            *private_attribute_accesses(tree, {}, self_only),
        ]
    ]


@pytest.mark.parametrize("source", REFUSED_EVERYWHERE)
def test_rules_1_and_2_see_each_form(tmp_path: Path, source: str) -> None:
    assert _glue_findings(tmp_path, source, frozenset())


@pytest.mark.parametrize("source", REFUSED_IN_THE_SIDES)
def test_the_sides_stricter_forms_are_seen(tmp_path: Path, source: str) -> None:
    assert _glue_findings(tmp_path, source, frozenset({"glue"}))
    assert _glue_findings(tmp_path, source, frozenset()) == []


@pytest.mark.parametrize("source", LEFT_ALONE)
def test_rules_1_and_2_leave_own_names_dunders_and_named_tuples_alone(
    tmp_path: Path, source: str
) -> None:
    assert _glue_findings(tmp_path, source, frozenset({"glue"})) == []


def test_the_override_check_tells_an_override_from_a_method_of_our_own() -> None:
    class Overriding(pytest.Module):
        def _getobj(self) -> None:
            return None

    class Adding(pytest.Module):
        def _scenarios(self) -> None:
            return None

    assert private_overrides([Overriding], SOURCE_PACKAGES) == [
        "test_the_override_check_tells_an_override_from_a_method_of_our_own.<locals>"
        ".Overriding._getobj overrides _pytest.python.Module"
    ]
    assert private_overrides([Adding], SOURCE_PACKAGES) == []
    # A private method overriding one of our own classes is no library's.
    assert private_overrides([Overriding], [*SOURCE_PACKAGES, "_pytest"]) == []


def test_import_cycles_are_named_whatever_the_import(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "from pkg.c import thing\n",
            "pkg/c.py": "import pkg.a\nthing = 1\n",
            "pkg/f.py": "try:\n    from pkg.g import x\nexcept ImportError:\n    x = None\n",
            "pkg/g.py": "from . import f\n",
        },
    )
    assert import_cycles(import_graph(tree)) == [
        ["pkg.a", "pkg.b", "pkg.c", "pkg.a"],
        ["pkg.f", "pkg.g", "pkg.f"],
    ]
    (tmp_path / "pkg/c.py").write_text("thing = 1\n")
    (tmp_path / "pkg/g.py").write_text("")
    assert import_cycles(import_graph(load_modules(tmp_path, ["pkg"]))) == []


def test_a_cycle_through_type_checking_imports_is_a_cycle(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/job.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from pkg.cycle import SyncCycle\n"
            "else:\n"
            "    import json\n"
            "class Job: pass\n"
        ),
        "pkg/cycle.py": "from pkg.job import Job\nclass SyncCycle: pass\n",
    }
    tree = write_tree(tmp_path, files)
    assert import_graph(tree)["pkg.job"] == {"pkg.cycle"}
    assert import_cycles(import_graph(tree)) == [["pkg.cycle", "pkg.job", "pkg.cycle"]]
    (tmp_path / "pkg/job.py").write_text("class Job: pass\n")
    assert import_cycles(import_graph(load_modules(tmp_path, ["pkg"]))) == []


def test_a_cycle_through_an_import_inside_a_function_is_a_cycle(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/engine.py": "def run():\n    from pkg import evaluator\n    return evaluator\n",
        "pkg/evaluator.py": (
            "import importlib\n"
            "class Evaluator:\n"
            "    def later(self):\n"
            "        return importlib.import_module('pkg.engine')\n"
        ),
    }
    tree = write_tree(tmp_path, files)
    assert import_cycles(import_graph(tree)) == [["pkg.engine", "pkg.evaluator", "pkg.engine"]]
    (tmp_path / "pkg/evaluator.py").write_text("class Evaluator: pass\n")
    assert import_cycles(import_graph(load_modules(tmp_path, ["pkg"]))) == []


def test_a_package_that_imports_its_own_module_back_is_a_cycle(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.logs import Log\n",
            "pkg/logs/__init__.py": "from pkg.logs.records import Log\n",
            "pkg/logs/records.py": "from pkg.logs import helper\nclass Log: pass\n",
            "pkg/logs/helper.py": "",
        },
    )
    # ``helper`` is a module: no edge to pkg.logs, and the parent package is no edge.
    assert import_graph(tree)["pkg.logs.records"] == {"pkg.logs.helper"}
    assert import_cycles(import_graph(tree)) == []
    (tmp_path / "pkg/logs/records.py").write_text(
        "def f():\n    from pkg.logs import HELPER\nclass Log: pass\n"
    )
    assert import_cycles(import_graph(load_modules(tmp_path, ["pkg"]))) == [
        ["pkg.logs", "pkg.logs.records", "pkg.logs"]
    ]


def test_layer_violations_are_found(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            "entra/__init__.py": "",
            "entra/engine.py": (
                "import httpx\n"
                "from entra import clock\n"
                "def serve():\n"
                "    from elevate.app import App\n"
                "import engine_support\n"
            ),
            "entra/clock.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import harness\n",
            "entra/cycle/__init__.py": "",
            "entra/cycle/job.py": "def run():\n    from entra import engine\n",
            "elevate/__init__.py": "",
            "elevate/app.py": "import entra.clock\nclass App: pass\n",
            "harness/__init__.py": "",
            "harness/world.py": "import entra.engine, elevate.app\nfrom tests import helpers\n",
            "tests/__init__.py": "",
            "tests/helpers.py": "from tests import other\n",
        },
    )
    forbidden = {
        "entra": frozenset({"elevate", "harness"}),
        "elevate": frozenset({"entra", "harness"}),
        "entra.cycle": frozenset({"entra.engine"}),
    }
    found = texts(layer_violations(tree, forbidden, frozenset({"tests", "engine_support"})))
    assert found == [
        "elevate.app imports entra.clock",
        "entra.clock imports harness",
        "entra.cycle.job imports entra.engine",
        "entra.engine imports elevate.app",
        "entra.engine imports engine_support",
        "harness.world imports tests",
    ]
    assert layer_violations(tree, {}, frozenset()) == []


def test_the_test_code_is_known_by_its_module_names(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("")
    (tmp_path / "engine_support.py").write_text("")
    assert names_of_test_modules(tmp_path) == {"conftest", "engine_support"}
    assert "engine_support" in names_of_test_modules(TESTS)


def test_oversized_modules_are_found(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/big.py": "x = 1\n" * 801, "pkg/ok.py": "x = 1\n" * 800},
    )
    assert oversized(tree) == ["pkg/big.py: 801 lines"]
    assert oversized(tree, limit=801) == []


def test_allow_list_entries_need_a_module_a_reason_names_and_a_contract_test(
    tmp_path: Path,
) -> None:
    tree = write_tree(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/compat.py": "def f(url):\n    return url._uri_reference\n"},
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_compat.py").write_text("import pkg.compat\n")
    good = PrivateAccess(
        "httpx exposes no public way to do it",
        "tests/test_compat.py",
        frozenset({"_uri_reference"}),
    )
    assert allow_list_problems(tmp_path, tree, {"pkg.compat": good}) == []
    assert allow_list_problems(
        tmp_path,
        tree,
        {
            "pkg.gone": PrivateAccess("x", "tests/test_compat.py", frozenset({"_x"})),
            "pkg.compat": PrivateAccess(" ", "tests/test_missing.py", frozenset({"_content"})),
        },
    ) == [
        "2 modules allowed, pkg.gone, pkg.compat: at most one",
        "pkg.gone: no such module",
        "pkg.gone: contract test tests/test_compat.py does not name it",
        "pkg.compat: no reason given",
        "pkg.compat: does not use _content (drop it from the list)",
        "pkg.compat: contract test tests/test_missing.py is missing",
    ]
    assert allow_list_problems(
        tmp_path, tree, {"pkg.compat": PrivateAccess("r", "tests/test_compat.py")}
    ) == ["pkg.compat: no private names listed"]
    (tmp_path / "tests/test_compat.py").write_text(
        "import pytest\nimport pkg.compat\npytestmark = pytest.mark.skipif(True, reason='old')\n"
    )
    assert allow_list_problems(tmp_path, tree, {"pkg.compat": good}) == [
        "pkg.compat: contract test tests/test_compat.py:3 can skipif: it must fail loudly"
    ]
