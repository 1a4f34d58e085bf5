"""SCIM requests handed to a transport without an ``httpx.Request`` per request (issue 23).

Building an ``httpx.Request`` (headers object, stream, URL) and reading an ASGI scope back
out of it costs about 15 µs a request, some 12% of a 10,000-user in-process initial cycle.
:class:`ScimRequest` is what :class:`fake_entra.scim_client.ScimClient` sends when the
request's URL needs no normalising (its fast path): the method, the path and query exactly
as httpx would make them, the header pairs exactly as httpx would send them, the body and the
extensions. :meth:`ScimRequest.to_httpx` builds the very ``httpx.Request`` the client sent
before this existed (and keeps it), so nothing on the wire changes.

The transport API stays httpx's: ``handle_request(httpx.Request)``. A transport may also
offer ``handle_scim_request(ScimRequest) -> httpx.Response`` (harness's in-process
``AsgiTransport`` and the bench's validating and counting wrappers do); :func:`send_scim`
uses it when it is there and hands every other transport ``request.to_httpx()``. A wrapper
that offers it forwards with :func:`send_scim` too, so any transport anywhere in a chain
that lacks it gets the ordinary request.

A transport answering a :class:`ScimRequest` returns a :class:`ScimResponse`: an
``httpx.Response`` whose ``request`` is built only when read (the engine reads it only for a
Test Connection's message).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import httpx

if TYPE_CHECKING:
    from fake_entra.httpx_internals import UrlBase


class ScimEndpoint:
    """What every request of one client shares: its base URL's parse, the ASGI scope's
    scheme and server, and the header pairs with and without a body, as httpx orders them
    (Host first, then the client's headers, then Content-Type and Content-Length)."""

    __slots__ = (
        "base",
        "headers_with_body",
        "headers_without_body",
        "httpx_headers_without_body",
        "scheme",
        "scope_headers_with_body",
        "scope_headers_without_body",
        "server",
    )

    def __init__(
        self,
        base: UrlBase,
        url: httpx.URL,
        headers_without_body: list[tuple[bytes, bytes]],
        headers_with_body: list[tuple[bytes, bytes]],
    ) -> None:
        self.base = base
        self.scheme = url.scheme
        # As an ASGI server names itself to the app: host and port, the default if none.
        self.server = (url.host, url.port or (443 if url.scheme == "https" else 80))
        self.headers_without_body = headers_without_body
        self.httpx_headers_without_body = httpx.Headers(headers_without_body)
        self.headers_with_body = headers_with_body
        # ASGI header names are lower case (harness.transport.AsgiTransport makes the same).
        self.scope_headers_without_body = [(k.lower(), v) for k, v in headers_without_body]
        self.scope_headers_with_body = [(k.lower(), v) for k, v in headers_with_body]


class ScimRequest:
    """One SCIM request on a client's fast path, with the ``httpx.Request`` left unbuilt.

    ``path`` is the whole path (the base URL's and the resource's), ``query`` the query
    string or None; both are already what httpx would make of them: unreserved characters
    and ``%XX`` escapes only in the query, unreserved only in the path (so the path is its
    own decoded form too, as ``httpx.URL.path`` would give it).
    """

    __slots__ = ("_built", "content", "endpoint", "extensions", "method", "path", "query")

    def __init__(
        self,
        endpoint: ScimEndpoint,
        method: str,
        path: str,
        query: str | None,
        content: bytes,
        extensions: dict[str, Any],
    ) -> None:
        self.endpoint = endpoint
        self.method = method
        self.path = path
        self.query = query
        self.content = content
        self.extensions = extensions
        self._built: httpx.Request | None = None

    @property
    def target(self) -> str:
        """The path and query as the request line carries them (``/Users?filter=...``)."""
        return self.path if self.query is None else f"{self.path}?{self.query}"

    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The header pairs httpx sends for this request, in its order."""
        if not self.content:
            return self.endpoint.headers_without_body
        return [*self.endpoint.headers_with_body, (b"Content-Length", b"%d" % len(self.content))]

    @property
    def scope_headers(self) -> list[tuple[bytes, bytes]]:
        """The header pairs as an ASGI scope carries them (names in lower case)."""
        if not self.content:
            return self.endpoint.scope_headers_without_body
        return [
            *self.endpoint.scope_headers_with_body,
            (b"content-length", b"%d" % len(self.content)),
        ]

    def to_httpx(self) -> httpx.Request:
        """The ``httpx.Request`` of this request (built once): the one ScimClient built for
        it before ScimRequest existed, byte for byte and extension for extension."""
        built = self._built
        if built is None:
            endpoint = self.endpoint
            headers: httpx.Headers | list[tuple[bytes, bytes]] = (
                self.raw_headers if self.content else endpoint.httpx_headers_without_body
            )
            built = httpx.Request(
                self.method,
                endpoint.base.url(self.path, self.query),
                headers=headers,
                stream=httpx.ByteStream(self.content),
                extensions=self.extensions,
            )
            built.read()
            self._built = built
        return built


_RESPONSE_REQUEST = httpx.Response.request


class ScimResponse(httpx.Response):
    """An ``httpx.Response`` to a :class:`ScimRequest`, whose ``request`` is that request's
    :meth:`~ScimRequest.to_httpx`, built when first read. Everything else is httpx's."""

    scim_request: ScimRequest | None = None

    @property
    def request(self) -> httpx.Request:
        pending = self.scim_request
        if pending is not None:
            self.scim_request = None
            _RESPONSE_REQUEST.fset(self, pending.to_httpx())  # type: ignore[attr-defined]
        return _RESPONSE_REQUEST.fget(self)  # type: ignore[attr-defined,no-any-return]

    @request.setter
    def request(self, value: httpx.Request) -> None:
        self.scim_request = None
        _RESPONSE_REQUEST.fset(self, value)  # type: ignore[attr-defined]

    def raise_for_status(self) -> ScimResponse:
        self.request  # httpx's check reads the request as set  # noqa: B018
        super().raise_for_status()
        return self


class ScimTransport(Protocol):
    """A transport that answers a :class:`ScimRequest` itself."""

    def handle_scim_request(self, request: ScimRequest) -> httpx.Response: ...


def send_scim(transport: httpx.BaseTransport, request: ScimRequest) -> httpx.Response:
    """``request`` through ``transport``: as it is when the transport takes a
    :class:`ScimRequest` (``handle_scim_request``), as ``request.to_httpx()`` otherwise."""
    handle = getattr(transport, "handle_scim_request", None)
    if handle is None:
        return transport.handle_request(request.to_httpx())
    response: httpx.Response = handle(request)
    return response
