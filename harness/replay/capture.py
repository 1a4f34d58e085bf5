"""Reading a capture: provisim's own ``traffic.jsonl`` or a HAR 1.2 file, as the ordered
SCIM exchanges to replay.

Two formats, told apart by their content, never by the file name:

* ``traffic.jsonl`` (written by ``provisim run``, :mod:`harness.recorder`): one JSON object
  a line, with ``method``, ``url``, ``request`` (headers, body) and ``response`` (status,
  headers, body, or null when none came back and ``error`` says why).
* HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/, the W3C Web Performance
  group's draft as browsers and proxies write it): one JSON object ``{"log": {"version":
  "1.2", "entries": [...]}}``; each entry's ``request`` (method, url, headers, postData)
  and ``response`` (status, headers, content). ``log.version`` must be "1.2" (the spec:
  an empty version means 1.1). A ``response.status`` of 0 is a request that got no
  response (browsers write that for aborted or blocked requests). ``content.text`` may be
  base64 (``content.encoding``); an entry without ``content.text`` has a body nobody
  recorded, so it is not compared.

Only the SCIM requests are kept: those under the recorded base URL (``--recorded-url``;
by default the base that most requests share before a SCIM endpoint segment such as
``/Users``, ``/Groups`` or ``/ServiceProviderConfig``, RFC 7644 §3.2). Entries keep their
order in the file. What a request carried as credentials (``Authorization``, cookies) is
never kept; a bearer or basic credential found in a HAR is remembered only so that every
output can mask it by value.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit, urlunsplit

#: The first path segment of each SCIM endpoint (RFC 7644 §3.2), compared case-insensitively.
SCIM_SEGMENTS: Final = frozenset(
    {
        "users",
        "groups",
        "me",
        "serviceproviderconfig",
        "serviceproviderconfigs",
        "resourcetypes",
        "schemas",
        "bulk",
        ".search",
    }
)

#: A capture bigger than this is refused: a replay of it would not finish in a working day.
MAX_CAPTURE_BYTES: Final = 256 * 1024 * 1024

TRAFFIC_JSONL: Final = "traffic.jsonl"
HAR: Final = "HAR 1.2"


class CaptureError(Exception):
    """The capture cannot be read: one line for the user (exit code 2)."""


@dataclass(frozen=True)
class RecordedExchange:
    """One recorded request and the response it got."""

    #: ``seq`` in traffic.jsonl; the entry's position (from 1) in a HAR file.
    number: int
    method: str
    url: str
    content_type: str | None
    accept: str | None
    #: The request body: a JSON value, the text when it is not JSON, None when empty.
    body: Any
    #: None when no response was recorded (``error`` says why, when the capture does).
    status: int | None
    response_body: Any
    #: False when the capture left the response body out (a HAR without content.text).
    response_body_known: bool
    location: str | None
    error: str | None = None


@dataclass(frozen=True)
class Capture:
    """The SCIM exchanges of one file, in order, and where they were recorded."""

    path: Path
    format: str
    base_url: str
    exchanges: tuple[RecordedExchange, ...]
    #: Requests in the file that are not under ``base_url`` (a browser's other traffic).
    ignored: int
    #: Credentials found in the file: masked by value in every output, never sent.
    secrets: frozenset[str] = field(default_factory=frozenset)


def load_capture(path: Path, recorded_url: str | None = None) -> Capture:
    """Read ``path``; raises :class:`CaptureError` with one readable line when it is not a
    capture provisim can replay."""
    try:
        size = path.stat().st_size
        if size > MAX_CAPTURE_BYTES:
            raise CaptureError(
                f"{path} is {size} bytes; captures of more than {MAX_CAPTURE_BYTES} are refused"
            )
        raw = path.read_bytes()
    except IsADirectoryError:
        raise CaptureError(f"{path} is a directory, not a capture file") from None
    except OSError as exc:
        raise CaptureError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaptureError(f"{path} is not UTF-8 text, so neither HAR nor traffic.jsonl") from None
    if not text.strip():
        raise CaptureError(f"{path} is empty: no exchange to replay")
    secrets: set[str] = set()
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
        exchanges, fmt = _traffic_lines(path, text), TRAFFIC_JSONL
    else:
        if isinstance(whole, dict) and "log" in whole:
            exchanges, fmt = _har(path, whole["log"], secrets), HAR
        elif isinstance(whole, dict):
            exchanges, fmt = [_traffic_record(path, 1, whole)], TRAFFIC_JSONL
        else:
            raise CaptureError(
                f"{path} holds a JSON {type(whole).__name__}, neither HAR (an object with "
                '"log") nor traffic.jsonl (one exchange object a line)'
            )
    if not exchanges:
        raise CaptureError(f"{path} holds no exchange to replay")
    base = _base(path, exchanges, recorded_url)
    kept = tuple(e for e in exchanges if is_under(e.url, base))
    if not kept:
        raise CaptureError(f"no request in {path} is under the recorded URL {base}")
    return Capture(
        path=path,
        format=fmt,
        base_url=base,
        exchanges=kept,
        ignored=len(exchanges) - len(kept),
        secrets=frozenset(secrets),
    )


# --- traffic.jsonl ----------------------------------------------------------------------------


def _traffic_lines(path: Path, text: str) -> list[RecordedExchange]:
    # Every line is JSON first: a file that is not JSON Lines at all says so, whatever its
    # first lines look like.
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise CaptureError(
                f"{path} is neither HAR nor traffic.jsonl: line {number} is not JSON ({exc.msg})"
            ) from None
    return [_traffic_record(path, number, record) for number, record in records]


def _traffic_record(path: Path, line: int, record: Any) -> RecordedExchange:
    where = f"{path}, line {line}"
    if not isinstance(record, dict):
        raise CaptureError(f"{where}: an exchange is a JSON object, not {_kind(record)}")
    method, url = record.get("method"), record.get("url")
    if not isinstance(method, str) or not isinstance(url, str) or not _absolute(url):
        raise CaptureError(f"{where}: not a traffic.jsonl exchange (no method and absolute url)")
    request = record.get("request") or {}
    response = record.get("response")
    if not isinstance(request, dict) or not (response is None or isinstance(response, dict)):
        raise CaptureError(f"{where}: request and response must be JSON objects")
    headers = _lower(request.get("headers"))
    status = None if response is None else response.get("status")
    if response is not None and not _is_status(status):
        raise CaptureError(f"{where}: the response has no HTTP status")
    response_headers = _lower(None if response is None else response.get("headers"))
    seq = record.get("seq")
    error = record.get("error")
    return RecordedExchange(
        number=seq if isinstance(seq, int) and not isinstance(seq, bool) else line,
        method=method.upper(),
        url=url,
        content_type=headers.get("content-type"),
        accept=headers.get("accept"),
        body=request.get("body"),
        status=status,
        response_body=None if response is None else response.get("body"),
        response_body_known=response is not None,
        location=response_headers.get("location"),
        error=error if isinstance(error, str) else None,
    )


# --- HAR 1.2 ----------------------------------------------------------------------------------


def _har(path: Path, log: Any, secrets: set[str]) -> list[RecordedExchange]:
    if not isinstance(log, dict):
        raise CaptureError(f"{path}: the HAR log must be a JSON object")
    version = log.get("version")
    if version != "1.2":
        shown = "none (HAR 1.1)" if version in (None, "") else repr(version)
        raise CaptureError(f"{path}: HAR version {shown} is not supported; provisim reads HAR 1.2")
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise CaptureError(f"{path}: the HAR log has no entries list")
    return [_har_entry(path, number, entry, secrets) for number, entry in enumerate(entries, 1)]


def _har_entry(path: Path, number: int, entry: Any, secrets: set[str]) -> RecordedExchange:
    where = f"{path}, HAR entry {number}"
    request = entry.get("request") if isinstance(entry, dict) else None
    response = entry.get("response") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise CaptureError(f"{where}: an entry needs a request and a response object")
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not isinstance(url, str) or not _absolute(url):
        raise CaptureError(f"{where}: the request has no method and absolute url")
    headers = _har_headers(where, request.get("headers"))
    credential = headers.get("authorization", "").partition(" ")[2].strip()
    if credential:
        secrets.add(credential)
    status = response.get("status")
    if not _is_status(status) and status != 0:
        raise CaptureError(f"{where}: the response has no HTTP status")
    response_headers = _har_headers(where, response.get("headers"))
    post = request.get("postData")
    body_text = post.get("text") if isinstance(post, dict) else None
    content = response.get("content")
    text = _har_content(where, content)
    return RecordedExchange(
        number=number,
        method=method.upper(),
        url=url,
        content_type=headers.get("content-type")
        or (post.get("mimeType") if isinstance(post, dict) else None),
        accept=headers.get("accept"),
        body=_parse(body_text) if isinstance(body_text, str) else None,
        status=None if status == 0 else status,
        response_body=None if text is None else _parse(text),
        response_body_known=status != 0 and text is not None,
        location=response_headers.get("location"),
        error="no response (HAR status 0)" if status == 0 else None,
    )


def _har_headers(where: str, headers: Any) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, list):
        raise CaptureError(f"{where}: headers must be a list of name/value objects")
    kept: dict[str, str] = {}
    for header in headers:
        if isinstance(header, dict) and isinstance(header.get("name"), str):
            value = header.get("value")
            kept[header["name"].lower()] = value if isinstance(value, str) else ""
    return kept


def _har_content(where: str, content: Any) -> str | None:
    """The response body's text, or None when the HAR left it out."""
    if not isinstance(content, dict) or not isinstance(content.get("text"), str):
        return None
    text: str = content["text"]
    if content.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raise CaptureError(f"{where}: content.text is not valid base64") from None
    return text


# --- the base URL -----------------------------------------------------------------------------


def scim_base(url: str) -> str | None:
    """The base URL before the first SCIM endpoint segment of ``url``, or None when its path
    has none (``https://h/scim/v2/Users/1`` -> ``https://h/scim/v2``)."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if unquote(segment).lower() in SCIM_SEGMENTS:
            prefix = "/".join(segments[:index]).rstrip("/")
            return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), prefix, "", ""))
    return None


def normalize_base(url: str) -> str:
    """A base URL as compared: scheme and host lower-case, no query, no trailing slash."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def is_under(url: str, base: str) -> bool:
    parts = urlsplit(url)
    here = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))
    return here == base or here.startswith(base + "/")


def _base(path: Path, exchanges: Sequence[RecordedExchange], recorded_url: str | None) -> str:
    if recorded_url is not None:
        if not _absolute(recorded_url):
            raise CaptureError(f"--recorded-url {recorded_url!r} is not an absolute URL")
        return normalize_base(recorded_url)
    counts = Counter(base for e in exchanges if (base := scim_base(e.url)) is not None)
    if not counts:
        raise CaptureError(
            f"no SCIM request in {path}: no URL has a /Users, /Groups or other SCIM endpoint "
            "path (name the base with --recorded-url)"
        )
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        tied = ", ".join(base for base, count in ranked if count == ranked[0][1])
        raise CaptureError(
            f"{path} holds SCIM requests under several base URLs ({tied}): name one with "
            "--recorded-url"
        )
    return ranked[0][0]


# --- helpers ----------------------------------------------------------------------------------


def _parse(text: str) -> Any:
    """A body as JSON when it parses, as text when it doesn't, None when empty (as
    harness.recorder keeps them)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_status(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def _lower(headers: Any) -> dict[str, str]:
    if not isinstance(headers, Mapping):
        return {}
    return {str(k).lower(): v for k, v in headers.items() if isinstance(v, str)}


def _kind(value: Any) -> str:
    return "null" if value is None else f"a JSON {type(value).__name__}"


__all__ = [
    "HAR",
    "MAX_CAPTURE_BYTES",
    "SCIM_SEGMENTS",
    "TRAFFIC_JSONL",
    "Capture",
    "CaptureError",
    "RecordedExchange",
    "is_under",
    "load_capture",
    "normalize_base",
    "scim_base",
]
