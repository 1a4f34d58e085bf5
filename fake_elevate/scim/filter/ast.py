"""The filter AST: resolved attribute references and the nodes a filter is made of.

A :class:`Compare` carries its leaf test, built and type-checked at parse time
(:mod:`.compare`); :mod:`.evaluate` compiles a tree into one predicate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..schema import Attribute


def always(value: Any) -> bool:
    """The leaf test that every value passes."""
    return True


def never(value: Any) -> bool:
    """The leaf test that no value passes (an unknown attribute never has a value)."""
    return False


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
    test: Callable[[Any], bool] = field(compare=False, repr=False, default=never)


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
