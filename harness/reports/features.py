"""``.feature`` files collected by pytest directly: one test per Gherkin scenario.

Node ids then name the feature file (``features/licensing.feature::test_no_seat_left``),
and ``-k`` matches the names pytest-bdd's ``scenarios()`` would give in a tests/ module.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable
from pathlib import Path

import pytest


class FeatureFile(pytest.Module):
    """A ``.feature`` file collected as a test module: one pytest-bdd scenario test per
    Gherkin scenario (outlines parametrized by their examples, tags applied as marks)."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
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
