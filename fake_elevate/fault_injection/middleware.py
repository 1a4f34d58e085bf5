"""FaultMiddleware: the pure ASGI middleware that runs fault profiles around an app.

It buffers each SCIM exchange (:mod:`.exchange`), passes it through the active faults in
the order named, and leaves non-HTTP scopes and the Account Center admin API alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from .exchange import FaultRequest, FaultResponse, Forward, Scope
from .fault import Fault

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The admin API is the operator's console, not the SCIM service: never faulted.
_ADMIN_PREFIX = "/account-center"


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
