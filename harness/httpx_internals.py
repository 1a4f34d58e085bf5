"""The one place harness reaches into httpx's internals: a response whose body is in hand.

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
loudly, never skips, when an httpx breaks it). :func:`contract_violation` checks it again
at import on the installed httpx; where it fails, :func:`read_response` builds responses
the public way (correct, only slower) and a RuntimeWarning says so once.
"""

from __future__ import annotations

import warnings
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


def contract_violation() -> str | None:
    """What about the installed httpx breaks the contract above; None when it holds."""
    body = b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404"}'
    headers = [(b"content-type", b"application/scim+json")]
    try:
        response = _response_with_content(httpx.Request("GET", "http://probe/"), 404, headers, body)
        readers = {
            "read()": response.read(),
            "content": response.content,
            "iter_bytes()": b"".join(response.iter_bytes()),
            "iter_bytes(7)": b"".join(response.iter_bytes(7)),
            "text": response.text.encode(),
        }
        status = response.json()["status"]
    except Exception as error:  # any change in httpx's readers turns the shortcut off
        return f"reading a response with _content set raises {type(error).__name__}: {error}"
    wrong = sorted(reader for reader, read in readers.items() if read != body)
    if wrong:
        return f"Response.{', .'.join(wrong)} do not return _content"
    if status != "404" or not response.is_closed:
        return "Response.json() or .is_closed disagree with _content"
    return None


_VIOLATION: Final = contract_violation()
_warned = False


def read_response(
    request: httpx.Request, status: int, headers: Headers, content: bytes
) -> httpx.Response:
    """The response to ``request``, already read, without reading the body back.

    It is the response :func:`public_response` builds (status, headers, body, stream
    consumed and closed) when ``headers`` carry the body's Content-Length or there is no
    body, as in every in-process answer: the public way would add a missing one.
    """
    global _warned
    if _VIOLATION is None:
        return _response_with_content(request, status, headers, content)
    if not _warned:
        _warned = True
        warnings.warn(
            f"httpx {httpx.__version__} changed httpx.Response's internals ({_VIOLATION}); "
            "in-process responses are read back the slower public way",
            RuntimeWarning,
            stacklevel=2,
        )
    return public_response(request, status, headers, content)
