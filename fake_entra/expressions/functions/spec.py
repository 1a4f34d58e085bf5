"""How a library function is declared and called: its signature, arity and arguments.

A :class:`FunctionSpec` holds one function's signature as [S8] writes it, how many
arguments it takes and its implementation; :meth:`FunctionSpec.invoke` calls the
implementation with :class:`Argument` s, which are evaluated only when asked for.

Errors. An implementation that can't do its job raises :class:`ArgumentProblem`, and
``invoke`` turns it into an ``ExpressionEvaluationError`` naming the function. What can
be checked when the mapping is saved (names, arity, required arguments, Switch pairs,
Replace's parameter combination, literal regexes, intervals, formats) is checked by the
registry's ``validate`` and by each spec's ``check``, most of them through
:func:`check_literals`.

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fake_entra.expressions.ast import (
    AttributeRef,
    EmptyArgument,
    ExpressionEvaluationError,
    ExpressionValidationError,
    FunctionCall,
    NamedConstant,
    Node,
    NumberLiteral,
    StringLiteral,
    walk,
)
from fake_entra.expressions.context import EvaluationContext


class ArgumentProblem(Exception):
    """Raised inside an implementation; :meth:`FunctionSpec.invoke` adds the function's name."""


class FlowIgnored(Exception):
    """Raised by IgnoreFlowIfNullOrEmpty: drop this attribute from the flow ([S8])."""


#: Bare names an expression may use. [S8] InStr: compareType "Can be vbTextCompare or
#: vbBinaryCompare", written unquoted in ``InStr("repEated","e",3,vbBinaryCompare)``;
#: the values are VBA's.
NAMED_CONSTANTS: Mapping[str, int] = {"vbBinaryCompare": 0, "vbTextCompare": 1}


class Argument:
    """One argument of a call, evaluated at most once and only when asked for."""

    __slots__ = ("_done", "_evaluate", "_value", "node")

    def __init__(self, node: Node, evaluate: Callable[[Node], Any]) -> None:
        self.node = node
        self._evaluate = evaluate
        self._value: Any = None
        self._done = False

    @property
    def is_empty(self) -> bool:
        return isinstance(self.node, EmptyArgument)

    def value(self) -> Any:
        if not self._done:
            self._value = self._evaluate(self.node)
            self._done = True
        return self._value

    def attribute_values(self) -> Iterator[tuple[str, Any]]:
        """The value of every ``[attribute]`` inside this argument, in text order."""
        for node in walk(self.node):
            if isinstance(node, AttributeRef):
                yield node.name, self._evaluate(node)


@dataclass(frozen=True)
class FunctionSpec:
    """One library function: the documented signature, arity and implementation.

    ``implementation`` is called as ``implementation(*values)``; with
    ``uses_context`` as ``implementation(context, *values)``; a ``lazy`` one gets
    ``implementation(arguments, context)`` with unevaluated :class:`Argument` s, for
    functions that evaluate only some arguments (IIF, Switch, Coalesce) or need to
    know which were left empty (Replace).
    """

    signature: str  # as [S8] writes it; parameter names for messages come from here
    min_args: int
    max_args: int | None  # None: no upper bound
    implementation: Callable[..., Any]
    lazy: bool = False
    uses_context: bool = False
    #: Positions below ``min_args`` that may nevertheless be left empty.
    optional: frozenset[int] = frozenset()
    #: Extra save-time checks on the call node; raise ExpressionValidationError.
    check: Callable[[FunctionCall], None] | None = None
    parameters: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        inside = self.signature[self.signature.index("(") + 1 : self.signature.rindex(")")]
        names = tuple(part.strip() for part in inside.split(",") if part.strip())
        object.__setattr__(self, "parameters", names)

    @property
    def name(self) -> str:
        return self.signature[: self.signature.index("(")]

    def parameter_name(self, index: int) -> str:
        if index < len(self.parameters) and self.parameters[index] not in ("…", "..."):
            return self.parameters[index]
        return f"argument {index + 1}"

    def invoke(
        self, arguments: Sequence[Argument], context: EvaluationContext, position: int = 0
    ) -> Any:
        try:
            if self.lazy:
                return self.implementation(arguments, context)
            values = [argument.value() for argument in arguments]
            if self.uses_context:
                return self.implementation(context, *values)
            return self.implementation(*values)
        except ArgumentProblem as problem:
            raise ExpressionEvaluationError(str(problem), self.name, position) from None
        except ExpressionEvaluationError as error:
            if error.function is not None:
                raise
            # A comparison in an argument failed: name the function it belongs to.
            raise ExpressionEvaluationError(error.message, self.name, error.position) from None


def _literal(node: Node) -> tuple[bool, Any]:
    """(True, value) for an argument whose value is known when the mapping is saved."""
    if isinstance(node, StringLiteral | NumberLiteral):
        return True, node.value
    if isinstance(node, NamedConstant):
        return True, NAMED_CONSTANTS.get(node.name)
    if isinstance(node, EmptyArgument):
        return True, None
    return False, None


def check_literals(call: FunctionCall, check: Callable[..., Any], *indexes: int) -> None:
    """Run ``check`` on the arguments at ``indexes`` if they are all literals."""
    values: list[Any] = []
    for index in indexes:
        if index >= len(call.arguments):
            values.append(None)
            continue
        known, value = _literal(call.arguments[index])
        if not known:
            return
        values.append(value)
    try:
        check(*values)
    except ArgumentProblem as problem:
        raise ExpressionValidationError(f"{call.name}: {problem}", call.position) from None
