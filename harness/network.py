"""The network between Microsoft Entra ID and the SCIM target, as a scenario sees it.

Fake Entra sends every SCIM request through one ``httpx`` transport. :class:`Network` is
that transport: it routes each request by host to the target serving it (Fake Elevate
in-process for ``api.linkedin.com``, or the live endpoint given to pytest), and any other
host is unreachable, as a mistyped Tenant URL is. A live run can therefore never reach a
host it wasn't pointed at.

Scenarios about a misbehaving endpoint add :class:`CannedResponse` rules (matching requests
are answered by the network with a fixed response instead of reaching the target) or make
every request time out; both work the same in-process and against a live endpoint.

A live endpoint is untrusted: a route to one over real sockets (an ``httpx.HTTPTransport``)
is wrapped in :class:`harness.transport.BoundedTransport`, so each request ends by its
deadline and reads at most a capped body, with the limits ``provisim run`` was given
(``--timeout``, ``--max-body``, handed over in the environment).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.transport import BoundedTransport, ResponseLimits, limits_from_environment

SCIM_MEDIA_TYPE = "application/scim+json"


@dataclass
class CannedResponse:
    """Answer ``method`` requests to ``resource`` with ``status`` and ``body``.

    ``resource`` is the path below the Tenant URL: ``/Users`` for the collection,
    ``/Users/*`` for any one user. ``times`` limits how many requests it answers (None:
    all of them).
    """

    method: str
    resource: str
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    answered: int = 0

    def matches(self, request: httpx.Request) -> bool:
        if self.times is not None and self.answered >= self.times:
            return False
        if request.method.upper() != self.method.upper():
            return False
        wanted = [part for part in self.resource.split("/") if part]
        segments = [part for part in request.url.path.split("/") if part]
        if len(segments) < len(wanted):
            return False
        tail = segments[len(segments) - len(wanted) :]
        return all(want in ("*", seg) for want, seg in zip(wanted, tail, strict=True))

    def respond(self, request: httpx.Request) -> httpx.Response:
        self.answered += 1
        headers = dict(self.headers)
        content = b""
        if self.body is not None:
            content = (
                self.body.encode() if isinstance(self.body, str) else json.dumps(self.body).encode()
            )
            headers.setdefault("Content-Type", SCIM_MEDIA_TYPE)
        return httpx.Response(self.status, headers=headers, content=content, request=request)


class Network(httpx.BaseTransport):
    """Routes requests by host; unknown hosts are unreachable."""

    def __init__(
        self,
        routes: dict[str, httpx.BaseTransport] | None = None,
        *,
        limits: ResponseLimits | None = None,
    ) -> None:
        #: The limits of every route over real sockets (default: the environment's).
        self.limits = limits
        self._routes: dict[str, httpx.BaseTransport] = {}
        for host, transport in (routes or {}).items():
            self.route(host, transport)
        self.canned: list[CannedResponse] = []
        #: Every request times out, as when the endpoint stops answering.
        self.timing_out = False

    def route(self, host: str, transport: httpx.BaseTransport) -> None:
        """Serve ``host`` (a host name, or ``host:port``) with ``transport``; one over real
        sockets within the network's limits."""
        if isinstance(transport, httpx.HTTPTransport):
            transport = BoundedTransport(transport, self.limits or limits_from_environment())
        self._routes[host.lower()] = transport

    def transport_for(self, url: httpx.URL) -> httpx.BaseTransport | None:
        host = url.host.lower()
        with_port = f"{host}:{url.port}" if url.port is not None else host
        return self._routes.get(with_port) or self._routes.get(host)

    def answer(self, canned: CannedResponse) -> CannedResponse:
        self.canned.append(canned)
        return canned

    def time_out(self) -> None:
        """From now on the endpoint never answers: every request times out."""
        self.timing_out = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.timing_out:
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        for canned in self.canned:
            if canned.matches(request):
                return canned.respond(request)
        return self.forward(request)

    def forward(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to its host, bypassing canned responses."""
        transport = self.transport_for(request.url)
        if transport is None:
            # What a resolver says about a host that doesn't exist.
            raise httpx.ConnectError(
                f"[Errno -2] Name or service not known: {request.url.host}", request=request
            )
        return transport.handle_request(request)

    def close(self) -> None:
        for transport in self._routes.values():
            transport.close()


class Direct(httpx.BaseTransport):
    """A view of a :class:`Network` without its canned responses: the harness reads the
    target through it, past any fault a scenario set up."""

    def __init__(self, network: Network) -> None:
        self.network = network

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.network.forward(request)
