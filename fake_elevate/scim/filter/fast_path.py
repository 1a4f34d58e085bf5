"""The fast path for ``attr eq "string"``, the filter Entra sends before every create.

It builds the :class:`Filter` the full parser would, through the same name resolution
and comparison code, without tokenizing; anything else is left to :mod:`.grammar`.
"""

from __future__ import annotations

import re

from ..errors import ScimError, invalid_filter
from ..schema import ResourceType, per_resource_type
from .ast import AttrRef
from .compare import make_compare
from .evaluate import Filter
from .names import ResourceTypeKey, resolve_word

# The filter Entra sends before every create, `userName eq "alice@contoso.com"` (entra §1),
# names a different user each time, so the parser's cache (grammar.py) rarely hit: the
# tokenizer and parser ran for each one, and the cache kept thousands of filters alive only
# to evict them. This is exactly the token sequence word, "eq", string (without escapes),
# one space apart, which the full parser reads as attr_exp -> comparison; the fast path
# builds an equal Filter through the same resolution and comparison code, and does not
# cache it (it costs little more than a cache lookup). Anything else, and any error, is
# left to the full parser, so error details are its own. tests/test_scim_filter_fast_path.py
# checks both give equal filters, hints and matches over generated texts.
#: The longest filter or PATCH path accepted (400 invalidFilter beyond; see grammar.py).
MAX_FILTER_LENGTH = 2000
_SIMPLE_EQUALITY = re.compile(r'([A-Za-z$][A-Za-z0-9$_.:-]*) ([eE][qQ]) "([^"\\\x00-\x1f]*)"\Z')
_RESOLVED_WORDS: dict[tuple[ResourceTypeKey, str], AttrRef] = {}
#: The last text simple_equality split, and its parts: a filtered GET splits its filter to
#: tell whether it is light (fake_elevate.web.resources.light_filter), then the store splits
#: it again to search. Replaced whole, so a reader sees a text with its own parts.
_last_split: tuple[str, tuple[str, str, str] | None] = ("", None)


def simple_equality(text: str) -> tuple[str, str, str] | None:
    """``(word, operator, value)`` when ``text`` is exactly ``word eq "value"`` (one space
    apart, ``eq`` in any case, a value without escapes or control characters), else None."""
    global _last_split
    last_text, parts = _last_split
    if text == last_text:
        return parts
    match = _SIMPLE_EQUALITY.match(text)
    parts = None if match is None else (match[1], match[2], match[3])
    _last_split = (text, parts)
    return parts


def parse_simple_equality(text: str, resource_type: ResourceType) -> Filter | None:
    match = _SIMPLE_EQUALITY.match(text)
    if match is None:
        return None
    word, _, value = match.groups()
    key = (ResourceTypeKey(resource_type), word)
    try:
        attr = _RESOLVED_WORDS.get(key)
        if attr is None:
            attr = resolve_word(word, 0, resource_type, invalid_filter, path_mode=False)
            if len(_RESOLVED_WORDS) >= 256:
                _RESOLVED_WORDS.clear()  # words come from clients: bound what odd ones cost
            _RESOLVED_WORDS[key] = attr
        # A JSON string without escapes or control characters is its own content.
        node = make_compare(attr, "eq", value, len(word) + 1, invalid_filter)
    except ScimError:
        return None
    return Filter(node, text)


_STRING_TYPES = frozenset({"string", "reference", "binary"})
#: Per resource type (by id, checked by identity), word -> (canonical name, caseExact) of a
#: top-level, single-valued string attribute, or None for any other word.
_PLAIN_WORDS: dict[int, tuple[ResourceType, dict[str, tuple[str, bool] | None]]] = {}


def _no_words(_resource_type: ResourceType) -> dict[str, tuple[str, bool] | None]:
    return {}


def plain_equality(text: str, resource_type: ResourceType) -> tuple[str, str, bool] | None:
    """``(name, value, case_exact)`` when ``text`` is ``attr eq "value"`` as
    :func:`parse_simple_equality` reads it, on a top-level single-valued string attribute
    ``name``; else None (the caller parses the filter).

    The :class:`Filter` the parser builds for such a text matches exactly the resources
    whose ``name`` is the string ``value`` (compared folded unless ``case_exact``) and
    hints ``(name, value)`` (evaluate.py's inlined path): the store uses that directly,
    without building the filter.
    """
    if len(text) > MAX_FILTER_LENGTH:
        return None
    parts = simple_equality(text)
    if parts is None:
        return None
    word, _, value = parts
    words = per_resource_type(_PLAIN_WORDS, resource_type, _no_words)
    if word in words:
        plain = words[word]
    else:
        plain = None
        try:
            attr = resolve_word(word, 0, resource_type, invalid_filter, path_mode=False)
        except ScimError:
            attr = None
        if (
            attr is not None
            and attr.container is None
            and attr.sub is None
            and attr.element_of is None
            and attr.leaf is not None
            and attr.leaf.type in _STRING_TYPES
            and not (attr.attribute is not None and attr.attribute.multi_valued)
        ):
            plain = (attr.name, attr.leaf.case_exact)
        if len(words) >= 256:
            words.clear()  # words come from clients: bound what odd ones cost
        words[word] = plain
    if plain is None:
        return None
    return plain[0], value, plain[1]
