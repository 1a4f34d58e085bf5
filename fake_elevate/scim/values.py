"""The values of a multi-valued attribute while a PATCH works on them, indexed.

A PATCH of a thousand operations on one multi-valued attribute (``emails``,
``members``) used to copy the attribute's list, re-derive every value's identity
(a JSON dump, for values without a ``value`` reference) and re-check ``primary``
across the list for each operation: its cost grew with the square of the number of
operations (issue 21: 2,000 ``add emails`` operations took 7.9 s). :class:`Values`
keeps the values in an insertion-ordered dict keyed by a sequence number, with an
index from identity to the values that have it and the set of values marked
primary, so adding, removing and looking up a value costs the same however many
there are; :meth:`Values.elements` writes the list back once, at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from .errors import invalid_value
from .schema import Attribute
from .text import fold

Identity = Callable[[Any], Hashable]

# Keyed by id(): hashing a frozen dataclass hashes all its fields and sub-attributes
# (about 2 µs for members). The entry holds the attribute itself, so the id stays its own.
_IDENTITIES: dict[int, tuple[Attribute, Identity, bool]] = {}


def identity_of(attr: Attribute) -> tuple[Identity, bool]:
    """How values of ``attr`` are told apart, and whether by their ``value`` alone.

    Members (and any reference list) are the same value when their "value" is
    (per its caseExact, caseExact=false text compared folded: fake_elevate.scim.text);
    other values when identical (RFC 7644 §3.5.2.1: adding a value already present
    changes nothing).
    """
    cached = _IDENTITIES.get(id(attr))
    if cached is not None and cached[0] is attr:
        return cached[1], cached[2]
    if len(_IDENTITIES) >= 256:
        _IDENTITIES.clear()
    value_sub = attr.sub("value")
    by_value = attr.sub("$ref") is not None and value_sub is not None
    exact = value_sub.case_exact if value_sub is not None else True

    def identity(element: Any) -> Hashable:
        if by_value and isinstance(element, dict):
            value = element.get("value")
            if isinstance(value, str):
                return ("value", value if exact else fold(value))
        return ("element", json.dumps(element, sort_keys=True, default=str))

    _IDENTITIES[id(attr)] = (attr, identity, by_value)
    return identity, by_value


def value_key(attr: Attribute, value: str) -> Hashable:
    """The identity of the element ``{"value": value}`` of a by-value attribute."""
    value_sub = attr.sub("value")
    exact = value_sub.case_exact if value_sub is not None else True
    return ("value", value if exact else fold(value))


def _is_primary(element: Any) -> bool:
    return isinstance(element, dict) and element.get("primary") is True


class Values:
    """One multi-valued attribute's values under PATCH: ordered, indexed by identity."""

    __slots__ = (
        "attr",
        "by_sub",
        "by_value",
        "identity",
        "next",
        "primaries",
        "slots",
        "with_key",
    )

    def __init__(self, attr: Attribute, elements: Iterable[Any]) -> None:
        self.attr = attr
        self.identity, self.by_value = identity_of(attr)
        self.slots: dict[int, Any] = {}
        self.with_key: dict[Hashable, list[int]] = {}
        self.primaries: set[int] = set()
        # sub-attribute name -> (its definition, text as compared -> values holding it),
        # built on the first value filter that names the sub-attribute with eq.
        self.by_sub: dict[str, tuple[Attribute, dict[str, list[int]]]] = {}
        self.next = 0
        for element in elements:
            self.append(element, self.identity(element))

    def elements(self) -> list[Any]:
        return list(self.slots.values())

    def has(self, key: Hashable) -> bool:
        return bool(self.with_key.get(key))

    def seqs_with(self, key: Hashable) -> list[int]:
        return list(self.with_key.get(key, ()))

    def seqs_where(self, sub: Attribute, text: str) -> list[int]:
        """The values whose string sub-attribute ``sub`` compares equal to ``text``
        (per its caseExact, as a filter's eq does), in order."""
        found = self.by_sub.get(sub.name)
        if found is None:
            found = (sub, {})
            for seq, element in self.slots.items():
                _index_sub(found, seq, element)
            self.by_sub[sub.name] = found
        return sorted(found[1].get(text if sub.case_exact else fold(text), ()))

    def append(self, element: Any, key: Hashable) -> int:
        seq = self.next
        self.next += 1
        self.slots[seq] = element
        self.with_key.setdefault(key, []).append(seq)
        if _is_primary(element):
            self.primaries.add(seq)
        for found in self.by_sub.values():
            _index_sub(found, seq, element)
        return seq

    def discard(self, seq: int) -> None:
        element = self.slots.pop(seq)
        self._unindex(seq, element)

    def put(self, seq: int, element: Any) -> None:
        """Replace the value at ``seq``, keeping its place."""
        self._unindex(seq, self.slots[seq])
        self.slots[seq] = element
        self.with_key.setdefault(self.identity(element), []).append(seq)
        if _is_primary(element):
            self.primaries.add(seq)
        for found in self.by_sub.values():
            _index_sub(found, seq, element)

    def _unindex(self, seq: int, element: Any) -> None:
        key = self.identity(element)
        seqs = self.with_key[key]
        seqs.remove(seq)  # a key rarely has more than one value
        if not seqs:
            del self.with_key[key]
        self.primaries.discard(seq)
        for sub, index in self.by_sub.values():
            text = _sub_text(sub, element)
            if text is not None:
                index[text].remove(seq)

    def dedupe(self, written: Iterable[int]) -> list[int]:
        """Drop written values that repeat an earlier one; the written values that remain
        (RFC 7644 §3.5.2.1: a value already present is not added twice)."""
        kept: list[int] = []
        for seq in written:
            if seq not in self.slots:
                continue
            first = min(self.with_key[self.identity(self.slots[seq])])
            if first != seq:
                self.discard(seq)
                if first not in kept:
                    kept.append(first)
            elif seq not in kept:
                kept.append(seq)
        return kept

    def settle_primary(self, written: Iterable[int]) -> None:
        """RFC 7644 §3.5.2: setting primary true on one value sets it false on the others."""
        if self.attr.sub("primary") is None:
            return
        chosen = [seq for seq in written if seq in self.primaries]
        if len(chosen) > 1:
            raise invalid_value(
                f"At most one value of {self.attr.name} may have primary true (RFC 7643 §2.4)"
            )
        if not chosen:
            return
        for seq in sorted(self.primaries - {chosen[0]}):
            self.put(seq, {**self.slots[seq], "primary": False})


def _sub_text(sub: Attribute, element: Any) -> str | None:
    value = element.get(sub.name) if isinstance(element, dict) else None
    if not isinstance(value, str):
        return None
    return value if sub.case_exact else fold(value)


def _index_sub(found: tuple[Attribute, dict[str, list[int]]], seq: int, element: Any) -> None:
    text = _sub_text(found[0], element)
    if text is not None:
        found[1].setdefault(text, []).append(seq)
