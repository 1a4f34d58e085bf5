"""The OData query options this Graph subset honours: ``$filter``, ``$select``, ``$orderby``,
``$top``, ``$skip``, ``$skiptoken``, each where the resource's reference page lists it.

``$filter`` grammar (OData v4 URL conventions §5.1.1, the part Graph documents for the
resources served here)::

    expression := or
    or         := and ("or" and)*
    and        := unary ("and" unary)*
    unary      := "not" unary | primary
    primary    := "(" expression ")"
                | path "/any(" name ":" unary-on-name ")"    -- a collection of strings,
                                                             or of objects (name/property)
                | function "(" path "," literal ")"       -- contains, startswith, endswith
                | path operator literal                   -- eq ne gt ge lt le
    path       := name ("/" name)*
    literal    := 'text' (with '' for ') | true | false | null | number | date-time | GUID

Each endpoint names the properties it allows in a filter (Graph answers 400
``Request_UnsupportedQuery`` for others), where its reference page says so the operators
each property takes, and whether text compares case-sensitively
(directory objects: no; provisioning logs: yes [G provisioningobjectsummary-list.md]).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fake_entra.graph.errors import GraphError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<punct>[(),:])
      | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))
      | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<word>[A-Za-z_@][A-Za-z0-9_./@]*)
    )""",
    re.VERBOSE,
)

_OPERATORS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
_FUNCTIONS = frozenset({"contains", "startswith", "endswith"})


def unsupported(message: str) -> GraphError:
    return GraphError(400, "Request_UnsupportedQuery", message)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise unsupported(f"Invalid filter clause: syntax error at position {position}.")
        kind = match.lastgroup or "word"
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class Comparison:
    path: tuple[str, ...]
    operator: str
    value: Any


@dataclass(frozen=True)
class FunctionCall:
    name: str
    path: tuple[str, ...]
    value: str


@dataclass(frozen=True)
class Junction:
    operator: str  # "and" | "or"
    left: Filter
    right: Filter


@dataclass(frozen=True)
class Negation:
    operand: Filter


@dataclass(frozen=True)
class AnyOf:
    """``categories/any(c:contains(c,'x'))``: some element of a string collection passes."""

    path: tuple[str, ...]
    condition: Filter


#: The lambda variable's value inside ``any``: the element being tried.
_ELEMENT = "$it"

Filter = Comparison | FunctionCall | Junction | Negation | AnyOf


class _Parser:
    def __init__(self, text: str, allowed: frozenset[str]) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.allowed = allowed
        #: The lambda variable of the ``any`` being parsed, which stands for the element,
        #: and the collection it ranges over.
        self.variable: str | None = None
        self.collection = ""

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise unsupported("Invalid filter clause: the expression ends too early.")
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise unsupported(
                f"Invalid filter clause: expected '{text}' at position {token.position}, "
                f"found '{token.text}'."
            )

    def parse(self) -> Filter:
        node = self.parse_or()
        extra = self.peek()
        if extra is not None:
            raise unsupported(
                f"Invalid filter clause: unexpected '{extra.text}' at position {extra.position}."
            )
        return node

    def parse_or(self) -> Filter:
        node = self.parse_and()
        while (token := self.peek()) is not None and token.text == "or":
            self.take()
            node = Junction("or", node, self.parse_and())
        return node

    def parse_and(self) -> Filter:
        node = self.parse_unary()
        while (token := self.peek()) is not None and token.text == "and":
            self.take()
            node = Junction("and", node, self.parse_unary())
        return node

    def parse_unary(self) -> Filter:
        token = self.take()
        if token.text == "not":
            return Negation(self.parse_unary())
        if token.text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if token.kind != "word":
            raise unsupported(
                f"Invalid filter clause: expected a property at position {token.position}."
            )
        following = self.peek()
        if token.text.endswith("/any") and following is not None and following.text == "(":
            return self.parse_any(token)
        if token.text in _FUNCTIONS and following is not None and following.text == "(":
            self.take()
            path = self.path(self.take())
            self.expect(",")
            value = self.literal(self.take())
            self.expect(")")
            if not isinstance(value, str):
                raise unsupported(f"{token.text} takes a string literal.")
            return FunctionCall(token.text, path, value)
        path = self.path(token)
        operator = self.take()
        if operator.text not in _OPERATORS:
            raise unsupported(
                f"Invalid filter clause: '{operator.text}' is not a supported operator "
                f"(use {', '.join(sorted(_OPERATORS))})."
            )
        return Comparison(path, operator.text, self.literal(self.take()))

    def parse_any(self, token: _Token) -> Filter:
        collection = token.text.removesuffix("/any")
        if collection not in self.allowed or self.variable is not None:
            raise unsupported(f"Unsupported any() over '{collection}'.")
        self.expect("(")
        variable = self.take()
        if variable.kind != "word" or "/" in variable.text:
            raise unsupported("any() needs a lambda variable, as in any(c:contains(c,'x')).")
        self.expect(":")
        self.variable = variable.text
        self.collection = collection
        try:
            condition = self.parse_unary()
        finally:
            self.variable = None
        self.expect(")")
        return AnyOf(tuple(collection.split("/")), condition)

    def path(self, token: _Token) -> tuple[str, ...]:
        if token.kind != "word":
            raise unsupported(
                f"Invalid filter clause: expected a property at position {token.position}."
            )
        if self.variable is not None and token.text == self.variable:
            return (_ELEMENT,)
        head, _, rest = token.text.partition("/")
        if self.variable is not None and head == self.variable and rest:
            # ``targetResources/any(t:t/id eq '…')``: a property of an object element.
            if f"{self.collection}/{rest}" not in self.allowed:
                raise unsupported(
                    f"Unsupported or invalid query filter clause specified for "
                    f"property '{rest}' of '{self.collection}'."
                )
            return (_ELEMENT, *rest.split("/"))
        if token.text not in self.allowed:
            raise unsupported(
                f"Unsupported or invalid query filter clause specified for "
                f"property '{token.text}' of resource."
            )
        return tuple(token.text.split("/"))

    @staticmethod
    def literal(token: _Token) -> Any:
        if token.kind == "string":
            return token.text[1:-1].replace("''", "'")
        if token.kind == "datetime":
            return _parse_datetime(token.text)
        if token.kind == "guid":
            return token.text.lower()
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        if token.text in ("true", "false"):
            return token.text == "true"
        if token.text == "null":
            return None
        raise unsupported(
            f"Invalid filter clause: expected a literal at position {token.position}, "
            f"found '{token.text}'."
        )


def _parse_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_filter(text: str, allowed: frozenset[str]) -> Filter:
    """Parse ``$filter``; only the properties in ``allowed`` (``a/b`` paths) may appear."""
    if not text.strip():
        raise unsupported("Invalid filter clause: the filter is empty.")
    return _Parser(text, allowed).parse()


def check_operators(
    node: Filter, operators: Mapping[str, frozenset[str]], collection: str = ""
) -> None:
    """400 ``Request_UnsupportedQuery`` where a property is compared with an operator (or
    function) its reference page does not list; properties not in ``operators`` take any."""
    if isinstance(node, Junction):
        check_operators(node.left, operators, collection)
        check_operators(node.right, operators, collection)
        return
    if isinstance(node, Negation):
        check_operators(node.operand, operators, collection)
        return
    if isinstance(node, AnyOf):
        check_operators(node.condition, operators, "/".join(node.path))
        return
    path = [collection if name == _ELEMENT else name for name in node.path]
    name = "/".join(part for part in path if part)
    used = node.operator if isinstance(node, Comparison) else node.name
    allowed = operators.get(name)
    if allowed is not None and used not in allowed:
        raise unsupported(
            f"Operator '{used}' is not supported for property '{name}'; "
            f"use {', '.join(sorted(allowed))}."
        )


def _lookup(item: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = item
    for name in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def _comparable(value: Any, other: Any, case_sensitive: bool) -> tuple[Any, Any]:
    if isinstance(other, datetime) and isinstance(value, str):
        try:
            return _parse_datetime(value), other
        except ValueError:
            return value, other.isoformat()
    if isinstance(value, str) and isinstance(other, str) and not case_sensitive:
        return value.lower(), other.lower()
    return value, other


def matches(node: Filter, item: Mapping[str, Any], *, case_sensitive: bool) -> bool:
    """Whether the JSON object ``item`` passes the filter."""
    if isinstance(node, Junction):
        left = matches(node.left, item, case_sensitive=case_sensitive)
        if node.operator == "and":
            return left and matches(node.right, item, case_sensitive=case_sensitive)
        return left or matches(node.right, item, case_sensitive=case_sensitive)
    if isinstance(node, Negation):
        return not matches(node.operand, item, case_sensitive=case_sensitive)
    if isinstance(node, AnyOf):
        elements = _lookup(item, node.path)
        return isinstance(elements, list) and any(
            matches(node.condition, {_ELEMENT: element}, case_sensitive=case_sensitive)
            for element in elements
        )
    value = _lookup(item, node.path)
    if isinstance(node, FunctionCall):
        if not isinstance(value, str):
            return False
        text, needle = _comparable(value, node.value, case_sensitive)
        if node.name == "contains":
            return bool(needle in text)
        if node.name == "startswith":
            return bool(text.startswith(needle))
        return bool(text.endswith(needle))
    left, right = _comparable(value, node.value, case_sensitive)
    if node.operator == "eq":
        return bool(left == right)
    if node.operator == "ne":
        return bool(left != right)
    if left is None or right is None or type(left) is not type(right):
        return False
    compare: Callable[[Any, Any], bool] = {
        "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b,
    }[node.operator]
    return compare(left, right)


# --- $select, $top and $skiptoken ------------------------------------------------------------


def select(item: Mapping[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """``$select``: only the named properties (``@odata.*`` annotations stay)."""
    if fields is None:
        return dict(item)
    return {k: v for k, v in item.items() if k in fields or k.startswith("@odata.")}


def parse_select(text: str | None, known: frozenset[str]) -> list[str] | None:
    if text is None:
        return None
    fields = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in fields if name not in known]
    if not fields or unknown:
        raise GraphError(
            400,
            "Request_BadRequest",
            f"Could not find a property named '{(unknown or [''])[0]}' on type "
            "'microsoft.graph' for $select.",
        )
    return fields


def parse_top(text: str | None, default: int, maximum: int) -> int:
    if text is None:
        return default
    try:
        top = int(text)
    except ValueError:
        top = -1
    if top < 1 or top > maximum:
        raise GraphError(
            400,
            "Request_BadRequest",
            f"Invalid page size specified: '{text}'. Must be between 1 and {maximum} inclusive.",
        )
    return top


def encode_skiptoken(offset: int, signature: str) -> str:
    """An opaque token: the offset and the query it belongs to."""
    raw = json.dumps({"o": offset, "q": signature}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(token: str | None, signature: str) -> int:
    if token is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        offset = data["o"]
        same_query = data["q"] == signature
    except (ValueError, KeyError, TypeError):
        offset, same_query = -1, False
    if not isinstance(offset, int) or offset < 0 or not same_query:
        raise GraphError(400, "Request_BadRequest", "The $skiptoken is invalid or expired.")
    return offset


# --- one collection, queried ------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionOptions:
    """What a collection endpoint supports, as its Graph reference page lists it."""

    filterable: frozenset[str] = frozenset()
    selectable: frozenset[str] = frozenset()
    #: Whether string comparisons in $filter are case-sensitive.
    case_sensitive: bool = False
    #: Whether $top and $skiptoken page this collection.
    pageable: bool = True
    #: The properties ``$orderby`` may name (none: the option is refused).
    orderable: frozenset[str] = frozenset()
    #: Whether ``$skip`` is documented for this collection.
    skippable: bool = False
    #: The operators (and functions) each property takes in ``$filter``, where the reference
    #: page lists them; a property not named here takes any.
    filter_operators: tuple[tuple[str, frozenset[str]], ...] = ()


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    #: The $skiptoken of the next page, or None on the last one.
    next_skiptoken: str | None


_QUERY_OPTIONS = frozenset(
    {"$filter", "$select", "$top", "$skip", "$skiptoken", "$count", "$orderby"}
)
_ORDER_ITEM = re.compile(r"\s*(?P<name>[A-Za-z][A-Za-z0-9_/]*)(?:\s+(?P<dir>asc|desc))?\s*")


def parse_orderby(text: str, orderable: frozenset[str]) -> list[tuple[tuple[str, ...], bool]]:
    """``$orderby=name [asc|desc], ...`` (OData v4 URL conventions §5.1.3): each property's
    path and whether it sorts descending."""
    keys: list[tuple[tuple[str, ...], bool]] = []
    for part in text.split(","):
        match = _ORDER_ITEM.fullmatch(part)
        if match is None:
            raise unsupported(f"Invalid $orderby clause: '{part.strip()}'.")
        name = match.group("name")
        if name not in orderable:
            raise unsupported(f"Sorting by '{name}' is not supported on this resource.")
        keys.append((tuple(name.split("/")), match.group("dir") == "desc"))
    return keys


def order(
    items: list[Mapping[str, Any]], keys: Sequence[tuple[tuple[str, ...], bool]]
) -> list[Mapping[str, Any]]:
    """Stable sort by each key, last key first; null sorts before any value (OData §5.1.3)."""
    ordered = list(items)
    for path, descending in reversed(keys):

        def key(item: Mapping[str, Any], path: tuple[str, ...] = path) -> tuple[bool, Any]:
            value = _lookup(item, path)
            return (value is not None, value)

        ordered.sort(key=key, reverse=descending)
    return ordered


def parse_skip(text: str | None) -> int:
    if text is None:
        return 0
    if not text.isdigit():
        raise GraphError(
            400, "Request_BadRequest", f"Invalid value for $skip: '{text}'; a whole number."
        )
    return int(text)


def query_collection(
    items: Sequence[Mapping[str, Any]],
    params: Mapping[str, str],
    options: CollectionOptions,
    *,
    default_page_size: int,
    max_page_size: int,
) -> Page:
    """Apply ``$filter``, ``$top``/``$skiptoken`` and ``$select`` to a collection."""
    for name in params:
        if name.startswith("$") and name not in _QUERY_OPTIONS:
            raise unsupported(f"Query option '{name}' is not supported on this resource.")
        if (
            name == "$count"
            or (name == "$orderby" and not options.orderable)
            or (name == "$skip" and not options.skippable)
        ):
            raise unsupported(f"Query option '{name}' is not supported on this resource.")
    text = params.get("$filter")
    if text is not None and not options.filterable:
        raise unsupported("$filter is not supported on this resource.")
    fields = parse_select(params.get("$select"), options.selectable)
    selected: list[Mapping[str, Any]] = list(items)
    if text is not None:
        node = parse_filter(text, options.filterable)
        check_operators(node, dict(options.filter_operators))
        selected = [
            item for item in selected if matches(node, item, case_sensitive=options.case_sensitive)
        ]
    sort = params.get("$orderby")
    if sort is not None:
        selected = order(selected, parse_orderby(sort, options.orderable))
    skip = parse_skip(params.get("$skip"))
    selected = selected[skip:]
    if not options.pageable:
        if "$top" in params or "$skiptoken" in params:
            raise unsupported("$top is not supported on this resource.")
        return Page([select(item, fields) for item in selected], None)
    top = parse_top(params.get("$top"), default_page_size, max_page_size)
    signature = json.dumps([text, params.get("$select"), top, sort, skip])
    offset = decode_skiptoken(params.get("$skiptoken"), signature)
    window = selected[offset : offset + top]
    more = offset + top < len(selected)
    return Page(
        [select(item, fields) for item in window],
        encode_skiptoken(offset + top, signature) if more else None,
    )
