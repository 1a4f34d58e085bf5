"""Parsed expressions and their evaluation against one source object.

``parse_expression`` is what the portal does when a mapping is saved: it refuses
text that is too long, malformed, or calls functions wrongly. ``Expression.evaluate``
is what a sync does for each object in scope: it reads the object's attributes,
and its clock and randomness come only from the :class:`EvaluationContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from fake_entra.expressions import grammar
from fake_entra.expressions.ast import (
    AttributeRef,
    Comparison,
    EmptyArgument,
    ExpressionEvaluationError,
    ExpressionValidationError,
    FunctionCall,
    NamedConstant,
    Node,
    NumberLiteral,
    StringLiteral,
    referenced_attributes,
    walk,
)
from fake_entra.expressions.context import APP_ROLE_ASSIGNMENTS, EvaluationContext
from fake_entra.expressions.functions import (
    FUNCTIONS,
    NAMED_CONSTANTS,
    Argument,
    ArgumentProblem,
    FlowIgnored,
    as_text,
    validate,
)

#: [S14] known-issues: expressions are limited to 10,000 characters.
MAX_EXPRESSION_LENGTH = 10_000


class _Flow(Enum):
    IGNORE = "IGNORE_FLOW"

    def __repr__(self) -> str:
        return "IGNORE_FLOW"


#: Returned by :meth:`Expression.evaluate` when IgnoreFlowIfNullOrEmpty drops the
#: attribute: the target attribute is left out of the request altogether.
IGNORE_FLOW = _Flow.IGNORE


@dataclass(frozen=True)
class Expression:
    """A parsed and validated expression; build it with :func:`parse_expression`."""

    text: str
    root: Node
    referenced_attributes: frozenset[str] = field(init=False, compare=False)
    #: Whether the expression calls Redact: logs must show "[Redact]" instead of the value.
    is_redacted: bool = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "referenced_attributes", referenced_attributes(self.root))
        redacted = any(isinstance(n, FunctionCall) and n.name == "Redact" for n in walk(self.root))
        object.__setattr__(self, "is_redacted", redacted)

    def evaluate(self, source: Mapping[str, Any], context: EvaluationContext | None = None) -> Any:
        """The value for the target attribute, ``None`` for null, or :data:`IGNORE_FLOW`."""
        try:
            return _Evaluation(source, context or EvaluationContext()).evaluate(self.root)
        except FlowIgnored:
            return IGNORE_FLOW


def parse_expression(text: str) -> Expression:
    """Parse and validate ``text`` the way the portal does when a mapping is saved."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionValidationError(
            f"the expression is {len(text):,} characters long; Entra allows at most"
            f" {MAX_EXPRESSION_LENGTH:,}",
            MAX_EXPRESSION_LENGTH,
        )
    root = grammar.parse(text)
    validate(root)
    return Expression(text, root)


class _Evaluation:
    def __init__(self, source: Mapping[str, Any], context: EvaluationContext) -> None:
        self.source = source
        self.context = context

    def evaluate(self, node: Node) -> Any:
        # Exact-type checks first for the common nodes: mappings are evaluated for every
        # object of a cycle, and a chain of isinstance tests (one against a union) was the
        # bulk of this method's time. Anything else takes the general path below. Each test
        # calls type() again so the type checker narrows ``node``: as cheap as a local.
        if type(node) is FunctionCall:
            spec = FUNCTIONS[node.name]
            arguments = [Argument(argument, self.evaluate) for argument in node.arguments]
            return spec.invoke(arguments, self.context, node.position)
        if type(node) is AttributeRef:
            name = node.name
            source = self.source
            # Attribute names are case-sensitive ([S8] "The syntax is case-sensitive").
            if name in source:
                return source[name]
            return self.attribute(name)
        if type(node) is StringLiteral:
            return node.value
        if isinstance(node, AttributeRef):
            return self.attribute(node.name)
        if isinstance(node, StringLiteral | NumberLiteral):
            return node.value
        if isinstance(node, NamedConstant):
            return NAMED_CONSTANTS[node.name]
        if isinstance(node, EmptyArgument):
            return None
        if isinstance(node, Comparison):
            return self.compare(node)
        spec = FUNCTIONS[node.name]
        arguments = [Argument(argument, self.evaluate) for argument in node.arguments]
        return spec.invoke(arguments, self.context, node.position)

    def attribute(self, name: str) -> Any:
        # Attribute names are case-sensitive ([S8] "The syntax is case-sensitive").
        if name in self.source:
            return self.source[name]
        if name == APP_ROLE_ASSIGNMENTS:
            return list(self.context.app_role_assignments)
        return None

    def compare(self, node: Comparison) -> bool:
        left, right = self.evaluate(node.left), self.evaluate(node.right)
        for operand, value in ((node.left, left), (node.right, right)):
            if value is None:
                raise ExpressionEvaluationError(
                    f"the comparison {node.to_text()} can't be checked: {operand.to_text()} is null",
                    position=node.position,
                )
        try:
            if node.operator in ("=", "<>"):
                equal = _equal(left, right)
                return equal if node.operator == "=" else not equal
            order = _order(left, right)
        except ArgumentProblem as problem:
            raise ExpressionEvaluationError(
                f"the comparison {node.to_text()} can't be checked: {problem}",
                position=node.position,
            ) from None
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[node.operator]


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = Decimal(value)
        return number if number.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            return None
        return number if number.is_finite() else None  # "NaN" and "Infinity" are text
    return None


def _equal(left: Any, right: Any) -> bool:
    # Numbers compare as numbers; everything else as text, case-sensitively and
    # ordinally, like Switch ([S8]: "Switch function performs a case-sensitive string
    # comparison"); a boolean reads "True"/"False".
    numbers = (int, float)
    if all(isinstance(v, numbers) and not isinstance(v, bool) for v in (left, right)):
        return bool(left == right)
    return as_text(left, "the left operand") == as_text(right, "the right operand")


def _order(left: Any, right: Any) -> int:
    # DateDiff(...) > 5 compares numbers; two numeric strings compare as numbers too.
    left_number, right_number = _number(left), _number(right)
    if left_number is not None and right_number is not None:
        return (left_number > right_number) - (left_number < right_number)
    left_text = as_text(left, "the left operand") or ""
    right_text = as_text(right, "the right operand") or ""
    return (left_text > right_text) - (left_text < right_text)
