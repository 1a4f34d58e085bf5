"""The one place provisim reaches into httpx's internals: a response whose body is in hand.

An in-process answer (:class:`harness.transport.AsgiTransport`) has its whole body as bytes
already. ``httpx.Response(status, headers=..., content=body)``, the public way, reads that
body back through the stream decoders and chunkers: about 10 µs a response, 5-10% of the
in-process request rate on Entra's request mix (about 4,400 against 4,000 requests/s on the
project's machine). :func:`read_response` hands the body over as the response's read content
instead, through httpx's private ``Response._content``, and marks the stream consumed and
closed, as httpx's own read would. Nothing else in harness touches a private name of httpx.

The contract: httpx's ``Response.read()``, ``.content``, ``.iter_bytes()`` and the text and
JSON readers return ``_content`` once it is set, without touching the stream. That held
from httpx 0.27.0 to 0.29.0 (checked by tests/test_harness_httpx_internals.py, which fails
loudly, first thing, when an httpx breaks it). :data:`SHORTCUT_HOLDS` checks it again at
import on the installed httpx; where it fails, :func:`read_response` builds the response
the public way: correct, only slower.
"""

from __future__ import annotations

from typing import Final

import httpx

Headers = list[tuple[bytes, bytes]]


def public_response(
    request: httpx.Request, status: int, headers: Headers, content: bytes
) -> httpx.Response:
    """The response, built and read the public way."""
    return httpx.Response(status, headers=headers, content=content, request=request)


def _response_with_content(
    request: httpx.Request, status: int, headers: Headers, content: bytes
) -> httpx.Response:
    response = httpx.Response(
        status, headers=headers, stream=httpx.ByteStream(content), request=request
    )
    response._content = content  # the private attribute httpx's readers return
    # As after httpx's own read: the stream is used up and nothing is left to release.
    response.is_stream_consumed = True
    response.is_closed = True
    return response


def _shortcut_holds() -> bool:
    """Whether every reader of a response built by the shortcut returns its body."""
    body = b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404"}'
    headers = [(b"content-type", b"application/scim+json")]
    try:
        response = _response_with_content(httpx.Request("GET", "http://probe/"), 404, headers, body)
        return (
            response.read() == body
            and response.content == body
            and b"".join(response.iter_bytes()) == body
            and b"".join(response.iter_bytes(7)) == body
            and response.text == body.decode()
            and response.json()["status"] == "404"
            and response.is_closed
        )
    except Exception:  # any change in httpx's readers means the shortcut is off
        return False


#: Whether the installed httpx keeps the contract above; checked once, at import.
SHORTCUT_HOLDS: Final = _shortcut_holds()


def read_response(
    request: httpx.Request, status: int, headers: Headers, content: bytes
) -> httpx.Response:
    """The response to ``request``, already read, without reading the body back.

    It is the response :func:`public_response` builds (status, headers, body, stream
    consumed and closed) when ``headers`` carry the body's Content-Length or there is no
    body, as in every in-process answer: the public way would add a missing one.
    """
    if SHORTCUT_HOLDS:
        return _response_with_content(request, status, headers, content)
    return public_response(request, status, headers, content)
