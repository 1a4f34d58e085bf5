"""``python -m harness.bench.servers KIND PORT TOKEN``: one SCIM server under uvicorn, for throughput.

KIND is ``provisim`` (Fake Elevate), ``starlette`` (a bare Starlette app answering
fixed SCIM responses: the floor any Starlette-based server stands on) or
``scim2-server`` (the python-scim reference server, its ASGI application over its
async in-memory storage). All run under the same uvicorn settings in their own
process, so none shares the client's interpreter.

Once uvicorn has started, the process prints one JSON line on stdout: the HTTP stack
it runs on (:func:`http_stack`), as uvicorn's ``auto`` settings picked it (httptools
and uvloop when ``provisim[speed]`` is installed, else h11 and asyncio).
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from typing import Any

import uvicorn

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def provisim_app(token: str) -> Any:
    from fake_elevate.elevate import FakeElevate

    elevate = FakeElevate(seed=1)
    elevate.quick_setup(seats=1_000_000, token=token)
    return elevate.asgi_app()


def _fixed_user() -> dict[str, Any]:
    """A user as Fake Elevate answers the bench's POST (same attributes, same sizes)."""
    user_id = "0123456789abcdef0123456789abcdef"
    return {
        "schemas": [USER],
        "id": user_id,
        "externalId": "ext-bench1",
        "userName": "bench1@contoso.com",
        "active": True,
        "displayName": "Bench User 1",
        "emails": [{"primary": True, "type": "work", "value": "bench1@contoso.com"}],
        "name": {"givenName": "Bench", "familyName": "User1"},
        "meta": {
            "resourceType": "User",
            "created": "2026-12-07T05:00:00.000Z",
            "lastModified": "2026-12-07T05:00:00.000Z",
            "version": 'W/"1"',
            "location": f"http://127.0.0.1/scim/v2/Users/{user_id}",
        },
    }


def starlette_app() -> Any:
    """A bare Starlette app: the bench's four requests, each answered with a fixed SCIM body.

    It reads each request's body, as a server must, and does nothing else: no
    authentication, no store, no validation. Fake Elevate's rate over this one's, on
    the same client and HTTP stack, is what its own work costs.
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    user = _fixed_user()
    media_type = "application/scim+json"
    listed = json.dumps(
        {
            "schemas": [LIST_RESPONSE],
            "totalResults": 1,
            "startIndex": 1,
            "itemsPerPage": 1,
            "Resources": [user],
        }
    ).encode()
    one = json.dumps(user).encode()
    item_headers = {"ETag": user["meta"]["version"]}
    created_headers = {**item_headers, "Location": user["meta"]["location"]}

    async def users(request: Request) -> Response:
        if request.method == "POST":
            await request.body()
            return Response(one, 201, created_headers, media_type)
        return Response(listed, 200, media_type=media_type)

    async def user_item(request: Request) -> Response:
        await request.body()
        return Response(one, 200, item_headers, media_type)

    async def config(request: Request) -> Response:
        return Response(b"{}", 200, media_type=media_type)

    return Starlette(
        routes=[
            Route("/scim/v2/Users", users, methods=["GET", "POST"]),
            Route("/scim/v2/Users/{resource_id}", user_item, methods=["GET", "PATCH"]),
            Route("/scim/v2/ServiceProviderConfig", config),
        ]
    )


def scim2_server_app() -> Any:
    from scim2_models import ScimProvider
    from scim2_server.applications.asgi import ASGIApplication
    from scim2_server.memory import AsyncInMemoryStorage
    from scim2_server.service import ScimService
    from scim2_server.utils import (
        load_default_resource_types,
        load_default_schemas,
        load_default_service_provider_config,
    )

    provider = ScimProvider.from_discovery(
        load_default_schemas().values(),
        load_default_resource_types().values(),
        config=load_default_service_provider_config(),
    )
    service = ScimService(provider, secret="benchmark-cursor-secret-0123456789")
    return ASGIApplication(AsyncInMemoryStorage(), provider, service)


def http_stack(config: uvicorn.Config) -> dict[str, str]:
    """The HTTP parser and event loop a loaded uvicorn config serves with, from inside the loop.

    ``http`` names uvicorn's protocol implementation (``httptools`` or ``h11``), ``loop``
    the running event loop's module (``uvloop`` or ``asyncio``).
    """
    protocol = getattr(config, "http_protocol_class", None)
    module = getattr(protocol, "__module__", "") or ""
    http = module.rsplit(".", 1)[-1].removesuffix("_impl") or "unknown"
    loop = type(asyncio.get_running_loop()).__module__.split(".", 1)[0]
    return {"http": http, "loop": loop}


class _ReportingServer(uvicorn.Server):
    """A uvicorn server that prints its HTTP stack on stdout once it has started."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        sys.stdout.write(json.dumps(http_stack(self.config)) + "\n")
        sys.stdout.flush()


def main() -> None:
    kind, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if kind == "provisim":
        app = provisim_app(token)
    elif kind == "starlette":
        app = starlette_app()
    else:
        app = scim2_server_app()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", port))
    server = _ReportingServer(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
