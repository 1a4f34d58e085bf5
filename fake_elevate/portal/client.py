"""The Account Center pages' only way in: the admin API under ``/account-center``, called
in-process through ``httpx.ASGITransport`` or over HTTP, with the admin key. A refusal (SCIM
Error JSON) comes back as :class:`AccountCenterCallError` with its ``detail``."""

from __future__ import annotations

import json
from typing import Any

import httpx

IN_PROCESS_BASE = "http://elevate.local"
DEFAULT_TIMEOUT = 30.0
MAX_RESPONSE_BYTES = 16 * 1024 * 1024


class AccountCenterCallError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class AccountCenterClient:
    def __init__(
        self,
        admin_key: str | None,
        *,
        app: Any = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if (app is None) == (base_url is None):
            raise ValueError("give the Fake Elevate ASGI app or its base URL, not both")
        headers = {"Authorization": f"Bearer {admin_key}"} if admin_key else {}
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app) if app is not None else None,
            base_url=(base_url or IN_PROCESS_BASE).rstrip("/"),
            headers=headers,
            timeout=timeout,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            async with self._client.stream(method, "/account-center" + path, json=body) as response:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_RESPONSE_BYTES:
                        raise AccountCenterCallError(
                            502, "Account Center answered more than the page reads."
                        )
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise AccountCenterCallError(503, f"Account Center did not answer: {exc}") from None
        content = b"".join(chunks)
        if response.status_code >= 400:
            try:
                detail = str(json.loads(content)["detail"])
            except (ValueError, KeyError, TypeError):
                detail = content[:300].decode("utf-8", "replace")
            raise AccountCenterCallError(response.status_code, detail)
        if response.status_code == 204 or not content:
            return None
        return json.loads(content)

    async def configurations(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self.call("GET", "/scim-configurations"))[
            "configurations"
        ]
        return result

    async def pools(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self.call("GET", "/license-pools"))["pools"]
        return result

    async def users(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self.call("GET", "/users"))["users"]
        return result
