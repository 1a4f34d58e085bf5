"""Every third-party distribution the code imports is declared in pyproject.toml (issue 16).

A package that is on the machine by chance makes a green run that a clean virtualenv cannot
repeat. Import names map to distributions through importlib.metadata.packages_distributions();
the standard library (sys.stdlib_module_names) and provisim's own packages and test modules
need no declaration. What may be imported where:

- the test suite: the dependencies and the ``test`` extra (with the extras it names);
- the packages, at module level: the dependencies only, as a plain install has nothing else;
- the packages, inside a function (an optional feature, imported when used): the dependencies
  or any extra.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from harness.cli import _REQUIRED_PLUGINS, _WORKER_PLUGIN

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> tuple[str, set[str]]:
    """The distribution a requirement string names, and the extras it asks for."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?", requirement)
    assert match, f"cannot read the requirement {requirement!r}"
    extras = {canonical(extra) for extra in (match.group(2) or "").split(",") if extra.strip()}
    return canonical(match.group(1)), extras


def declared(*extras: str) -> set[str]:
    """The distributions the dependencies and the named extras declare; an extra that names
    provisim itself (``provisim[bench]``) brings in that extra's distributions too."""
    optional = {canonical(name): reqs for name, reqs in PROJECT["optional-dependencies"].items()}
    names: set[str] = set()
    pending = [*PROJECT["dependencies"]]
    seen: set[str] = set()
    for extra in map(canonical, extras):
        seen.add(extra)
        pending += optional[extra]
    while pending:
        name, wanted = requirement_name(pending.pop())
        if name != canonical(PROJECT["name"]):
            names.add(name)
            continue
        for extra in wanted - seen:
            seen.add(extra)
            pending += optional[extra]
    return names


def package_directories() -> dict[str, Path]:
    """Each package the wheel ships, with the directory it is built from."""
    mapping = SETUPTOOLS.get("package-dir", {})
    return {
        package: ROOT / mapping.get(package, package.replace(".", "/"))
        for package in SETUPTOOLS["packages"]
    }


#: provisim's own packages, and the test suite's own modules (conftest, engine_support).
FIRST_PARTY = {package.partition(".")[0] for package in package_directories()} | {
    path.stem for path in (ROOT / "tests").rglob("*.py")
}


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str
    in_function: bool

    @property
    def top(self) -> str:
        return self.module.partition(".")[0]

    def __str__(self) -> str:
        shown = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{shown}:{self.line} imports {self.module}"


def imports(path: Path) -> Iterator[Import]:
    """The absolute imports of one module, and whether each runs only inside a function."""

    def visit(node: ast.AST, in_function: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(path, child.lineno, alias.name, in_function)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield Import(path, child.lineno, child.module, in_function)
            yield from visit(
                child,
                in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef),
            )

    yield from visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)


def undeclared(found: Iterator[Import], allowed: set[str]) -> list[str]:
    """One line per import of a third-party module that no allowed distribution provides."""
    providers = packages_distributions()
    problems = []
    for item in found:
        if item.top in sys.stdlib_module_names or item.top in FIRST_PARTY:
            continue
        distributions = {canonical(name) for name in providers.get(item.top, ())}
        if not distributions:
            problems.append(f"{item}: no installed distribution provides {item.top!r}")
        elif not distributions & allowed:
            problems.append(f"{item}: {', '.join(sorted(distributions))} is not declared")
    return problems


def package_imports() -> Iterator[Import]:
    for directory in package_directories().values():
        for path in sorted(directory.glob("*.py")):
            yield from imports(path)


def test_the_test_suite_imports_only_declared_distributions() -> None:
    found = (item for path in sorted((ROOT / "tests").rglob("*.py")) for item in imports(path))
    assert undeclared(found, declared("test")) == []


def test_the_packages_import_only_runtime_dependencies_at_module_level() -> None:
    found = (item for item in package_imports() if not item.in_function)
    assert undeclared(found, declared()) == []


def test_the_packages_import_optional_distributions_only_from_an_extra() -> None:
    found = (item for item in package_imports() if item.in_function)
    assert undeclared(found, declared(*PROJECT["optional-dependencies"])) == []


@pytest.mark.parametrize(
    ("module", "package"), [*_REQUIRED_PLUGINS, _WORKER_PLUGIN], ids=lambda value: value
)
def test_every_plugin_provisim_run_loads_is_a_runtime_dependency(module: str, package: str) -> None:
    # `provisim run` loads these by -p name from a plain install, [test] or not.
    assert canonical(package) in declared()
    providers = packages_distributions()[module.partition(".")[0]]
    assert canonical(package) in {canonical(name) for name in providers}


def test_the_check_reports_an_undeclared_and_an_unknown_import(tmp_path: Path) -> None:
    # iniconfig is always installed (pytest needs it) and declared nowhere in pyproject.toml.
    path = tmp_path / "throwaway.py"
    path.write_text(
        "import json\nimport iniconfig\n\ndef later():\n    import no_such_module_anywhere\n",
        encoding="utf-8",
    )
    found = list(imports(path))
    assert [(item.module, item.line, item.in_function) for item in found] == [
        ("json", 1, False),
        ("iniconfig", 2, False),
        ("no_such_module_anywhere", 5, True),
    ]
    assert undeclared(iter(found), declared("test")) == [
        f"{path}:2 imports iniconfig: iniconfig is not declared",
        f"{path}:5 imports no_such_module_anywhere: "
        "no installed distribution provides 'no_such_module_anywhere'",
    ]


def test_the_extras_declare_what_they_are_for() -> None:
    # The bench extra carries the server `provisim bench --compare` measures against; the
    # test extra includes it, so the suite's bench tests run.
    assert "scim2-server" in declared("bench") - declared()
    assert declared("bench") <= declared("test")
