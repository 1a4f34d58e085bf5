"""Scoping filters: attribute-based rules on the source object.

Source: MicrosoftDocs/entra-docs define-conditional-rules-for-provisioning-user-accounts.md
(entra-provisioning-service.md §2 "Scoping filters"). Clauses within one filter
are ANDed, filters are ORed, and "scoping filters will return false if the value
is null / empty" — except IS NULL and IS NOT NULL, which exist to test exactly
that. Multi-valued attributes, IsMemberOf, members, appRoleAssignments,
userType, manager and dates cannot be filtered on (S9, S14).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fake_entra.directory import PortalError


class ScopingOperator(StrEnum):
    """The operators of the portal's "Add scoping filter" dialog, by their portal names."""

    IN_VALUE = "&"  # the attribute's value occurs in the clause value
    NOT_IN_VALUE = "!&"
    ENDS_WITH = "ENDS_WITH"
    EQUALS = "EQUALS"
    NOT_EQUALS = "NOT EQUALS"
    GREATER_THAN = "Greater_Than"
    GREATER_THAN_OR_EQUALS = "Greater_Than_OR_EQUALS"
    INCLUDES = "Includes"
    IS_TRUE = "IS TRUE"
    IS_FALSE = "IS FALSE"
    IS_NULL = "IS NULL"
    IS_NOT_NULL = "IS NOT NULL"
    REGEX_MATCH = "REGEX MATCH"
    NOT_REGEX_MATCH = "NOT REGEX MATCH"


#: Operators that take no "Attribute Value".
UNARY_OPERATORS: frozenset[ScopingOperator] = frozenset(
    {
        ScopingOperator.IS_TRUE,
        ScopingOperator.IS_FALSE,
        ScopingOperator.IS_NULL,
        ScopingOperator.IS_NOT_NULL,
    }
)

#: Source attributes the portal refuses in a clause (S9 "IMPORTANT", S14).
#: IsSoftDeleted is computed *from* scope, so filtering on it would be circular.
NON_FILTERABLE_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "IsMemberOf",
        "members",
        "appRoleAssignments",
        "userType",
        "manager",
        "proxyAddresses",
        "otherMails",
        "IsSoftDeleted",
        "createdDateTime",
        "employeeHireDate",
        "employeeLeaveDateTime",
        "lastPasswordChangeDateTime",
        "refreshTokensValidFromDateTime",
        "deletedDateTime",
    }
)

_INTEGER = re.compile(r"^[0-9]+$")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


@dataclass(frozen=True, slots=True)
class ScopingClause:
    """One condition: source attribute, operator and (for most operators) a value."""

    attribute: str
    operator: ScopingOperator
    value: str | None = None

    def describe(self) -> str:
        if self.operator in UNARY_OPERATORS:
            return f"{self.attribute} {self.operator}"
        return f'{self.attribute} {self.operator} "{self.value}"'

    def validate(self, source_attributes: Iterable[str]) -> None:
        """Refuse what the portal refuses when the filter is saved."""
        if self.attribute in NON_FILTERABLE_ATTRIBUTES:
            raise PortalError(
                f"The attribute '{self.attribute}' can't be used in a scoping filter: "
                "multi-valued attributes, IsMemberOf, members, appRoleAssignments, userType, "
                "manager and dates aren't supported."
            )
        if self.attribute not in set(source_attributes):
            raise PortalError(f"'{self.attribute}' is not a source attribute of this object.")
        if self.operator in UNARY_OPERATORS:
            if self.value not in (None, ""):
                raise PortalError(f"The operator {self.operator} takes no attribute value.")
            return
        if self.value is None or self.value == "":
            raise PortalError(f"Enter an attribute value for {self.attribute} {self.operator}.")
        if self.operator in (
            ScopingOperator.GREATER_THAN,
            ScopingOperator.GREATER_THAN_OR_EQUALS,
        ) and not _INTEGER.match(self.value):
            # S9: "The value specified on the scoping filter must be an integer".
            raise PortalError(
                f"The value for {self.operator} must be an integer; '{self.value}' is not."
            )
        if self.operator in (ScopingOperator.REGEX_MATCH, ScopingOperator.NOT_REGEX_MATCH):
            try:
                re.compile(self.value)
            except re.error as error:
                raise PortalError(
                    f"'{self.value}' is not a valid regular expression: {error}."
                ) from None

    def evaluate(self, source: Mapping[str, Any]) -> bool:
        value = source.get(self.attribute)
        op = self.operator
        if op is ScopingOperator.IS_NULL:
            return _is_empty(value)
        if op is ScopingOperator.IS_NOT_NULL:
            return not _is_empty(value)
        # S9: "Scoping filters will return 'false' if the value is null / empty",
        # and that includes the negative operators.
        if _is_empty(value):
            return False
        if op is ScopingOperator.IS_TRUE:
            return _as_bool(value) is True
        if op is ScopingOperator.IS_FALSE:
            return _as_bool(value) is False
        if op in (ScopingOperator.GREATER_THAN, ScopingOperator.GREATER_THAN_OR_EQUALS):
            # S9: "the attribute on the user must be an integer [0,1,2,...]".
            text = str(value)
            if isinstance(value, bool) or not _INTEGER.match(text):
                return False
            number, bound = int(text), int(self.value or "0")
            return number > bound if op is ScopingOperator.GREATER_THAN else number >= bound
        text = value if isinstance(value, str) else str(value)
        clause_value = self.value or ""
        match op:
            # S9: "&": true "if the evaluated attribute exists in the input string value".
            case ScopingOperator.IN_VALUE:
                return text in clause_value
            case ScopingOperator.NOT_IN_VALUE:
                return text not in clause_value
            case ScopingOperator.ENDS_WITH:
                return text.endswith(clause_value)
            # S9: EQUALS and NOT EQUALS are case sensitive.
            case ScopingOperator.EQUALS:
                return text == clause_value
            case ScopingOperator.NOT_EQUALS:
                return text != clause_value
            # S9: Includes is .NET String.Contains, case sensitive.
            case ScopingOperator.INCLUDES:
                return clause_value in text
            # .NET Regex.IsMatch finds a match anywhere in the value, as re.search does.
            case ScopingOperator.REGEX_MATCH:
                return re.search(clause_value, text) is not None
            case ScopingOperator.NOT_REGEX_MATCH:
                return re.search(clause_value, text) is None
        raise AssertionError(f"unhandled scoping operator {op}")


@dataclass(frozen=True, slots=True)
class ScopingFilter:
    """A titled filter: every clause must hold."""

    title: str
    clauses: tuple[ScopingClause, ...]

    def __init__(self, title: str, clauses: Iterable[ScopingClause]) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "clauses", tuple(clauses))

    def validate(self, source_attributes: Iterable[str]) -> None:
        if not self.title.strip():
            raise PortalError("Enter a Scoping Filter Title.")
        if not self.clauses:
            raise PortalError(f"The scoping filter '{self.title}' needs at least one clause.")
        names = frozenset(source_attributes)
        for clause in self.clauses:
            clause.validate(names)

    def failed_clauses(self, source: Mapping[str, Any]) -> tuple[ScopingClause, ...]:
        return tuple(clause for clause in self.clauses if not clause.evaluate(source))

    def evaluate(self, source: Mapping[str, Any]) -> bool:
        return all(clause.evaluate(source) for clause in self.clauses)


@dataclass(frozen=True, slots=True)
class ScopingResult:
    """Why an object is in or out of the source object scope, for the provisioning log."""

    in_scope: bool
    matched_filter: str | None = None
    failed_clauses: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.in_scope:
            if self.matched_filter is None:
                return "No scoping filters: in scope."
            return f"In scope: matches the scoping filter '{self.matched_filter}'."
        return "Out of scope: fails " + "; ".join(self.failed_clauses) + "."


def evaluate_scoping_filters(
    filters: Iterable[ScopingFilter], source: Mapping[str, Any]
) -> ScopingResult:
    """Filters are ORed: the first filter whose clauses all hold puts the object in scope."""
    failed: list[str] = []
    any_filter = False
    for scoping_filter in filters:
        any_filter = True
        misses = scoping_filter.failed_clauses(source)
        if not misses:
            return ScopingResult(True, scoping_filter.title)
        failed.extend(f"{scoping_filter.title}: {clause.describe()}" for clause in misses)
    if not any_filter:
        return ScopingResult(True)
    return ScopingResult(False, None, tuple(failed))
