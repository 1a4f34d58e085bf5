"""What the reports show of an artifact, made safe: secrets masked, markup escaped.

Bodies, headers, paths and messages in the artifacts are untrusted. Everything is
HTML-escaped (:func:`esc`), and bearer tokens and other secrets are masked again here
(:func:`redact`, :func:`redact_text`, :func:`redact_header`) even though the recorder
already redacts them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl

MASK: Final = "***"

# RFC 6750 §2.1: "Authorization: Bearer <b64token>". Whatever follows "Bearer " is shown as
# *** only, even where it is not a credential (a WWW-Authenticate challenge): safe beats pretty.
_BEARER: Final = re.compile(r"(?i)(bearer)(\s+)\S+")
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "proxy-authorization"})
_SECRET_HEADERS: Final = frozenset({"cookie", "set-cookie", "x-api-key"})
# Account Center answers with the generated token once; Entra's Admin Credentials hold it.
_SECRET_KEY_ENDINGS: Final = ("token", "secret", "password", "adminkey", "apikey")


def redact_text(text: str) -> str:
    """Mask every bearer credential in free text: ``Bearer abc`` becomes ``Bearer ***``."""
    return _BEARER.sub(lambda match: f"{match.group(1)}{match.group(2)}{MASK}", text)


def _is_secret_key(key: str) -> bool:
    squashed = re.sub(r"[^a-z]", "", key.lower())
    return squashed.endswith(_SECRET_KEY_ENDINGS)


def redact(value: Any) -> Any:
    """A copy of a JSON value with secrets masked: bearer tokens anywhere in strings, and
    string values under keys such as ``token``, ``secretToken``, ``password``, ``adminKey``."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: MASK
            if isinstance(item, str) and item and _is_secret_key(str(key))
            else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def redact_header(name: str, value: str) -> str:
    """Credentials keep only their scheme (``Bearer ***``, ``Basic ***``); cookies and API
    keys are masked whole."""
    if name.lower() in _CREDENTIAL_HEADERS:
        scheme, _, rest = value.strip().partition(" ")
        return f"{scheme} {MASK}" if rest else MASK
    if name.lower() in _SECRET_HEADERS:
        return MASK
    return redact_text(value)


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Headers, given as a mapping or as pairs, as redacted ``(name, value)`` pairs."""
    if isinstance(headers, Mapping):
        pairs = [(str(k), str(v)) for k, v in headers.items()]
    elif isinstance(headers, list | tuple):
        pairs = [(str(pair[0]), str(pair[1])) for pair in headers if len(pair) == 2]
    else:
        pairs = []
    return [(name, redact_header(name, value)) for name, value in pairs]


def redacted_query(query: Any) -> str:
    """A query, given as text or as a mapping, decoded with its secrets masked."""
    if isinstance(query, Mapping):
        pairs = [(str(k), str(v)) for k, v in query.items()]
    elif isinstance(query, str):
        pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    else:
        return ""
    # Shown decoded, as people read a query; the table escapes it for HTML.
    return "&".join(f"{k}={MASK if _is_secret_key(k) else redact_text(v)}" for k, v in pairs)


def esc(value: object) -> str:
    """``value`` as text safe inside HTML or SVG, attribute values included."""
    return html.escape(str(value), quote=True)
