"""The public API: parse_expression, Expression, EvaluationContext and evaluation rules.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md; [S14] = known-issues.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_entra.clock import EPOCH, VirtualClock
from fake_entra.expressions import (
    FUNCTIONS,
    IGNORE_FLOW,
    EvaluationContext,
    Expression,
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionSyntaxError,
    ExpressionValidationError,
    parse_expression,
)
from fake_entra.expressions.ast import AttributeRef, FunctionCall
from fake_entra.expressions.evaluator import MAX_EXPRESSION_LENGTH

ACTIVE = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'
FORMATTED_NAME = 'Join(" ", [givenName], [surname])'


def test_default_active_mapping() -> None:
    # Portal non-gallery template: IsSoftDeleted -> active through this Switch.
    expression = parse_expression(ACTIVE)
    assert expression.evaluate({"IsSoftDeleted": False}) == "True"
    assert expression.evaluate({"IsSoftDeleted": True}) == "False"
    assert expression.evaluate({"IsSoftDeleted": "False"}) == "True"
    # Without the attribute nothing matches and the empty default is null.
    assert expression.evaluate({}) is None


def test_default_formatted_name_mapping() -> None:
    expression = parse_expression(FORMATTED_NAME)
    assert expression.evaluate({"givenName": "Ada", "surname": "Lovelace"}) == "Ada Lovelace"
    assert expression.evaluate({"givenName": "Ada"}) == "Ada"


def test_expression_keeps_its_text_and_attributes_and_is_immutable() -> None:
    expression = parse_expression('IIF([country]="USA", Join(" ", [givenName], [sn]), [c2])')
    assert expression.text == 'IIF([country]="USA", Join(" ", [givenName], [sn]), [c2])'
    assert expression.referenced_attributes == frozenset({"country", "givenName", "sn", "c2"})
    assert isinstance(expression.root, FunctionCall)
    with pytest.raises(dataclasses.FrozenInstanceError):
        expression.text = "other"  # type: ignore[misc]
    assert parse_expression(ACTIVE) == parse_expression(ACTIVE)
    assert hash(parse_expression(ACTIVE)) == hash(parse_expression(ACTIVE))


def test_a_bare_attribute_or_constant_is_an_expression() -> None:
    # Graph's attributeMappingSource: "expression": "[mail]" for a direct mapping.
    assert parse_expression("[mail]").evaluate({"mail": "a@b"}) == "a@b"
    assert parse_expression('"United States"').evaluate({}) == "United States"


def test_attribute_names_are_case_sensitive() -> None:
    expression = parse_expression("[givenName]")
    assert expression.evaluate({"givenName": "Ada"}) == "Ada"
    assert expression.evaluate({"GivenName": "Ada"}) is None


def test_multi_valued_and_native_values_pass_through() -> None:
    assert parse_expression("[proxyAddresses]").evaluate({"proxyAddresses": ["a", "b"]}) == [
        "a",
        "b",
    ]
    assert parse_expression("[accountEnabled]").evaluate({"accountEnabled": True}) is True
    assert parse_expression("IsNull([x])").evaluate({}) is True


# ---------------------------------------------------------------- save time vs sync time


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('Joint(" ", [a])', "unknown function 'Joint'; did you mean Join?"),
        ("toLower([a])", "did you mean ToLower? Function names are case-sensitive"),
        ("NoSuchThing([a])", "unknown function 'NoSuchThing'"),
        ("Left([a])", "Left takes exactly 2 arguments, got 1: Left(String, NumChars)"),
        ('Join(" ")', "Join takes at least 2 arguments"),
        ("Guid([a])", "Guid takes exactly 0 arguments"),
        ('InStr("a", "b", 1, 1, 1)', "InStr takes 2 to 4 arguments"),
        ("Left([a], Right([b], 1))", "unknown function 'Right'"),
        ("Now", "a function call needs parentheses: Now(...)"),
        ("givenName", "write an attribute as [givenName]"),
        ("InStr([a], [b], 1, vbtextcompare)", "did you mean vbTextCompare?"),
    ],
)
def test_unknown_functions_and_wrong_arity_are_refused_by_parse_expression(
    text: str, fragment: str
) -> None:
    with pytest.raises(ExpressionValidationError) as caught:
        parse_expression(text)
    assert fragment in str(caught.value)
    assert caught.value.position is not None


def test_validation_points_at_the_offending_call() -> None:
    with pytest.raises(ExpressionValidationError) as caught:
        parse_expression('Join(" ", [a], Left([b]))')
    assert caught.value.position == 15


def test_syntax_errors_come_out_of_parse_expression_too() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse_expression('Append([a], "b"')
    assert caught.value.position == 15


def test_the_length_limit_is_ten_thousand_characters() -> None:
    # [S14]: expressions are limited to 10,000 characters.
    padding = MAX_EXPRESSION_LENGTH - len('Append([a], "")')
    at_limit = 'Append([a], "' + "x" * padding + '")'
    assert len(at_limit) == 10_000
    assert parse_expression(at_limit).evaluate({"a": ""}) == "x" * padding
    with pytest.raises(ExpressionValidationError) as caught:
        parse_expression('Append([a], "' + "x" * (padding + 1) + '")')
    assert "10,000" in str(caught.value)


def test_runtime_failures_are_evaluation_errors_naming_the_function() -> None:
    expression = parse_expression('Join("-", [a], Left([b], [n]))')
    assert expression.evaluate({"a": "x", "b": "hello", "n": 2}) == "x-he"
    with pytest.raises(ExpressionEvaluationError) as caught:
        expression.evaluate({"a": "x", "b": "hello", "n": "two"})
    error = caught.value
    assert error.function == "Left"
    assert error.position == 15
    assert str(error).startswith("Left: ")
    assert isinstance(error, ExpressionError) and isinstance(error, ValueError)


def test_iif_on_a_null_source_fails_at_sync_time() -> None:
    expression = parse_expression('IIF([country]="USA", "us", "other")')
    with pytest.raises(ExpressionEvaluationError) as caught:
        expression.evaluate({})
    assert caught.value.function == "IIF"


# ---------------------------------------------------------------- comparisons


@pytest.mark.parametrize(
    ("condition", "source", "expected"),
    [
        ('[c] = "USA"', {"c": "USA"}, True),
        ('[c] = "usa"', {"c": "USA"}, False),  # case-sensitive, like Switch
        ('[c] <> "USA"', {"c": "FR"}, True),
        ("[n] > 5", {"n": 7}, True),
        ("[n] > 5", {"n": "10"}, True),  # numeric text compares as a number
        ("[n] <= 5", {"n": "5"}, True),
        ('[s] < "b"', {"s": "a"}, True),
        ('[s] >= "b"', {"s": "a"}, False),
        ('[flag] = "True"', {"flag": True}, True),
        ("[a] = [b]", {"a": 3, "b": 3}, True),
        ('[n] = "3"', {"n": 3}, True),
    ],
)
def test_iif_condition_operators(condition: str, source: dict[str, Any], expected: bool) -> None:
    # [S8] IIF: "= <> > >= < <=" may be used in the condition.
    assert parse_expression(f'IIF({condition}, "yes", "no")').evaluate(source) == (
        "yes" if expected else "no"
    )


def test_a_comparison_with_a_null_or_multi_valued_side_fails() -> None:
    with pytest.raises(ExpressionEvaluationError, match="is null") as caught:
        parse_expression("CBool([a] = [b])").evaluate({"a": "x"})
    assert str(caught.value).startswith("CBool: the comparison [a] = [b] can't be checked")
    with pytest.raises(ExpressionEvaluationError) as caught:
        parse_expression("[a] = [b]").evaluate({"a": "x"})
    assert caught.value.function is None
    with pytest.raises(ExpressionEvaluationError, match="multi-valued"):
        parse_expression('CBool([a] = "x")').evaluate({"a": ["x"]})


# ---------------------------------------------------------------- the context


def test_context_defaults_are_deterministic() -> None:
    context = EvaluationContext()
    assert context.now() == EPOCH
    assert context.app_role_assignments == []
    assert parse_expression("Guid()").evaluate({}) == parse_expression("Guid()").evaluate({})
    assert parse_expression("Now()").evaluate({}) == "1/5/2026 9:00:00 AM"


def test_now_follows_an_injected_virtual_clock() -> None:
    clock = VirtualClock(datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC))
    context = EvaluationContext(now=clock.now)
    expression = parse_expression("Now()")
    assert expression.evaluate({}, context) == "12/31/2030 11:59:59 PM"
    clock.advance(seconds=1)
    assert expression.evaluate({}, context) == "1/1/2031 12:00:00 AM"


def test_one_seeded_generator_gives_a_reproducible_sequence() -> None:
    expression = parse_expression('Join("|", Guid(), RandomString(8,1,1,1,1))')
    first = EvaluationContext(rng=random.Random(42))
    second = EvaluationContext(rng=random.Random(42))
    runs = [expression.evaluate({}, first) for _ in range(3)]
    assert runs == [expression.evaluate({}, second) for _ in range(3)]
    assert len(set(runs)) == 3


def test_app_role_assignments_come_from_the_source_or_else_the_context() -> None:
    roles = [{"id": "1", "value": "Admin", "displayName": "Administrator"}]
    context = EvaluationContext(app_role_assignments=roles)
    single = parse_expression("SingleAppRoleAssignment([appRoleAssignments])")
    assert single.evaluate({}, context)["value"] == "Admin"
    own = [{"id": "2", "value": "User", "displayName": "User"}]
    assert single.evaluate({"appRoleAssignments": own}, context)["value"] == "User"
    assert single.evaluate({}) is None


def test_ignore_flow_is_a_distinct_sentinel() -> None:
    expression = parse_expression("IgnoreFlowIfNullOrEmpty([department])")
    assert expression.evaluate({}) is IGNORE_FLOW
    assert expression.evaluate({"department": "Sales"}) == "Sales"
    assert IGNORE_FLOW is not None and repr(IGNORE_FLOW) == "IGNORE_FLOW"


def test_functions_mapping_is_read_only_by_name() -> None:
    assert "Switch" in FUNCTIONS and "switch" not in FUNCTIONS
    spec = FUNCTIONS["Mid"]
    assert (spec.min_args, spec.max_args) == (3, 3)
    assert spec.parameters == ("source", "start", "length")


def test_expression_from_an_ast_evaluates_like_its_text() -> None:
    root = FunctionCall("ToUpper", (AttributeRef("mail"),))
    built = Expression(root.to_text(), root)
    assert built == parse_expression("ToUpper([mail])")
    assert built.evaluate({"mail": "a@b"}) == "A@B"


# ---------------------------------------------------------------- fuzzing

SEEDS = [
    ACTIVE,
    FORMATTED_NAME,
    'Append([userPrincipalName], ".test")',
    "BitAnd(&HF, &HF7)",
    'Coalesce([mail],[userPrincipalName], "none")',
    'DateAdd("d", 7, CDate([StatusHireDate]))',
    'Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")',
    'FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")',
    'IIF([country]="USA",[country],[department])',
    'InStr("repEated","e",3,vbBinaryCompare)',
    "Item([proxyAddresses], 1)",
    'Left("John Doe", 3)',
    "Mid([givenName], 1, 3)",
    'PCase([lastName]," \'-")',
    'RandomString(10,2,2,2,1,"?,")',
    'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )',
    'Replace([mail], "@contoso.com", , ,"", ,)',
    'Split([extensionAttribute5], ",")',
    'ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [a], [b]))), "contoso.com"))',
    'Word("This,string!has&many separators",3,",!&#")',
    'NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))',
    "AppRoleAssignmentsComplex([appRoleAssignments])",
    "Count(RemoveDuplicates([proxyAddresses]))",
]

_noise = st.sampled_from([*'()[]",\\ =<>&H-019aZ_', "É", "\t", "Left(", "[a]", '""', ", ,"])


@st.composite
def _mutants(draw: st.DrawFn) -> str:
    """A documented expression with up to three characters deleted, inserted or replaced."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["delete", "insert", "replace", "truncate"]))
        piece = draw(_noise)
        if edit == "delete":
            text = text[:at] + text[at + 1 :]
        elif edit == "insert":
            text = text[:at] + piece + text[at:]
        elif edit == "replace":
            text = text[:at] + piece + text[at + 1 :]
        else:
            text = text[:at]
    return text


_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["2012-03-16-07:00", "20150123105347.1Z", "+91 9998887777", "USA", "1", "0"]),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
    st.just([{"id": "1", "value": "Admin", "displayName": "Admin"}]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_mutants(), st.text()), st.data())
def test_near_valid_expressions_fail_only_with_expression_errors(
    text: str, data: st.DataObject
) -> None:
    try:
        expression = parse_expression(text)
    except ExpressionError:
        return
    source = {name: data.draw(_values) for name in sorted(expression.referenced_attributes)}
    with contextlib.suppress(ExpressionError):
        expression.evaluate(source, EvaluationContext(rng=random.Random(0)))
    # What parsed once parses again from its canonical text to the same tree.
    assert parse_expression(expression.root.to_text()).root == expression.root
