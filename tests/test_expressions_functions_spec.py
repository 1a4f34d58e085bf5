"""How a library function is declared and called: FunctionSpec, Argument, check_literals.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID").
"""

from __future__ import annotations

from typing import Any

import pytest

from fake_entra.expressions import (
    EvaluationContext,
    ExpressionEvaluationError,
    ExpressionValidationError,
)
from fake_entra.expressions.ast import AttributeRef, FunctionCall, Node, StringLiteral
from fake_entra.expressions.functions.spec import (
    Argument,
    ArgumentProblem,
    FunctionSpec,
    check_literals,
)


def test_the_name_and_parameters_come_from_the_documented_signature() -> None:
    join = FunctionSpec("Join(separator, source1, source2, …)", 2, None, lambda *v: None)
    assert join.name == "Join"
    assert join.parameters == ("separator", "source1", "source2", "…")
    assert join.parameter_name(1) == "source1"
    # "…" and positions past the signature have no name of their own.
    assert join.parameter_name(3) == "argument 4"
    assert join.parameter_name(7) == "argument 8"
    assert FunctionSpec("Guid()", 0, 0, lambda: None).parameters == ()


def test_an_argument_is_evaluated_at_most_once_and_only_when_asked_for() -> None:
    calls: list[Node] = []

    def evaluate(node: Node) -> Any:
        calls.append(node)
        return "value"

    argument = Argument(AttributeRef("mail"), evaluate)
    assert calls == [] and not argument.is_empty
    assert argument.value() == argument.value() == "value"
    assert calls == [AttributeRef("mail")]


def test_invoke_turns_an_argument_problem_into_an_error_naming_the_function() -> None:
    def refuse(value: Any) -> Any:
        raise ArgumentProblem(f"source is {value!r}")

    spec = FunctionSpec("Shout(source)", 1, 1, refuse)
    argument = Argument(StringLiteral("x"), lambda node: "x")
    with pytest.raises(ExpressionEvaluationError) as caught:
        spec.invoke([argument], EvaluationContext(), position=4)
    assert (caught.value.function, caught.value.position) == ("Shout", 4)
    assert str(caught.value) == "Shout: source is 'x'"


def test_invoke_hands_over_values_the_context_or_the_unevaluated_arguments() -> None:
    context = EvaluationContext()
    arguments = [Argument(StringLiteral("a"), lambda node: "a")]
    plain = FunctionSpec("F(x)", 1, 1, lambda value: value * 2)
    with_context = FunctionSpec("G(x)", 1, 1, lambda ctx, value: (ctx, value), uses_context=True)
    lazy = FunctionSpec("H(x)", 1, 1, lambda args, ctx: (args, ctx), lazy=True)
    assert plain.invoke(arguments, context) == "aa"
    assert with_context.invoke(arguments, context) == (context, "a")
    assert lazy.invoke(arguments, context) == (arguments, context)


def _positive(value: Any) -> None:
    if int(value) <= 0:
        raise ArgumentProblem(f"{value} isn't positive")


def test_check_literals_checks_only_arguments_known_when_the_mapping_is_saved() -> None:
    literal = FunctionCall("Pick", (StringLiteral("-1"),), position=3)
    with pytest.raises(ExpressionValidationError) as caught:
        check_literals(literal, _positive, 0)
    assert caught.value.position == 3
    assert caught.value.message == "Pick: -1 isn't positive"
    # An attribute's value is known only at sync time, so nothing is checked now.
    check_literals(FunctionCall("Pick", (AttributeRef("n"),)), _positive, 0)
    # A missing optional argument is checked as null.
    seen: list[Any] = []
    check_literals(FunctionCall("Pick", ()), seen.append, 0)
    assert seen == [None]
