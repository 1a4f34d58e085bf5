"""``.feature`` files collected by pytest directly: one test per Gherkin scenario.

Node ids then name the feature file (``features/licensing.feature::test_no_seat_left``),
and ``-k`` matches the names pytest-bdd's ``scenarios()`` would give in a tests/ module.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import types
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

#: Gherkin's English keywords that end in a colon (https://cucumber.io/docs/gherkin/reference/).
BLOCK_KEYWORDS = (
    "Feature", "Rule", "Background", "Scenario", "Scenario Outline", "Scenario Template",
    "Example", "Examples", "Scenarios",
)  # fmt: skip
#: And its step keywords.
STEP_KEYWORDS = ("Given", "When", "Then", "And", "But")
_TAG = re.compile(r"(?<!\S)@([^\s@]+)")
_BLOCK_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,30}?)\s*:")
_STEP_BLOCKS = ("Background", "Scenario", "Scenario Outline", "Scenario Template", "Example")


class GherkinKeywordError(Exception):
    """A line of a feature file starts with something close to a Gherkin keyword but not one."""


def feature_tags(text: str) -> set[str]:
    """The tags (without ``@``) of a feature file's tag lines."""
    found: set[str] = set()
    for line in text.splitlines():
        if line.strip().startswith("@"):
            found.update(_TAG.findall(line.split(" #", 1)[0]))
    return found


def register_feature_tags(config: pytest.Config, paths: Sequence[Path]) -> None:
    """Declare every tag the feature files under ``paths`` use as a pytest marker, so a new
    tag (``@qa``) just works, ``--strict-markers`` or not."""
    files: list[Path] = []
    for path in paths:
        if path.suffix == ".feature" and path.is_file():
            files.append(path)
        elif path.is_dir():
            files += sorted(path.rglob("*.feature"))
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # collection says what is wrong with the file
        _register(config, feature_tags(text), file)


def _register(config: pytest.Config, tags: Iterable[str], file: Path) -> None:
    known = {
        str(line).split(":", 1)[0].split("(", 1)[0].strip() for line in config.getini("markers")
    }
    for tag in sorted(set(tags) - known):
        config.addinivalue_line("markers", f"{tag}: a Gherkin tag of {file.name}")


def keyword_typos(text: str) -> list[tuple[int, str, str]]:
    """``(line, what is written, the keyword meant)`` for every line that starts with a
    misspelled Gherkin keyword: ``Scenaro:`` (a block keyword with its colon), or, in a
    scenario's steps, ``Gvien`` (a step keyword). Doc strings and tables are skipped."""
    found: list[tuple[int, str, str]] = []
    in_docstring: str | None = None
    in_steps = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if in_docstring is not None:
            if stripped.startswith(in_docstring):
                in_docstring = None
            continue
        if stripped.startswith(('"""', "```")):
            in_docstring = stripped[:3]
            continue
        if not stripped or stripped.startswith(("#", "|", "@")):
            continue
        match = _BLOCK_LINE.match(line)
        if match:
            word = match.group(1)
            if word in BLOCK_KEYWORDS:
                in_steps = word in _STEP_BLOCKS
                continue
            close = difflib.get_close_matches(word, BLOCK_KEYWORDS, n=1, cutoff=0.75)
            if close:
                found.append((number, f"{word}:", f"{close[0]}:"))
                continue
        first = stripped.split(maxsplit=1)[0]
        if in_steps and first not in STEP_KEYWORDS and first != "*":
            close = difflib.get_close_matches(first, STEP_KEYWORDS, n=1, cutoff=0.7)
            if close:
                found.append((number, first, close[0]))
    return found


class FeatureFile(pytest.Module):
    """A ``.feature`` file collected as a test module: one pytest-bdd scenario test per
    Gherkin scenario (outlines parametrized by their examples, tags applied as marks).

    Its tags are declared as markers first, and a misspelled keyword (``Scenaro:``) is a
    collection error that names the file and line, where Gherkin would read the line as
    free text and the scenario would silently vanish."""

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, GherkinKeywordError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        text = self.path.read_text(encoding="utf-8")
        typos = keyword_typos(text)
        if typos:
            where = self.path
            with contextlib.suppress(ValueError):
                where = self.path.relative_to(self.config.invocation_params.dir)
            raise GherkinKeywordError(
                "\n".join(
                    f"{where}:{line}: {written!r} is not a Gherkin keyword; did you mean {meant!r}?"
                    for line, written, meant in typos
                )
            )
        _register(self.config, feature_tags(text), self.path)
        # The module object is built from the Gherkin instead of imported, and handed to
        # pytest through the public ``obj``; pytest's own collection of a module (parametrize,
        # marks, fixtures) does the rest.
        self.obj = scenario_module(self.path)
        return super().collect()


def scenario_module(path: Path) -> types.ModuleType:
    """A module with a pytest-bdd scenario test for each scenario of the feature file."""
    from pytest_bdd import scenario
    from pytest_bdd.feature import get_features

    module = types.ModuleType(f"provisim_feature_{path.stem}")
    module.__file__ = str(path)
    used: set[str] = set()
    for feature in get_features([str(path)]):
        for name in feature.scenarios:
            test_name = _test_name(name, used)

            @scenario(feature.filename, name, features_base_dir=str(path.parent))
            def _scenario() -> None:
                """The steps are the test."""

            setattr(module, test_name, _scenario)
    return module


def _test_name(scenario_name: str, used: set[str]) -> str:
    # pytest-bdd's scenarios() spelling (spaces to _, other non-word characters dropped, no
    # leading digits), so node ids and -k read the same as in a tests/ module's run.
    words = re.sub(r"\W", "", scenario_name.replace(" ", "_"))
    base = "test_" + re.sub(r"^\d+_*", "", words).lower()
    name, suffix = base, 1
    while name in used:
        name, suffix = f"{base}_{suffix}", suffix + 1
    used.add(name)
    return name
