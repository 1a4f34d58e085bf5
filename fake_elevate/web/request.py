"""ScimRequest: what a resource handler reads of a request (headers, query, body, base URL)."""

from __future__ import annotations

from codecs import escape_decode
from collections.abc import Callable, MutableMapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote

from fastapi import Request
from starlette.datastructures import URL


class ScimRequest:
    """What a resource handler reads of one HTTP request: built from its ASGI scope and body.

    Starlette's ``Request`` does the same lazily but at several times the cost per
    request; this keeps its semantics where handlers rely on them: header lookup is
    case-insensitive and the first occurrence wins, query parameters are parsed from
    the latin-1 query string with blank values kept and the last occurrence wins, and
    the base URL is Starlette's own (Host header, else the server address).
    """

    __slots__ = ("_base_url", "_headers", "_query", "body", "body_too_large", "scope")

    #: (scheme, Host header, server, root path) -> base URL without the trailing slash.
    _base_urls: ClassVar[dict[tuple[Any, ...], str]] = {}

    def __init__(
        self, scope: MutableMapping[str, Any], body: bytes, *, body_too_large: bool
    ) -> None:
        self.scope = scope
        self.body = body
        self.body_too_large = body_too_large
        self._headers: dict[bytes, bytes] | None = None
        self._query: dict[str, str] | None = None
        self._base_url: str | None = None

    @classmethod
    async def from_starlette(cls, request: Request, limit: int) -> ScimRequest:
        chunks: list[bytes] = []
        size = 0
        too_large = False
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                too_large = True
                break
            chunks.append(chunk)
        return cls(request.scope, b"".join(chunks), body_too_large=too_large)

    def header(self, name: str) -> str | None:
        """The first value of the header ``name`` (lower case), or None."""
        value = self._raw_headers().get(name.encode("latin-1"))
        return None if value is None else value.decode("latin-1")

    def _raw_headers(self) -> dict[bytes, bytes]:
        headers = self._headers
        if headers is None:
            headers = self._headers = _header_map(self.scope["headers"])
        return headers

    def query(self, name: str) -> str | None:
        return self.query_params().get(name)

    def query_params(self) -> dict[str, str]:
        """Every query parameter, by name (the last occurrence of each); not to be changed."""
        params = self._query
        if params is None:
            raw = self.scope.get("query_string", b"")
            params = self._query = _parse_query(raw.decode("latin-1")) if raw else {}
        return params

    def has_query(self, name: str) -> bool:
        return self.query(name) is not None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            self._base_url = self._find_base_url()
        return self._base_url

    def _find_base_url(self) -> str:
        scope = self.scope
        root_path = scope.get("app_root_path", scope.get("root_path", ""))
        server = scope.get("server")
        # The Host header's raw bytes stand for its text (decoded as latin-1, one to one).
        key = (
            scope.get("scheme", "http"),
            self._raw_headers().get(b"host"),
            server if type(server) is tuple else tuple(server) if server else None,
            root_path,
        )
        base = self._base_urls.get(key)
        if base is None:
            # Exactly Starlette's Request.base_url, computed once per distinct origin.
            base_scope = dict(scope)
            base_scope["path"] = root_path if root_path.endswith("/") else root_path + "/"
            base_scope["query_string"] = b""
            base_scope["root_path"] = root_path
            base = str(URL(scope=base_scope)).rstrip("/")
            if len(self._base_urls) >= 256:  # the Host header is the client's to choose
                self._base_urls.clear()
            self._base_urls[key] = base
        return base


def _header_map(pairs: Any) -> dict[bytes, bytes]:
    """Header name (lower case) -> its first value, from the ASGI ``headers`` pairs.

    Raw bytes, decoded only when asked for: a handler reads three or four of the eight or
    so headers a client sends. bytes.lower() folds exactly the names str.lower() folds that
    a lower-case ASCII name can equal. Built from the last pair to the first, so the first
    occurrence of a name is the one kept.
    """
    if type(pairs) is not list:
        pairs = list(pairs)
    headers = {}  # a loop, not a comprehension: no frame of its own
    for key, value in reversed(pairs):
        headers[key.lower()] = value
    return headers


def _parse_query(text: str) -> dict[str, str]:
    """``dict(parse_qsl(text, keep_blank_values=True))``, without its per-pair overhead
    for the plain ``name=value`` pairs (checked equal in tests/test_elevate_web_request.py)."""
    if ";" in text or len(text) > 4096:
        return dict(parse_qsl(text, keep_blank_values=True))
    params: dict[str, str] = {}
    for pair in text.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = _unquote(name)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = _unquote(value)
        params[name] = value
    return params


def _unquote(text: str) -> str:
    """``urllib.parse.unquote(text)``, at a tenth of its cost for ASCII text whose every
    ``%`` starts an escape (``%`` and two hex digits): the escapes, spelt as the ``\\x``
    escapes codecs.escape_decode reads in C, become their bytes, read as UTF-8 with
    errors replaced, as unquote reads them. Text with a backslash, another character
    escape_decode would read, goes to unquote, and so does any ``%`` escape_decode refuses
    (not followed by two hex digits) and non-ASCII text (which unquote reads piecewise).
    """
    if text.isascii() and "\\" not in text:
        try:
            raw = escape_decode(text.replace("%", "\\x"))[0]
        except ValueError:
            pass
        else:
            return raw.decode("utf-8", "replace")
    return unquote(text)


#: Whether one request, with its path parameters, may be answered on the event loop
#: (fake_elevate.web.resources.ResourceRoute.light); called with the store's lock held.
LightCheck = Callable[[ScimRequest, dict[str, str]], bool]
