"""``.feature`` files collected by pytest directly: one test per Gherkin scenario.

Node ids then name the feature file (``features/licensing.feature::test_no_seat_left``),
and ``-k`` matches the names pytest-bdd's ``scenarios()`` would give in a tests/ module.
"""

from __future__ import annotations

import re
import types

import pytest


class FeatureFile(pytest.Module):
    """A ``.feature`` file collected as a test module: one pytest-bdd scenario test per
    Gherkin scenario (outlines parametrized by their examples, tags applied as marks)."""

    # pytest's PyobjMixin._getobj: "Get the underlying Python object. May be overwritten by
    # subclasses." A Module's object is its imported module; here it is built from the
    # Gherkin, so pytest's own collection (parametrize, marks, fixtures) does the rest.
    def _getobj(self) -> types.ModuleType:
        from pytest_bdd import scenario
        from pytest_bdd.feature import get_features

        module = types.ModuleType(f"provisim_feature_{self.path.stem}")
        module.__file__ = str(self.path)
        used: set[str] = set()
        for feature in get_features([str(self.path)]):
            for name in feature.scenarios:
                test_name = _test_name(name, used)

                @scenario(feature.filename, name, features_base_dir=str(self.path.parent))
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
