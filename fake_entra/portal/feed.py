"""The live stream of SCIM exchanges between Entra and the SCIM endpoint (simulator control).

:class:`FeedTransport` wraps the tenant's SCIM transport (the network, or any httpx
transport) and hands each request and response, secrets masked, to an :class:`ExchangeFeed`;
the simulator page reads the feed as server-sent events (HTML Living Standard §9.2), so a
vendor pointing provisim at their endpoint watches Entra's traffic arrive. Not part of Entra.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

#: The most exchanges kept (older ones drop off: a cycle of 10,000 users is not kept whole).
DEFAULT_CAPACITY = 500
#: The most body characters shown per request or response.
MAX_BODY_CHARS = 4000
MASK = "*****"


@dataclass(frozen=True)
class Exchange:
    number: int
    method: str
    url: str
    status: int | None
    request_body: str
    response_body: str

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "requestBody": self.request_body,
            "responseBody": self.response_body,
        }


def _text(raw: bytes, secrets: list[str]) -> str:
    text = raw[:MAX_BODY_CHARS].decode("utf-8", "replace")
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, MASK)
    return text


class ExchangeFeed:
    """The last exchanges, numbered from 1; subscribers wait for the next one."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._items: deque[Exchange] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._count = 0
        self._changed = threading.Condition(self._lock)

    def add(
        self,
        method: str,
        url: str,
        status: int | None,
        request: bytes,
        response: bytes,
        secrets: list[str],
    ) -> Exchange:
        with self._lock:
            self._count += 1
            shown_url = url
            for secret in secrets:
                if len(secret) >= 4:
                    shown_url = shown_url.replace(secret, MASK)
            item = Exchange(
                self._count,
                method,
                shown_url,
                status,
                _text(request, secrets),
                _text(response, secrets),
            )
            self._items.append(item)
            self._changed.notify_all()
            return item

    def since(self, number: int) -> list[Exchange]:
        with self._lock:
            return [item for item in self._items if item.number > number]

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    async def events(self, after: int = 0, *, poll: float = 0.25) -> AsyncIterator[str]:
        """Server-sent events, one ``exchange`` event per exchange, forever."""
        last = after
        while True:
            fresh = self.since(last)
            for item in fresh:
                last = item.number
                yield f"id: {item.number}\nevent: exchange\ndata: {json.dumps(item.to_json())}\n\n"
            if not fresh:
                # A comment line keeps proxies from closing an idle stream.
                yield ": idle\n\n"
                await asyncio.sleep(poll)


class FeedTransport(httpx.BaseTransport):
    """An httpx transport that passes every exchange on to ``inner`` and into ``feed``."""

    def __init__(self, inner: httpx.BaseTransport, feed: ExchangeFeed) -> None:
        self.inner = inner
        self.feed = feed

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        secrets = []
        _scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if token.strip():
            secrets.append(token.strip())
        body = request.read()
        try:
            response = self.inner.handle_request(request)
        except httpx.HTTPError as exc:
            self.feed.add(request.method, str(request.url), None, body, str(exc).encode(), secrets)
            raise
        content = response.read()
        self.feed.add(
            request.method, str(request.url), response.status_code, body, content, secrets
        )
        # The body is already decoded: its encoding and framing headers no longer apply.
        headers = [
            (name, value)
            for name, value in response.headers.raw
            if name.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=content,
            request=request,
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()
