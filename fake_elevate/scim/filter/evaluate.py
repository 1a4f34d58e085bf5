"""Evaluation: a parsed filter compiled once into a predicate, and its equality hint.

Every comparison matches when *some* value of the attribute satisfies it (RFC 7644
§3.4.2.2); the hottest shape, ``attr eq "string"`` on a single-valued attribute, is
compiled to an inlined dictionary read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..text import fold
from .ast import And, AttrRef, Compare, Node, Not, Or, Present, ValuePath, always, never

Predicate = Callable[[dict[str, Any]], bool]

_STRING_TYPES = frozenset({"string", "reference", "binary"})


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
        as folded text (``fake_elevate.scim.text.fold``), and must still run :meth:`matches`
        on the candidates, since the rest of the filter is not reflected.
        """
        return _hint(self.root)


def _compile(node: Node) -> Predicate:
    if isinstance(node, Compare):
        return _compile_compare(node)
    if isinstance(node, Present):
        if node.attr.leaf is None:
            return never
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
        return (lambda o: True) if node.value is None and node.op == "eq" else never
    if node.value is None:
        assigned = _bind(attr, always)
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
                folded = fold(node.value)

                def folded_eq(o: dict[str, Any]) -> bool:
                    v = o.get(name)
                    return type(v) is str and fold(v) == folded

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
        return never
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
