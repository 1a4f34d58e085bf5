"""What the conformance tests share: a check context against Fake Elevate (with fault
profiles), and exchanges written by hand for the sweeps."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import httpx

from fake_elevate.elevate import FakeElevate
from fake_elevate.faults import with_faults
from harness.conformance.checks import CheckContext, check_by_id
from harness.conformance.exchanges import Exchange, ExchangeLog, RecordingTransport
from harness.conformance.probe import ScimProbe
from harness.conformance.results import CheckResult
from harness.transport import AsgiTransport

URL = "http://127.0.0.1/scim/v2"
RUN_ID = "t3st"

#: An empty ListResponse body.
EMPTY = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    "totalResults": 0,
    "Resources": [],
}


def context(transport: httpx.BaseTransport, token: str, *, rate: float = 25) -> CheckContext:
    """A check context whose every request goes through ``transport``, recorded."""
    log = ExchangeLog()
    recorder = RecordingTransport(transport, log)
    probe = ScimProbe(URL, token, transport=recorder, log=log, timeout=5, sleep=lambda _: None)
    return CheckContext(probe, log, run_id=RUN_ID, rate=rate, rng=random.Random(7))


def elevate_context(elevate: FakeElevate, *faults: str, **options: Any) -> CheckContext:
    """A check context against ``elevate`` in-process, with ``faults`` switched on."""
    _, token = elevate.quick_setup(seats=20)
    app = elevate.asgi_app()
    if faults:
        app = with_faults(app, *faults, **options)
    return context(AsgiTransport(app), token)


def add(log: ExchangeLog, status: int | None, body: Any = None, **fields: Any) -> Exchange:
    """Record one exchange written by hand: a GET answered ``status`` with ``body``."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body else b""
    values: dict[str, Any] = {
        "origin": "entra",
        "method": "GET",
        "url": f"{URL}/Users?filter=userName%20eq%20%22x%22",
        "request_headers": {},
        "request_body": b"",
        "status": status,
        "response_headers": {"content-type": "application/scim+json"},
        "response_body": raw,
        "error": None,
        "timed_out": False,
        "started": 0.0,
        "elapsed": 0.001,
    }
    values.update(fields)
    return log.add(**values)


def sweeper(elevate: FakeElevate) -> Callable[..., CheckResult]:
    """Run one sweep over a context against ``elevate`` plus exchanges written by hand."""
    ctx = elevate_context(elevate)

    def sweep(check_id: str, *exchanges: dict[str, Any], rate: float = 25) -> CheckResult:
        ctx.rate = rate
        for fields in exchanges:
            add(ctx.log, **fields)
        return check_by_id(check_id).run(ctx)

    return sweep
