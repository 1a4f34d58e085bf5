"""Real sockets for the servers: ``provisim serve`` binds with :func:`listen` before its
banner names the port; tests and benchmarks that need a real socket start the server in a
background thread and stop it when done: ``with serve_in_thread(app) as base_url: ...``.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServeError(Exception):
    """A reason ``provisim serve`` cannot start that the user can fix, in one line."""


def check_host(host: str) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            raise ServeError(f"--host must be an IP address or 'localhost', not {host!r}") from None


def bind(host: str, port: int) -> socket.socket:
    """:func:`listen`, its failure said as a :class:`ServeError`."""
    try:
        return listen(host, port)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


#: RFC 6750 §2.1: what a bearer token may be made of (so it travels in a header as is).
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def serve_graph(
    *,
    host: str,
    port: int,
    token: str | None,
    seed: int,
    allow_anonymous: bool,
    say: Callable[[str], None],
) -> None:
    """``provisim serve entra``: Fake Entra's Graph face for a tenant seeded with ``seed``,
    on ``host:port``, until interrupted. ``say`` prints the banner; a token given is never
    repeated (a secret), one generated is, since nobody could know it otherwise."""
    from fake_entra.graph import ADMIN_PREFIX, GraphService, GraphSettings, serve
    from fake_entra.tenant import Tenant

    check_host(host)
    if token is not None and not _BEARER_TOKEN.fullmatch(token):
        # The value itself is never echoed: it is a secret.
        raise ServeError(
            "--token must be a bearer token of letters, digits and -._~+/ (RFC 6750), "
            "with no spaces"
        )
    bearer = token if token is not None else secrets.token_urlsafe(32)
    settings = GraphSettings(token=bearer, allow_anonymous=allow_anonymous)
    service = GraphService(Tenant(seed=seed), settings)
    sock = bind(host, port)
    base = base_url(sock)
    shown = "(as given by --token or PROVISIM_GRAPH_TOKEN)" if token is not None else bearer
    say(f"Fake Entra (Microsoft Graph) listening on {base}")
    say(f"Graph base URL: {base}/v1.0 (and {base}/beta)")
    say(f"Bearer token:   {shown}")
    if allow_anonymous:
        say("Anonymous:      calls without an Authorization header are accepted")
    say(
        f"Virtual clock:  {base}{ADMIN_PREFIX}/clock "
        '(POST .../clock/advance {"duration": "PT40M"})'
    )
    say("Press Ctrl+C to stop.")
    sys.stdout.flush()
    serve(service, sock=sock)


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port`` (port 0: a free one, read back with
    ``getsockname``). Raises OSError when the address cannot be bound."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Inherited by accepted connections: no 40 ms delayed-ACK stalls.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        # Listen before saying so: a client that reads "listening on" and connects at once
        # is queued in the backlog until uvicorn accepts, instead of being refused.
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """``http://host:port`` of a listening socket, an IPv6 host in brackets."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@contextmanager
def serve_in_thread(
    app: Any, *, host: str = "127.0.0.1", startup_timeout: float = 10.0
) -> Iterator[str]:
    """Serve ``app`` on ``host`` at a free port; yields ``http://host:port``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit TCP_NODELAY on Linux: without it a response
    # written in two segments waits out the peer's 40 ms delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    # uvicorn installs signal handlers only in the main thread; nothing to undo here.
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise RuntimeError(f"the server on {host}:{port} stopped during startup")
        if time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            sock.close()
            raise RuntimeError(f"the server on {host}:{port} did not start in {startup_timeout}s")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
