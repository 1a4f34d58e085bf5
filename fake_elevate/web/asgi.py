"""ScimFastPath: the ASGI app, answering the resource routes without FastAPI's router.

Also the adapter that registers the same resource handlers with FastAPI
(:func:`starlette_endpoint`), so /openapi.json documents them and they answer the
same if reached through FastAPI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..scim.errors import ScimError
from .reply import Handler, ScimReply, error_reply
from .request import LightCheck, ScimRequest


class _Lock(Protocol):
    def acquire(self, blocking: bool = ..., timeout: float = ...) -> bool: ...

    def release(self) -> None: ...


#: A route lookup's handler and light check (ScimFastPath._route).
_Found = tuple[Handler | None, LightCheck | None]


class ScimFastPath:
    """The ASGI app: resource requests go straight to their handlers, the rest to FastAPI.

    FastAPI's router tries every route in turn and solves dependencies for each
    request, which dominated the cost of a provisioning cycle in profiles. The
    Users/Groups routes are looked up here in a dict and answered by plain functions
    (the same ones FastAPI registers, wrapped, and documents in /openapi.json) from a
    :class:`ScimRequest`; discovery, Account Center, /docs and anything unknown fall
    through to FastAPI.

    Under a running event loop, handlers run in a worker thread (issue 21), except a
    *light* request (``light``: a create with a small body, a filtered GET on an
    indexed attribute, a short PATCH of a compact user), answered on the loop when ``inline_lock`` (the
    store's lock) is free at once: its work is bounded, and the thread hand-over would
    cost more than the work itself. If another request holds the lock (a long search,
    say), the light one goes to a worker thread too, so the loop never waits for it.
    Without ``inline_lock`` (a server that persists every write), nothing is light.

    Besides ASGI, the app answers an in-process caller directly:
    :meth:`answer_in_process` takes the ASGI scope and the whole request body and
    returns what the ASGI messages would have carried, through the same handler code,
    without the receive/send protocol an in-process call does not need.
    """

    def __init__(
        self,
        fastapi: FastAPI,
        routes: dict[tuple[str, str, str], Handler],
        base_paths: tuple[str, ...],
        max_payload_size: int,
        *,
        light: dict[tuple[str, str, str], LightCheck] | None = None,
        inline_lock: _Lock | None = None,
    ) -> None:
        self.fastapi = fastapi
        self._light = light or {}
        self._inline_lock = inline_lock
        self.state = fastapi.state
        self._routes = routes
        self._limit = max_payload_size
        # Longest first, so "/scim/v2/Users" is not read as "/scim" + "/v2/Users".
        self._prefixes = sorted(base_paths, key=len, reverse=True)
        self._endpoints = {path.split("/")[1] for _, _, path in routes}
        # What _find_route answers for each route's own path (collection routes) and, for
        # item routes, for any id under the collection's path (it depends on the id only
        # through resource_id): looked up in one dict, without trying each prefix.
        self._collection_routes: dict[tuple[str, str], _Found] = {}
        self._item_routes: dict[tuple[str, str], _Found] = {}
        for prefix, method, route_path in routes:
            path = prefix + route_path
            if route_path.endswith("/{resource_id}"):
                collection = path.rpartition("/")[0]
                handler, _, check = self._find_route(method, collection + "/id")
                self._item_routes[(method, collection)] = (handler, check)
            else:
                handler, _, check = self._find_route(method, path)
                self._collection_routes[(method, path)] = (handler, check)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            handler, kwargs, light = self._route(scope["method"], scope["path"])
            if handler is not None:
                message = await receive()
                body = message.get("body", b"")
                if (
                    message["type"] == "http.request"
                    and not message.get("more_body", False)
                    and type(body) is bytes
                ):
                    # The whole body in one message (nearly every request): _read_body's
                    # reading of it, without its loop.
                    too_large = len(body) > self._limit
                    if too_large:
                        body = b""
                else:
                    body, too_large = await _read_body(receive, self._limit, message)
                request = ScimRequest(scope, body, body_too_large=too_large)
                # A light request is answered here and now when the store is free, its check
                # made under the lock (what it reads of the store cannot change meanwhile);
                # any other goes to a worker thread.
                reply = None
                lock = self._inline_lock
                if lock is not None and light is not None and lock.acquire(blocking=False):
                    try:
                        if light(request, kwargs):
                            reply = _answer(handler, request, kwargs)
                    finally:
                        lock.release()
                if reply is None:
                    reply = await _answer_off_the_loop(handler, request, kwargs)
                await send(
                    {
                        "type": "http.response.start",
                        "status": reply.status,
                        "headers": reply.headers,
                    }
                )
                await send({"type": "http.response.body", "body": reply.body})
                return
        await self.fastapi(scope, receive, send)

    def answer_in_process(
        self, scope: dict[str, Any], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """Answer a resource request given its scope and whole body; None for other routes."""
        handler, kwargs, _ = self._route(scope["method"], scope["path"])
        if handler is None:
            return None
        request = ScimRequest(scope, body, body_too_large=len(body) > self._limit)
        reply = _answer(handler, request, kwargs)
        return reply.status, reply.headers, reply.body

    def handles_without_suspending(self, scope: Any) -> bool:
        """Whether this request is answered without ever yielding to an event loop.

        The resource handlers are synchronous and the adapter awaits only ``receive``
        and ``send``; when the caller's ``receive``/``send`` complete at once (an
        in-process transport) and the call is stepped without a running loop, the
        handler runs in the caller's thread and the whole ASGI call finishes on its
        first step. (Under a running loop, handlers run in a worker thread.)
        """
        return (
            scope["type"] == "http" and self._route(scope["method"], scope["path"])[0] is not None
        )

    def _route(
        self, method: str, path: str
    ) -> tuple[Handler | None, dict[str, str], LightCheck | None]:
        """The handler of ``method path``, its path parameters and its light check."""
        found = self._collection_routes.get((method, path))
        if found is not None:
            return found[0], {}, found[1]
        collection, _, resource_id = path.rpartition("/")
        found = self._item_routes.get((method, collection))
        if found is not None and resource_id and resource_id != ".search":
            return found[0], {"resource_id": resource_id}, found[1]
        return self._find_route(method, path)

    def _find_route(
        self, method: str, path: str
    ) -> tuple[Handler | None, dict[str, str], LightCheck | None]:
        for prefix in self._prefixes:
            if not path.startswith(prefix + "/"):
                continue
            parts = path[len(prefix) + 1 :].split("/")
            if parts[0] not in self._endpoints:
                return None, {}, None
            if len(parts) == 1:
                key = (prefix, method, "/" + parts[0])
                return self._routes.get(key), {}, self._light.get(key)
            if len(parts) == 2 and parts[1]:
                if parts[1] == ".search":
                    key = (prefix, method, f"/{parts[0]}/.search")
                    return self._routes.get(key), {}, self._light.get(key)
                key = (prefix, method, f"/{parts[0]}/{{resource_id}}")
                return self._routes.get(key), {"resource_id": parts[1]}, self._light.get(key)
            return None, {}, None
        return None, {}, None


def _answer(handler: Handler, request: ScimRequest, kwargs: dict[str, str]) -> ScimReply:
    try:
        return handler(request, **kwargs)
    except ScimError as exc:
        return error_reply(exc)
    except Exception as exc:  # never a stack trace on the wire
        return error_reply(ScimError(500, f"Internal error: {type(exc).__name__}"))


async def _answer_off_the_loop(
    handler: Handler, request: ScimRequest, kwargs: dict[str, str]
) -> ScimReply:
    """Answer in a worker thread when an event loop serves other clients meanwhile.

    A handler's work grows with its request (a PATCH of a thousand operations, a
    filter over every user); on the loop, every other client would wait for it (issue
    21). Stepped without a running loop (the in-process transport's fast path, see
    handles_without_suspending), there is no one else to keep waiting, so it answers
    at once. The store is thread-safe and applies a PATCH outside its lock.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _answer(handler, request, kwargs)
    return await loop.run_in_executor(None, _answer, handler, request, kwargs)


async def _read_body(receive: Any, limit: int, first: Any = None) -> tuple[bytes, bool]:
    """The request body from ASGI ``http.request`` messages, starting with ``first`` (the
    one already received) if given; stops reading past ``limit``."""
    chunks: list[bytes] = []
    size = 0
    message = first
    while True:
        if message is None:
            message = await receive()
        if message["type"] != "http.request":
            break  # http.disconnect: whatever arrived is all there is
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
        message = None
    return b"".join(chunks), False


def starlette_endpoint(handler: Handler, *, item: bool, limit: int) -> Callable[..., Any]:
    """The FastAPI endpoint for a resource handler (its signature documents the path).

    The handler runs in a worker thread, as on the fast path (_answer_off_the_loop).
    """
    if item:

        async def item_endpoint(request: Request, resource_id: str) -> Response:
            scim_request = await ScimRequest.from_starlette(request, limit)
            reply = await run_in_threadpool(handler, scim_request, resource_id=resource_id)
            return reply.to_starlette()

        return item_endpoint

    async def collection_endpoint(request: Request) -> Response:
        scim_request = await ScimRequest.from_starlette(request, limit)
        return (await run_in_threadpool(handler, scim_request)).to_starlette()

    return collection_endpoint
