"""One tenant's wire: the httpx transport the real Fake Entra engine sends through.

Every request the engine of a simulated tenant sends (Test Connection, match GETs, POSTs,
member PATCHes, ...) passes through a :class:`LoadTransport`, which

- paces the tenant: never more than ``rate`` requests per second, one in flight, as one
  provisioning job (Entra's limits are per job: learn.microsoft.com/answers/questions/
  1233453);
- honours 429: after a 429 with Retry-After the tenant sends nothing until it has passed
  (capped at ``max_retry_after``), and the engine itself suspends the cycle and retries only
  the failed request, as Entra does ("suspend all provisioning activities for the time
  period indicated in the Retry-After header ... retries only the failed requests",
  learn.microsoft.com/answers/questions/2284725);
- names the request's kind for the statistics (:func:`request_kind`);
- validates one response in ``validate_every`` against provisim's JSON Schemas;
- notes every acknowledged create (and every create cut off unanswered) for the clean-up.

The sending itself is a :data:`Sender`: in the Locust process, Locust's FastHttpUser client
(which records the statistics); in tests, any function. Nothing here imports Locust.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from fake_entra.scim_client import ORIGIN_EXTENSION, OriginKind, RequestOrigin, decode_json
from harness.conformance.probe import retry_after_seconds
from harness.load.tally import Tally
from harness.validation import validate_exchange

#: Headers the sender sets itself from the body and the URL.
_HOP_HEADERS: Final = frozenset({"host", "content-length", "connection", "accept-encoding"})


@dataclass
class Sent:
    """What came back for one request: ``status`` 0 and ``error`` when nothing usable did
    (no connection, no answer in time, a body over the size limit)."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    content: bytes = b""
    error: str | None = None
    timed_out: bool = False


#: Sends one request: (method, absolute URL, headers, body, kind) -> what came back.
Sender = Callable[[str, str, dict[str, str], bytes, str], Sent]


def _json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return decode_json(content)
    except ValueError:
        return None


def _is_active_op(op: Any) -> bool:
    if not isinstance(op, dict):
        return False
    path = str(op.get("path") or "").lower()
    if path == "active":
        return True
    value = op.get("value")
    return not path and isinstance(value, dict) and set(value) == {"active"}


def _active_value(op: dict[str, Any]) -> str:
    value = op.get("value")
    if isinstance(value, dict):
        value = value.get("active")
    return str(value).lower()


def request_kind(method: str, path: str, query: str, body: Any, origin: Any = None) -> str:
    """The statistics' name for one request of Entra's: what it is for, not its URL.

    ``path`` is relative to the Tenant URL (``/Users/abc``); ``body`` the decoded JSON.
    """
    if isinstance(origin, RequestOrigin) and origin.kind is OriginKind.TEST_CONNECTION:
        return "test connection"
    parts = [p for p in path.split("/") if p]
    endpoint = parts[0] if parts else ""
    one = len(parts) > 1
    method = method.upper()
    if method == "GET":
        if one:
            return f"GET /{endpoint}/{{id}}"
        return f"GET /{endpoint}?filter (match)" if "filter=" in query else f"GET /{endpoint}"
    if method == "POST" and not one:
        return f"POST /{endpoint} (create)"
    if method == "DELETE" and one:
        return f"DELETE /{endpoint}/{{id}}"
    if method == "PATCH" and one:
        ops = body.get("Operations") if isinstance(body, dict) else None
        ops = ops if isinstance(ops, list) else []
        if endpoint == "Groups":
            paths = {str(op.get("path") or "").lower() for op in ops if isinstance(op, dict)}
            return "PATCH /Groups (members)" if paths == {"members"} else "PATCH /Groups (update)"
        if ops and all(_is_active_op(op) for op in ops):
            disabled = _active_value(ops[-1]) == "false"
            return f"PATCH /{endpoint} ({'disable' if disabled else 'enable'})"
        return f"PATCH /{endpoint} (update)"
    return f"{method} /{endpoint}{'/{id}' if one else ''}"


class LoadTransport(httpx.BaseTransport):
    """The wire of one simulated tenant (see the module's docstring)."""

    def __init__(
        self,
        sender: Sender,
        tally: Tally,
        *,
        tenant: str,
        base_path: str,
        rate: float,
        validate_every: int = 1,
        max_retry_after: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sender = sender
        self.tally = tally
        self.tenant = tenant
        self.base_path = base_path.rstrip("/")
        self.interval = 1.0 / rate
        self.validate_every = validate_every
        self.max_retry_after = max_retry_after
        self.clock = clock
        self.wall = wall
        self.sleep = sleep
        self.sent = 0
        self._next = clock()
        #: Nothing leaves before this (monotonic seconds): a Retry-After being waited out.
        self.paused_until = 0.0

    def _pace(self) -> None:
        now = self.clock()
        start = max(now, self._next, self.paused_until)
        if start > now:
            self.sleep(start - now)
        self._next = start + self.interval

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        url = request.url
        path = url.path
        relative = path[len(self.base_path) :] if path.startswith(self.base_path) else path
        query = url.query.decode()
        request_json = _json(body)
        kind = request_kind(
            request.method, relative, query, request_json, request.extensions.get(ORIGIN_EXTENSION)
        )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        self._pace()
        endpoint = relative.strip("/").split("/", 1)[0]
        creating = request.method == "POST" and endpoint in ("Users", "Groups")
        try:
            sent = self.sender(request.method, str(url), headers, body, kind)
        except BaseException:
            # Cut off (the run is ending): the server may have created it all the same.
            if creating:
                self.tally.unanswered.append([endpoint, _name_of(request_json)])
            raise
        self.sent += 1
        self.tally.tenant(self.tenant).add(self.wall(), throttled=sent.status == 429)
        if sent.status == 0:
            self.tally.transport_errors += 1
            if creating:
                self.tally.unanswered.append([endpoint, _name_of(request_json)])
            message = sent.error or "no response"
            if sent.timed_out:
                raise httpx.ReadTimeout(message, request=request)
            raise httpx.ReadError(message, request=request)
        response_headers = httpx.Headers(sent.headers)
        if sent.status == 429:
            self.tally.throttled += 1
            by_kind = self.tally.throttled_by_kind
            by_kind[kind] = by_kind.get(kind, 0) + 1
            wait = retry_after_seconds(
                response_headers.get("retry-after"), response_headers.get("date"), default=1.0
            )
            self.tally.retry_after.append(wait)
            self.paused_until = self.clock() + min(wait, self.max_retry_after)
        response_json = _json(sent.content)
        if self.sent % self.validate_every == 0:
            self._validate(request.method, path, query, sent.status, request_json, response_json)
        if creating and sent.status == 201 and isinstance(response_json, dict):
            created_id = response_json.get("id")
            if isinstance(created_id, str) and created_id:
                self.tally.created.append([endpoint, created_id, _name_of(request_json)])
        if request.method == "DELETE" and sent.status in (200, 204, 404):
            self.tally.deleted.append([endpoint, relative.strip("/").split("/")[-1]])
        return httpx.Response(
            sent.status, headers=response_headers, content=sent.content, request=request
        )

    def _validate(
        self,
        method: str,
        path: str,
        query: str,
        status: int,
        request_json: Any,
        response_json: Any,
    ) -> None:
        self.tally.validated += 1
        found = validate_exchange(
            method,
            path + (f"?{query}" if query else ""),
            status,
            request_json,
            response_json,
        )
        for violation in found:
            if violation.where == "response":
                self.tally.violation(str(violation))

    def close(self) -> None:
        """The engine closes its client after each cycle; the wire stays the tenant's."""


def _name_of(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("userName", "displayName"):
            value = body.get(key)
            if isinstance(value, str):
                return value
    return ""


__all__ = ["LoadTransport", "Sender", "Sent", "request_kind"]
