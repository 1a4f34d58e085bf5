from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_entra.directory import USER_SOURCE_ATTRIBUTES, PortalError
from fake_entra.scoping import (
    NON_FILTERABLE_ATTRIBUTES,
    ScopingClause,
    ScopingFilter,
    ScopingOperator,
    evaluate_scoping_filters,
)

Op = ScopingOperator


def clause(attribute: str, operator: ScopingOperator, value: str | None = None) -> ScopingClause:
    return ScopingClause(attribute, operator, value)


# Each operator against a value that passes and one that fails (S9's wording).
@pytest.mark.parametrize(
    ("operator", "clause_value", "passes", "fails"),
    [
        (Op.IN_VALUE, "Sales,Marketing", "Sales", "Legal"),
        (Op.NOT_IN_VALUE, "Sales,Marketing", "Legal", "Sales"),
        (Op.ENDS_WITH, "@contoso.com", "a@contoso.com", "a@fabrikam.com"),
        (Op.EQUALS, "Sales", "Sales", "sales"),
        (Op.NOT_EQUALS, "Sales", "sales", "Sales"),
        (Op.GREATER_THAN, "1000000", "1000001", "1000000"),
        (Op.GREATER_THAN_OR_EQUALS, "1000000", "1000000", "999999"),
        (Op.INCLUDES, "Eng", "Engineering", "engineering"),
        (Op.IS_TRUE, None, True, False),
        (Op.IS_FALSE, None, False, True),
        (Op.IS_NULL, None, None, "x"),
        (Op.IS_NOT_NULL, None, "x", ""),
        (Op.REGEX_MATCH, r".*\@contoso.com", "a@contoso.com", "a@fabrikam.com"),
        (Op.NOT_REGEX_MATCH, r".*\@contoso.com", "a@fabrikam.com", "a@contoso.com"),
    ],
)
def test_each_operator(operator: ScopingOperator, clause_value, passes, fails) -> None:
    rule = clause("department", operator, clause_value)
    assert rule.evaluate({"department": passes}) is True
    assert rule.evaluate({"department": fails}) is False


@pytest.mark.parametrize(
    "operator", sorted(set(ScopingOperator) - {Op.IS_NULL, Op.IS_NOT_NULL}, key=str)
)
@pytest.mark.parametrize("empty", [None, ""])
def test_a_null_or_empty_value_makes_every_other_clause_false(operator, empty) -> None:
    # S9: "Scoping filters will return 'false' if the value is null / empty" —
    # the negative operators included.
    value = "1" if operator in (Op.GREATER_THAN, Op.GREATER_THAN_OR_EQUALS) else "x"
    rule = clause("department", operator, None if operator in (Op.IS_TRUE, Op.IS_FALSE) else value)
    assert rule.evaluate({"department": empty}) is False
    assert rule.evaluate({}) is False


def test_greater_than_needs_an_integer_attribute() -> None:
    rule = clause("employeeId", Op.GREATER_THAN, "5")
    assert rule.evaluate({"employeeId": "E100"}) is False
    assert rule.evaluate({"employeeId": 6}) is True
    assert rule.evaluate({"employeeId": True}) is False


def test_is_true_reads_booleans_and_their_strings() -> None:
    rule = clause("accountEnabled", Op.IS_TRUE)
    assert rule.evaluate({"accountEnabled": "True"}) is True
    assert rule.evaluate({"accountEnabled": "yes"}) is False


def test_regex_match_finds_a_match_anywhere_like_dotnet_is_match() -> None:
    assert clause("department", Op.REGEX_MATCH, "ale").evaluate({"department": "Sales"})


def test_clauses_are_anded_and_filters_ored() -> None:
    new_york_engineers = ScopingFilter(
        "NY engineers",
        [clause("state", Op.EQUALS, "New York"), clause("department", Op.EQUALS, "Engineering")],
    )
    sales = ScopingFilter("Sales", [clause("department", Op.EQUALS, "Sales")])
    filters = [new_york_engineers, sales]
    assert evaluate_scoping_filters(filters, {"state": "New York", "department": "Engineering"})
    assert evaluate_scoping_filters(filters, {"state": "Texas", "department": "Sales"}).in_scope
    result = evaluate_scoping_filters(filters, {"state": "Texas", "department": "Engineering"})
    assert not result.in_scope
    assert result.failed_clauses == (
        'NY engineers: state EQUALS "New York"',
        'Sales: department EQUALS "Sales"',
    )
    assert "Out of scope" in result.describe()
    matched = evaluate_scoping_filters(filters, {"state": "Texas", "department": "Sales"})
    assert matched.matched_filter == "Sales"
    assert "Sales" in matched.describe()


def test_no_filter_means_in_scope() -> None:
    result = evaluate_scoping_filters([], {})
    assert result.in_scope
    assert result.describe() == "No scoping filters: in scope."


@pytest.mark.parametrize("attribute", sorted(NON_FILTERABLE_ATTRIBUTES))
def test_non_filterable_attributes_are_refused(attribute: str) -> None:
    with pytest.raises(PortalError, match="can't be used in a scoping filter"):
        clause(attribute, Op.IS_NOT_NULL).validate(USER_SOURCE_ATTRIBUTES | {attribute})


def test_the_reference_list_is_refused() -> None:
    # entra-provisioning-service.md §2: multi-valued attributes, IsMemberOf, members,
    # appRoleAssignments, userType, manager, dates.
    assert {
        "IsMemberOf",
        "members",
        "appRoleAssignments",
        "userType",
        "manager",
        "proxyAddresses",
        "createdDateTime",
    } <= NON_FILTERABLE_ATTRIBUTES


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (clause("shoeSize", Op.EQUALS, "42"), "not a source attribute"),
        (clause("department", Op.IS_NULL, "x"), "takes no attribute value"),
        (clause("department", Op.EQUALS, ""), "Enter an attribute value"),
        (clause("employeeId", Op.GREATER_THAN, "1.5"), "must be an integer"),
        (clause("department", Op.REGEX_MATCH, "("), "not a valid regular expression"),
    ],
)
def test_clause_validation(rule: ScopingClause, message: str) -> None:
    with pytest.raises(PortalError, match=message):
        rule.validate(USER_SOURCE_ATTRIBUTES)


def test_filter_validation() -> None:
    with pytest.raises(PortalError, match="Scoping Filter Title"):
        ScopingFilter(" ", [clause("department", Op.IS_NOT_NULL)]).validate(USER_SOURCE_ATTRIBUTES)
    with pytest.raises(PortalError, match="at least one clause"):
        ScopingFilter("Empty", []).validate(USER_SOURCE_ATTRIBUTES)
    ScopingFilter("Ok", [clause("department", Op.IS_NOT_NULL)]).validate(USER_SOURCE_ATTRIBUTES)


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.none(), st.text(max_size=6)), reference=st.text(min_size=1, max_size=6))
def test_equals_and_not_equals_split_non_empty_values(value: Any, reference: str) -> None:
    equals = clause("department", Op.EQUALS, reference).evaluate({"department": value})
    differs = clause("department", Op.NOT_EQUALS, reference).evaluate({"department": value})
    if value in (None, ""):
        assert not equals and not differs
    else:
        assert equals != differs
