"""The data of the attribute-mapping expression language: AST nodes and errors.

The nodes mirror what Microsoft's syntax overview names as the three kinds of
function argument (attributes in square brackets, string constants in double
quotes, other functions) plus what the documented examples additionally use:
integer literals (``Left("John Doe", 3)``, ``DateAdd("d", 7, ...)``), VBA hex
literals (``BitAnd(&HF, &HF7)``), the bare enum names of ``InStr``
(``vbBinaryCompare``), comparisons inside conditions (``IIF([country]="USA", ...)``)
and empty arguments (``Switch([IsSoftDeleted], , "False", "True", ...)``).
Source: MicrosoftDocs/entra-docs functions-for-customizing-application-data.md.

Every node knows its 0-based ``position`` in the original text (for error
messages) but positions take no part in equality, so ``parse(node.to_text())``
equals ``node``. The errors live here too because the grammar, the function
library and the evaluator all raise them and all sit above this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

ComparisonOperator = Literal["=", "<>", "<", "<=", ">", ">="]

#: Entra's documented operators for IIF conditions, longest first so a
#: tokenizer can match greedily.
COMPARISON_OPERATORS: tuple[ComparisonOperator, ...] = ("<>", "<=", ">=", "=", "<", ">")


# ---------------------------------------------------------------- errors


class ExpressionError(ValueError):
    """Anything wrong with an expression: its text, its meaning, or its evaluation."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.message = message
        self.position = position
        super().__init__(self._render())

    def _render(self) -> str:
        return self.message


class ExpressionSyntaxError(ExpressionError):
    """The text isn't a well-formed expression; ``position`` says where it went wrong."""

    position: int

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)

    def _render(self) -> str:
        return f"Syntax error at position {self.position}: {self.message}"


class ExpressionValidationError(ExpressionError):
    """Well-formed but refused when the mapping is saved (unknown function, wrong arity, ...)."""

    def _render(self) -> str:
        if self.position is None:
            return f"Invalid expression: {self.message}"
        return f"Invalid expression at position {self.position}: {self.message}"


class ExpressionEvaluationError(ExpressionError):
    """A function failed while a sync evaluated the expression for one object."""

    def __init__(self, message: str, function: str | None = None, position: int | None = None):
        self.function = function
        super().__init__(message, position)

    def _render(self) -> str:
        return f"{self.function}: {self.message}" if self.function else self.message


# ---------------------------------------------------------------- nodes


def quote_string(value: str) -> str:
    """Render a string constant: Entra escapes only backslash and double quote with ``\\``."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True, slots=True)
class AttributeRef:
    """``[name]``: the value of a source attribute, looked up case-sensitively."""

    name: str
    position: int = field(default=0, compare=False)

    def to_text(self) -> str:
        return f"[{self.name}]"


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """``"text"`` with ``\\"`` and ``\\\\`` already unescaped into ``value``."""

    value: str
    position: int = field(default=0, compare=False)

    def to_text(self) -> str:
        return quote_string(self.value)


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    """An integer constant: decimal ``7``/``-10`` or VBA hex ``&HF7`` (``radix`` 16)."""

    value: int
    radix: Literal[10, 16] = 10
    position: int = field(default=0, compare=False)

    def to_text(self) -> str:
        if self.radix == 16:
            sign = "-" if self.value < 0 else ""
            return f"{sign}&H{abs(self.value):X}"
        return str(self.value)


@dataclass(frozen=True, slots=True)
class NamedConstant:
    """A bare name such as ``vbTextCompare`` (InStr's compareType); validated against a list."""

    name: str
    position: int = field(default=0, compare=False)

    def to_text(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class EmptyArgument:
    """An argument left out between commas, as in ``Switch([x], , "a", "b")``: evaluates to null."""

    position: int = field(default=0, compare=False)

    def to_text(self) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class Comparison:
    """``left <op> right``, the condition form of ``IIF`` and ``CBool``; yields a boolean."""

    left: Operand
    operator: ComparisonOperator
    right: Operand
    position: int = field(default=0, compare=False)

    def to_text(self) -> str:
        return f"{self.left.to_text()} {self.operator} {self.right.to_text()}"


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """``Name(arg, ...)``; ``arguments`` may contain :class:`EmptyArgument`."""

    name: str
    arguments: tuple[Node, ...] = ()
    position: int = field(default=0, compare=False)

    def to_text(self) -> str:
        # An empty argument renders as nothing: ", , " keeps the comma count.
        return f"{self.name}({', '.join(argument.to_text() for argument in self.arguments)})"


Operand = AttributeRef | StringLiteral | NumberLiteral | NamedConstant | FunctionCall
Node = Operand | Comparison | EmptyArgument


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, FunctionCall):
        return node.arguments
    if isinstance(node, Comparison):
        return (node.left, node.right)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def referenced_attributes(node: Node) -> frozenset[str]:
    return frozenset(n.name for n in walk(node) if isinstance(n, AttributeRef))
