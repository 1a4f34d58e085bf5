"""Run the Graph face under uvicorn: what ``provisim serve entra`` calls.

Binds to loopback unless told otherwise: the fake accepts any client holding its static
token, and plain http is what the SDKs allow only for loopback hosts [reference A.4].
"""

from __future__ import annotations

import socket

import uvicorn

from fake_entra.graph.app import create_app
from fake_entra.graph.service import GraphService


def serve(
    service: GraphService,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    sock: socket.socket | None = None,
) -> None:
    """Serve ``service`` until interrupted (Ctrl+C), on ``host:port`` or on ``sock``, a
    socket already listening (so a caller can name the port ``0`` picked before serving)."""
    config = uvicorn.Config(
        create_app(service), host=host, port=port, log_level="warning", access_log=False
    )
    uvicorn.Server(config).run(sockets=None if sock is None else [sock])
