"""The options several commands share read the same in each, and their defaults mean what
the transport enforces."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from harness.cli import app
from harness.cli.options import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT
from harness.transport import DEFAULT_MAX_BODY_BYTES, parse_size

SHARED = ("--junit", "--html", "--timeout", "--max-body")


def options_of(command: str) -> dict[str, Any]:
    """The command's options by each of their names (typer builds them on its own click)."""
    group: Any = typer.main.get_command(app)
    found = group.commands[command]
    return {name: param for param in found.params for name in param.opts if name.startswith("-")}


def test_the_default_body_cap_is_the_transports() -> None:
    assert parse_size(DEFAULT_MAX_BODY) == DEFAULT_MAX_BODY_BYTES
    assert DEFAULT_TIMEOUT > 0


@pytest.mark.parametrize("option", SHARED)
def test_conformance_and_replay_take_the_shared_options_in_the_same_words(option: str) -> None:
    conformance, replay = options_of("conformance")[option], options_of("replay")[option]
    assert conformance.help == replay.help and conformance.help
    assert conformance.default == replay.default


@pytest.mark.parametrize("option", ["--timeout", "--max-body"])
def test_load_limits_each_request_as_conformance_does(option: str) -> None:
    load, conformance = options_of("load")[option], options_of("conformance")[option]
    assert (load.help, load.default) == (conformance.help, conformance.default)
