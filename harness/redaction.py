"""The one redaction routine: every secret provisim knows, masked by value, wherever it is.

A SCIM endpoint can echo the bearer token anywhere: in a body, a header, an error's
``detail``, and from there into a check's message, a log entry or a report. Masking by
pattern alone misses all but ``Authorization: Bearer ...``, so :class:`Redactor` masks by
value: each secret it was given (the Secret Token, an admin key), as written, as
percent-encoded and as JSON-escaped, becomes ``***`` in any text, bytes, JSON value or
header. On top of that, whatever follows ``Bearer `` is masked (RFC 6750 §2.1), the
credential headers (``Authorization``, cookies, API keys) keep only their scheme, and
string values under keys such as ``secretToken`` or ``password`` are masked whole: that is
all a reader of an artifact on disk (the reports, which never saw the secret) can do.

:data:`KNOWN` is the process's own redactor: the CLI gives it the secrets of the command
line, and every console provisim prints to (:mod:`harness.terminal`) masks them.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, quote

MASK: Final = "***"
#: Secrets shorter than this are masked only where they are known to be credentials (the
#: Authorization header): masking a short value everywhere would blank out ordinary words.
MIN_SECRET_LENGTH: Final = 8

# RFC 6750 §2.1: "Authorization: Bearer <b64token>". Whatever follows "Bearer " is shown as
# *** only, even where it is not a credential (a WWW-Authenticate challenge): safe beats pretty.
# Already masked (by any redactor's word for it) stays as it is.
_BEARER: Final = re.compile(r"(?i)(bearer)(\s+)(?!\*\*\*|<redacted>)\S+")
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "proxy-authorization"})
_SECRET_HEADERS: Final = frozenset({"cookie", "set-cookie", "x-api-key"})
# Account Center answers with the generated token once; Entra's Admin Credentials hold it.
_SECRET_KEY_ENDINGS: Final = ("token", "secret", "password", "adminkey", "apikey")


def _forms(secret: str) -> set[str]:
    """The ways a secret is written where it may be echoed: as is, percent-encoded (a URL,
    a form), JSON-escaped (a body)."""
    return {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}


def _is_secret_key(key: str) -> bool:
    squashed = re.sub(r"[^a-z]", "", key.lower())
    return squashed.endswith(_SECRET_KEY_ENDINGS)


class Redactor:
    """Masks the secrets it was given, by value, plus the credential patterns. Thread-safe."""

    def __init__(self, secrets: Iterable[str] = (), *, mask: str = MASK) -> None:
        #: What a masked secret reads as (a report format may have its own word for it).
        self.mask = mask
        self._lock = threading.Lock()
        self._forms: tuple[str, ...] = ()
        self._bytes: tuple[bytes, ...] = ()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Mask ``secret`` (when it is at least MIN_SECRET_LENGTH long) from now on."""
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            # Longest first: a form that contains another is masked whole.
            forms = sorted(set(self._forms) | _forms(secret), key=len, reverse=True)
            self._forms = tuple(forms)
            self._bytes = tuple(form.encode("utf-8") for form in forms)

    def __bool__(self) -> bool:
        return bool(self._forms)

    def values(self, text: str) -> str:
        """``text`` with every known secret masked (by value only: what a console prints)."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, self.mask)
        return text

    def text(self, text: str) -> str:
        """``text`` with every known secret and every bearer credential masked."""
        text = self.values(text)
        if "bearer" in text.lower():
            text = _BEARER.sub(lambda match: f"{match.group(1)}{match.group(2)}{self.mask}", text)
        return text

    def bytes(self, data: bytes) -> bytes:
        """Raw bytes (a body as it came) with every known secret masked."""
        for form in self._bytes:
            if form in data:
                data = data.replace(form, self.mask.encode())
        return data

    def file(self, path: Path) -> bool:
        """Mask the known secrets in the file at ``path``, line by line, so memory stays flat
        however large it is; whether it held one (untouched otherwise)."""
        with path.open("rb") as original:
            if not any(self.bytes(line) != line for line in original):
                return False
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".redacting-")
        with os.fdopen(handle, "wb") as masked, path.open("rb") as original:
            for line in original:
                masked.write(self.bytes(line))
        os.replace(name, path)
        return True

    def value(self, value: Any) -> Any:
        """A copy of a JSON value with secrets masked: in every string, key or value, and
        whole under keys such as ``token``, ``secretToken``, ``password``, ``adminKey``."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                self.text(str(key)): self.mask
                if isinstance(item, str) and item and _is_secret_key(str(key))
                else self.value(item)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value

    def header(self, name: str, value: str) -> str:
        """Credentials keep only their scheme (``Bearer ***``, ``Basic ***``); cookies and
        API keys are masked whole; any other header is masked by value."""
        if name.lower() in _CREDENTIAL_HEADERS:
            scheme, _, rest = value.strip().partition(" ")
            return f"{scheme} {self.mask}" if rest else self.mask
        if name.lower() in _SECRET_HEADERS:
            return self.mask
        return self.text(value)

    def headers(self, headers: Any) -> dict[str, str]:
        """Headers (a mapping, ``httpx.Headers`` or pairs), masked, as a dict."""
        return dict(self.header_pairs(headers))

    def header_pairs(self, headers: Any) -> list[tuple[str, str]]:
        """Headers, given as a mapping or as pairs, as masked ``(name, value)`` pairs."""
        if isinstance(headers, Mapping):  # httpx.Headers too: repeated names joined by ", "
            pairs = [(str(k), str(v)) for k, v in headers.items()]
        elif isinstance(headers, list | tuple):
            pairs = [(str(pair[0]), str(pair[1])) for pair in headers if len(pair) == 2]
        else:
            pairs = []
        return [(self.text(name), self.header(name, value)) for name, value in pairs]


#: The process's secrets (the command line's token, say): every console masks them.
KNOWN: Final = Redactor()


def redact_files(directory: Path, redactor: Redactor) -> int:
    """Mask ``redactor``'s secrets in every file under ``directory``; returns how many
    files held one."""
    if not redactor:
        return 0
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(redactor.file(path) for path in files)


def redact_text(text: str) -> str:
    """Mask every bearer credential and every secret of the process in free text."""
    return KNOWN.text(text)


def redact(value: Any) -> Any:
    """A copy of a JSON value with its secrets masked (see :meth:`Redactor.value`)."""
    return KNOWN.value(value)


def redact_header(name: str, value: str) -> str:
    return KNOWN.header(name, value)


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Headers, given as a mapping or as pairs, as redacted ``(name, value)`` pairs."""
    return KNOWN.header_pairs(headers)


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


__all__ = [
    "KNOWN",
    "MASK",
    "MIN_SECRET_LENGTH",
    "Redactor",
    "esc",
    "header_pairs",
    "redact",
    "redact_files",
    "redact_header",
    "redact_text",
    "redacted_query",
]
