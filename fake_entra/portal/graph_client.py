"""The portal's only way into the tenant: Microsoft Graph, as the real Entra admin center.

A :class:`GraphClient` calls Fake Entra's Graph face, in-process through
``httpx.ASGITransport`` or over HTTP, with the bearer token a script would use; the portal
never touches the domain objects, so the page, the API and the SDKs cannot disagree
(STYLE.md "Growing the house"). Every call has a deadline; an OData error comes back as a
:class:`GraphCallError` carrying Graph's message, which the page shows beside its field.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

#: Where Graph lives for the in-process transport (the host is never resolved).
IN_PROCESS_BASE = "http://graph.local"
#: Seconds a Graph call may take: a Save that starts the initial cycle provisions through it.
DEFAULT_TIMEOUT = 120.0
#: The largest Graph answer the portal reads (a page of logs is far smaller).
MAX_RESPONSE_BYTES = 16 * 1024 * 1024


class GraphCallError(Exception):
    """Graph refused a call: its status, OData error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class GraphClient:
    """Async calls on ``{base}/v1.0`` (and the clock side channel ``{base}/_provisim``)."""

    def __init__(
        self,
        token: str,
        *,
        app: Any = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if (app is None) == (base_url is None):
            raise ValueError("give the Graph ASGI app or its base URL, not both")
        transport = httpx.ASGITransport(app=app) if app is not None else None
        self.base = (base_url or IN_PROCESS_BASE).rstrip("/")
        self._client = httpx.AsyncClient(
            transport=transport,
            base_url=self.base,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, str] | None = None,
        *,
        prefix: str = "/v1.0",
    ) -> Any:
        """The JSON answer (None for 204), or :class:`GraphCallError`."""
        try:
            response, content = await self._send(method, prefix + path, body, params)
        except httpx.HTTPError as exc:
            raise GraphCallError(
                503, "ServiceUnavailable", f"Graph did not answer: {exc}"
            ) from None
        if content is None:
            raise GraphCallError(
                502, "ResponseTooLarge", "Graph answered more than the portal reads."
            )
        if response.status_code >= 400:
            try:
                error = json.loads(content)["error"]
                code, message = str(error["code"]), str(error["message"])
            except (ValueError, KeyError, TypeError):
                code, message = "UnknownError", content[:300].decode("utf-8", "replace")
            raise GraphCallError(response.status_code, code, message)
        if response.status_code == 204 or not content:
            return None
        return json.loads(content)

    async def _send(
        self, method: str, path: str, body: Any, params: dict[str, str] | None
    ) -> tuple[httpx.Response, bytes | None]:
        """The response and its body, or None for a body over the size limit (read no
        further than the limit)."""
        async with self._client.stream(method, path, json=body, params=params or None) as reply:
            chunks: list[bytes] = []
            size = 0
            async for chunk in reply.aiter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    return reply, None
                chunks.append(chunk)
            return reply, b"".join(chunks)

    async def get(self, path: str, **params: str) -> Any:
        return await self.call("GET", path, params=params)

    async def values(self, path: str, **params: str) -> list[dict[str, Any]]:
        """Every item of a collection, following ``@odata.nextLink``."""
        items: list[dict[str, Any]] = []
        page = await self.get(path, **params)
        while True:
            items.extend(page.get("value", []))
            link = page.get("@odata.nextLink")
            if not link:
                return items
            query = httpx.URL(link).params
            page = await self.get(path, **dict(query.items()))

    async def post(self, path: str, body: Any = None) -> Any:
        return await self.call("POST", path, body)

    async def put(self, path: str, body: Any) -> Any:
        return await self.call("PUT", path, body)

    async def delete(self, path: str) -> Any:
        return await self.call("DELETE", path)

    # -- the virtual clock (outside Graph, and outside Entra) --------------------------------

    async def clock(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("GET", "/clock", prefix="/_provisim")
        return result

    async def advance_clock(self, body: dict[str, str]) -> dict[str, Any]:
        result: dict[str, Any] = await self.call(
            "POST", "/clock/advance", body, prefix="/_provisim"
        )
        return result
