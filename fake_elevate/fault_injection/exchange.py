"""A SCIM exchange as a fault profile sees it: the request and response read whole.

SCIM bodies are small, so the middleware buffers each request and response, and a
profile can inspect, rewrite or replace either one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..scim.errors import ERROR_SCHEMA
from ..scim.schema import SCIM_MEDIA_TYPE

Scope = MutableMapping[str, Any]

#: ``.../Users``, ``.../Groups/{id}`` under any base path (/scim/v2, /scim or the root).
_RESOURCE_PATH = re.compile(r"/(?P<endpoint>Users|Groups)(?:/(?P<id>[^/]+))?/?$")


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


#: The rest of the chain: the next profile, or the app itself.
Forward = Callable[[FaultRequest], Awaitable[FaultResponse]]
