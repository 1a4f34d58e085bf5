"""What the ``provisim load`` unit tests share: an in-process Fake Elevate behind a
:data:`~harness.load.transport.Sender`, a fake monotonic clock, and a workload on both."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from fake_elevate.elevate import FakeElevate
from harness.load.settings import LoadSettings
from harness.load.tally import Tally
from harness.load.transport import LoadTransport, Sent
from harness.load.workload import TenantWorkload
from harness.transport import AsgiTransport

URL = "http://127.0.0.1/scim/v2"


@dataclass
class FakeTime:
    """A monotonic clock that moves only when slept on."""

    now: float = 100.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Wire:
    """A sender answering from an ASGI app in-process; it keeps every exchange."""

    app: Any
    exchanges: list[tuple[str, str, str, bytes, int, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.inner = AsgiTransport(self.app)

    def __call__(
        self, method: str, url: str, headers: dict[str, str], body: bytes, kind: str
    ) -> Sent:
        request = httpx.Request(method, url, headers=headers, content=body)
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((kind, method, url, body, response.status_code, response.content))
        return Sent(response.status_code, list(response.headers.multi_items()), response.content)


def settings(**changes: Any) -> LoadSettings:
    values: dict[str, Any] = {"url": URL, "run_id": "unit1", "users_per_tenant": 6}
    values.update(changes)
    return LoadSettings(**values)


def workload(
    elevate: FakeElevate,
    token: str,
    *,
    faults: tuple[str, ...] = (),
    options: dict[str, Any] | None = None,
    **changes: Any,
) -> tuple[TenantWorkload, Wire, LoadTransport, FakeTime]:
    wire = Wire(elevate.asgi_app(faults=faults, fault_options=options or {}))
    time = FakeTime()
    tally = Tally()
    config = settings(**changes)
    transport = LoadTransport(
        wire,
        tally,
        tenant="t1",
        base_path="/scim/v2",
        rate=config.rate,
        validate_every=config.validate_every,
        clock=time.clock,
        sleep=time.sleep,
    )
    work = TenantWorkload(
        config, name="t1", token=token, transport=transport, tally=tally, seed=3, sleep=time.sleep
    )
    return work, wire, transport, time
