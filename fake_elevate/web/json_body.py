"""JSON bodies, read and written exactly as the standard library would, at orjson's speed."""

from __future__ import annotations

import json
from typing import Any

import orjson

from ..scim.errors import invalid_syntax


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON, as ``json.dumps(separators=(",", ":"), ensure_ascii=False)``.

    orjson writes the same bytes for everything a SCIM resource holds, many times
    faster; whatever it refuses (integers beyond 64 bits, lone surrogates, non-string
    keys) goes through the standard library, which either manages or raises as before.
    """
    try:
        return orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


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
    """
    if _LONG_NUMBER not in raw.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_syntax(f"The request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise invalid_syntax(
            f"The request body is not valid JSON: {exc.msg} at position {exc.pos}"
        ) from None
    except RecursionError:
        raise invalid_syntax("The request body is nested too deeply") from None
