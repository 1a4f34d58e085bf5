"""``provisim steps [WORDS]``: the step catalogue, listed or searched, each step with its
parameters and an example from the features."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.output import err, out


def steps(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[WORDS]...",
            help="Only the steps whose wording or description contains every one of these "
            "words (case does not matter), e.g. 'assign group'.",
            show_default=False,
        ),
    ] = None,
    features: Annotated[
        list[Path] | None,
        typer.Option(
            "--features",
            metavar="PATH",
            help="Take the examples from these feature files or directories (default: the "
            "features that come with provisim).",
        ),
    ] = None,
) -> None:
    """List the steps a scenario can use, or search them.

    Each step shows its keywords and wordings, its parameters and what they take, what it
    does, and an example line from a feature file. A search that finds nothing names the
    three closest steps and exits 1. The full catalogue is docs/steps.md.
    """
    from harness.cli.run import packaged_features
    from harness.steps.catalog import (
        closest_steps,
        example_of,
        feature_steps,
        parameters,
        search,
        step_definitions,
    )

    definitions = step_definitions()
    found = search(words, definitions) if words else definitions
    if not found:
        closest = "; ".join(closest_steps(" ".join(words or [])))
        err.print(
            f"provisim: no step contains {' '.join(words or [])!r}; closest: {closest}",
            markup=False,
        )
        raise typer.Exit(1)
    lines = feature_steps(features or [packaged_features()])
    for definition in found:
        keywords = " / ".join(definition.keywords)
        out.print(f"{keywords}: {definition.wordings[0]}", markup=False, style="bold")
        for other in definition.wordings[1:]:
            out.print(f"    also: {other}", markup=False)
        seen: set[str] = set()
        for wording in definition.wordings:
            for name, what in parameters(wording):
                if name not in seen:
                    seen.add(name)
                    out.print(f"    {name}: {what}", markup=False)
        if definition.takes:
            out.print(f"    takes {' and '.join(definition.takes)}", markup=False)
        if definition.doc:
            out.print(f"    {definition.doc.splitlines()[0]}", markup=False)
        example = example_of(definition, lines)
        if example is not None:
            text, file, line = example
            out.print(f"    example: {text}  ({file.name}:{line})", markup=False)
        out.print("")
    noun = "step" if len(found) == 1 else "steps"
    out.print(f"{len(found)} {noun}" + (f" of {len(definitions)}" if words else ""), markup=False)
