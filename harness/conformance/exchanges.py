"""Evidence: every request and response of a conformance run, recorded once.

Every request of a run, the Entra engine's and the checks' own, goes through one
:class:`RecordingTransport`, so each :class:`Exchange` is kept in an
:class:`ExchangeLog`: a failed check shows the requests and responses it is about, and the
sweeps at the end judge the whole run at once. Credentials never reach the record: the
bearer token of every request is learnt by value, and it and the process's known secrets are
masked (:class:`harness.redaction.Redactor`) in every URL, header, body and error kept. A
body longer than :data:`harness.transport.EVIDENCE_BODY_LIMIT` is kept cut, with a marker
(and ``json()`` of it is None), so the log stays small however large the answers are.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from fake_entra.scim_client import LIST_RESPONSE_SCHEMA
from harness.redaction import KNOWN, Redactor
from harness.transport import EVIDENCE_BODY_LIMIT, cut_marker

#: What a masked secret reads as in the record (the report schema's word for it).
REDACTED: Final = "<redacted>"


@dataclass(frozen=True)
class Exchange:
    """One request and its response (or the error that stood in for one)."""

    index: int
    origin: str  # "entra" (the provisioning engine) or "probe" (the checks' own client)
    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes
    status: int | None
    response_headers: Mapping[str, str]
    response_body: bytes
    error: str | None
    timed_out: bool
    #: Seconds since the run started, and how long the exchange took.
    started: float
    elapsed: float
    #: Sent without valid credentials on purpose: a 401 here is the right answer.
    expect_refusal: bool = False
    #: The response body's size as it came, when it was cut to EVIDENCE_BODY_LIMIT.
    response_cut_from: int | None = None
    #: The PATCH dialect of the Entra flow that sent it (None outside a flow).
    dialect: str | None = None

    @property
    def path(self) -> str:
        """The path and query, as ``harness.validation`` routes them."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def header(self, name: str) -> str | None:
        return self.response_headers.get(name.lower())

    @property
    def media_type(self) -> str | None:
        content_type = self.header("content-type")
        return content_type.split(";", 1)[0].strip().lower() if content_type else None

    def json(self) -> Any:
        """The response body as JSON, or None when there is none or it is not JSON."""
        return _decode(self.response_body)

    def request_json(self) -> Any:
        return _decode(self.request_body)

    def describe(self) -> str:
        outcome = str(self.status) if self.status is not None else f"no response ({self.error})"
        return f"{self.method} {self.path} -> {outcome}"


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


class ExchangeLog:
    """Every exchange of a run, in order; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self._exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        #: The secrets this run's records are masked of: every bearer token sent.
        self.redactor = Redactor(mask=REDACTED)
        #: The dialect of the Entra flow running now; each exchange records it.
        self.dialect: str | None = None

    def __len__(self) -> int:
        return len(self._exchanges)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.all())

    def all(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def mark(self) -> int:
        """A position to read from with :meth:`since`."""
        return len(self._exchanges)

    def since(self, mark: int) -> list[Exchange]:
        with self._lock:
            return self._exchanges[mark:]

    @contextmanager
    def annotate(self, *, origin: str, expect_refusal: bool = False) -> Iterator[None]:
        """Label the exchanges this thread sends inside the block."""
        previous = getattr(self._local, "labels", None)
        self._local.labels = (origin, expect_refusal)
        try:
            yield
        finally:
            self._local.labels = previous

    def labels(self) -> tuple[str, bool]:
        # Requests nobody labelled come from the Entra engine's own client.
        return getattr(self._local, "labels", None) or ("entra", False)

    def add(self, **fields: Any) -> Exchange:
        with self._lock:
            fields.setdefault("dialect", self.dialect)
            exchange = Exchange(index=len(self._exchanges), **fields)
            self._exchanges.append(exchange)
            return exchange


class RecordingTransport(httpx.BaseTransport):
    """Keep every exchange that passes through ``inner`` in ``log``."""

    def __init__(self, inner: httpx.BaseTransport, log: ExchangeLog) -> None:
        self.inner = inner
        self.log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        origin, expect_refusal = self.log.labels()
        body = request.read()
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            self.log.redactor.add(token.strip())
        started = self.log.clock()
        common = {
            "origin": origin,
            "method": request.method,
            "url": self._text(str(request.url)),
            "request_headers": self._headers(request.headers),
            "request_body": self._body(body)[0],
            "started": started - self.log.started,
            "expect_refusal": expect_refusal,
        }
        try:
            response = self.inner.handle_request(request)
            content = response.read()
        except httpx.TransportError as error:
            self.log.add(
                **common,
                status=None,
                response_headers={},
                response_body=b"",
                error=self._text(
                    f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                ),
                timed_out=isinstance(error, httpx.TimeoutException),
                elapsed=self.log.clock() - started,
            )
            raise
        kept, cut_from = self._body(content)
        self.log.add(
            **common,
            status=response.status_code,
            response_headers=self._headers(response.headers),
            response_body=kept,
            response_cut_from=cut_from,
            error=None,
            timed_out=False,
            elapsed=self.log.clock() - started,
        )
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=content,
            request=request,
            extensions=response.extensions,
        )

    def close(self) -> None:
        # Every httpx.Client that borrows this transport closes it when done (the engine's
        # ScimClient after each Test Connection); the run owns the inner transport and
        # closes it once, at the end.
        pass

    def _text(self, text: str) -> str:
        return KNOWN.text(self.log.redactor.text(text))

    def _headers(self, headers: httpx.Headers) -> dict[str, str]:
        """Headers for the record, names in lower case; credentials never reach a report,
        not the real token and not the deliberately wrong one. The authorization scheme
        stays readable."""
        return {
            name.lower(): KNOWN.text(value)
            for name, value in self.log.redactor.header_pairs(headers)
        }

    def _body(self, content: bytes) -> tuple[bytes, int | None]:
        """A body for the record: its secrets masked, cut past EVIDENCE_BODY_LIMIT (with
        the size it came with)."""
        cut_from = None
        if len(content) > EVIDENCE_BODY_LIMIT:
            cut_from = len(content)
            marker = cut_marker(cut_from, EVIDENCE_BODY_LIMIT).encode()
            content = content[:EVIDENCE_BODY_LIMIT] + marker
        return KNOWN.bytes(self.log.redactor.bytes(content)), cut_from


def list_resources(exchange: Exchange) -> list[dict[str, Any]] | None:
    """The Resources of a ListResponse, or None when the body is not one."""
    body = exchange.json()
    if not isinstance(body, dict) or LIST_RESPONSE_SCHEMA not in (body.get("schemas") or []):
        return None
    if not isinstance(body.get("totalResults"), int):
        return None
    resources = body.get("Resources", [])
    if not isinstance(resources, list):
        return None
    return [r for r in resources if isinstance(r, dict)]


__all__ = ["Exchange", "ExchangeLog", "RecordingTransport", "list_resources"]
