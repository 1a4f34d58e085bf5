"""Fault profiles: switchable, realistic ways a SCIM service provider deviates.

Each profile imitates a deviation vendors have shipped (each docstring cites the bug
report or document it comes from), so a scenario can show how the Entra provisioning
engine copes: quarantine, escrow and retry, Retry-After, DuplicateTargetEntries,
SCIM-compliance failures.

The profiles are one pure ASGI middleware (:class:`FaultMiddleware`) wrapped around Fake
Elevate's app, so they work in-process (``harness.transport.AsgiTransport``) and under
uvicorn alike. They touch only SCIM traffic: the Account Center admin API
(``/account-center``) always passes through, so a scenario can still steer the account.

Determinism: counters (the n-th SCIM request) and a seeded ``random.Random``, never the
wall clock. Only ``slow`` waits, and only when served for real (``served=True``): in-process
there is no socket, so no client timeout can fire; the profile then answers at once, or,
when its delay reaches ``slow_timeout_after`` (the client's timeout), raises the
``httpx.ReadTimeout`` a real client would have raised; in-process transports pass app
exceptions through to the caller.

Usage::

    app = with_faults(elevate.asgi_app(), "429-storm", storm_count=3, storm_retry_after=120)
    app = elevate.asgi_app(faults=["empty-search-404"])
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import re
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SCIM_MEDIA_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"

#: The admin API is the operator's console, not the SCIM service: never faulted.
_ADMIN_PREFIX = "/account-center"
#: ``.../Users``, ``.../Groups/{id}`` under any base path (/scim/v2, /scim or the root).
_RESOURCE_PATH = re.compile(r"/(?P<endpoint>Users|Groups)(?:/(?P<id>[^/]+))?/?$")
#: ``userName eq "value"``: the only user filter Entra sends (entra §1 "Queries").
_USER_NAME_EQ = re.compile(r'^\s*userName\s+eq\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$', re.I)
#: A value path such as ``emails[type eq "work"].value`` (RFC 7644 §3.5.2).
_VALUE_PATH = re.compile(r"^\s*(?P<attribute>[A-Za-z][\w$-]*)\s*\[")


# --- buffered exchanges ---------------------------------------------------------------------


@dataclass
class FaultRequest:
    """One SCIM request, read whole (SCIM bodies are small) so profiles can inspect it."""

    scope: Scope
    body: bytes

    @property
    def method(self) -> str:
        return str(self.scope["method"]).upper()

    @property
    def path(self) -> str:
        return str(self.scope["path"])

    @property
    def query(self) -> list[tuple[str, str]]:
        raw = self.scope.get("query_string", b"")
        return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)

    def param(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    @property
    def endpoint(self) -> str | None:
        """``Users`` or ``Groups`` when the path names a resource endpoint."""
        match = _RESOURCE_PATH.search(self.path)
        return match["endpoint"] if match else None

    @property
    def resource_id(self) -> str | None:
        match = _RESOURCE_PATH.search(self.path)
        return match["id"] if match else None

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None

    def patch_operations(self) -> list[dict[str, Any]]:
        """The ``Operations`` of a PATCH request (RFC 7644 §3.5.2); empty for anything else."""
        if self.method != "PATCH":
            return []
        body = self.json()
        operations = body.get("Operations") if isinstance(body, dict) else None
        if not isinstance(operations, list):
            return []
        return [operation for operation in operations if isinstance(operation, dict)]

    def with_query(self, query: Iterable[tuple[str, str]]) -> FaultRequest:
        scope = dict(self.scope)
        scope["query_string"] = urlencode(list(query)).encode("latin-1")
        return FaultRequest(scope, self.body)

    def with_body(self, body: bytes, *, method: str | None = None) -> FaultRequest:
        """The same request with another body (and method); an empty body drops the
        Content-Type, so the app reads no body at all."""
        scope = dict(self.scope)
        if method is not None:
            scope["method"] = method
        dropped = (b"content-length",) if body else (b"content-length", b"content-type")
        headers = [(n, v) for n, v in scope.get("headers", []) if n.lower() not in dropped]
        if body:
            headers.append((b"content-length", str(len(body)).encode()))
        scope["headers"] = headers
        return FaultRequest(scope, body)


@dataclass
class FaultResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def without_header(self, name: str) -> FaultResponse:
        wanted = name.lower().encode()
        return FaultResponse(
            self.status, [(k, v) for k, v in self.headers if k.lower() != wanted], self.body
        )

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None

    def with_json(self, body: Any) -> FaultResponse:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(raw)).encode()))
        return FaultResponse(self.status, headers, raw)


def scim_error(
    status: int,
    detail: str,
    scim_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> FaultResponse:
    """An RFC 7644 §3.12 Error response, as every Fake Elevate error is."""
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type is not None:
        body["scimType"] = scim_type
    raw = json.dumps(body, separators=(",", ":")).encode()
    pairs = [
        (b"content-type", SCIM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(raw)).encode()),
    ]
    pairs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return FaultResponse(status, pairs, raw)


Forward = Callable[[FaultRequest], Awaitable[FaultResponse]]


# --- options ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaultOptions:
    """Every knob of every profile; ``with_faults(app, ..., **options)`` sets them by name.

    Windows count SCIM requests (0-based) as the profile sees them: ``*_start`` requests
    pass first, then ``*_count`` are faulted (None: every one after the start).
    """

    #: Served by a real server (uvicorn): ``slow`` really waits. In-process it never does.
    served: bool = False
    #: Seeds the generator of the random profiles (``flaky``).
    seed: int = 0
    #: ``429-storm``: how many requests get 429, and the Retry-After they carry (seconds).
    storm_start: int = 0
    storm_count: int = 5
    storm_retry_after: int = 60
    #: ``5xx-burst``: how many requests fail, cycling through these statuses.
    burst_start: int = 0
    burst_count: int = 3
    burst_statuses: tuple[int, ...] = (500, 503)
    #: ``flaky``: the probability that any one request fails with 503.
    flaky_rate: float = 0.1
    #: ``slow``: seconds each response is late; in-process a delay of at least
    #: ``slow_timeout_after`` (the client's timeout) raises httpx.ReadTimeout.
    slow_delay: float = 0.25
    slow_timeout_after: float | None = None
    slow_start: int = 0
    slow_count: int | None = None
    #: ``revoked-token``: requests accepted before the token counts as revoked.
    revoke_after: int = 0

    def __post_init__(self) -> None:
        for name in (
            "storm_start",
            "storm_count",
            "burst_start",
            "burst_count",
            "slow_start",
            "revoke_after",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        if self.slow_count is not None and self.slow_count < 0:
            raise ValueError("slow_count cannot be negative")
        if self.storm_retry_after < 0:
            raise ValueError("storm_retry_after cannot be negative")
        if not self.burst_statuses or any(s < 500 or s > 599 for s in self.burst_statuses):
            raise ValueError("burst_statuses must be 5xx statuses")
        if not 0.0 <= self.flaky_rate <= 1.0:
            raise ValueError("flaky_rate must be between 0 and 1")
        if self.slow_delay < 0:
            raise ValueError("slow_delay cannot be negative")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))


def _in_window(index: int, start: int, count: int | None) -> bool:
    return index >= start and (count is None or index < start + count)


# --- the profiles -------------------------------------------------------------------------


class Fault:
    """One active profile: inspects a request and forwards it, or answers in its place."""

    name = ""

    @property
    def may_suspend(self) -> bool:
        """Whether this fault may wait on the event loop (only a real delay does)."""
        return False

    def __init__(self, options: FaultOptions) -> None:
        self.options = options
        #: How many exchanges this fault changed; tests read it.
        self.injected = 0
        self._lock = threading.Lock()
        self._seen = 0

    def _next_index(self) -> int:
        """The 0-based number of this SCIM request, counted per fault."""
        with self._lock:
            index = self._seen
            self._seen += 1
            return index

    def _hit(self) -> None:
        with self._lock:
            self.injected += 1

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        """The base fault deviates from nothing: it forwards. Profiles override this."""
        return await forward(request)


class RefuseDefaultDialect(Fault):
    """Strict RFC 7644 PATCH: capitalised ``op`` names and "True"/"False" strings are refused.

    Imitates langwatch/langwatch#6972 ("SCIM PATCH rejects capitalized op values — likely
    blocks every Entra offboard"), lessonly/scim_rails#33 and scim-for-keycloak#5 (op matched
    case-sensitively), and SCIM-SDK#664 / scim-for-keycloak#119 / elimity-com/scim#104
    (``"value":"False"`` refused where a boolean is expected). Entra's default dialect sends
    both (entra §1 "User update", "Disable"); the ``aadOptscim062020`` flag avoids them.
    """

    name = "refuse-default-dialect"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        for operation in request.patch_operations():
            op = operation.get("op")
            if isinstance(op, str) and op != op.lower():
                self._hit()
                return scim_error(
                    400,
                    f"Unsupported PATCH operation '{op}': must be one of add, remove, replace",
                    "invalidSyntax",
                )
            flag = _boolean_string(operation.get("value"))
            if flag is not None:
                self._hit()
                return scim_error(
                    400,
                    f"Boolean attribute value must be true or false, not the string '{flag}'",
                    "invalidValue",
                )
        return await forward(request)


def _boolean_string(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value
    if isinstance(value, dict):
        for inner in value.values():
            found = _boolean_string(inner)
            if found is not None:
                return found
    return None


class RefuseValueRemove(Fault):
    """A ``remove`` op that carries a ``value`` is refused (400 invalidValue).

    Imitates Captain-P-Goldfish/SCIM-SDK#167: "values must not be set for remove operation"
    answered to Entra's default-dialect member removal ``{"op":"Remove","path":"members",
    "value":[...]}`` (MicrosoftDocs/azure-docs#30826 calls that shape non-compliant). With
    ``aadOptscim062020`` Entra removes by a filtered path without a value (entra §5.2).
    """

    name = "refuse-value-remove"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        for operation in request.patch_operations():
            if str(operation.get("op", "")).lower() == "remove" and "value" in operation:
                self._hit()
                return scim_error(
                    400,
                    f"values must not be set for remove operation but was: "
                    f"{json.dumps(operation['value'], separators=(',', ':'))}",
                    "invalidValue",
                )
        return await forward(request)


class ValuePathNoTarget(Fault):
    """PATCH on a filtered value path (``emails[type eq "work"].value``) answers 400 noTarget.

    Imitates Captain-P-Goldfish/scim-for-keycloak#73 ("No target found for path-filter
    'emails[type eq \\"work\\"].value'") and laravel-scim-server#34 (Replace not implemented
    for ``emails.value``): servers that accept only whole multi-valued attributes. Entra
    must be able to create the element on Add/Replace (entra §1 "User update").
    Member removal by ``members[value eq ...]`` is left alone.
    """

    name = "value-path-notarget"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        for operation in request.patch_operations():
            path = operation.get("path")
            match = _VALUE_PATH.match(path) if isinstance(path, str) else None
            if match and match["attribute"].lower() != "members":
                self._hit()
                return scim_error(400, f"No target found for path-filter '{path}'", "noTarget")
        return await forward(request)


class EmptySearch404(Fault):
    """A filtered query that matches nothing answers 404 instead of an empty ListResponse.

    Imitates jelhub/scimgateway#18 ("when user is not found, its sending 404 response instead
    of 200 with empty array") and grokability/snipe-it#11913 (Entra quarantine: "An HTTP/404
    Not Found response was returned rather than the expected HTTP/200 OK"). Entra's Test
    Connection and every create rely on the empty ListResponse (entra §1 "Queries", S4).
    """

    name = "empty-search-404"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        response = await forward(request)
        if (
            request.method == "GET"
            and request.resource_id is None
            and request.param("filter") is not None
            and response.status == 200
        ):
            body = response.json()
            if isinstance(body, dict) and body.get("totalResults") == 0:
                self._hit()
                return scim_error(404, "Resource not found")
        return response


class CaseSensitiveUserName(Fault):
    """``userName eq "x"`` compares case-sensitively, though RFC 7643 §4.1.1 says caseExact
    false: a user created as ``Alex@contoso.com`` is not found as ``alex@contoso.com``.

    Imitates SimpleIdServer#489 ("userName attribute should be case insensitive"),
    thomaspoignant/scim2-parse-filter#115 and langfuse/langfuse#13528. Entra then POSTs and
    meets a uniqueness conflict (409), or creates a duplicate on a store that allows one.
    """

    name = "case-sensitive-username"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        response = await forward(request)
        wanted = _filter_user_name(request)
        if wanted is None or response.status != 200:
            return response
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("Resources"), list):
            return response
        kept = [r for r in body["Resources"] if isinstance(r, dict) and r.get("userName") == wanted]
        dropped = len(body["Resources"]) - len(kept)
        if not dropped:
            return response
        self._hit()
        total = body.get("totalResults")
        return response.with_json(
            {
                **body,
                "totalResults": max(0, total - dropped) if isinstance(total, int) else len(kept),
                "itemsPerPage": len(kept),
                "Resources": kept,
            }
        )


def _filter_user_name(request: FaultRequest) -> str | None:
    if request.method != "GET" or request.endpoint != "Users" or request.resource_id:
        return None
    match = _USER_NAME_EQ.match(request.param("filter") or "")
    if match is None:
        return None
    return str(json.loads(f'"{match["value"]}"'))


class TooManyRequestsStorm(Fault):
    """``storm_count`` consecutive requests answered 429 with ``Retry-After``, then normal.

    Imitates a rate limiter in front of the SCIM API, as rancher/rancher#54870 added (429, a
    ``Retry-After`` header and a SCIM Error body) and the ≥25 requests/s the gallery asks
    endpoints to bear (entra §6). Entra pauses the job for Retry-After and retries only the
    failed requests (entra §2 "Errors and retries").
    """

    name = "429-storm"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        o = self.options
        if _in_window(self._next_index(), o.storm_start, o.storm_count):
            self._hit()
            return scim_error(
                429,
                f"Too many requests: retry after {o.storm_retry_after} seconds",
                headers={"Retry-After": str(o.storm_retry_after)},
            )
        return await forward(request)


class ServerErrorBurst(Fault):
    """``burst_count`` consecutive requests fail with 500/503, then the service recovers.

    Imitates a deployment or an overloaded backend: wso2/product-is#19409 (500 for a bad
    body), GluuFederation/oxTrust#403 (500 on a missing attribute) and the gateway 502/503s
    S13 files under InternalServerError, "automatically retried in 40 minutes" (entra §2).
    """

    name = "5xx-burst"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        o = self.options
        index = self._next_index()
        if _in_window(index, o.burst_start, o.burst_count):
            self._hit()
            status = o.burst_statuses[(index - o.burst_start) % len(o.burst_statuses)]
            detail = "Service Unavailable" if status == 503 else "Internal Server Error"
            return scim_error(status, detail)
        return await forward(request)


class Flaky(Fault):
    """Each request fails with 503 with probability ``flaky_rate`` (seeded, so repeatable).

    Imitates intermittent failures such as wso2/product-is#16314 ("SCIM Group PATCH remove
    fails intermittently"); the escrow thresholds (entra §2 "Quarantine") are about how many
    of these a job tolerates.
    """

    name = "flaky"

    def __init__(self, options: FaultOptions) -> None:
        super().__init__(options)
        self._rng = random.Random(f"{options.seed}:flaky")

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        with self._lock:
            fails = self._rng.random() < self.options.flaky_rate
        if fails:
            self._hit()
            return scim_error(503, "Service Unavailable")
        return await forward(request)


class Slow(Fault):
    """Responses arrive ``slow_delay`` seconds late.

    Imitates scim-for-keycloak#78 (a filter query that "runs in a timeout" with 9,000 users)
    and wso2/product-is#6918 (a group PATCH taking 22 s at 1,300 members). Entra logs Timeout
    and retries in 40 minutes (S13). Served for real the middleware sleeps; in-process it
    raises httpx.ReadTimeout when the delay reaches ``slow_timeout_after`` (see module doc).
    """

    name = "slow"

    @property
    def may_suspend(self) -> bool:
        return self.options.served

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        o = self.options
        if not _in_window(self._next_index(), o.slow_start, o.slow_count):
            return await forward(request)
        self._hit()
        if o.served:
            await asyncio.sleep(o.slow_delay)
        elif o.slow_timeout_after is not None and o.slow_delay >= o.slow_timeout_after:
            import httpx  # only here: the in-process stand-in for a client-side read timeout

            raise httpx.ReadTimeout(
                f"no response within {o.slow_timeout_after} s (the server takes {o.slow_delay} s)"
            )
        return await forward(request)


class RevokedToken(Fault):
    """After ``revoke_after`` requests every request is refused with 401, whatever the token.

    Imitates a token revoked or expired on the provider's side (LinkedIn tokens expire,
    linkedin-scim.md §2). Entra quarantines the job with EncounteredQuarantineException and
    emails the Notification Email once (entra §2 "Quarantine", S4).
    """

    name = "revoked-token"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        if self._next_index() >= self.options.revoke_after:
            self._hit()
            return scim_error(
                401,
                "Authentication failed: the token has been revoked",
                headers={"WWW-Authenticate": 'Bearer realm="LinkedIn SCIM", error="invalid_token"'},
            )
        return await forward(request)


class MembersInExcluded(Fault):
    """``excludedAttributes=members`` is ignored: groups come back with their members.

    Imitates SimpleIdServer#490 ("excluding 'members' from a Group query does not exclude the
    attribute from the response") and wso2/product-is#8498. Entra then logs
    SystemForCrossDomainIdentityManagementMultipleEntriesInResponse (S13).
    """

    name = "members-in-excluded"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        excluded = request.param("excludedAttributes")
        if request.method != "GET" or request.endpoint != "Groups" or excluded is None:
            return await forward(request)
        names = [n for n in excluded.split(",") if n.strip() and n.strip().lower() != "members"]
        if len(names) == len([n for n in excluded.split(",") if n.strip()]):
            return await forward(request)
        self._hit()
        query = [(k, v) for k, v in request.query if k != "excludedAttributes"]
        if names:
            query.append(("excludedAttributes", ",".join(names)))
        return await forward(request.with_query(query))


class NoLocation(Fault):
    """201 Created without a ``Location`` header or ``meta.location``.

    Imitates wso2/product-is#5328 (responses without ``meta.location``) and #7317 (a wrong
    Location header); RFC 7644 §3.3 says the response SHALL carry it. Entra reads only the
    ``id`` of a created resource (entra §1), so a faithful client carries on.
    """

    name = "no-location"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        response = await forward(request)
        if request.method != "POST" or response.status != 201:
            return response
        self._hit()
        response = response.without_header("location")
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("meta"), dict):
            meta = {k: v for k, v in body["meta"].items() if k != "location"}
            response = response.with_json({**body, "meta": meta})
        return response


class HideInactive(Fault):
    """Deactivated users vanish: left out of queries, 404 on ``/Users/{id}`` (PATCH included).

    Imitates growthbook/growthbook#1680 (deactivation removes the user, so a later lookup is
    empty and the IdP creates it again), ssoready/ssoready#155 and kortix-ai/suna#4244. Entra
    needs inactive users to stay readable: "only hard-deleted users may 404" (entra §1
    "Disable"); a re-enable then fails with InvalidAnchor.
    """

    name = "hide-inactive"

    def __init__(self, options: FaultOptions) -> None:
        super().__init__(options)
        self.hidden: set[str] = set()

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        resource_id = request.resource_id
        if request.endpoint == "Users" and resource_id is not None:
            with self._lock:
                hidden = resource_id in self.hidden
            if hidden:
                self._hit()
                return scim_error(404, f"User {resource_id!r} not found")
        response = await forward(request)
        if request.endpoint != "Users" or response.status >= 300:
            return response
        body = response.json()
        if not isinstance(body, dict):
            return response
        if isinstance(body.get("Resources"), list):
            kept = [r for r in body["Resources"] if not self._note(r)]
            dropped = len(body["Resources"]) - len(kept)
            if dropped:
                self._hit()
                total = body.get("totalResults")
                return response.with_json(
                    {
                        **body,
                        "totalResults": total - dropped if isinstance(total, int) else len(kept),
                        "itemsPerPage": len(kept),
                        "Resources": kept,
                    }
                )
            return response
        self._note(body)
        return response

    def _note(self, resource: Any) -> bool:
        """Remember whether ``resource`` is inactive; True when it is to be hidden."""
        if not isinstance(resource, dict) or not isinstance(resource.get("id"), str):
            return False
        inactive = resource.get("active") is False
        with self._lock:
            if inactive:
                self.hidden.add(resource["id"])
            else:
                self.hidden.discard(resource["id"])
        return inactive


class IgnoreActive(Fault):
    """PATCH ``active`` is acknowledged (200) but not applied: deprovisioning silently fails.

    Imitates NorthlandPositronics/Cogtrix#122 ("SCIM PATCH active=false is a no-op —
    deprovisioning silently fails") and getsentry/sentry-docs#16258. Entra logs the disable
    as a success, so only the target shows the user still active (licence still held).
    """

    name = "ignore-active"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        operations = request.patch_operations() if request.endpoint == "Users" else []
        kept: list[dict[str, Any]] = []
        for operation in operations:
            if str(operation.get("path", "")).strip().lower() == "active":
                continue
            value = operation.get("value")
            if "path" not in operation and isinstance(value, dict):
                trimmed = {k: v for k, v in value.items() if k.lower() != "active"}
                if not trimmed:
                    continue
                operation = {**operation, "value": trimmed}
            kept.append(operation)
        if kept == operations:
            return await forward(request)
        self._hit()
        if not kept:
            # Nothing left to apply: answer as a PATCH that changed nothing, with the resource.
            return await forward(request.with_body(b"", method="GET"))
        raw = json.dumps({**request.json(), "Operations": kept}, separators=(",", ":")).encode()
        return await forward(request.with_body(raw))


@dataclass(frozen=True)
class FaultProfile:
    """A named deviation: what it does and what it imitates (the class docstring)."""

    name: str
    factory: Callable[[FaultOptions], Fault]
    summary: str
    options: tuple[str, ...] = field(default=())

    @property
    def imitates(self) -> str:
        return (self.factory.__doc__ or "").strip()


_PROFILES: tuple[FaultProfile, ...] = (
    FaultProfile(
        "refuse-default-dialect",
        RefuseDefaultDialect,
        'PATCH with capitalised op names or "True"/"False" strings answers 400.',
    ),
    FaultProfile(
        "refuse-value-remove",
        RefuseValueRemove,
        "A remove op carrying a value answers 400 invalidValue.",
    ),
    FaultProfile(
        "value-path-notarget",
        ValuePathNoTarget,
        'PATCH on emails[type eq "work"].value and the like answers 400 noTarget.',
    ),
    FaultProfile(
        "empty-search-404",
        EmptySearch404,
        "A filtered query that matches nothing answers 404, not an empty ListResponse.",
    ),
    FaultProfile(
        "case-sensitive-username",
        CaseSensitiveUserName,
        "userName eq compares case-sensitively.",
    ),
    FaultProfile(
        "429-storm",
        TooManyRequestsStorm,
        "N consecutive requests answered 429 with Retry-After, then normal.",
        ("storm_start", "storm_count", "storm_retry_after"),
    ),
    FaultProfile(
        "5xx-burst",
        ServerErrorBurst,
        "N consecutive requests answered 500/503, then normal.",
        ("burst_start", "burst_count", "burst_statuses"),
    ),
    FaultProfile(
        "flaky",
        Flaky,
        "Each request fails with 503 at a seeded random rate.",
        ("flaky_rate", "seed"),
    ),
    FaultProfile(
        "slow",
        Slow,
        "Responses arrive late (a real delay only when served for real).",
        ("slow_delay", "slow_timeout_after", "slow_start", "slow_count", "served"),
    ),
    FaultProfile(
        "revoked-token",
        RevokedToken,
        "Every request after the first K answers 401.",
        ("revoke_after",),
    ),
    FaultProfile(
        "members-in-excluded",
        MembersInExcluded,
        "Groups come back with members despite excludedAttributes=members.",
    ),
    FaultProfile(
        "no-location",
        NoLocation,
        "201 Created without a Location header or meta.location.",
    ),
    FaultProfile(
        "hide-inactive",
        HideInactive,
        "Deactivated users disappear: left out of queries, 404 on /Users/{id}.",
    ),
    FaultProfile(
        "ignore-active",
        IgnoreActive,
        "PATCH active is acknowledged but not applied.",
    ),
)

#: Every profile by name.
FAULT_PROFILES: dict[str, FaultProfile] = {profile.name: profile for profile in _PROFILES}


# --- the middleware -----------------------------------------------------------------------


class FaultMiddleware:
    """A pure ASGI middleware applying fault profiles to the SCIM traffic of ``app``.

    Faults apply in the order named: the first sees each request first. Non-HTTP scopes
    (lifespan) and the Account Center admin API pass straight through.
    """

    def __init__(self, app: AsgiApp, faults: Iterable[Fault]) -> None:
        self.app = app
        self.faults: tuple[Fault, ...] = tuple(faults)

    @property
    def state(self) -> Any:
        """The wrapped app's state (FastAPI's ``app.state``), for code that reads it."""
        return getattr(self.app, "state", None)

    def handles_without_suspending(self, scope: Scope) -> bool:
        """The in-process transport's fast-path probe (``harness.transport``): the faults
        add no suspension point of their own, except ``slow`` when served for real."""
        probe = getattr(self.app, "handles_without_suspending", None)
        return (
            probe is not None
            and bool(probe(scope))
            and not any(fault.may_suspend for fault in self.faults)
        )

    def fault(self, name: str) -> Fault:
        for fault in self.faults:
            if fault.name == name:
                return fault
        raise KeyError(f"fault {name!r} is not active here")

    @property
    def injected(self) -> dict[str, int]:
        """How many exchanges each fault changed so far."""
        return {fault.name: fault.injected for fault in self.faults}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(_ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        request = FaultRequest(scope, await _read_body(receive))
        response = await self._chain(0)(request)
        await send(
            {"type": "http.response.start", "status": response.status, "headers": response.headers}
        )
        await send({"type": "http.response.body", "body": response.body, "more_body": False})

    def _chain(self, position: int) -> Forward:
        if position == len(self.faults):
            return self._call_app
        fault = self.faults[position]
        inner = self._chain(position + 1)

        async def step(request: FaultRequest) -> FaultResponse:
            return await fault(request, inner)

        return step

    async def _call_app(self, request: FaultRequest) -> FaultResponse:
        sent_body = False
        finished = asyncio.Event()

        async def replay() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            # ASGI: after the body, receive() reports the disconnect once the response is out.
            if not finished.is_set():
                await finished.wait()
            return {"type": "http.disconnect"}

        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    finished.set()

        await self.app(request.scope, replay, capture)
        finished.set()
        return FaultResponse(status, headers, b"".join(chunks))


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def build_options(**options: Any) -> FaultOptions:
    """FaultOptions from keywords; an unknown name is a ValueError naming the known ones."""
    unknown = sorted(set(options) - set(FaultOptions.names()))
    if unknown:
        raise ValueError(
            f"unknown fault option(s) {', '.join(unknown)}; "
            f"known: {', '.join(FaultOptions.names())}"
        )
    if "burst_statuses" in options:
        options["burst_statuses"] = tuple(options["burst_statuses"])
    return FaultOptions(**options)


def parse_fault_options(items: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings (the CLI's ``--fault-option``) as checked FaultOptions keywords.

    Values read as booleans (true/false), integers, floats or comma lists of those.
    """
    options: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected a fault option as KEY=VALUE, not {item!r}")
        options[key.strip()] = _option_value(raw.strip())
    try:
        build_options(**options)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    return options


def _option_value(raw: str) -> Any:
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if "," in raw:
        return tuple(_option_value(part.strip()) for part in raw.split(",") if part.strip())
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            continue
    return raw


def with_faults(app: AsgiApp, *names: str, **options: Any) -> FaultMiddleware:
    """Wrap ``app`` so the named profiles apply; ``options`` are :class:`FaultOptions` fields."""
    unknown = [name for name in names if name not in FAULT_PROFILES]
    if unknown:
        raise ValueError(
            f"unknown fault profile(s) {', '.join(unknown)}; known: {', '.join(FAULT_PROFILES)}"
        )
    if len(set(names)) != len(names):
        raise ValueError("each fault profile can be named once")
    settings = build_options(**options)
    return FaultMiddleware(app, [FAULT_PROFILES[name].factory(settings) for name in names])


__all__ = [
    "FAULT_PROFILES",
    "Fault",
    "FaultMiddleware",
    "FaultOptions",
    "FaultProfile",
    "FaultRequest",
    "FaultResponse",
    "build_options",
    "parse_fault_options",
    "scim_error",
    "with_faults",
]
