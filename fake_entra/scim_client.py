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
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import httpx

from fake_entra.dialects import Dialect

SCIM_MEDIA_TYPE = "application/scim+json"

#: §5.3: opts in to the RFC-compliant PATCH dialect.
FLAG_COMPLIANT_PATCH = "aadoptscim062020"
#: §5.3: rolls back to the 2017 behaviour once the compliant one is the default.
FLAG_PATCH_2017 = "azureadscimpatch2017"
_KNOWN_FLAGS = frozenset({FLAG_COMPLIANT_PATCH, FLAG_PATCH_2017})

LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

DEFAULT_TIMEOUT_SECONDS = 30.0


class _NoCookies(httpx.Cookies):
    """A cookie jar that ignores Set-Cookie: a SCIM client is stateless between calls."""

    def extract_cookies(self, response: httpx.Response) -> None:
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


def eq_filter(attribute: str, value: str) -> str:
    """``attribute eq "value"``, the only filter form Entra sends (§1 "Queries")."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{attribute} eq "{escaped}"'


class ScimClient:
    """An HTTP client bound to one SCIM endpoint and one Secret Token."""

    def __init__(
        self,
        tenant_url: str,
        secret_token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.tenant_url = TenantUrl(tenant_url)
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {secret_token}",
                "Accept": SCIM_MEDIA_TYPE,
            },
        )
        # Entra's provisioning client carries no cookies; skipping httpx's cookie
        # jar bookkeeping saves a measurable slice of every request.
        self._http._cookies = _NoCookies()
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
        self._extensions = {"timeout": self._http.timeout.as_dict()}

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
    ) -> httpx.Response:
        """Send one SCIM request; transport errors (timeouts, refused connections) propagate."""
        query: list[tuple[str, str]] = list(self.tenant_url.parameters)
        if params:
            query.extend(params.items())
        headers = self._headers_without_body
        content: bytes | None = None
        if json is not None:
            # httpx's json= would say application/json; SCIM wants its own type.
            content = jsonlib.dumps(json, separators=(",", ":")).encode()
            headers = self._headers_with_body
        url = self.tenant_url.url_for(path)
        if query:
            # RFC 7644 §3.4.2.2: filter values are quoted strings; encode spaces as %20.
            url += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
        request = httpx.Request(
            method, url, headers=headers, content=content, extensions=dict(self._extensions)
        )
        return self._http.send(request)

    # -- the requests Entra sends (§1) -----------------------------------

    def get(self, path: str, *, params: Mapping[str, str] | None = None) -> httpx.Response:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.request("POST", path, json=body)

    def patch(self, path: str, body: Any) -> httpx.Response:
        return self.request("PATCH", path, json=body)

    def delete(self, path: str) -> httpx.Response:
        return self.request("DELETE", path)

    def query(
        self,
        resource: str,
        attribute: str,
        value: str,
        *,
        excluded_attributes: str | None = None,
    ) -> httpx.Response:
        """``GET /<resource>?filter=<attribute> eq "<value>"``.

        Groups are queried with ``excludedAttributes=members`` first (§1 "Groups").
        """
        params: dict[str, str] = {}
        if excluded_attributes:
            params["excludedAttributes"] = excluded_attributes
        params["filter"] = eq_filter(attribute, value)
        return self.get(resource, params=params)

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
