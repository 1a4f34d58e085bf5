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


# --- provisim serve: both sides, their portals, wired together --------------------------------

#: The test directory ``provisim serve`` starts with: people to assign, and a group of them.
DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("Britta Simon", "britta.simon"),
    ("Kai Li", "kai.li"),
    ("Ana Pereira", "ana.pereira"),
)
DEMO_GROUP = "LinkedIn Elevate users"
#: The Graph paths served beside the portal on Fake Entra's host.
GRAPH_PREFIXES = ("/v1.0", "/beta", "/_provisim")


class Dispatch:
    """One ASGI app in front of several: by path prefix and, for a server on two sockets,
    by the local port a request came in on."""

    def __init__(
        self,
        default: Any,
        *,
        prefixes: tuple[tuple[str, Any, bool], ...] = (),
        ports: dict[int, Any] | None = None,
    ) -> None:
        self.default = default
        #: (prefix, app, mounted): a mounted app sees the prefix as its root_path.
        self.prefixes = prefixes
        self.ports = ports or {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            # The apps here need no start-up; acknowledge, as an app without lifespan does.
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        server = scope.get("server") or (None, None)
        if server[1] in self.ports:
            await self.ports[server[1]](scope, receive, send)
            return
        path = scope.get("path", "")
        for prefix, app, mounted in self.prefixes:
            if path == prefix and mounted:
                await _redirect(send, prefix + "/")
                return
            if path == prefix or path.startswith(prefix + "/"):
                if mounted:
                    scope = {**scope, "root_path": scope.get("root_path", "") + prefix}
                await app(scope, receive, send)
                return
        await self.default(scope, receive, send)


async def _redirect(send: Any, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 307,
            "headers": [(b"location", location.encode()), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


class Simulation:
    """Fake Entra (Graph + the admin center) and Fake Elevate (SCIM + Account Center + its
    pages), one tenant and one account, wired as ``provisim serve`` serves them.

    The tenant provisions over real HTTP (the Tenant URL typed in the portal), through a
    tap that feeds the simulator's live SCIM exchange stream. Fake Elevate reads time from
    the tenant's virtual clock. Every portal action is a Graph (or admin API) call.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        graph_token: str | None = None,
        admin_key: str | None = None,
        seats: int = 10,
        demo_directory: bool = True,
        links: dict[str, str] | None = None,
        fault_options: dict[str, Any] | None = None,
    ) -> None:
        import httpx

        from fake_elevate.elevate import FakeElevate
        from fake_elevate.portal import (
            PORTAL_PREFIX,
            AccountCenterClient,
            SwitchableFaults,
            create_account_center_portal,
        )
        from fake_entra.graph import GraphService, GraphSettings, create_app
        from fake_entra.portal import ExchangeFeed, FeedTransport, GraphClient, create_portal
        from fake_entra.tenant import Tenant

        self.graph_token = graph_token or secrets.token_urlsafe(32)
        self.admin_key = admin_key or secrets.token_urlsafe(24)
        self.feed = ExchangeFeed()
        self.tenant = Tenant(
            seed=seed, scim_transport=FeedTransport(httpx.HTTPTransport(), self.feed)
        )
        self.service = GraphService(self.tenant, GraphSettings(token=self.graph_token))
        self.graph_app = create_app(self.service)
        self.elevate = FakeElevate(now=self.tenant.clock.now, seed=seed, admin_key=self.admin_key)
        # The licence pool the tutorial's first SCIM configuration draws from (§3).
        self.elevate.account_center.set_license_pool("LinkedIn Elevate", "Elevate", seats)
        self.elevate_scim = self.elevate.asgi_app()
        self.faults = SwitchableFaults(self.elevate_scim, {"served": True, **(fault_options or {})})
        self.links = dict(links or {})
        self.portal = create_portal(
            GraphClient(self.graph_token, app=self.graph_app), feed=self.feed, links=self.links
        )
        self.account_center = create_account_center_portal(
            AccountCenterClient(self.admin_key, app=self.elevate_scim), faults=self.faults
        )
        self.account_center_prefix = PORTAL_PREFIX
        self.entra_app = Dispatch(
            self.portal, prefixes=tuple((p, self.graph_app, False) for p in GRAPH_PREFIXES)
        )
        self.elevate_app = Dispatch(
            self.faults, prefixes=((PORTAL_PREFIX, self.account_center, True),)
        )
        if demo_directory:
            self.add_demo_directory()

    def add_demo_directory(self) -> None:
        """The demo users and group, created through Graph as a script would."""
        import httpx

        from harness.transport import AsgiTransport

        with httpx.Client(
            transport=AsgiTransport(self.graph_app),
            base_url="https://graph.microsoft.com/v1.0",
            headers={"Authorization": f"Bearer {self.graph_token}"},
            timeout=30,
        ) as graph:
            domain = self.tenant.directory.default_domain
            ids = []
            for name, nickname in DEMO_USERS:
                made = graph.post(
                    "/users",
                    json={
                        "accountEnabled": True,
                        "displayName": name,
                        "mailNickname": nickname,
                        "userPrincipalName": f"{nickname}@{domain}",
                        "passwordProfile": {"password": secrets.token_urlsafe(12)},
                    },
                )
                made.raise_for_status()
                ids.append(made.json()["id"])
            group = graph.post(
                "/groups",
                json={
                    "displayName": DEMO_GROUP,
                    "mailEnabled": False,
                    "mailNickname": "linkedin-elevate-users",
                    "securityEnabled": True,
                },
            )
            group.raise_for_status()
            for user_id in ids:
                graph.post(
                    f"/groups/{group.json()['id']}/members/$ref",
                    json={
                        "@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{user_id}"
                    },
                ).raise_for_status()

    def app(self, entra_port: int, elevate_port: int) -> Dispatch:
        """One ASGI app for a server listening on both ports."""
        return Dispatch(
            self.entra_app, ports={entra_port: self.entra_app, elevate_port: self.elevate_app}
        )


def serve_simulation(
    *,
    host: str,
    port: int,
    elevate_port: int,
    seed: int,
    seats: int,
    graph_token: str | None,
    say: Callable[[str], None],
) -> None:
    """``provisim serve``: both sides on two loopback ports of one uvicorn server, until
    interrupted; ``say`` prints the banner with every URL."""
    check_host(host)
    if graph_token is not None and not _BEARER_TOKEN.fullmatch(graph_token):
        raise ServeError(
            "--token must be a bearer token of letters, digits and -._~+/ (RFC 6750), "
            "with no spaces"
        )
    entra_sock = bind(host, port)
    try:
        elevate_sock = bind(host, elevate_port)
    except ServeError:
        entra_sock.close()
        raise
    entra, elevate = base_url(entra_sock), base_url(elevate_sock)
    simulation = Simulation(
        seed=seed,
        graph_token=graph_token,
        seats=seats,
        links={
            "LinkedIn Account Center": f"{elevate}/accountcenter/",
            "Fake Elevate's fault profiles": f"{elevate}/accountcenter/simulator",
        },
    )
    token_shown = (
        "(as given by --token or PROVISIM_GRAPH_TOKEN)" if graph_token else simulation.graph_token
    )
    say("provisim: the LinkedIn Elevate tutorial, both sides, on this machine")
    say(f"Microsoft Entra admin center: {entra}/")
    say(f"LinkedIn Account Center:      {elevate}/accountcenter/")
    say(f"Tenant URL (SCIM base URL):   {elevate}/scim/v2")
    say(f"Simulator controls:           {entra}/simulator")
    say(f"Microsoft Graph:              {entra}/v1.0 (and {entra}/beta)")
    say(f"Graph bearer token:           {token_shown}")
    say(f"Account Center admin API:     {elevate}/account-center (key {simulation.admin_key})")
    say("Press Ctrl+C to stop.")
    sys.stdout.flush()
    entra_port = entra_sock.getsockname()[1]
    elevate_port_bound = elevate_sock.getsockname()[1]
    config = uvicorn.Config(
        simulation.app(entra_port, elevate_port_bound), log_level="warning", access_log=False
    )
    uvicorn.Server(config).run(sockets=[entra_sock, elevate_sock])
