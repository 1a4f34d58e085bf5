"""JSON bodies, read and written exactly as the standard library would, at orjson's speed."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from ..scim.errors import invalid_syntax, invalid_value


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON, as ``json.dumps(separators=(",", ":"), ensure_ascii=False)``.

    orjson writes the same bytes for everything a SCIM resource holds, many times
    faster; whatever it refuses (integers beyond 64 bits, lone surrogates, non-string
    keys) goes through the standard library, which either manages or raises as before.
    A lone surrogate, which no request can store any more but an older ``--db`` file
    may hold, is written as its ``\\u`` escape (the whole body in ASCII), so a
    listing that includes it still answers.
    """
    try:
        return orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, separators=(",", ":")).encode("ascii")


#: Every digit read as "0", everything else as " ": a run of 19 zeros marks a number that
#: may not fit in 64 bits (or just a long digit string, which only costs a slower parse).
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER = b"0" * 19


def decode_body(raw: bytes) -> Any:
    """A request body's JSON value, exactly as the standard library reads it.

    orjson reads to the same value, many times faster, except that it turns integers
    beyond 64 bits (19 digits or more) into floats; bodies with such a run of digits,
    and whatever orjson refuses, are read by the standard library, which also words
    the errors (400 invalidSyntax).

    Refused besides: an object that names a member twice (400 invalidSyntax; RFC 8259
    §4: "The names within an object SHOULD be unique", and which one counts is up to
    the reader), and a string that cannot be encoded as UTF-8, i.e. a lone surrogate
    escape such as ``"\\ud800"`` (400 invalidValue; RFC 8259 §8.2). orjson refuses
    the latter itself, so only the standard library's reading checks for it.
    """
    if _LONG_NUMBER not in raw.translate(_DIGITS_AS_ZEROS):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
        else:
            if _may_repeat_names(raw, value):
                _decode_stdlib(raw)  # raises on the name it repeats
            return value
    return _decode_stdlib(raw)


def _decode_stdlib(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_syntax(f"The request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_members)
    except json.JSONDecodeError as exc:
        raise invalid_syntax(
            f"The request body is not valid JSON: {exc.msg} at position {exc.pos}"
        ) from None
    except RecursionError:
        raise invalid_syntax("The request body is nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text) is not None:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise invalid_value(
                f"The request body holds a string that is not valid Unicode text (a lone "
                f"surrogate, U+{ord(exc.object[exc.start]):04X}); every string must be "
                "encodable as UTF-8 (RFC 8259 §8.2)"
            ) from None
    return value


#: A ``\u`` escape of a UTF-16 surrogate (paired or not: the check that follows decides).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise invalid_syntax(
                    f"The request body names the member {name!r} twice in one object "
                    "(RFC 8259 §4: names should be unique; which one counts is ambiguous)"
                )
            seen.add(name)
    return obj


def _may_repeat_names(raw: bytes, value: Any) -> bool:
    """Whether an object in the body ``raw`` (read as ``value``) may name a member twice.

    orjson keeps the last of repeated names without a word. Every member of every
    object is written with one colon outside strings, and orjson writes a colon inside
    a string as itself; so with no repeated name, ``value`` written back by orjson holds
    as many colons as the body. A repeated name drops a member, its colon and the colons
    of its strings, so the written-back value holds fewer. Only a colon the body escapes
    (``\\u003a``) can hide the difference: such bodies are checked by the standard
    library's reading. Writing back costs about a microsecond for a typical body.
    """
    try:
        written = orjson.dumps(value)
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (254 levels)
        return True
    return written.count(b":") != raw.count(b":") or b"\\u003" in raw
