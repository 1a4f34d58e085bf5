"""The Account Center pages' only way in: the admin API under ``/account-center``, called
in-process through ``httpx.ASGITransport`` or over HTTP, with the admin key. A refusal (SCIM
Error JSON) comes back as :class:`AccountCenterCallError` with its ``detail``."""

from __future__ import annotations

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
            response = await self._client.request(method, "/account-center" + path, json=body)
        except httpx.HTTPError as exc:
            raise AccountCenterCallError(503, f"Account Center did not answer: {exc}") from None
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise AccountCenterCallError(502, "Account Center answered more than the page reads.")
        if response.status_code >= 400:
            try:
                detail = str(response.json()["detail"])
            except (ValueError, KeyError, TypeError):
                detail = response.text[:300]
            raise AccountCenterCallError(response.status_code, detail)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

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
