"""Comparisons: the leaf test of ``attr op value``, type-checked against the attribute.

Built once, at parse time: an operator or operand that does not fit the attribute's
type is 400 invalidFilter before any resource is read. Strings compare per caseExact,
dateTime chronologically, numbers by value (RFC 7644 §3.4.2.2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ..schema import Attribute
from ..text import fold
from .ast import AttrRef, Compare, Node, always, never
from .names import ErrorFactory

_ORDERING = frozenset({"gt", "lt", "ge", "le"})
_SUBSTRING = frozenset({"co", "sw", "ew"})


def make_compare(attr: AttrRef, op: str, value: Any, pos: int, error: ErrorFactory) -> Node:
    leaf = attr.leaf
    if value is None and op not in ("eq", "ne"):
        raise error(f"Only eq and ne compare with null (operator {op!r} at position {pos})")
    if leaf is None:
        # Unknown attribute: it never has a value (see the package docstring).
        return Compare(attr, op, value, never)
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
        return Compare(attr, op, None, always)
    return Compare(attr, op, value, _leaf_test(attr, leaf, op, value, pos, error))


def _leaf_test(
    attr: AttrRef, leaf: Attribute, op: str, operand: Any, pos: int, error: ErrorFactory
) -> Callable[[Any], bool]:
    kind = leaf.type
    if kind == "boolean":
        if op not in ("eq", "ne"):
            # RFC 7644 §3.4.2.2: gt/ge/lt/le on Boolean SHALL fail with invalidFilter.
            raise error(f"{attr.text!r} is a boolean; only eq, ne and pr apply (position {pos})")
        if leaf.name == "primary" and isinstance(operand, str) and operand in ("True", "False"):
            # Entra's documented role targets filter roles[primary eq "True"] with a string
            # (customize-application-attributes, "Provisioning a role to a SCIM app").
            # Other booleans stay strict (RFC 7644 §3.4.2.2).
            operand = operand == "True"
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
    # Identity text: NFC-normalised and case-folded (fake_elevate.scim.text.fold).
    x = fold(operand)
    if op == "eq":
        return lambda v: isinstance(v, str) and fold(v) == x
    if op == "ne":
        return lambda v: isinstance(v, str) and fold(v) != x
    if op == "co":
        return lambda v: isinstance(v, str) and x in fold(v)
    if op == "sw":
        return lambda v: isinstance(v, str) and fold(v).startswith(x)
    if op == "ew":
        return lambda v: isinstance(v, str) and fold(v).endswith(x)
    return _ordered_test(op, x, lambda v: fold(v) if isinstance(v, str) else None)


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
