"""SCIM filter expressions: parsing and evaluation (RFC 7644 §3.4.2.2, Figure 1).

``grammar`` tokenizes and parses (with ``fast_path`` for ``attr eq "string"``) into the
nodes of ``ast``, naming attributes through ``names`` and building each comparison's
test in ``compare``; ``evaluate`` compiles the tree into :meth:`Filter.matches`.

Names and operators are case-insensitive (RFC 7644 §3.4.2.2). Names resolve
through :func:`fake_elevate.scim.schema.resolve` once, at parse time, so
:meth:`Filter.matches` only reads dictionary keys in canonical spelling.

Semantics chosen where the RFC leaves room (documented here, tested in
tests/test_scim_filter*.py):

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

from .ast import And, AttrRef, Compare, Node, Not, Or, Present, ValuePath
from .evaluate import Filter, is_present
from .fast_path import MAX_FILTER_LENGTH, plain_equality
from .grammar import (
    COMPARE_OPERATORS,
    MAX_NESTING,
    PathSyntax,
    parse_filter,
    parse_path_syntax,
)
from .names import ResourceTypeKey

__all__ = [
    "COMPARE_OPERATORS",
    "MAX_FILTER_LENGTH",
    "MAX_NESTING",
    "And",
    "AttrRef",
    "Compare",
    "Filter",
    "Node",
    "Not",
    "Or",
    "PathSyntax",
    "Present",
    "ResourceTypeKey",
    "ValuePath",
    "is_present",
    "parse_filter",
    "parse_path_syntax",
    "plain_equality",
]
