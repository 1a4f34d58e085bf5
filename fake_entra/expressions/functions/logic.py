"""The logic functions: conditions, null tests, and choosing among values.

BitAnd, CBool, Coalesce, IgnoreFlowIfNullOrEmpty, IIF, IsNull, IsNullOrEmpty,
IsPresent, IsString, Not and Switch, as [S8] documents them. A condition's truth is
read by ``as_boolean``: booleans, "True"/"False" in any case, or non-zero numbers
([S8] CBool). IIF, Switch and Coalesce evaluate only the arguments they need.

Nulls. ``Switch`` matches a null source against the key "" ([S8]:
``Switch([country],[country],"","Other")`` sets "Other" when country is empty).
``Coalesce`` skips null and empty values. IIF fails when its condition reads a null
or empty attribute, as Entra's condition check does ([S8] IIF).

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fake_entra.expressions.ast import ExpressionValidationError, FunctionCall
from fake_entra.expressions.context import EvaluationContext
from fake_entra.expressions.functions.spec import (
    Argument,
    ArgumentProblem,
    FlowIgnored,
    FunctionSpec,
)
from fake_entra.expressions.functions.values import (
    as_boolean,
    as_integer,
    as_text,
    is_multi,
    is_null_or_empty,
)


def _bit_and(value1: Any, value2: Any) -> int:
    return as_integer(value1, "value1") & as_integer(value2, "value2")


def _cbool(expression: Any) -> bool:
    return as_boolean(expression, "the expression")


def _coalesce(arguments: Sequence[Argument], context: EvaluationContext) -> Any:
    # [S8]: "Returns the first source value that isn't NULL"; an empty string counts as
    # absent here, as an empty attribute is absent in Entra. When every argument is
    # null or empty the last one (defaultValue, possibly "") is returned as it is.
    for argument in arguments:
        value = argument.value()
        if not is_null_or_empty(value):
            return value
    return arguments[-1].value()


def _ignore_flow_if_null_or_empty(expression: Any) -> Any:
    if is_null_or_empty(expression):
        raise FlowIgnored
    return expression


def _iif(arguments: Sequence[Argument], context: EvaluationContext) -> Any:
    condition, if_true, if_false = arguments
    for name, value in condition.attribute_values():
        if is_null_or_empty(value):
            raise ArgumentProblem(
                f"the condition reads [{name}], which is null or empty; Entra's condition check"
                " fails then (use Switch to test for empty values)"
            )
    return if_true.value() if as_boolean(condition.value(), "the condition") else if_false.value()


def _is_null(expression: Any) -> bool:
    # [S8]: "For an attribute, a Null is expressed by the absence of the attribute."
    return expression is None or (is_multi(expression) and len(expression) == 0)


def _is_null_or_empty(expression: Any) -> bool:
    return is_null_or_empty(expression)


def _is_present(expression: Any) -> bool:
    return not is_null_or_empty(expression)


def _is_string(expression: Any) -> bool:
    return isinstance(expression, str)


def _not(source: Any) -> bool:
    # [S8]: "If source value is True, returns False. Otherwise, returns True."
    is_true = source is True or (isinstance(source, str) and source.strip().lower() == "true")
    return not is_true


def _switch_text(value: Any, what: str) -> str:
    text = as_text(value, what)
    return "" if text is None else text


def _switch(arguments: Sequence[Argument], context: EvaluationContext) -> Any:
    # [S8]: case-sensitive comparison of source and keys; default when nothing matches.
    source = _switch_text(arguments[0].value(), "source")
    for index in range(2, len(arguments), 2):
        if _switch_text(arguments[index].value(), f"key{index // 2}") == source:
            return arguments[index + 1].value()
    return arguments[1].value()


def _check_switch(call: FunctionCall) -> None:
    if len(call.arguments) % 2:
        raise ExpressionValidationError(
            "Switch: key and value parameters must come in pairs, so the function expects an"
            f" even number of arguments; got {len(call.arguments)}",
            call.position,
        )


#: The logic functions, for the registry.
LOGIC_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("BitAnd(value1, value2)", 2, 2, _bit_and),
    FunctionSpec("CBool(Expression)", 1, 1, _cbool),
    FunctionSpec("Coalesce(source1, source2, …, defaultValue)", 1, None, _coalesce, lazy=True),
    FunctionSpec("IgnoreFlowIfNullOrEmpty(expression)", 1, 1, _ignore_flow_if_null_or_empty),
    FunctionSpec("IIF(condition, valueIfTrue, valueIfFalse)", 3, 3, _iif, lazy=True),
    FunctionSpec("IsNull(Expression)", 1, 1, _is_null),
    FunctionSpec("IsNullOrEmpty(Expression)", 1, 1, _is_null_or_empty),
    FunctionSpec("IsPresent(Expression)", 1, 1, _is_present),
    FunctionSpec("IsString(Expression)", 1, 1, _is_string),
    FunctionSpec("Not(source)", 1, 1, _not),
    FunctionSpec("Switch(source, defaultValue, key1, value1, key2, value2, …)", 4, None, _switch,
                 lazy=True, optional=frozenset({1}), check=_check_switch),
)  # fmt: skip
