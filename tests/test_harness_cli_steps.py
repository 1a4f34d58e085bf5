"""`provisim steps [WORDS]`: the step catalogue, listed or searched."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from harness.cli import app
from harness.steps.catalog import step_definitions

runner = CliRunner()


def test_without_words_every_step_is_listed() -> None:
    result = runner.invoke(app, ["steps"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(f"{len(step_definitions())} steps")


def test_a_search_shows_each_step_with_its_parameters_and_an_example() -> None:
    result = runner.invoke(app, ["steps", "ASSIGNS", "user"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    block = result.output.split('the admin assigns the user "{name}" with the role "{role}"')[1]
    block = block.split("\n\n")[0]
    assert "name: text in double quotes" in block
    assert "role: text in double quotes" in block
    assert re.search(
        r'example: (Given|When|And) the admin assigns the user "[^"]+" with the role "[^"]+"'
        r"  \(\w+\.feature:\d+\)",
        block,
    )
    assert f"of {len(step_definitions())}" in result.output


def test_a_search_that_finds_nothing_names_the_closest_steps() -> None:
    result = runner.invoke(app, ["steps", "asigns", "usr"])
    assert result.exit_code == 1
    assert "no step contains 'asigns usr'; closest:" in result.output
    assert "assigns" in result.output


def test_the_root_help_lists_the_command() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "steps" in result.output and "List the steps a scenario can use" in result.output
