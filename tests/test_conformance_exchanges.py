"""The record of a run (:mod:`harness.conformance.exchanges`): credentials never reach it."""

from __future__ import annotations

import httpx
from conformance_support import URL

from harness.conformance.exchanges import ExchangeLog, RecordingTransport
from harness.conformance.probe import ScimProbe


def test_recorded_exchanges_never_hold_the_token() -> None:
    log = ExchangeLog()
    secret = "s3cret-token-value-0123456789"
    probe = ScimProbe(
        URL,
        secret,
        transport=RecordingTransport(
            httpx.MockTransport(lambda r: httpx.Response(200, headers={"Set-Cookie": "a=b"})), log
        ),
        log=log,
        timeout=5,
        sleep=lambda _: None,
    )
    probe.get("Users")
    probe.get("Users", auth="another-token", expect_refusal=True)
    [first, second] = log.all()
    assert first.request_headers["authorization"] == "Bearer <redacted>"
    assert second.expect_refusal and first.response_headers["set-cookie"] == "<redacted>"
    assert secret not in repr(log.all())
