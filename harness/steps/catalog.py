"""The step catalogue: docs/steps.md, generated from the registered step definitions.

``python -m harness.steps.catalog`` rewrites docs/steps.md from the step library itself
(each step's keyword, its wordings as the parser reads them, and its docstring), so the
page cannot drift from the code; ``--check`` only reports whether it is stale, and a test
fails when it is.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_bdd.steps import step_function_context_registry

from harness.steps import STEP_MODULES
from harness.steps.wording import TYPES

#: Where the page lives, from the repository root.
DOCS_PAGE = Path("docs") / "steps.md"
_KEYWORDS = {"given": "Given", "when": "When", "then": "Then", None: "Given, When, Then"}


@dataclass(frozen=True)
class StepDefinition:
    """One step function: its keywords, every wording it answers to, and what it does."""

    module: str
    function: Callable[..., object]
    keywords: tuple[str, ...]
    wordings: tuple[str, ...]
    #: pytest-bdd's parsers of the wordings (``is_matching(text)``), in the same order.
    parsers: tuple[Any, ...] = ()

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.function.__doc__ or "")

    @property
    def takes(self) -> tuple[str, ...]:
        """The step's block arguments: a data table, a doc string."""
        parameters = inspect.signature(self.function).parameters
        return tuple(
            label
            for name, label in (("datatable", "a data table"), ("docstring", "a doc string"))
            if name in parameters
        )


def step_definitions(modules: Sequence[str] = STEP_MODULES) -> list[StepDefinition]:
    """Every step of ``modules``, in module order, then in source order."""
    for module in modules:
        importlib.import_module(module)
    found: dict[Callable[..., object], tuple[list[str], list[str], list[Any]]] = {}
    for context in list(step_function_context_registry.values()):
        function = context.step_func
        if function.__module__ not in modules:
            continue
        keywords, wordings, parsers = found.setdefault(function, ([], [], []))
        keyword = _KEYWORDS[context.type]
        if keyword not in keywords:
            keywords.append(keyword)
        if context.parser.name not in wordings:
            wordings.append(context.parser.name)
            parsers.append(context.parser)
    definitions = [
        StepDefinition(
            function.__module__, function, tuple(keywords), tuple(wordings), tuple(parsers)
        )
        for function, (keywords, wordings, parsers) in found.items()
    ]
    return sorted(
        definitions,
        key=lambda d: (modules.index(d.module), d.function.__code__.co_firstlineno),
    )


_FIELD = re.compile(r"\{(\w+)(?::(\w+))?\}")
_QUOTED = re.compile(r'"[^"]*"')
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")


def parameters(wording: str) -> list[tuple[str, str]]:
    """The parameters of a wording, as ``(name, what it takes)``: ``{count:d}`` is
    ``("count", "a whole number")``, ``"{name}"`` is ``("name", "quoted text")``."""
    found: list[tuple[str, str]] = []
    for match in _FIELD.finditer(wording):
        name, kind = match.group(1), match.group(2)
        quoted = wording[max(match.start() - 1, 0) : match.start()] == '"'
        if kind == "d":
            what = "a whole number"
        elif kind == "g" or kind == "f":
            what = "a number"
        elif kind in TYPES:
            what = "one of " + _type_values(kind).replace("`", "")
        elif quoted:
            what = "text in double quotes"
        elif name == "names":
            what = 'quoted names, as "A", "B" and "C"'
        else:
            what = "text"
        found.append((name, what))
    return found


def _shape(text: str) -> str:
    """A step or a wording with its variable parts blanked, for comparing the two."""
    text = _FIELD.sub("#", text)
    text = _QUOTED.sub('"#"', text)
    text = _NUMBER.sub("#", text)
    text = re.sub(r'"#"(?:(?:, | and )"#")+', '"#"', text).lower()
    # Articles are the commonest slip ("has a user" for "has the user"): they don't count.
    return re.sub(r"\b(?:a|an|the) ", "", text)


def closest_steps(text: str, step_type: str | None = None, count: int = 3) -> list[str]:
    """The ``count`` wordings of the catalogue closest to the step ``text`` (as
    ``Given …``), those of the step's own keyword first."""
    shaped = _shape(text)
    scored: list[tuple[float, int, str]] = []
    for definition in step_definitions():
        keyword = definition.keywords[0].split(",")[0]
        same = 0 if step_type is None or _KEYWORDS.get(step_type) in definition.keywords else 1
        for wording in definition.wordings:
            ratio = difflib.SequenceMatcher(None, shaped, _shape(wording)).ratio()
            scored.append((ratio - 0.05 * same, same, f"{keyword} {wording}"))
    scored.sort(key=lambda entry: -entry[0])
    seen: list[str] = []
    for _, _, line in scored:
        if line not in seen:
            seen.append(line)
        if len(seen) == count:
            break
    return seen


def did_you_mean(text: str, step_type: str | None = None) -> str:
    """The lines that follow "Step definition is not found": the three closest steps."""
    lines = "".join(f"\n  {line}" for line in closest_steps(text, step_type))
    return f"\nDid you mean one of these steps (provisim steps WORDS searches them all)?{lines}"


_STEP_LINE = re.compile(r"^\s*(Given|When|Then|And|But|\*)\s+(.+?)\s*$")


def feature_steps(paths: Iterable[Path]) -> list[tuple[str, str, Path, int]]:
    """Every step line of the feature files under ``paths``: ``(keyword, text, file, line)``;
    a Scenario Outline's lines with ``<placeholders>`` are left out (they are no example)."""
    found: list[tuple[str, str, Path, int]] = []
    for path in paths:
        files = sorted(path.rglob("*.feature")) if path.is_dir() else [path]
        for file in files:
            try:
                lines = file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for number, line in enumerate(lines, start=1):
                match = _STEP_LINE.match(line)
                if match and "<" not in match.group(2):
                    found.append((match.group(1), match.group(2), file, number))
    return found


def example_of(
    definition: StepDefinition, steps: Sequence[tuple[str, str, Path, int]]
) -> tuple[str, Path, int] | None:
    """The first step line of ``steps`` that ``definition`` answers to, as written (with
    its keyword), and where it is."""
    for keyword, text, file, line in steps:
        if any(parser.is_matching(text) for parser in definition.parsers):
            return f"{keyword} {text}", file, line
    return None


def search(words: Sequence[str], definitions: Sequence[StepDefinition]) -> list[StepDefinition]:
    """The definitions whose wordings or description contain every one of ``words``."""
    wanted = [word.lower() for word in words]
    return [
        definition
        for definition in definitions
        if all(word in " ".join((*definition.wordings, definition.doc)).lower() for word in wanted)
    ]


def _type_values(name: str) -> str:
    values = str(getattr(TYPES[name], "pattern", "")).replace("\\ ", " ").split("|")
    return ", ".join(f"`{value}`" for value in values)


def render(modules: Sequence[str] = STEP_MODULES) -> str:
    """The Markdown of docs/steps.md."""
    definitions = step_definitions(modules)
    lines = [
        "# Step library",
        "",
        "<!-- Generated by `python -m harness.steps.catalog` from harness/steps/; do not edit. -->",
        "",
        f"{len(definitions)} steps, in "
        f"{sum(len(d.wordings) for d in definitions)} wordings, in the tutorial's words. "
        "Any test module that calls `pytest_bdd.scenarios()` can use them once the "
        "`provisim` pytest plugin is loaded (it is, when provisim is installed). A new "
        "scenario needs nothing but a `.feature` file.",
        "",
        "How to read a wording:",
        "",
        '- `"{name}"`: any text in double quotes, e.g. a person ("Britta Simon"), a group, '
        "an app, a message the portal shows (a message only has to *contain* the text).",
        "- `{count:d}`: a whole number.",
        '- `{names}`: several quoted names, as in `"Britta Simon", "Carl Jones" and "Dana Lee"`.',
        "- `{expression}`: an expression as typed in the portal, unquoted.",
        "- Words from a closed list:",
    ]
    lines += [f"  - `{{...:{name}}}`: {_type_values(name)}" for name in TYPES]
    lines += [
        "",
        'An action that starts with "the admin" also answers without it, so that the steps '
        'after the first read "And clicks Save". "Since" means since the last When step.',
        "",
    ]
    current = None
    for definition in definitions:
        if definition.module != current:
            current = definition.module
            module = sys.modules[current]
            title, _, body = inspect.cleandoc(module.__doc__ or current).partition("\n")
            lines += [f"## {title.rstrip('.')}", ""]
            if body.strip():
                lines += [body.strip(), ""]
        first, *others = definition.wordings
        lines.append(f"### {' / '.join(definition.keywords)} `{first}`")
        lines.append("")
        for other in others:
            lines.append(f"- also: `{other}`")
        if definition.takes:
            lines.append(f"- takes {' and '.join(definition.takes)}")
        if others or definition.takes:
            lines.append("")
        if definition.doc:
            lines += [definition.doc, ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m harness.steps.catalog", description="Write docs/steps.md."
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository root")
    parser.add_argument(
        "--check", action="store_true", help="only report whether docs/steps.md is stale"
    )
    options = parser.parse_args(argv)
    page = options.root / DOCS_PAGE
    text = render()
    if options.check:
        current = page.read_text(encoding="utf-8") if page.exists() else ""
        if current != text:
            print(f"{page} is stale: run python -m harness.steps.catalog", file=sys.stderr)
            return 1
        return 0
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text, encoding="utf-8")
    print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
