"""SCIM filter expressions: parsing and evaluation (RFC 7644 §3.4.2.2, Figure 1).

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

Names and operators are case-insensitive (RFC 7644 §3.4.2.2). Names resolve
through :func:`fake_elevate.scim.schema.resolve` once, at parse time, so
:meth:`Filter.matches` only reads dictionary keys in canonical spelling.

Semantics chosen where the RFC leaves room (documented here, tested in
tests/test_scim_filter.py):

* An attribute name the resource type does not define matches nothing: the
  RFC is silent on unknown names in filters, so it is treated like an
  attribute that has no value (RFC 7643 §2.5). An unknown schema URN prefix,
  a malformed path, or sub-attributes on a simple attribute are 400
  invalidFilter.
* Every comparison (``ne`` included) matches when *some* value of the
  attribute satisfies it (RFC 7644 §3.4.2.2: "the filter matches if any of
  the values of the specified attribute match"), so an unassigned attribute
  matches neither ``eq "x"`` nor ``ne "x"``. ``eq null`` matches unassigned
  attributes and ``ne null`` assigned ones (RFC 7643 §2.5: unassigned and
  null are equivalent).
* Strings compare case-insensitively (``str.lower``) unless the attribute is
  caseExact; dateTime compares chronologically; gt/ge/lt/le on booleans and
  ordering or substring operators on non-strings are 400 invalidFilter, as is
  a compValue whose JSON type does not fit the attribute.
* A comparison on a complex attribute without a sub-attribute compares its
  ``value`` sub-attribute (``emails co "@x"``, ``members eq "id"``,
  ``manager eq "id"``); on a complex attribute without one (``name``) it is
  400 invalidFilter.
* A name only an extension defines also resolves without its URN prefix
  (``manager``, as Entra S1 writes it); ``schemas`` is filterable, as in the
  RFC's own example ``schemas eq "urn:...:enterprise:2.0:User"``.
* Whitespace between tokens is optional and may repeat (the RFC's own example
  ``members[value eq"2819c223..."]`` has none before the string);
  ``true``/``false``/``null`` are accepted in any case, like the operators.
* Filters longer than 2,000 characters or nested deeper than 50 levels are
  400 invalidFilter, so hostile input cannot exhaust the stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .errors import ScimError, invalid_filter
from .schema import Attribute, ResolvedAttribute, ResourceType, resolve

MAX_FILTER_LENGTH = 2000
MAX_NESTING = 50

COMPARE_OPERATORS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"})
_ORDERING = frozenset({"gt", "lt", "ge", "le"})
_SUBSTRING = frozenset({"co", "sw", "ew"})
_STRING_TYPES = frozenset({"string", "reference", "binary"})

# RFC 7644 §3.4.2.2 lists `schemas eq "urn:...:enterprise:2.0:User"` among its example
# filters, but RFC 7643 §3 keeps `schemas` out of the attribute definitions; define it
# here for filtering only (PATCH never writes it).
_SCHEMAS_ATTRIBUTE = Attribute("schemas", "reference", multi_valued=True, case_exact=False)

# Attribute names: RFC 7643 §2.1 ATTRNAME, whose nameChar includes "$" (for "$ref").
_NAME = re.compile(r"[A-Za-z$][A-Za-z0-9$_-]*\Z")

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

Predicate = Callable[[dict[str, Any]], bool]
ErrorFactory = Callable[[str], ScimError]


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


# --- AST ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttrRef:
    """An attribute path in a filter, resolved against the schema.

    ``container`` is the extension URN the attribute nests under (None for core
    attributes and inside ``[...]``). ``element_of`` is set inside ``[...]``: the
    canonical key of the multi-valued (or complex) attribute whose elements the
    name is read from. ``leaf`` is the definition of what is compared, None when
    the name is not defined (such a reference never has a value).
    """

    text: str
    container: str | None
    name: str
    sub: str | None
    attribute: Attribute | None = field(repr=False)
    leaf: Attribute | None = field(repr=False)
    element_of: str | None = None

    @property
    def key(self) -> str:
        """Canonical dotted key, e.g. ``emails.value`` or ``urn:...:User:manager.value``."""
        if self.element_of is not None:
            base = f"{self.element_of}.{self.name}"
        elif self.container is not None:
            base = f"{self.container}:{self.name}"
        else:
            base = self.name
        return f"{base}.{self.sub}" if self.sub else base


@dataclass(frozen=True)
class Compare:
    attr: AttrRef
    op: str
    value: Any
    # The leaf predicate, built and type-checked at parse time (never compared).
    test: Callable[[Any], bool] = field(compare=False, repr=False, default=_never)


@dataclass(frozen=True)
class Present:
    attr: AttrRef


@dataclass(frozen=True)
class And:
    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    term: Node


@dataclass(frozen=True)
class ValuePath:
    """``attr[filter]``: some element of ``attr`` matches ``filter`` (element scope)."""

    attr: AttrRef
    filter: Node


Node = Compare | Present | And | Or | Not | ValuePath


@dataclass(frozen=True)
class Filter:
    """A parsed filter. ``matches`` runs a predicate compiled once at parse time.

    Filters parsed by :func:`parse_filter` apply to whole resources; the value
    filters inside PATCH paths (see :mod:`fake_elevate.scim.path`) apply to one
    element of a multi-valued attribute.
    """

    root: Node
    text: str
    _predicate: Predicate = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_predicate", _compile(self.root))

    def matches(self, resource: dict[str, Any]) -> bool:
        return isinstance(resource, dict) and self._predicate(resource)

    def equality_hint(self) -> tuple[str, Any] | None:
        """``(canonical key, value)`` that every match must have, for index lookups.

        Given when the filter is ``attr eq value`` (value not null), an ``and``
        in which some conjunct is (the first such, left to right), or
        ``attr[...]`` whose inner filter is (key ``attr.sub``). A
        comparison on a complex attribute yields its ``value`` key
        (``emails eq "x"`` -> ``emails.value``). The value is the operand as
        written: for caseExact=false attributes the store must look it up
        case-insensitively (``str.lower``), and must still run :meth:`matches`
        on the candidates, since the rest of the filter is not reflected.
        """
        return _hint(self.root)


# --- public entry points --------------------------------------------------------------------


class ResourceTypeKey:
    """Cache key for a resource type: cheap hash by name, equality by identity."""

    __slots__ = ("_hash", "resource_type")

    def __init__(self, resource_type: ResourceType) -> None:
        self.resource_type = resource_type
        self._hash = hash((resource_type.name, id(resource_type)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResourceTypeKey) and other.resource_type is self.resource_type


def parse_filter(text: str, resource_type: ResourceType) -> Filter:
    """Parse a filter for ``resource_type``; 400 invalidFilter naming the position on error.

    Positions in error details are 0-based character offsets into ``text``.
    """
    if not isinstance(text, str):
        raise invalid_filter("The filter must be a string")
    _check_length(text, invalid_filter, "filter")
    simple = _parse_simple_equality(text, resource_type)
    if simple is not None:
        return simple
    return _parse_filter_cached(text, ResourceTypeKey(resource_type))


@lru_cache(maxsize=4096)
def _parse_filter_cached(text: str, key: ResourceTypeKey) -> Filter:
    parser = _Parser(text, key.resource_type, invalid_filter, path_mode=False)
    return Filter(parser.whole_filter(), text)


# The filter Entra sends before every create, `userName eq "alice@contoso.com"` (entra §1),
# names a different user each time, so the cache above rarely hit: the tokenizer and parser
# ran for each one, and the cache kept thousands of filters alive only to evict them. This
# is exactly the token sequence word, "eq", string (without escapes), one space apart,
# which the full parser reads as attr_exp -> comparison; the fast path builds an equal
# Filter through the same resolution and comparison code, and does not cache it (it costs
# little more than a cache lookup). Anything else, and any error, is left to the full
# parser, so error details are its own. tests/test_scim_filter.py checks both give equal
# filters, hints and matches over generated texts.
_SIMPLE_EQUALITY = re.compile(r'([A-Za-z$][A-Za-z0-9$_.:-]*) ([eE][qQ]) "([^"\\\x00-\x1f]*)"\Z')
_RESOLVED_WORDS: dict[tuple[ResourceTypeKey, str], AttrRef] = {}


def _parse_simple_equality(text: str, resource_type: ResourceType) -> Filter | None:
    match = _SIMPLE_EQUALITY.match(text)
    if match is None:
        return None
    word, _, value = match.groups()
    key = (ResourceTypeKey(resource_type), word)
    try:
        attr = _RESOLVED_WORDS.get(key)
        if attr is None:
            attr = _resolve_word(word, 0, resource_type, invalid_filter, path_mode=False)
            if len(_RESOLVED_WORDS) >= 256:
                _RESOLVED_WORDS.clear()  # words come from clients: bound what odd ones cost
            _RESOLVED_WORDS[key] = attr
        # A JSON string without escapes or control characters is its own content.
        node = _make_compare(attr, "eq", value, len(word) + 1, invalid_filter)
    except ScimError:
        return None
    return Filter(node, text)


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
        return _make_compare(attr, op, value, token.pos, self.error)

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
        return _resolve_word(
            token.text, token.pos, self.resource_type, self.error, path_mode=self.path_mode
        )

    def resolve_in_element(self, parent: AttrRef, token: _Token) -> AttrRef:
        """Resolve a sub-attribute name inside ``parent[...]`` or after ``].``."""
        word = token.text
        if not _NAME.match(word):
            raise self.error(
                f"Inside [...] and after ']' name a sub-attribute of {parent.text!r} "
                f"alone; found {word!r} at position {token.pos}"
            )
        parent_def = parent.attribute if parent.leaf is not None else None
        sub = parent_def.sub(word) if parent_def is not None else None
        if sub is None:
            if self.path_mode:
                raise self.error(
                    f"{parent.text!r} has no sub-attribute {word!r} (at position {token.pos})"
                )
            return AttrRef(word, None, word, None, None, None, element_of=parent.key)
        return AttrRef(word, None, sub.name, None, sub, sub, element_of=parent.key)


def _resolve_word(
    word: str, pos: int, resource_type: ResourceType, error: ErrorFactory, *, path_mode: bool
) -> AttrRef:
    """Resolve ``[URN:]name[.sub]`` at resource scope; ``pos`` is where ``word`` starts."""
    schema_id: str | None = None
    rest = word
    if ":" in word:
        prefix, _, rest = word.rpartition(":")
        schema_id = next((s for s in resource_type.schema_ids if s.lower() == prefix.lower()), None)
        if schema_id is None:
            raise error(
                f"Unknown schema URN {prefix!r} at position {pos}; "
                f"{resource_type.name} resources use "
                f"{' and '.join(resource_type.schema_ids)}"
            )
    name, dot, sub_name = rest.partition(".")
    if not _NAME.match(name) or (dot and not _NAME.match(sub_name)):
        raise error(
            f"Malformed attribute path {word!r} at position {pos}: expected "
            "[schema URN:]name[.subAttribute] (RFC 7644 §3.10)"
        )
    resolved = _lookup(resource_type, schema_id, name, path_mode=path_mode)
    if resolved is None:
        if path_mode:
            raise error(f"{resource_type.name} has no attribute {name!r} (at position {pos})")
        return AttrRef(word, None, name, sub_name or None, None, None)
    attribute = resolved.attribute
    container = resolved.schema.id if resolved.extension else None
    if not dot:
        return AttrRef(word, container, attribute.name, None, attribute, attribute)
    if attribute.type != "complex":
        raise error(
            f"{attribute.name!r} is a {attribute.type} attribute and has no sub-attributes "
            f"({word!r} at position {pos})"
        )
    sub = attribute.sub(sub_name)
    if sub is None:
        if path_mode:
            raise error(f"{attribute.name!r} has no sub-attribute {sub_name!r} (at position {pos})")
        return AttrRef(word, container, attribute.name, sub_name, attribute, None)
    return AttrRef(word, container, attribute.name, sub.name, attribute, sub)


def _lookup(
    resource_type: ResourceType, schema_id: str | None, name: str, *, path_mode: bool
) -> ResolvedAttribute | None:
    if schema_id is not None:
        return resolve(resource_type, f"{schema_id}:{name}")
    resolved = resolve(resource_type, name)
    if resolved is not None:
        return resolved
    # Entra S1 sends extension attributes unprefixed ("path":"manager"); a name
    # that only an extension defines resolves to it.
    for extension in resource_type.extensions:
        attribute = extension.attribute(name)
        if attribute is not None:
            return ResolvedAttribute(extension, attribute, True)
    if not path_mode and name.lower() == "schemas":
        return ResolvedAttribute(resource_type.schema, _SCHEMAS_ATTRIBUTE, False)
    return None


# --- comparisons ----------------------------------------------------------------------------


def _make_compare(attr: AttrRef, op: str, value: Any, pos: int, error: ErrorFactory) -> Node:
    leaf = attr.leaf
    if value is None and op not in ("eq", "ne"):
        raise error(f"Only eq and ne compare with null (operator {op!r} at position {pos})")
    if leaf is None:
        # Unknown attribute: it never has a value (see the module docstring).
        return Compare(attr, op, value, _never)
    if leaf.type == "complex":
        value_sub = leaf.sub("value")
        if value_sub is None:
            raise error(
                f"{attr.text!r} is complex; compare one of its sub-attributes, e.g. "
                f"{attr.text}.{leaf.sub_attributes[0].name} (operator at position {pos})"
            )
        # RFC 7644 §3.4.2.2 examples filter multi-valued complex attributes by value.
        attr = replace(attr, sub="value", leaf=value_sub)
        leaf = value_sub
    if value is None:
        return Compare(attr, op, None, _always)
    return Compare(attr, op, value, _leaf_test(attr, leaf, op, value, pos, error))


def _leaf_test(
    attr: AttrRef, leaf: Attribute, op: str, operand: Any, pos: int, error: ErrorFactory
) -> Callable[[Any], bool]:
    kind = leaf.type
    if kind == "boolean":
        if op not in ("eq", "ne"):
            # RFC 7644 §3.4.2.2: gt/ge/lt/le on Boolean SHALL fail with invalidFilter.
            raise error(f"{attr.text!r} is a boolean; only eq, ne and pr apply (position {pos})")
        if not isinstance(operand, bool):
            raise error(
                f"{attr.text!r} is a boolean; compare it with true or false (position {pos})"
            )
        if op == "eq":
            return lambda v: v is operand
        return lambda v: isinstance(v, bool) and v is not operand
    if kind == "binary" and op in _ORDERING:
        raise error(f"{attr.text!r} is binary; gt, ge, lt and le do not apply (position {pos})")
    if kind in ("integer", "decimal"):
        if op in _SUBSTRING:
            raise error(f"{attr.text!r} is a number; {op} does not apply (position {pos})")
        if isinstance(operand, bool) or not isinstance(operand, int | float):
            raise error(f"{attr.text!r} is a number; compare it with a number (position {pos})")
        return _ordered_test(op, operand, _as_number)
    if not isinstance(operand, str):
        raise error(
            f"{attr.text!r} is a {kind} attribute; compare it with a JSON string (position {pos})"
        )
    if kind == "dateTime" and op not in _SUBSTRING:
        moment = _parse_datetime(operand)
        if moment is None:
            raise error(
                f"{operand!r} at position {pos} is not an xsd:dateTime such as "
                "2011-05-13T04:42:34Z (RFC 7643 §2.3.5)"
            )
        # RFC 7644 §3.4.2.2: dateTime compares chronologically.
        return _ordered_test(op, moment, _as_datetime)
    return _string_test(op, operand, leaf.case_exact)


def _string_test(op: str, operand: str, case_exact: bool) -> Callable[[Any], bool]:
    # RFC 7644 §3.4.2.2: string case sensitivity follows the attribute's caseExact.
    if case_exact:
        x = operand
        if op == "eq":
            return lambda v: v == x and isinstance(v, str)
        if op == "ne":
            return lambda v: isinstance(v, str) and v != x
        if op == "co":
            return lambda v: isinstance(v, str) and x in v
        if op == "sw":
            return lambda v: isinstance(v, str) and v.startswith(x)
        if op == "ew":
            return lambda v: isinstance(v, str) and v.endswith(x)
        return _ordered_test(op, x, lambda v: v if isinstance(v, str) else None)
    x = operand.lower()
    if op == "eq":
        return lambda v: isinstance(v, str) and v.lower() == x
    if op == "ne":
        return lambda v: isinstance(v, str) and v.lower() != x
    if op == "co":
        return lambda v: isinstance(v, str) and x in v.lower()
    if op == "sw":
        return lambda v: isinstance(v, str) and v.lower().startswith(x)
    if op == "ew":
        return lambda v: isinstance(v, str) and v.lower().endswith(x)
    return _ordered_test(op, x, lambda v: v.lower() if isinstance(v, str) else None)


def _ordered_test(op: str, operand: Any, convert: Callable[[Any], Any]) -> Callable[[Any], bool]:
    """eq/ne/gt/ge/lt/le after ``convert`` (which returns None for values of the wrong type)."""

    def test(v: Any) -> bool:
        c = convert(v)
        if c is None:
            return False
        if op == "eq":
            return bool(c == operand)
        if op == "ne":
            return bool(c != operand)
        if op == "gt":
            return bool(c > operand)
        if op == "ge":
            return bool(c >= operand)
        if op == "lt":
            return bool(c < operand)
        return bool(c <= operand)

    return test


def _as_number(v: Any) -> int | float | None:
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def _as_datetime(v: Any) -> datetime | None:
    if isinstance(v, datetime):
        return v if v.tzinfo is not None else v.replace(tzinfo=UTC)
    return _parse_datetime(v) if isinstance(v, str) else None


@lru_cache(maxsize=65536)
def _parse_datetime(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    # xsd:dateTime without an offset is read as UTC, the zone the service writes in.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- evaluation -----------------------------------------------------------------------------


def _compile(node: Node) -> Predicate:
    if isinstance(node, Compare):
        return _compile_compare(node)
    if isinstance(node, Present):
        if node.attr.leaf is None:
            return _never
        return _bind(node.attr, is_present)
    if isinstance(node, And):
        parts = tuple(_compile(t) for t in node.terms)
        if len(parts) == 2:
            first, second = parts
            return lambda o: first(o) and second(o)
        return lambda o: all(p(o) for p in parts)
    if isinstance(node, Or):
        parts = tuple(_compile(t) for t in node.terms)
        if len(parts) == 2:
            first, second = parts
            return lambda o: first(o) or second(o)
        return lambda o: any(p(o) for p in parts)
    if isinstance(node, Not):
        inner = _compile(node.term)
        return lambda o: not inner(o)
    return _compile_value_path(node)


def _compile_compare(node: Compare) -> Predicate:
    attr = node.attr
    if attr.leaf is None:
        # An unknown attribute is unassigned: only `eq null` holds.
        return (lambda o: True) if node.value is None and node.op == "eq" else _never
    if node.value is None:
        assigned = _bind(attr, _always)
        if node.op == "eq":
            return lambda o: not assigned(o)
        return assigned
    test = node.test
    if attr.container is None and attr.sub is None and attr.element_of is None:
        name = attr.name
        if not (attr.attribute and attr.attribute.multi_valued):
            leaf = attr.leaf
            if node.op == "eq" and leaf.type in _STRING_TYPES and isinstance(node.value, str):
                # The hottest path (userName eq "...", externalId eq "..."), inlined.
                if leaf.case_exact:
                    exact = node.value
                    return lambda o: o.get(name) == exact
                folded = node.value.lower()

                def folded_eq(o: dict[str, Any]) -> bool:
                    v = o.get(name)
                    return type(v) is str and v.lower() == folded

                return folded_eq

            def scalar(o: dict[str, Any]) -> bool:
                v = o.get(name)
                return v is not None and test(v)

            return scalar
    return _bind(attr, test)


def _bind(attr: AttrRef, test: Callable[[Any], bool]) -> Predicate:
    """A predicate: some (non-null) value at ``attr`` passes ``test``."""
    name, sub, container = attr.name, attr.sub, attr.container
    multi = attr.attribute is not None and attr.attribute.multi_valued

    def holder(o: dict[str, Any]) -> Any:
        if container is None:
            return o.get(name)
        c = o.get(container)
        return c.get(name) if isinstance(c, dict) else None

    if attr.element_of is not None or not multi:

        def single(o: dict[str, Any]) -> bool:
            v = holder(o)
            if sub is not None:
                v = v.get(sub) if isinstance(v, dict) else None
            return v is not None and test(v)

        return single

    def many(o: dict[str, Any]) -> bool:
        values = holder(o)
        if not isinstance(values, list):
            values = [values]
        for element in values:
            if sub is None:
                v = element
            elif isinstance(element, dict):
                v = element.get(sub)
            else:
                continue
            if v is not None and test(v):
                return True
        return False

    return many


def _compile_value_path(node: ValuePath) -> Predicate:
    attr = node.attr
    if attr.leaf is None:
        return _never
    inner = _compile(node.filter)
    name, container = attr.name, attr.container
    multi = attr.attribute is not None and attr.attribute.multi_valued

    def elements(o: dict[str, Any]) -> bool:
        holder = o if container is None else o.get(container)
        if not isinstance(holder, dict):
            return False
        value = holder.get(name)
        if not multi or not isinstance(value, list):
            return isinstance(value, dict) and inner(value)
        return any(isinstance(e, dict) and inner(e) for e in value)

    return elements


def is_present(value: Any) -> bool:
    """RFC 7644 §3.4.2.2 ``pr``: a non-empty value, or a complex node with a non-empty value."""
    if isinstance(value, dict):
        return any(is_present(v) for v in value.values())
    if isinstance(value, list):
        return any(is_present(v) for v in value)
    return value is not None and value != ""


def _hint(node: Node) -> tuple[str, Any] | None:
    if isinstance(node, Compare):
        if node.op == "eq" and node.value is not None and node.attr.leaf is not None:
            return node.attr.key, node.value
        return None
    if isinstance(node, And):
        for term in node.terms:
            hint = _hint(term)
            if hint is not None:
                return hint
        return None
    if isinstance(node, ValuePath) and node.attr.leaf is not None:
        return _hint(node.filter)
    return None
