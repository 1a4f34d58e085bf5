"""The record of a run (:mod:`harness.conformance.exchanges`): credentials never reach it."""

from __future__ import annotations

from typing import Any

import httpx
from conformance_support import URL

from harness.conformance.exchanges import ExchangeLog, RecordingTransport
from harness.conformance.probe import ScimProbe
from harness.transport import EVIDENCE_BODY_LIMIT


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


def _recorded(answer: httpx.Response, secret: str = "s3cret-token-value-0123456789") -> Any:
    log = ExchangeLog()
    transport = RecordingTransport(httpx.MockTransport(lambda r: answer), log)
    with httpx.Client(transport=transport, headers={"Authorization": f"Bearer {secret}"}) as c:
        response = c.get(f"{URL}/Users")
    [exchange] = log.all()
    return exchange, response


def test_a_token_the_endpoint_echoes_is_masked_in_the_record_by_value() -> None:
    secret = "s3cret-token-value-0123456789"
    exchange, response = _recorded(
        httpx.Response(
            400,
            json={"detail": f"token {secret} refused", "echo": secret},
            headers={"X-Echo-Token": secret, "WWW-Authenticate": f'Bearer realm="{secret}"'},
        ),
        secret,
    )
    assert secret not in repr(exchange)
    assert exchange.json() == {"detail": "token <redacted> refused", "echo": "<redacted>"}
    assert exchange.response_headers["x-echo-token"] == "<redacted>"
    assert secret in response.text  # the caller still reads what the endpoint said


def test_a_large_body_is_kept_cut_with_a_marker() -> None:
    body = b'{"x": "' + b"a" * (EVIDENCE_BODY_LIMIT * 2) + b'"}'
    exchange, response = _recorded(httpx.Response(200, content=body))
    assert len(response.content) == len(body)
    assert exchange.response_cut_from == len(body)
    assert len(exchange.response_body) < EVIDENCE_BODY_LIMIT + 100
    assert exchange.response_body.endswith(
        f"[cut by provisim: {len(body)} bytes, the first {EVIDENCE_BODY_LIMIT} kept]".encode()
    )
    assert exchange.json() is None
