r"""Tokenizer and recursive-descent parser for Entra attribute-mapping expressions.

Microsoft describes the syntax only in prose ("reminiscent of Visual Basic for
Applications"; MicrosoftDocs/entra-docs functions-for-customizing-application-data.md,
"Syntax overview"). This is that prose, plus what the page's own examples use,
written down as EBNF. ``ws`` is any run of spaces, tabs, CR or LF and may appear
between any two tokens (the page's DateDiff example spans several lines).

.. code-block:: ebnf

    expression   = ws , argument , ws ;                 (* a non-empty argument *)
    argument     = operand , [ ws , comparator , ws , operand ] ;
    operand      = function call | attribute | string | number | named constant ;
    function call= identifier , ws , "(" , ws , [ argument list ] , ws , ")" ;
    argument list= slot , { ws , "," , ws , slot } ;
    slot         = [ argument ] ;                       (* empty = null, e.g. Switch([a], , ...) *)
    attribute    = "[" , name char , { name char } , "]" ;
    name char    = ? any Unicode letter or digit ? | "_" | "." | ":" | "-" | "$" | "#" | "@" | "/" ;
    string       = '"' , { string char | escape } , '"' ;
    string char  = ? any character except '"' and "\" ? ;
    escape       = "\" , ( '"' | "\" ) ;                (* the only two escapes Microsoft documents *)
    number       = [ "-" ] , ( digit , { digit } | "&H" , hex digit , { hex digit } ) ;
                                                        (* at most 100 digits; no letter may follow *)
    named constant = identifier ;                       (* not followed by "(": vbTextCompare *)
    identifier   = ascii letter , { ascii letter | digit | "_" } ;
    comparator   = "=" | "<>" | "<=" | ">=" | "<" | ">" ;

Notes on the choices:

* ``Name()`` has zero arguments (``Guid()``, ``Now()``); ``Name(,)`` has two empty ones.
* A comparison may stand wherever an argument may; Microsoft documents it in
  ``IIF([country]="USA", ...)``, ``CBool([attribute1] = [attribute2])`` and
  ``IIF(DateDiff(...) > 5, ...)``. There is no AND/OR ("The IIF function currently
  doesn't support AND and OR logical operators") and comparisons don't chain.
* Which names are functions, how many arguments they take and which bare names
  exist is *validation*, done by :func:`fake_entra.expressions.functions.validate`,
  so the parser accepts ``Foo(1)`` and reports it later with a suggestion.
* Function calls nest at most :data:`MAX_NESTING_DEPTH` deep. Microsoft documents
  no such limit (only 10,000 characters); ours keeps the recursive descent and the
  evaluator well inside Python's recursion limit on any text up to that length.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal, cast

from fake_entra.expressions.ast import (
    COMPARISON_OPERATORS,
    AttributeRef,
    Comparison,
    ComparisonOperator,
    EmptyArgument,
    ExpressionSyntaxError,
    ExpressionValidationError,
    FunctionCall,
    NamedConstant,
    Node,
    NumberLiteral,
    Operand,
    StringLiteral,
)

#: Our own bound on nested function calls (see the module docstring).
MAX_NESTING_DEPTH = 100

_WHITESPACE = frozenset(" \t\r\n")
_NAME_PUNCTUATION = frozenset("_.:-$#@/")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
#: Far beyond any 64-bit number Entra's functions take, and below the 4,300 digits
#: Python's int() refuses to convert.
_MAX_DIGITS = 100


class TokenKind(Enum):
    IDENTIFIER = "identifier"
    ATTRIBUTE = "attribute"
    STRING = "string"
    NUMBER = "number"
    OPEN = "'('"
    CLOSE = "')'"
    COMMA = "','"
    OPERATOR = "comparison operator"
    END = "end of the expression"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # the source slice
    position: int
    value: str | int | None = None  # unescaped string, attribute name, or number


def _is_ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char in _NAME_PUNCTUATION


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with one END token; raises ExpressionSyntaxError."""
    tokens: list[Token] = []
    i = 0
    length = len(text)
    while True:
        while i < length and text[i] in _WHITESPACE:
            i += 1
        if i >= length:
            tokens.append(Token(TokenKind.END, "", length))
            return tokens
        char = text[i]
        start = i
        if char == '"':
            value, i = _read_string(text, i)
            tokens.append(Token(TokenKind.STRING, text[start:i], start, value))
        elif char == "[":
            name, i = _read_attribute(text, i)
            tokens.append(Token(TokenKind.ATTRIBUTE, text[start:i], start, name))
        elif char.isdigit() or char == "&" or (char == "-" and i + 1 < length):
            number, i = _read_number(text, i)
            tokens.append(Token(TokenKind.NUMBER, text[start:i], start, number))
        elif _is_ascii_letter(char):
            i += 1
            # ASCII only: str.isalnum also accepts other scripts' letters and digits.
            while i < length and text[i].isascii() and (text[i].isalnum() or text[i] == "_"):
                i += 1
            tokens.append(Token(TokenKind.IDENTIFIER, text[start:i], start, text[start:i]))
        elif char == "(":
            i += 1
            tokens.append(Token(TokenKind.OPEN, char, start))
        elif char == ")":
            i += 1
            tokens.append(Token(TokenKind.CLOSE, char, start))
        elif char == ",":
            i += 1
            tokens.append(Token(TokenKind.COMMA, char, start))
        elif char in "=<>":
            operator = next(op for op in COMPARISON_OPERATORS if text.startswith(op, i))
            i += len(operator)
            tokens.append(Token(TokenKind.OPERATOR, operator, start, operator))
        elif char == "]":
            raise ExpressionSyntaxError("']' without a matching '['", start)
        else:
            raise ExpressionSyntaxError(f"unexpected character {char!r}", start)


def _read_string(text: str, start: int) -> tuple[str, int]:
    parts: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(parts), i + 1
        if char == "\\":
            escaped = text[i + 1] if i + 1 < len(text) else ""
            if escaped not in ('"', "\\"):
                # Entra: "if you need a backslash ( \ ) or quotation mark ( " ) in the
                # string, it must be escaped with the backslash ( \ ) symbol".
                shown = repr(escaped) if escaped else "the end of the expression"
                raise ExpressionSyntaxError(
                    f"invalid escape: a backslash must be followed by '\"' or '\\', not {shown}"
                    " (write a literal backslash as \\\\)",
                    i,
                )
            parts.append(escaped)
            i += 2
            continue
        parts.append(char)
        i += 1
    raise ExpressionSyntaxError("unterminated string constant: no closing '\"'", start)


def _read_attribute(text: str, start: int) -> tuple[str, int]:
    i = start + 1
    while i < len(text) and _is_name_char(text[i]):
        i += 1
    if i >= len(text):
        raise ExpressionSyntaxError(
            f"expected ']' to close the attribute opened at position {start}", i
        )
    if text[i] != "]":
        raise ExpressionSyntaxError(
            f"expected ']' to close the attribute opened at position {start},"
            f" found {text[i]!r} (attribute names may hold letters, digits and _.:-$#@/)",
            i,
        )
    if i == start + 1:
        raise ExpressionSyntaxError("empty attribute name '[]'", start)
    return text[start + 1 : i], i + 1


def _read_number(text: str, start: int) -> tuple[int, int]:
    i = start
    sign = 1
    if text[i] == "-":
        sign = -1
        i += 1
        if i >= len(text) or not (text[i].isdigit() or text[i] == "&"):
            raise ExpressionSyntaxError("expected digits after '-'", start)
    if text[i] == "&":
        if not text.startswith("&H", i):
            raise ExpressionSyntaxError("expected '&H' followed by hex digits", i)
        digits_start = i + 2
        i = digits_start
        while i < len(text) and text[i] in _HEX_DIGITS:
            i += 1
        if i == digits_start:
            raise ExpressionSyntaxError("expected hex digits after '&H'", digits_start)
        if i - digits_start > _MAX_DIGITS:
            raise ExpressionSyntaxError(f"number longer than {_MAX_DIGITS} digits", start)
        value = int(text[digits_start:i], 16)
    else:
        digits_start = i
        # Only ASCII digits: int() would also accept other Unicode digits.
        while i < len(text) and text[i].isascii() and text[i].isdigit():
            i += 1
        if i == digits_start:
            raise ExpressionSyntaxError(f"unexpected character {text[start]!r}", start)
        if i - digits_start > _MAX_DIGITS:
            raise ExpressionSyntaxError(f"number longer than {_MAX_DIGITS} digits", start)
        value = int(text[digits_start:i])
    if i < len(text) and (_is_ascii_letter(text[i]) or text[i] == "_"):
        raise ExpressionSyntaxError(f"unexpected character {text[i]!r} in a number", i)
    return sign * value, i


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.END:
            self.index += 1
        return token

    def parse_expression(self) -> Node:
        if self.current.kind is TokenKind.END:
            raise ExpressionSyntaxError("the expression is empty", self.current.position)
        node = self.parse_argument()
        token = self.current
        if token.kind is not TokenKind.END:
            raise ExpressionSyntaxError(
                f"unexpected {_describe(token)} after the end of the expression", token.position
            )
        return node

    def parse_argument(self) -> Node:
        left = self.parse_operand()
        operator_token = self.current
        if operator_token.kind is not TokenKind.OPERATOR:
            return left
        self.advance()
        right = self.parse_operand()
        after = self.current
        if after.kind is TokenKind.OPERATOR:
            raise ExpressionSyntaxError(
                "comparisons can't be chained; IIF supports one comparison per condition",
                after.position,
            )
        # The tokenizer gives an OPERATOR token one of COMPARISON_OPERATORS as its value.
        operator = cast(ComparisonOperator, operator_token.value)
        return Comparison(left, operator, right, position=left.position)

    def parse_operand(self) -> Operand:
        token = self.current
        if token.kind is TokenKind.ATTRIBUTE:
            self.advance()
            return AttributeRef(str(token.value), position=token.position)
        if token.kind is TokenKind.STRING:
            self.advance()
            return StringLiteral(str(token.value), position=token.position)
        if token.kind is TokenKind.NUMBER:
            self.advance()
            # The tokenizer gives a NUMBER token the int it read as its value.
            radix: Literal[10, 16] = 16 if "&H" in token.text else 10
            return NumberLiteral(cast(int, token.value), radix, position=token.position)
        if token.kind is TokenKind.IDENTIFIER:
            self.advance()
            if self.current.kind is TokenKind.OPEN:
                return self.parse_call(token)
            return NamedConstant(token.text, position=token.position)
        raise ExpressionSyntaxError(
            'expected a function call, an [attribute], a "string" or a number,'
            f" found {_describe(token)}",
            token.position,
        )

    def parse_call(self, name: Token) -> FunctionCall:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise ExpressionValidationError(
                f"function calls nest more than {MAX_NESTING_DEPTH} deep", name.position
            )
        open_paren = self.advance()
        arguments: list[Node] = []
        if self.current.kind is TokenKind.CLOSE:
            self.advance()
        else:
            while True:
                if self.current.kind is TokenKind.END:
                    raise ExpressionSyntaxError(
                        f"expected ')' to close the call to {name.text} opened at position"
                        f" {open_paren.position}, found the end of the expression",
                        self.current.position,
                    )
                if self.current.kind in (TokenKind.COMMA, TokenKind.CLOSE):
                    arguments.append(EmptyArgument(position=self.current.position))
                else:
                    arguments.append(self.parse_argument())
                separator = self.current
                if separator.kind is TokenKind.COMMA:
                    self.advance()
                    continue
                if separator.kind is TokenKind.CLOSE:
                    self.advance()
                    break
                expected = "')'" if separator.kind is TokenKind.END else "',' or ')'"
                raise ExpressionSyntaxError(
                    f"expected {expected} in the call to {name.text} opened at position"
                    f" {open_paren.position}, found {_describe(separator)}",
                    separator.position,
                )
        self.depth -= 1
        return FunctionCall(name.text, tuple(arguments), position=name.position)


def _describe(token: Token) -> str:
    # Read before the test below: narrowed to some members, `.value` is no longer typed str.
    kind_name = token.kind.value
    if token.kind in (TokenKind.END, TokenKind.OPEN, TokenKind.CLOSE, TokenKind.COMMA):
        return kind_name
    return f"{kind_name} {token.text!r}"


def parse(text: str) -> Node:
    """Parse ``text`` into an AST without checking function names or arities."""
    return _Parser(text).parse_expression()
