"""The filter grammar: tokenizer and recursive-descent parser, and the parsing entry points.

Grammar (RFC 7644 Figure 1, with the precedence the RFC's prose gives):

    FILTER    = orExp
    orExp     = andExp *("or" andExp)            ; "and" binds tighter than "or"
    andExp    = atom *("and" atom)
    atom      = "(" FILTER ")" / "not" "(" FILTER ")" / attrExp / valuePath
    valuePath = attrPath "[" valFilter "]" [subAttr SP (compareOp SP compValue / "pr")]
    attrExp   = attrPath SP "pr" / attrPath SP compareOp SP compValue
    attrPath  = [URI ":"] ATTRNAME *1subAttr
    compValue = false / null / true / number / string    ; JSON (RFC 7159)

The trailing ``subAttr compareOp compValue`` after ``]`` is not in Figure 1,
but clients send it (``emails[type eq "work"].value eq "x"``); it reads as
"some element matches the bracket filter and its sub-attribute compares",
i.e. ``emails[type eq "work" and value eq "x"]``.

Tokens may be separated by any run of whitespace, or none. Errors name the 0-based
character position; inputs longer than MAX_FILTER_LENGTH or nested deeper than
MAX_NESTING are refused before they can exhaust the stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import invalid_filter
from ..schema import ResourceType
from .ast import And, AttrRef, Node, Not, Or, Present, ValuePath
from .compare import make_compare
from .evaluate import Filter
from .fast_path import MAX_FILTER_LENGTH, parse_simple_equality
from .names import ErrorFactory, ResourceTypeKey, resolve_in_element, resolve_word

MAX_NESTING = 50

COMPARE_OPERATORS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"})

_TOKEN = re.compile(
    r"""
      (?P<space>[ \t\r\n]+)
    | (?P<punct>[()\[\]])
    | (?P<string>"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")
    | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?![A-Za-z0-9$_.:-])
    | (?P<word>[A-Za-z$][A-Za-z0-9$_.:-]*)
    | (?P<dot>\.)
    """,
    re.VERBOSE,
)


# --- entry points ---------------------------------------------------------------------------


def parse_filter(text: str, resource_type: ResourceType) -> Filter:
    """Parse a filter for ``resource_type``; 400 invalidFilter naming the position on error.

    Positions in error details are 0-based character offsets into ``text``.
    """
    if not isinstance(text, str):
        raise invalid_filter("The filter must be a string")
    _check_length(text, invalid_filter, "filter")
    simple = parse_simple_equality(text, resource_type)
    if simple is not None:
        return simple
    return _parse_filter_cached(text, ResourceTypeKey(resource_type))


@lru_cache(maxsize=4096)
def _parse_filter_cached(text: str, key: ResourceTypeKey) -> Filter:
    parser = _Parser(text, key.resource_type, invalid_filter, path_mode=False)
    return Filter(parser.whole_filter(), text)


@dataclass(frozen=True)
class PathSyntax:
    """The pieces of a PATCH path (RFC 7644 Figure 7), resolved; see :mod:`.path`."""

    attr: AttrRef
    value_filter: Filter | None
    sub: AttrRef | None


def parse_path_syntax(text: str, resource_type: ResourceType, error: ErrorFactory) -> PathSyntax:
    """Parse ``attrPath / valuePath [subAttr]`` with the filter tokenizer; errors via ``error``.

    In path mode names must be defined: an unknown attribute or sub-attribute
    is an error rather than a no-match.
    """
    _check_length(text, error, "path")
    return _Parser(text, resource_type, error, path_mode=True).whole_path()


def _check_length(text: str, error: ErrorFactory, what: str) -> None:
    if len(text) > MAX_FILTER_LENGTH:
        raise error(f"The {what} is {len(text)} characters long; the limit is {MAX_FILTER_LENGTH}")


# --- tokenizer ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "[", "]", ".", "word", "string", "number", "end"
    text: str
    pos: int

    def describe(self) -> str:
        return "the end of the text" if self.kind == "end" else repr(self.text)

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def _tokenize(text: str, error: ErrorFactory) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] == '"':
                raise error(
                    f"Unterminated or malformed string starting at position {pos}: strings are "
                    'JSON strings in double quotes, with \\" and \\\\ escapes (RFC 7644 §3.4.2.2)'
                )
            if text[pos] in "-0123456789":
                raise error(f"Malformed number at position {pos} (numbers follow RFC 7159 §6)")
            raise error(f"Unexpected character {text[pos]!r} at position {pos}")
        kind = match.lastgroup or ""
        if kind != "space":
            token_kind = match.group() if kind == "punct" else kind
            if kind == "dot":
                token_kind = "."
            tokens.append(_Token(token_kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the token list; depth bounded by MAX_NESTING."""

    def __init__(
        self, text: str, resource_type: ResourceType, error: ErrorFactory, *, path_mode: bool
    ) -> None:
        self.text = text
        self.resource_type = resource_type
        self.error = error
        self.path_mode = path_mode
        self.tokens = _tokenize(text, error)
        self.index = 0
        self.depth = 0

    # token helpers
    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.peek()
        if token.kind != "end":
            self.index += 1
        return token

    def expect(self, kind: str, what: str) -> _Token:
        token = self.advance()
        if token.kind != kind:
            raise self.error(f"At position {token.pos}: expected {what}, found {token.describe()}")
        return token

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(
                f"Nesting deeper than {MAX_NESTING} levels at position {token.pos}; "
                "simplify the filter"
            )

    # whole inputs
    def whole_filter(self) -> Node:
        node = self.or_expr(None)
        token = self.peek()
        if token.kind != "end":
            raise self.error(
                f"Unexpected {token.describe()} at position {token.pos}; expected 'and', 'or', "
                "')' or the end of the filter"
            )
        return node

    def whole_path(self) -> PathSyntax:
        token = self.expect("word", "an attribute name")
        attr = self.resolve(token)
        value_filter: Filter | None = None
        sub: AttrRef | None = None
        if self.peek().kind == "[":
            if attr.sub is not None or attr.attribute is None or not attr.attribute.multi_valued:
                raise self.error(
                    f"{token.text!r} is not a multi-valued attribute, so it takes no [filter] "
                    "(RFC 7644 §3.5.2, Figure 7)"
                )
            open_bracket = self.advance()
            self.enter(open_bracket)
            inner = self.or_expr(attr)
            close_bracket = self.expect("]", "']' to close the value filter")
            self.depth -= 1
            value_filter = Filter(inner, self.text[open_bracket.pos + 1 : close_bracket.pos])
            if self.peek().kind == ".":
                self.advance()
                sub = self.resolve_in_element(attr, self.expect("word", "a sub-attribute name"))
        end = self.peek()
        if end.kind != "end":
            raise self.error(
                f"Unexpected {end.describe()} at position {end.pos}; a path is "
                'attribute[.subAttribute] or attribute[filter][.subAttribute], e.g. emails[type eq "work"].value'
            )
        return PathSyntax(attr, value_filter, sub)

    # grammar
    def or_expr(self, scope: AttrRef | None) -> Node:
        return self.chain(scope, "or", self.and_expr, Or)

    def and_expr(self, scope: AttrRef | None) -> Node:
        return self.chain(scope, "and", self.atom, And)

    def chain(
        self,
        scope: AttrRef | None,
        word: str,
        operand: Callable[[AttrRef | None], Node],
        node_type: type[And] | type[Or],
    ) -> Node:
        # Flattened into one n-ary node, so long chains add no depth to the tree.
        terms = [operand(scope)]
        while self.peek().is_word(word):
            self.advance()
            terms.append(operand(scope))
        return terms[0] if len(terms) == 1 else node_type(tuple(terms))

    def atom(self, scope: AttrRef | None) -> Node:
        token = self.peek()
        if token.kind == "(":
            return self.group(scope)
        if token.is_word("not") and self.peek(1).kind == "(":
            self.advance()
            return Not(self.group(scope))
        if token.is_word("not") and self.peek(1).kind == "word":
            following = self.peek(1).text.lower()
            if following not in COMPARE_OPERATORS and following != "pr":
                raise self.error(
                    f"'not' at position {token.pos} takes a filter in parentheses: "
                    "not (filter) (RFC 7644 §3.4.2.2)"
                )
        if token.kind == "word":
            return self.attr_exp(scope)
        raise self.error(
            f"Expected an attribute name, '(' or 'not (' at position {token.pos}, "
            f"found {token.describe()}"
        )

    def group(self, scope: AttrRef | None) -> Node:
        opening = self.advance()
        self.enter(opening)
        node = self.or_expr(scope)
        self.expect(")", f"')' to close the '(' at position {opening.pos}")
        self.depth -= 1
        return node

    def attr_exp(self, scope: AttrRef | None) -> Node:
        token = self.advance()
        attr = self.resolve(token) if scope is None else self.resolve_in_element(scope, token)
        if self.peek().kind != "[":
            return self.comparison(attr)
        opening = self.advance()
        if scope is not None:
            raise self.error(f"Value filters cannot nest: '[' at position {opening.pos}")
        if attr.sub is not None or (attr.leaf is not None and attr.leaf.type != "complex"):
            raise self.error(
                f"Only complex attributes take a [filter]; {token.text!r} at position "
                f"{token.pos} is not one"
            )
        self.enter(opening)
        inner = self.or_expr(attr)
        self.expect("]", f"']' to close the '[' at position {opening.pos}")
        self.depth -= 1
        if self.peek().kind == ".":
            self.advance()
            sub = self.resolve_in_element(attr, self.expect("word", "a sub-attribute name"))
            inner = And((inner, self.comparison(sub)))
        return ValuePath(attr, inner)

    def comparison(self, attr: AttrRef) -> Node:
        token = self.advance()
        op = token.text.lower() if token.kind == "word" else ""
        if op == "pr":
            return Present(attr)
        if op not in COMPARE_OPERATORS:
            raise self.error(
                f"Expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr) after "
                f"{attr.text!r} at position {token.pos}, found {token.describe()}"
            )
        value = self.comp_value()
        return make_compare(attr, op, value, token.pos, self.error)

    def comp_value(self) -> Any:
        token = self.advance()
        if token.kind in ("string", "number"):
            return json.loads(token.text)
        if token.is_word("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[token.text.lower()]
        if token.kind == "word":
            # Old Entra docs show `externalId eq jyoung`; Figure 1 needs a JSON string.
            raise self.error(
                f"The value {token.text!r} at position {token.pos} is not quoted: compare with a "
                f'JSON string such as "{token.text}" (RFC 7644 §3.4.2.2: compValue is false, '
                "null, true, a number or a string)"
            )
        raise self.error(
            f"Expected a value (a JSON string, number, true, false or null) at position "
            f"{token.pos}, found {token.describe()}"
        )

    # name resolution
    def resolve(self, token: _Token) -> AttrRef:
        """Resolve ``[URN:]name[.sub]`` at resource scope."""
        return resolve_word(
            token.text, token.pos, self.resource_type, self.error, path_mode=self.path_mode
        )

    def resolve_in_element(self, parent: AttrRef, token: _Token) -> AttrRef:
        """Resolve a sub-attribute name inside ``parent[...]`` or after ``].``."""
        return resolve_in_element(
            parent, token.text, token.pos, self.error, path_mode=self.path_mode
        )
