"""The SCIM transport: one httpx code path for in-process ASGI apps and real HTTP endpoints.

Starlette's TestClient is deliberately not used (recent Starlette warns when it
is combined with httpx). :class:`AsgiTransport` is a synchronous
``httpx.BaseTransport`` that hands each request to an ASGI app on a private
event loop, so an ``httpx.Client`` talks to Fake Elevate in-process exactly as
it would over a socket. Whatever host the
URL names (``https://api.linkedin.com``), the app answers.

A real endpoint is untrusted: :class:`BoundedTransport` (from :mod:`fake_entra.http_limits`)
ends each request by its deadline and reads at most a capped body, with the
:class:`ResponseLimits` a command was given (``--timeout``, ``--max-body``; the pytest plugin
and its xdist workers read them from the environment). What is kept of a body as evidence
is cut at :data:`EVIDENCE_BODY_LIMIT` with :func:`cut_marker`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
from collections.abc import Coroutine
from typing import Any, Final, TypeVar
from urllib.parse import unquote

import httpx

from fake_entra.http_limits import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TIMEOUT_SECONDS,
    BoundedTransport,
    ResponseDeadlineExceeded,
    ResponseLimits,
    ResponseTooLarge,
    size_text,
)
from fake_entra.httpx_internals import read_response
from fake_entra.scim_exchange import ScimRequest, ScimResponse

T = TypeVar("T")

#: The most of one body kept as evidence (conformance's exchange log, ``run``'s
#: traffic.jsonl); the rest is cut, with :func:`cut_marker` saying so.
EVIDENCE_BODY_LIMIT: Final = 256 * 1024
#: How ``provisim run`` hands ``--timeout`` and ``--max-body`` to the pytest plugin and its
#: xdist workers.
ENV_TIMEOUT: Final = "PROVISIM_TIMEOUT"
ENV_MAX_BODY: Final = "PROVISIM_MAX_BODY"


def cut_marker(size: int, kept: int) -> str:
    """What follows a body cut as evidence."""
    return f"\u2026[cut by provisim: {size} bytes, the first {kept} kept]"


def limits_from_environment() -> ResponseLimits:
    """The limits ``provisim run`` set in the environment; the defaults otherwise."""
    timeout = os.environ.get(ENV_TIMEOUT)
    max_body = os.environ.get(ENV_MAX_BODY)
    try:
        return ResponseLimits(
            float(timeout) if timeout else DEFAULT_TIMEOUT_SECONDS,
            parse_size(max_body) if max_body else DEFAULT_MAX_BODY_BYTES,
        )
    except ValueError as error:
        raise ValueError(f"{ENV_TIMEOUT}/{ENV_MAX_BODY}: {error}") from None


_SIZE_UNITS: Final = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
}


def parse_size(text: str) -> int:
    """``--max-body``'s value: bytes, or with a unit (``512k``, ``8MiB``; powers of 1024)."""
    number = text.strip().lower().rstrip("s")
    digits = number.rstrip("abgikm ")
    unit = number[len(digits) :].strip()
    try:
        size = int(float(digits) * _SIZE_UNITS[unit])
    except (KeyError, ValueError):
        raise ValueError(f"not a size: {text!r} (say 8MiB, 512KiB or a number of bytes)") from None
    if size < 1:
        raise ValueError(f"a size must be positive, not {text!r}")
    return size


class AsgiTransport(httpx.BaseTransport):
    """Serve an ``httpx.Client`` from an ASGI application, in-process and synchronously.

    Each request becomes one ASGI ``http`` call (RFC-faithful scope, the whole body
    in one ``http.request`` message) run on a private event loop per thread; the
    response is collected from ``http.response.start``/``body`` messages. App
    exceptions propagate, as with httpx's own ASGITransport.

    An app may also offer ``answer_in_process(scope, body)``, returning ``(status,
    headers, body)`` or None: the same ASGI scope and whole body, answered by the
    same handlers, without the receive/send round trip (Fake Elevate's resource
    routes do; ``direct=False`` forces the ASGI call, e.g. to compare the two).
    """

    def __init__(
        self,
        app: Any,
        *,
        client: tuple[str, int] = ("127.0.0.1", 50000),
        direct: bool = True,
    ) -> None:
        self.app = app
        self.client = client
        self._answer_in_process = getattr(app, "answer_in_process", None) if direct else None
        self._local = threading.local()
        self._portal: concurrent.futures.ThreadPoolExecutor | None = None
        self._portal_lock = threading.Lock()

    def scope(self, request: httpx.Request) -> dict[str, Any]:
        """The ASGI ``http`` scope of ``request``."""
        url = request.url
        raw_path, _, _ = url.raw_path.partition(b"?")
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": unquote(raw_path.decode("ascii")),
            "raw_path": raw_path,
            "query_string": url.query,
            "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
            "client": self.client,
            "state": {},
        }

    def scim_scope(self, request: ScimRequest) -> dict[str, Any]:
        """The ASGI ``http`` scope of a Fake Entra SCIM request: the one :meth:`scope` makes
        of ``request.to_httpx()`` (tests/test_harness_transport.py), without building it."""
        endpoint = request.endpoint
        # The path holds unreserved characters only (ScimRequest): it is its own decoding.
        path = request.path
        query = request.query
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": endpoint.scheme,
            "path": path,
            "raw_path": path.encode("ascii"),
            "query_string": b"" if query is None else query.encode("ascii"),
            "root_path": "",
            "headers": request.scope_headers,
            "server": endpoint.server,
            "client": self.client,
            "state": {},
        }

    def handle_scim_request(self, request: ScimRequest) -> httpx.Response:
        """Answer a :class:`~fake_entra.scim_exchange.ScimRequest` in-process without an
        ``httpx.Request``, when the app answers in process; otherwise as
        :meth:`handle_request` answers ``request.to_httpx()``."""
        if self._answer_in_process is not None:
            answer = self._answer_in_process(self.scim_scope(request), request.content)
            if answer is not None:
                status, headers, content = answer
                response = read_response(None, status, headers, content, ScimResponse)
                response.scim_request = request
                return response
        return self.handle_request(request.to_httpx())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        scope = self.scope(request)
        if self._answer_in_process is not None:
            answer = self._answer_in_process(scope, body)
            if answer is not None:
                # The body is in hand: given to httpx as read, not read back (5-10% faster).
                response: httpx.Response = read_response(request, *answer)
                return response
        call = self._call(scope, body)
        probe = getattr(self.app, "handles_without_suspending", None)
        if probe is not None and probe(scope):
            status, headers, content = _complete_at_once(call)
        else:
            status, headers, content = self._run(call)
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(
        self, scope: dict[str, Any], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        sent_body = False
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        if not start:
            raise RuntimeError("the ASGI app finished without sending a response")
        return start["status"], list(start.get("headers", ())), b"".join(chunks)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # The usual case: synchronous caller, one private loop per thread.
            loop = getattr(self._local, "loop", None)
            if loop is None or loop.is_closed():
                loop = self._local.loop = asyncio.new_event_loop()
            return loop.run_until_complete(coro)
        # Called from inside a running loop (async test code): hop to a helper
        # thread with its own loop instead of nesting loops.
        with self._portal_lock:
            if self._portal is None:
                self._portal = concurrent.futures.ThreadPoolExecutor(1, "provisim-asgi")
        return self._portal.submit(asyncio.run, coro).result()

    def close(self) -> None:
        loop = getattr(self._local, "loop", None)
        if loop is not None and not loop.is_closed():
            loop.close()
        if self._portal is not None:
            self._portal.shutdown(wait=False)
            self._portal = None


def _complete_at_once(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that promised never to suspend: one step, no event loop.

    Saves the ~100 µs an event-loop round trip costs per in-process request. If the
    app breaks its promise, that is a bug worth a loud error, not a hang.
    """
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("the ASGI app suspended although it said it would not")


def scim_client(
    base_url: str,
    token: str | None = None,
    *,
    app: Any = None,
    timeout: float = 30.0,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` for a SCIM base URL, in-process when ``app`` is given; over the
    network each request ends within ``timeout`` in all and reads at most the default
    body cap."""
    all_headers = {"Accept": "application/scim+json"}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    transport: httpx.BaseTransport = (
        AsgiTransport(app)
        if app is not None
        else BoundedTransport(httpx.HTTPTransport(), ResponseLimits(timeout))
    )
    return httpx.Client(
        base_url=base_url.rstrip("/"), headers=all_headers, transport=transport, timeout=timeout
    )


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TIMEOUT_SECONDS",
    "ENV_MAX_BODY",
    "ENV_TIMEOUT",
    "EVIDENCE_BODY_LIMIT",
    "AsgiTransport",
    "BoundedTransport",
    "ResponseDeadlineExceeded",
    "ResponseLimits",
    "ResponseTooLarge",
    "cut_marker",
    "limits_from_environment",
    "parse_size",
    "scim_client",
    "size_text",
]
