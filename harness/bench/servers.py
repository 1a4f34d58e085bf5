"""``python -m harness.bench.servers KIND PORT TOKEN``: one SCIM server under uvicorn, for throughput.

KIND is ``provisim`` (Fake Elevate) or ``scim2-server`` (the python-scim
reference server, its ASGI application over its async in-memory storage). Both
run under the same uvicorn settings in their own process, so neither shares
the client's interpreter.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

import uvicorn


def provisim_app(token: str) -> Any:
    from fake_elevate.elevate import FakeElevate

    elevate = FakeElevate(seed=1)
    elevate.quick_setup(seats=1_000_000, token=token)
    return elevate.asgi_app()


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


def main() -> None:
    kind, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = provisim_app(token) if kind == "provisim" else scim2_server_app()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", port))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
