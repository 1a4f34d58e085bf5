"""The logic functions: conditions, null tests and choosing among values.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID"). Test names say which documented example or edge case each one checks.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from expressions_support import fails_when_evaluated, refused_when_saved, run

from fake_entra.expressions import IGNORE_FLOW, EvaluationContext


def test_bit_and_documented_example() -> None:
    # [S8] BitAnd(&HF, &HF7) returns 7.
    assert run("BitAnd(&HF, &HF7)") == 7
    assert run('BitAnd([flags], "2")', flags=6) == 2
    assert fails_when_evaluated("BitAnd([a], 1)").function == "BitAnd"
    assert fails_when_evaluated('BitAnd("x", 1)').function == "BitAnd"


def test_cbool() -> None:
    # [S8] CBool([attribute1] = [attribute2]): True if both attributes have the same value.
    assert run("CBool([attribute1] = [attribute2])", attribute1="x", attribute2="x") is True
    assert run("CBool([attribute1] = [attribute2])", attribute1="x", attribute2="y") is False
    assert run("CBool(5)") is True  # non-zero -> True
    assert run('CBool("0")') is False
    assert run('CBool("true")') is True
    assert fails_when_evaluated('CBool("maybe")').function == "CBool"
    assert fails_when_evaluated("CBool([a])").function == "CBool"


def test_coalesce() -> None:
    # [S8] "Flow mail value if not NULL, otherwise flow userPrincipalName".
    assert run(
        "Coalesce([mail],[userPrincipalName])", userPrincipalName="John.Doe@contoso.com"
    ) == ("John.Doe@contoso.com")
    assert run('Coalesce([a], [b], "default")', a="", b="second") == "second"
    assert run('Coalesce([a], [b], "")') == ""  # the defaultValue may be ""
    assert run("Coalesce([a], [b])") is None


def test_coalesce_stops_at_the_first_value() -> None:
    context = EvaluationContext(rng=random.Random(3))
    assert run("Coalesce([a], Guid())", context, a="x") == "x"
    untouched = random.Random(3)
    assert context.rng.random() == untouched.random()  # Guid() never ran


def test_ignore_flow_if_null_or_empty() -> None:
    # [S8] Example 1 and Example 2.
    assert run("IgnoreFlowIfNullOrEmpty([department])") is IGNORE_FLOW
    assert run("IgnoreFlowIfNullOrEmpty([department])", department="") is IGNORE_FLOW
    assert run("IgnoreFlowIfNullOrEmpty([department])", department="Sales") == "Sales"
    prefix = 'IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof."))'
    assert run(prefix, prefix="9999") is IGNORE_FLOW
    assert run(prefix, prefix="3443") == "Dr."
    # Nested, it still drops the whole attribute.
    assert run('Join(" ", IgnoreFlowIfNullOrEmpty([a]), "x")') is IGNORE_FLOW


def test_iif_documented_examples() -> None:
    # [S8] IIF([country]="USA",[country],[department]) and the nested AND / OR forms.
    expression = 'IIF([country]="USA",[country],[department])'
    assert run(expression, country="USA", department="Sales") == "USA"
    assert run(expression, country="FR", department="Sales") == "Sales"
    and_form = 'IIF([country]="USA",IIF([state]="CA","True","False"),"False")'
    assert run(and_form, country="USA", state="CA") == "True"
    assert run(and_form, country="USA", state="WA") == "False"
    or_form = 'IIF([country]="USA","True",IIF([state]="CA","True","False"))'
    assert run(or_form, country="FR", state="CA") == "True"


@pytest.mark.parametrize(
    "expression",
    [
        # [S8] "Unsupported IIF expression examples" when country is empty or null.
        'IIF([country]="","Other",[country])',
        'IIF(IsNullOrEmpty([country]),"Other",[country])',
        'IIF(IsPresent([country]),[country],"Other")',
    ],
)
@pytest.mark.parametrize("country", [None, ""])
def test_iif_fails_when_its_condition_reads_a_null_or_empty_attribute(
    expression: str, country: str | None
) -> None:
    error = fails_when_evaluated(expression, country=country)
    assert error.function == "IIF"
    assert "[country]" in str(error)


def test_iif_workaround_with_switch() -> None:
    # [S8] recommended workaround: Switch([country],[country],"","Other").
    assert run('Switch([country],[country],"","Other")') == "Other"
    assert run('Switch([country],[country],"","Other")', country="FR") == "FR"


def test_iif_evaluates_only_the_chosen_branch() -> None:
    assert run('IIF("True", "yes", Left("x", [missing]))') == "yes"
    assert fails_when_evaluated('IIF("maybe", "a", "b")').function == "IIF"


@pytest.mark.parametrize(
    ("value", "is_null", "is_null_or_empty", "is_present", "is_string"),
    [
        (None, True, True, False, False),
        ("", False, True, False, True),
        ("x", False, False, True, True),
        ([], True, True, False, False),
        (["a"], False, False, True, False),
        (False, False, False, True, False),
    ],
)
def test_null_and_type_predicates(
    value: Any, is_null: bool, is_null_or_empty: bool, is_present: bool, is_string: bool
) -> None:
    # [S8] IsNull: "a Null is expressed by the absence of the attribute"; IsNullOrEmpty
    # also for ""; IsPresent is its inverse; IsString "can be evaluated to a string type".
    assert run("IsNull([a])", a=value) is is_null
    assert run("IsNullOrEmpty([a])", a=value) is is_null_or_empty
    assert run("IsPresent([a])", a=value) is is_present
    assert run("IsString([a])", a=value) is is_string


def test_is_present_documented_switch_example() -> None:
    # [S8]: Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]), ...)
    expression = (
        "Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),"
        "[skiplevelManager], IsPresent([director]),[director])"
    )
    assert run(expression, directManager="m", skiplevelManager="s") == "s"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, False), ("True", False), ("true", False), (False, True), ("False", True), (None, True),
     ("other", True)],
)  # fmt: skip
def test_not(value: Any, expected: bool) -> None:
    # [S8]: "If source value is True, returns False. Otherwise, returns True."
    assert run("Not([a])", a=value) is expected


def test_switch_documented_example_and_case_sensitivity() -> None:
    # [S8] Switch example: "QLD" -> "Australia/Brisbane"; default "Australia/Sydney".
    expression = (
        'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane",'
        ' "SA", "Australia/Adelaide")'
    )
    assert run(expression, state="QLD") == "Australia/Brisbane"
    assert run(expression, state="qld") == "Australia/Sydney"  # case-sensitive
    assert run(expression) == "Australia/Sydney"
    # [S8] note: ToLower makes the comparison case-insensitive.
    lowered = 'Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")'
    assert run(lowered, statusFlag="TRUE") == "1"
    # [S8] caution: a literal "" key catches an empty source.
    empty = 'Switch([statusFlag], "Default Value", "true", "1", "", "0")'
    assert run(empty, statusFlag="") == "0"
    assert run(empty) == "0"
    assert run('Switch([n], , "5", "five")', n=5) == "five"  # numbers read as text


def test_switch_needs_key_value_pairs() -> None:
    assert "pairs" in refused_when_saved('Switch([a], "d", "k1", "v1", "k2")')
    assert fails_when_evaluated('Switch([a], , "x", "y")', a=["x"]).function == "Switch"
