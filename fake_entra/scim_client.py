"""The provisioning service's HTTP side: one SCIM endpoint, one Secret Token.

Every SCIM request Fake Entra sends goes through :class:`ScimClient`. It turns
the admin's Tenant URL into a base URL, sends Entra's headers (Bearer token,
``application/scim+json``: entra-provisioning-service.md §1 "Transport") and
takes an optional ``httpx`` transport, so a harness can route the traffic to an
in-process ASGI app instead of the network.

Tenant URL flags: Entra reads behaviour switches from the query string,
``https://host/scim/v2/?aadOptscim062020`` (§1, §5.3). How Entra strips them
when it builds paths is unconfirmed, so the client strips every value-less query
item as a flag (compared case-insensitively) and keeps ``key=value`` items as
query parameters of every request.

What sent a request: each request may carry a :class:`RequestOrigin` (a sync cycle and its
id, a provision on demand, a Test Connection) in the httpx request extension
:data:`ORIGIN_EXTENSION`. Extensions never reach the wire, so a recording transport (or any
transport wrapping the real one, in-process or over a socket) can tell whose exchange it
sees without counting.
"""

from __future__ import annotations

import json as jsonlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from http.client import HTTPResponse
from http.cookiejar import CookieJar
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit
from urllib.request import Request

import httpx
import orjson

from fake_entra.dialects import Dialect
from fake_entra.http_limits import (
    DEFAULT_MAX_BODY_BYTES,
    BoundedTransport,
    ResponseLimits,
)
from fake_entra.http_limits import (
    DEFAULT_TIMEOUT_SECONDS as DEFAULT_TIMEOUT_SECONDS,
)
from fake_entra.httpx_internals import UrlBase
from fake_entra.scim_exchange import ScimEndpoint, ScimRequest, ScimResponse, send_scim

SCIM_MEDIA_TYPE = "application/scim+json"

#: §5.3: opts in to the RFC-compliant PATCH dialect.
FLAG_COMPLIANT_PATCH = "aadoptscim062020"
#: §5.3: rolls back to the 2017 behaviour once the compliant one is the default.
FLAG_PATCH_2017 = "azureadscimpatch2017"
_KNOWN_FLAGS = frozenset({FLAG_COMPLIANT_PATCH, FLAG_PATCH_2017})

LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

#: The httpx request extension holding the :class:`RequestOrigin` of a request. httpx and
#: httpcore pass extensions they don't know along untouched and never send them.
ORIGIN_EXTENSION = "provisim.origin"
#: The httpx extension (of a request or a response) holding its body already parsed, as a
#: 1-tuple ``(value,)``: what :func:`decode_json` of the body's bytes gives, so that each
#: body is parsed once however many readers it has (:func:`parsed_body`). The client sets
#: it on requests whose JSON body it wrote by the fast path (the parse of those bytes is
#: the body it was given); a transport that parsed a response may set it on the response.
#: Whoever reads it must not change the value in place before the exchange is over.
PARSED_BODY_EXTENSION = "provisim.parsed-body"


class OriginKind(StrEnum):
    """What, in Fake Entra, sent a SCIM request."""

    CYCLE = "cycle"
    ON_DEMAND = "on-demand"
    TEST_CONNECTION = "test-connection"


@dataclass(frozen=True, slots=True)
class RequestOrigin:
    """The sender of a request, as the request extension :data:`ORIGIN_EXTENSION` carries it.

    ``run_id`` tells runs of one kind apart: a cycle's id (the ``cycleId`` of its log
    entries), the id a provision on demand logs under, or the GUID a Test Connection probes
    for. ``cycle_kind`` is "Initial" or "Incremental" for a cycle, None otherwise.
    """

    kind: OriginKind
    run_id: str
    cycle_kind: str | None = None


#: How deep :func:`encode_json` follows nesting before it leaves the body to the stdlib
#: (which then reports a circular reference as it always did).
_MAX_FAST_DEPTH = 64


def _plain_json(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` holds only dicts with str keys, lists, str, bool, None and int.

    For exactly these types orjson writes what ``json.dumps`` writes (compact, keys in
    insertion order); floats (``1e-05`` vs ``0.00001``), subclasses, tuples and any
    other type go to the stdlib, which stays the reference.
    """
    kind = type(value)
    if kind is dict:
        if depth > _MAX_FAST_DEPTH or not all(type(key) is str for key in value):
            return False
        items: Any = value.values()
    elif kind is list:
        if depth > _MAX_FAST_DEPTH:
            return False
        items = value
    else:
        return kind is str or kind is bool or value is None or kind is int
    for item in items:
        item_kind = type(item)
        if item_kind is str or item_kind is bool or item is None or item_kind is int:
            continue
        if not _plain_json(item, depth + 1):
            return False
    return True


def encode_json(body: Any) -> bytes:
    """``json.dumps(body, separators=(",", ":"))`` as ASCII bytes, byte for byte.

    orjson writes the same bytes for plain JSON values as long as its output is ASCII
    without DEL (``ensure_ascii`` escapes every other character as ``\\uXXXX``) and no
    integer exceeds 64 bits (orjson refuses those); anything else is left to the stdlib.
    """
    return _encode(body)[0]


def _encode(body: Any) -> tuple[bytes, bool]:
    """:func:`encode_json`'s bytes, and whether they parse back to ``body`` itself (plain
    dicts, lists, str, bool, None and 64-bit int written by orjson: its parse, and
    ``json.loads``', is a value equal to ``body`` of the same types)."""
    if _plain_json(body):
        try:
            encoded = orjson.dumps(body)
        except orjson.JSONEncodeError:
            pass
        else:
            if encoded.isascii() and b"\x7f" not in encoded:
                return encoded, True
    return jsonlib.dumps(body, separators=(",", ":")).encode(), False


def parsed_body(message: httpx.Request | httpx.Response | ScimRequest) -> Any:
    """``decode_json(message.content)``: the same value or the same exception, from the
    parse kept in :data:`PARSED_BODY_EXTENSION` when there is one."""
    kept = message.extensions.get(PARSED_BODY_EXTENSION)
    if kept is not None:
        return kept[0]
    return decode_json(message.content)


#: A number of 19 digits or more may read differently in orjson: it turns integers
#: beyond 64 bits into floats where the stdlib keeps them exact. Any run of 19 digits
#: (in a number or in a string, which only costs the stdlib's slower parse) is found by
#: mapping every digit to "0" and everything else to " ", then searching: a regex
#: costs more than the parse it guards.
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER = b"0" * 19
#: orjson nests up to 1024 levels, the stdlib until the interpreter's recursion limit;
#: a document with fewer brackets than this cannot reach either limit.
_MAX_FAST_BRACKETS = 256


def decode_json(content: bytes) -> Any:
    """``json.loads(content)``, the same value or the same exception, faster.

    orjson answers for UTF-8 documents without long numbers or deep nesting; whatever
    it refuses (a BOM, UTF-16, NaN, lone surrogates, invalid bytes) is parsed by the
    stdlib, which raises exactly what ``httpx.Response.json()`` raised.
    """
    shallow = content.count(b"[") + content.count(b"{") <= _MAX_FAST_BRACKETS
    if shallow and _LONG_NUMBER not in content.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    return jsonlib.loads(content)


class _NoCookies(CookieJar):
    """A cookie jar that keeps no cookie: a SCIM client is stateless between calls."""

    def extract_cookies(self, response: HTTPResponse, request: Request) -> None:
        return None


class TenantUrl:
    """A Tenant URL split into the SCIM base URL, its flags and its other parameters."""

    __slots__ = ("base_url", "flags", "original", "parameters")

    def __init__(self, tenant_url: str) -> None:
        self.original = tenant_url
        parts = urlsplit(tenant_url.strip())
        flags: set[str] = set()
        parameters: list[tuple[str, str]] = []
        for item in parts.query.split("&") if parts.query else []:
            if not item:
                continue
            name = item.split("=", 1)[0].strip().lower()
            if "=" not in item or name in _KNOWN_FLAGS:
                # Vendors' guides also write the flag with a value (?aadOptSCIM062020=true).
                flags.add(name)
            else:
                parameters.extend(parse_qsl(item, keep_blank_values=True))
        self.flags: frozenset[str] = frozenset(flags)
        self.parameters: tuple[tuple[str, str], ...] = tuple(parameters)
        self.base_url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    def has_flag(self, flag: str) -> bool:
        return flag.lower() in self.flags

    @property
    def patch_dialect(self) -> Dialect:
        # The 2017 flag is a rollback switch, so it wins if both are present.
        if self.has_flag(FLAG_COMPLIANT_PATCH) and not self.has_flag(FLAG_PATCH_2017):
            return Dialect.AAD_OPT_SCIM_062020
        return Dialect.DEFAULT

    def url_for(self, path: str) -> str:
        """``/Users`` under the base URL (Entra appends resource paths: linkedin-scim.md §1)."""
        return f"{self.base_url}/{path.lstrip('/')}"


def dialect_from_tenant_url(url: str) -> Dialect:
    """The dialect a Tenant URL selects: ``aadOptscim062020`` anywhere in the query
    string, bare (S2: ``https://host/scim/v2/?aadOptscim062020``) or with a value
    (vendors write ``?aadOptSCIM062020=true``), compared case-insensitively, unless
    ``AzureAdScimPatch2017`` rolls it back."""
    return TenantUrl(url).patch_dialect


def eq_filter(attribute: str, value: str) -> str:
    """``attribute eq "value"``, the only filter form Entra sends (§1 "Queries")."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{attribute} eq "{escaped}"'


def encode_query(items: Sequence[tuple[str, str]]) -> str:
    """A query string as Entra writes it: form-encoded, spaces as ``+``.

    Public captures of Entra's provisioning service show
    ``filter=userName+eq+%22cf4d78e8-...%22``, for every cycle's queries and for Test
    Connection alike (AzureAD/SCIMReferenceCode#63, 2022), and
    ``GET /Groups?excludedAttributes=members&filter=displayName+eq+%22EDU+All+personal%22``
    (audriga/scim-server-php#1); the SCIM Validator's report shows
    ``filter=userName+eq+"dale.mohr%40romaguera.uk"`` (Microsoft Q&A 2238842): spaces as
    ``+``, quotes as ``%22``, ``@`` as ``%40``. Other characters: inferred, as .NET's
    ``WebUtility.UrlEncode`` writes them (Entra is a .NET service): letters, digits and
    ``-_.!*()`` as they are, everything else percent-encoded in upper case, ``~`` too.
    """
    return "&".join(f"{_form_encode(key)}={_form_encode(value)}" for key, value in items)


def _form_encode(text: str) -> str:
    return quote_plus(text, safe="!*()").replace("~", "%7E")


#: A path httpx leaves as it is: unreserved characters only (RFC 3986 §2.3), so nothing
#: to percent-encode, and no "." or ".." segment for httpx to remove (checked apart).
_PLAIN_PATH = re.compile(r"[A-Za-z0-9._~/-]*")
#: The query strings :meth:`ScimClient.request` builds (:func:`encode_query` output),
#: which httpx's query quoting leaves as it is.
_PLAIN_QUERY = re.compile(r"(?:[A-Za-z0-9._&=+!*()-]|%[0-9A-F]{2})*")


class _FastRequests:
    """Makes the :class:`~fake_entra.scim_exchange.ScimRequest` of a request whose URL needs
    no normalising.

    ``httpx.Request(method, "https://...")`` parses and validates the whole URL and
    re-derives the headers (Host, Content-Length) on every call: most of the client's
    own cost per request in-process. Every request of a client shares the scheme,
    host and port of its base URL, so the base is parsed once (kept by
    :class:`~fake_entra.httpx_internals.UrlBase`) and, when the path and
    query are already in the form httpx would give them, the request's URL is the
    base with that path and query. Its ``httpx.Request`` (built only for a transport that
    needs one: :meth:`ScimRequest.to_httpx`) is built from a ready stream with the headers
    in the order httpx's own preparation gives them (Host first, then the client's, then
    Content-Type and Content-Length), so the request is the same one (same URL, headers,
    body and extensions). Anything else goes the ordinary way.
    """

    __slots__ = ("_base_path", "_endpoint")

    def __init__(
        self, base: httpx.URL, parsed: UrlBase, client_headers: list[tuple[bytes, bytes]]
    ) -> None:
        self._base_path = parsed.path
        host = (b"Host", base.netloc)
        self._endpoint = ScimEndpoint(
            parsed,
            base,
            [host, *client_headers],
            [host, *client_headers, (b"Content-Type", SCIM_MEDIA_TYPE.encode("ascii"))],
        )

    @classmethod
    def for_base(
        cls, base_url: str, client_headers: list[tuple[bytes, bytes]]
    ) -> _FastRequests | None:
        """None when the base URL itself needs httpx's full treatment on every request."""
        try:
            base = httpx.URL(base_url)
        except httpx.InvalidURL:
            return None
        # httpx's own parse of the base (fake_entra.httpx_internals): None with a query or
        # fragment, or with an httpx whose internals are not the ones verified.
        parsed = UrlBase.of(base)
        if (
            parsed is None
            or not base.host
            or not _PLAIN_PATH.fullmatch(parsed.path)
            or "/." in parsed.path
        ):
            return None
        return cls(base, parsed, client_headers)

    def request(
        self,
        method: str,
        relative: str,
        query: str | None,
        content: bytes | None,
        extensions: dict[str, Any],
    ) -> ScimRequest | None:
        path = f"{self._base_path}/{relative}"
        if (
            not _PLAIN_PATH.fullmatch(relative)
            or "/." in path
            or (query is not None and not _PLAIN_QUERY.fullmatch(query))
        ):
            return None
        if content is None:
            if method.upper() in ("POST", "PUT", "PATCH"):
                return None  # httpx would add Content-Length: 0 right after Host
            content = b""
        elif not content:
            return None
        return ScimRequest(self._endpoint, method, path, query, content, extensions)


def _userinfo(url: str) -> bool:
    try:
        return bool(httpx.URL(url).userinfo)
    except httpx.InvalidURL:
        return True  # let the Client raise what it raises for it, request by request


def _total(timeout: httpx.Timeout) -> float:
    """The deadline a :class:`httpx.Timeout` implies: its longest phase (30 s when none)."""
    phases = [t for t in timeout.as_dict().values() if t is not None]
    return max(phases) if phases else DEFAULT_TIMEOUT_SECONDS


class ScimClient:
    """An HTTP client bound to one SCIM endpoint and one Secret Token."""

    def __init__(
        self,
        tenant_url: str,
        secret_token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT_SECONDS,
        max_body: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.tenant_url = TenantUrl(tenant_url)
        if transport is None:
            # Over the network the endpoint is untrusted: every request ends by its deadline
            # and reads at most max_body bytes (fake_entra.http_limits). A transport of the
            # caller's brings its own limits (harness.network bounds every real socket).
            total = timeout if isinstance(timeout, int | float) else _total(timeout)
            transport = BoundedTransport(httpx.HTTPTransport(), ResponseLimits(total, max_body))
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {secret_token}",
                "Accept": SCIM_MEDIA_TYPE,
            },
            # Entra's provisioning client carries no cookies. A jar that keeps none also
            # spares the stdlib's parsing of each response for cookies (through the
            # Client, which requests take only without a transport of the caller's).
            cookies=_NoCookies(),
        )
        # What Client.build_request would merge into every request, computed once:
        # the client's headers (with and without a body) and its timeout. Building the
        # request directly skips httpx's per-request header, cookie and parameter merges,
        # about half of the client's own cost per in-process request. Raw pairs keep the
        # names' spelling exactly as the merge would, so the wire bytes are unchanged.
        self._headers_without_body = list(self._http.headers.raw)
        self._headers_with_body = [
            *self._headers_without_body,
            (b"Content-Type", SCIM_MEDIA_TYPE.encode("ascii")),
        ]
        self._extensions: dict[str, Any] = {"timeout": self._http.timeout.as_dict()}
        # The last origin asked for and its extensions, as one pair (one assignment, so a
        # client shared between threads never pairs an origin with another's extensions):
        # a cycle sends thousands of requests with one origin, so the dict is built once
        # per origin, not once per request.
        self._tagged: tuple[RequestOrigin | None, dict[str, Any]] = (None, self._extensions)
        self._fast = _FastRequests.for_base(self.tenant_url.base_url, self._headers_without_body)
        # With a transport of the caller's (in-process, recorded, or a plain HTTP one),
        # httpx's Client adds nothing a SCIM exchange uses: no proxies from the
        # environment (httpx mounts those only without a transport), no auth flow, no
        # redirects followed, no cookies, no event hooks. Handing the request to the
        # transport directly skips that chain, and the Response <-> stream reference
        # cycle it creates, which left ~15 objects a request for the cyclic garbage
        # collector (about a sixth of a 10,000-user cycle's time).
        # A Tenant URL with user:password@ makes httpx's Client answer with Basic auth;
        # that (odd) case keeps going through the Client.
        self._transport = (
            transport if transport is not None and not _userinfo(self.tenant_url.base_url) else None
        )

    @property
    def base_url(self) -> str:
        return self.tenant_url.base_url

    @property
    def flags(self) -> frozenset[str]:
        return self.tenant_url.flags

    @property
    def patch_dialect(self) -> Dialect:
        return self.tenant_url.patch_dialect

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        origin: RequestOrigin | None = None,
    ) -> httpx.Response:
        """Send one SCIM request; transport errors (timeouts, refused connections) propagate.

        ``origin`` (what sent it) rides along as the request extension ORIGIN_EXTENSION.
        """
        query: list[tuple[str, str]] = list(self.tenant_url.parameters)
        if params:
            query.extend(params.items())
        headers = self._headers_without_body
        content: bytes | None = None
        parsed = False
        if json is not None:
            # httpx's json= would say application/json; SCIM wants its own type.
            content, parsed = _encode(json)
            headers = self._headers_with_body
        relative = path.lstrip("/")
        encoded_query = encode_query(query) if query else None
        extensions = self._extensions
        if origin is not None:
            tagged = self._tagged
            if tagged[0] is not origin:
                tagged = self._tagged = (origin, {**extensions, ORIGIN_EXTENSION: origin})
            extensions = tagged[1]
        if parsed:
            # A validating transport reads the body from here instead of parsing it again.
            extensions = {**extensions, PARSED_BODY_EXTENSION: (json,)}
        if self._fast is not None:
            light = self._fast.request(method, relative, encoded_query, content, extensions)
            if light is not None:
                return self._send(light)
        url = self.tenant_url.url_for(relative)
        if encoded_query is not None:
            url += "?" + encoded_query
        request = httpx.Request(
            method, url, headers=headers, content=content, extensions=extensions
        )
        return self._send(request)

    def _send(self, request: httpx.Request | ScimRequest) -> httpx.Response:
        transport = self._transport
        if transport is None:
            if isinstance(request, ScimRequest):
                request = request.to_httpx()
            return self._http.send(request)
        if self._http.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        if isinstance(request, ScimRequest):
            # A transport that takes a ScimRequest answers without an httpx.Request
            # (fake_entra.scim_exchange); any other gets request.to_httpx().
            response = send_scim(transport, request)
            if not isinstance(response, ScimResponse) or response.scim_request is not request:
                response.request = request.to_httpx()
        else:
            response = transport.handle_request(request)
            response.request = request
        try:
            response.read()
        except BaseException:
            response.close()
            raise
        return response

    # -- the requests Entra sends (§1) -----------------------------------

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        origin: RequestOrigin | None = None,
    ) -> httpx.Response:
        return self.request("GET", path, params=params, origin=origin)

    def post(self, path: str, body: Any, *, origin: RequestOrigin | None = None) -> httpx.Response:
        return self.request("POST", path, json=body, origin=origin)

    def patch(self, path: str, body: Any, *, origin: RequestOrigin | None = None) -> httpx.Response:
        return self.request("PATCH", path, json=body, origin=origin)

    def delete(self, path: str, *, origin: RequestOrigin | None = None) -> httpx.Response:
        return self.request("DELETE", path, origin=origin)

    def query(
        self,
        resource: str,
        attribute: str,
        value: str,
        *,
        excluded_attributes: str | None = None,
        origin: RequestOrigin | None = None,
    ) -> httpx.Response:
        """``GET /<resource>?filter=<attribute> eq "<value>"``.

        Groups are queried with ``excludedAttributes=members`` first (§1 "Groups").
        """
        params: dict[str, str] = {}
        if excluded_attributes:
            params["excludedAttributes"] = excluded_attributes
        params["filter"] = eq_filter(attribute, value)
        return self.get(resource, params=params, origin=origin)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ScimClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
