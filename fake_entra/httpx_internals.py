"""The one place provisim touches httpx's private internals (tests/test_code_health.py).

Two shortcuts, each resting on a contract that :func:`url_contract_violation` and
:func:`response_contract_violation` check against the installed httpx at import, and that
tests/test_entra_httpx_internals.py checks too, failing (never skipping) when an httpx
release breaks one. Where a contract does not hold, its shortcut is off: the same result is
built httpx's public way (correct, only slower) and a RuntimeWarning says so once. Both are
verified on httpx 0.27.2, 0.28.1 and 0.29.0; pyproject.toml pins ``httpx>=0.27,<0.30``.

**A URL made from a parsed base** (:class:`UrlBase`, for Fake Entra's SCIM client). Every
public way to make an ``httpx.URL`` (``httpx.URL(str)``, ``URL.copy_with``, ``URL.join``,
``httpx.Request(method, str)``) parses and validates the whole URL, about 15 µs; the SCIM
client's own work per request in-process is a few µs more, and a 10,000-user initial cycle
sends ~27,000 requests. All requests of one client share the scheme, user info, host and
port of its base URL, so :class:`UrlBase` keeps httpx's parse of that base and makes each
request's URL from it with another path and query, about 1 µs. The result is the URL httpx
itself would build from the same text (tested, with the requests built from it, in
tests/test_entra_scim_client.py). The contract: an ``httpx.URL`` keeps its parse in the
attribute ``_uri_reference``, a NamedTuple of str parts ``(scheme, userinfo, host, port,
path, query, fragment)`` already normalised and percent-encoded, which every public
property of the URL reads, and ``httpx.URL(url)`` of a URL shares that tuple. Without it
:meth:`UrlBase.of` answers None and requests take httpx's ordinary way (the same bytes).

**A response whose body is in hand** (:func:`read_response`, for harness's in-process
:class:`harness.transport.AsgiTransport`). An in-process answer has its whole body as bytes
already. ``httpx.Response(status, headers=..., content=body)``, the public way, reads that
body back through the stream decoders and chunkers: about 10 µs a response, 5-10% of the
in-process request rate on Entra's request mix (about 4,400 against 4,000 requests/s on the
project's machine). :func:`read_response` hands the body over as the response's read
content instead, through httpx's private ``Response._content``, and marks the stream
consumed and closed, as httpx's own read would. The contract: httpx's ``Response.read()``,
``.content``, ``.iter_bytes()`` and the text and JSON readers return ``_content`` once it
is set, without touching the stream. Without it :func:`read_response` builds the response
as :func:`public_response` does.

The module is in ``fake_entra`` because harness may import fake_entra but fake_entra never
imports harness: from here both reach it.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import httpx

if TYPE_CHECKING:
    # Only for the type checker, which then checks this module against httpx's own
    # definition; at run time the contract is checked by url_contract_violation().
    from httpx._urlparse import ParseResult

# --- a URL made from a parsed base -----------------------------------------------------------

#: The fields of httpx's parsed URL, in order.
PARSE_FIELDS = ("scheme", "userinfo", "host", "port", "path", "query", "fragment")


def _reference(url: httpx.URL) -> Any:
    return getattr(url, "_uri_reference", None)


def url_contract_violation() -> str | None:
    """What about the installed httpx breaks the URL contract; None when it holds."""
    probe = httpx.URL("https://user@example.com:8443/a%20b?q=1#f")
    reference = _reference(probe)
    if reference is None:
        return "httpx.URL has no _uri_reference"
    if not isinstance(reference, tuple) or getattr(reference, "_fields", None) != PARSE_FIELDS:
        return f"httpx.URL._uri_reference is {type(reference).__name__}, not {PARSE_FIELDS}"
    expected = ("https", "user", "example.com", 8443, "/a%20b", "q=1", "f")
    if tuple(reference) != expected:
        return f"httpx.URL._uri_reference holds {tuple(reference)!r}, expected {expected!r}"
    if _reference(httpx.URL(probe)) is not reference:
        return "httpx.URL(url) does not share the parse of url"
    shell = httpx.URL(probe)
    try:
        shell._uri_reference = reference._replace(path="/c", query=None, fragment=None)
    except (AttributeError, TypeError) as error:
        return f"httpx.URL._uri_reference cannot be set: {error}"
    if str(shell) != "https://user@example.com:8443/c" or shell.raw_path != b"/c":
        return "httpx.URL does not read its public properties from _uri_reference"
    return None


_URL_VIOLATION: Final = url_contract_violation()
_url_warned = False


class UrlBase:
    """httpx's parse of a base URL, from which request URLs are made without parsing."""

    __slots__ = ("_reference", "path")

    def __init__(self, reference: ParseResult) -> None:
        self._reference = reference
        #: The base URL's path, percent-encoded as httpx normalised it.
        self.path: str = reference.path

    @classmethod
    def of(cls, base: httpx.URL) -> UrlBase | None:
        """The parse of ``base``; None when ``base`` has a query or a fragment, or when the
        installed httpx breaks the contract (requests then go httpx's ordinary way)."""
        global _url_warned
        if _URL_VIOLATION is not None:
            if not _url_warned:
                _url_warned = True
                warnings.warn(
                    f"httpx {httpx.__version__} changed httpx.URL's internals ({_URL_VIOLATION}); "
                    "Fake Entra's SCIM client builds every URL the slower public way",
                    RuntimeWarning,
                    stacklevel=2,
                )
            return None
        reference = base._uri_reference
        if reference.query is not None or reference.fragment is not None:
            return None
        return cls(reference)

    def url(self, path: str, query: str | None) -> httpx.URL:
        """This base with ``path`` and ``query``, which must be what httpx would make of
        them already: absolute, percent-encoded, normalised (not checked here)."""
        url = httpx.URL(_BLANK_URL)
        url._uri_reference = self._reference._replace(path=path, query=query)
        return url


#: Copied, never parsed again: the shell :meth:`UrlBase.url` fills in.
_BLANK_URL = httpx.URL("")


# --- a response whose body is in hand --------------------------------------------------------

Headers = list[tuple[bytes, bytes]]


R = TypeVar("R", bound=httpx.Response)


@overload
def public_response(
    request: httpx.Request | None, status: int, headers: Headers, content: bytes
) -> httpx.Response: ...
@overload
def public_response(
    request: httpx.Request | None,
    status: int,
    headers: Headers,
    content: bytes,
    response_class: type[R],
) -> R: ...
def public_response(
    request: httpx.Request | None,
    status: int,
    headers: Headers,
    content: bytes,
    response_class: type[httpx.Response] = httpx.Response,
) -> httpx.Response:
    """The response, built and read the public way (``request`` None: set it later)."""
    return response_class(status, headers=headers, content=content, request=request)


@overload
def _response_with_content(
    request: httpx.Request | None, status: int, headers: Headers, content: bytes
) -> httpx.Response: ...
@overload
def _response_with_content(
    request: httpx.Request | None,
    status: int,
    headers: Headers,
    content: bytes,
    response_class: type[R],
) -> R: ...
def _response_with_content(
    request: httpx.Request | None,
    status: int,
    headers: Headers,
    content: bytes,
    response_class: type[httpx.Response] = httpx.Response,
) -> httpx.Response:
    response = response_class(
        status, headers=headers, stream=httpx.ByteStream(content), request=request
    )
    response._content = content  # the private attribute httpx's readers return
    # As after httpx's own read: the stream is used up and nothing is left to release.
    response.is_stream_consumed = True
    response.is_closed = True
    return response


def response_contract_violation() -> str | None:
    """What about the installed httpx breaks the Response contract; None when it holds."""
    body = b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404"}'
    headers = [(b"content-type", b"application/scim+json")]
    try:
        response = _response_with_content(
            httpx.Request("GET", "http://probe/"), 404, headers, body, httpx.Response
        )
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


_RESPONSE_VIOLATION: Final = response_contract_violation()
_response_warned = False


@overload
def read_response(
    request: httpx.Request | None, status: int, headers: Headers, content: bytes
) -> httpx.Response: ...
@overload
def read_response(
    request: httpx.Request | None,
    status: int,
    headers: Headers,
    content: bytes,
    response_class: type[R],
) -> R: ...
def read_response(
    request: httpx.Request | None,
    status: int,
    headers: Headers,
    content: bytes,
    response_class: type[httpx.Response] = httpx.Response,
) -> httpx.Response:
    """The response to ``request``, already read, without reading the body back.

    It is the response :func:`public_response` builds (status, headers, body, stream
    consumed and closed) when ``headers`` carry the body's Content-Length or there is no
    body, as in every in-process answer: the public way would add a missing one.
    ``response_class`` may be a subclass of ``httpx.Response`` (constructed as httpx's own);
    ``request`` None leaves the request to be set later, as ``httpx.Response`` allows.
    """
    global _response_warned
    if _RESPONSE_VIOLATION is None:
        return _response_with_content(request, status, headers, content, response_class)
    if not _response_warned:
        _response_warned = True
        warnings.warn(
            f"httpx {httpx.__version__} changed httpx.Response's internals "
            f"({_RESPONSE_VIOLATION}); in-process responses are read back the slower public way",
            RuntimeWarning,
            stacklevel=2,
        )
    return public_response(request, status, headers, content, response_class)
