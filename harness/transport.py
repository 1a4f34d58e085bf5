"""The SCIM transport: one httpx code path for in-process ASGI apps and real HTTP endpoints.

Starlette's TestClient is deliberately not used (recent Starlette warns when it
is combined with httpx). :class:`AsgiTransport` is a synchronous
``httpx.BaseTransport`` that hands each request to an ASGI app through httpx's
own ``ASGITransport`` on a private event loop, so an ``httpx.Client`` talks to
Fake Elevate in-process exactly as it would over a socket. Whatever host the
URL names (``https://api.linkedin.com``), the app answers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class AsgiTransport(httpx.BaseTransport):
    """Serve an ``httpx.Client`` from an ASGI application, in-process and synchronously."""

    def __init__(self, app: Any, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.app = app
        self._inner = httpx.ASGITransport(app=app, client=client)
        self._local = threading.local()
        self._portal: concurrent.futures.ThreadPoolExecutor | None = None
        self._portal_lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        status, headers, body = self._run(self._call(request))
        return httpx.Response(status, headers=headers, content=body, request=request)

    async def _call(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._inner.handle_async_request(request)
        body = await response.aread()
        return response.status_code, response.headers.raw, body

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # The usual case: synchronous caller, one private loop per thread.
            loop = getattr(self._local, "loop", None)
            if loop is None or loop.is_closed():
                loop = self._local.loop = asyncio.new_event_loop()
            return loop.run_until_complete(coro)
        # Called from inside a running loop (async test code): hop to a helper
        # thread with its own loop instead of nesting loops.
        with self._portal_lock:
            if self._portal is None:
                self._portal = concurrent.futures.ThreadPoolExecutor(1, "provisim-asgi")
        return self._portal.submit(asyncio.run, coro).result()

    def close(self) -> None:
        loop = getattr(self._local, "loop", None)
        if loop is not None and not loop.is_closed():
            loop.close()
        if self._portal is not None:
            self._portal.shutdown(wait=False)
            self._portal = None


def scim_client(
    base_url: str,
    token: str | None = None,
    *,
    app: Any = None,
    timeout: float = 30.0,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` for a SCIM base URL, in-process when ``app`` is given."""
    all_headers = {"Accept": "application/scim+json"}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    transport = AsgiTransport(app) if app is not None else None
    return httpx.Client(
        base_url=base_url.rstrip("/"), headers=all_headers, transport=transport, timeout=timeout
    )
