"""The step catalogue (harness.steps.catalog) and the step library it documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_bdd.feature import get_features
from pytest_bdd.parser import Step
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

from harness.steps import STEP_MODULES
from harness.steps.catalog import (
    DOCS_PAGE,
    closest_steps,
    did_you_mean,
    example_of,
    feature_steps,
    main,
    parameters,
    render,
    search,
    step_definitions,
)

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "features"


def _library() -> list[StepFunctionContext]:
    step_definitions()  # imports every step module
    return [
        context
        for context in step_function_context_registry.values()
        if context.step_func.__module__ in STEP_MODULES
    ]


def _feature_steps() -> Iterator[tuple[str, Step]]:
    """Every step of every scenario in features/, outlines rendered with each example."""
    for feature in get_features([str(FEATURES)]):
        for template in feature.scenarios.values():
            contexts = [c for examples in template.examples for c in examples.as_contexts()]
            for context in contexts or [{}]:
                scenario = template.render(context)
                for step in scenario.steps:
                    where = f"{Path(feature.filename).name}: {scenario.name}"
                    yield where, step


def test_docs_steps_md_is_generated_from_the_current_steps() -> None:
    page = ROOT / DOCS_PAGE
    assert page.read_text(encoding="utf-8") == render(), (
        "docs/steps.md is stale: run python -m harness.steps.catalog"
    )


def test_every_feature_step_has_exactly_one_step_definition() -> None:
    library = _library()
    problems = []
    for where, step in _feature_steps():
        found = {
            context.step_func.__name__
            for context in library
            if context.type in (None, step.type) and context.parser.is_matching(step.name)
        }
        if len(found) != 1:
            problems.append(f"{where}: {step.keyword} {step.name} -> {sorted(found)}")
    assert not problems, "\n".join(problems)


def test_every_step_definition_is_used_by_a_feature() -> None:
    library = _library()
    used = {
        context.step_func
        for _, step in _feature_steps()
        for context in library
        if context.type in (None, step.type) and context.parser.is_matching(step.name)
    }
    unused = [d.function.__name__ for d in step_definitions() if d.function not in used]
    assert not unused, f"Steps no feature uses (add a scenario or drop them): {unused}"


def test_every_step_says_what_it_does() -> None:
    undocumented = [d.function.__name__ for d in step_definitions() if not d.doc]
    assert not undocumented


def test_the_catalogue_lists_each_step_with_its_keywords_wordings_and_docstring() -> None:
    text = render()
    assert text.startswith("# Step library\n")
    assert "## LinkedIn Account Center" in text
    assert "### Given / When `the admin clicks Test Connection`" in text
    assert "- also: `clicks Test Connection`" in text
    assert "### Then `Synchronization Details show:`" in text
    assert "- takes a data table" in text
    assert "Step 12: Test Connection; the result appears as a notification." in text
    assert "`Cloud Application Administrator`" in text
    definitions = step_definitions()
    assert text.count("\n### ") == len(definitions)


def test_main_writes_the_page_and_check_reports_a_stale_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert main(["--root", str(tmp_path)]) == 0
    assert (tmp_path / DOCS_PAGE).read_text(encoding="utf-8") == render()
    assert main(["--root", str(tmp_path), "--check"]) == 0
    (tmp_path / DOCS_PAGE).write_text("# edited by hand\n", encoding="utf-8")
    assert main(["--root", str(tmp_path), "--check"]) == 1


@pytest.mark.parametrize(
    ("typed", "step_type", "meant"),
    [
        (
            'the admin asigns the user "Britta Simon" with role "User"',
            "given",
            'Given the admin assigns the user "{name}" with the role "{role}"',
        ),
        ("the admin set Provisioning Status to On and save", "when", None),
        ('the SCIM target has a user "Britta Simon"', "then", None),
    ],
)
def test_a_step_that_matches_nothing_gets_the_three_closest(
    typed: str, step_type: str, meant: str | None
) -> None:
    close = closest_steps(typed, step_type)
    assert len(close) == 3 and len(set(close)) == 3
    if meant is not None:
        assert close[0] == meant
    text = did_you_mean(typed, step_type)
    assert text.startswith("\nDid you mean one of these steps")
    assert all(f"\n  {line}" in text for line in close)


def test_closest_steps_name_the_right_step_for_common_slips() -> None:
    assert any(
        "Provisioning Status to {status:OnOff} and saves" in line or "On and saves" in line
        for line in closest_steps("the admin sets Provisioning Status On and saves", "when")
    )
    assert closest_steps('the SCIM target has a user "Britta Simon"', "then")[0] == (
        'Then the SCIM target has the user "{name}"'
    )


def test_parameters_say_what_each_placeholder_takes() -> None:
    assert parameters('the admin assigns the users {names} with the role "{role}"') == [
        ("names", 'quoted names, as "A", "B" and "C"'),
        ("role", "text in double quotes"),
    ]
    assert parameters("{count:d} days pass") == [("count", "a whole number")]


def test_every_step_has_an_example_in_the_features() -> None:
    lines = feature_steps([FEATURES])
    missing = [d.wordings[0] for d in step_definitions() if example_of(d, lines) is None]
    # A few steps are only used with an outline's <placeholders>, which are no example.
    assert len(missing) <= len(step_definitions()) // 5, missing
    assert search(["assigns", "group"], step_definitions())
    assert all(
        "group" in " ".join((*d.wordings, d.doc)).lower()
        for d in search(["GROUP"], step_definitions())
    )
