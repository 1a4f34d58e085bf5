"""The checks' own SCIM client (:mod:`harness.conformance.probe`): retries with manners,
and Retry-After read as seconds or as an HTTP date."""

from __future__ import annotations

import httpx
import pytest
from conformance_support import URL

from harness.conformance.exchanges import ExchangeLog, RecordingTransport
from harness.conformance.probe import ScimProbe, retry_after_seconds


def test_the_probe_waits_out_a_retry_after_and_retries_5xx() -> None:
    answers = iter([(429, {"Retry-After": "7"}), (503, {}), (200, {})])

    def answer(request: httpx.Request) -> httpx.Response:
        status, headers = next(answers)
        return httpx.Response(status, headers=headers, json={"ok": status})

    log = ExchangeLog()
    waits: list[float] = []
    probe = ScimProbe(
        URL,
        "token",
        transport=RecordingTransport(httpx.MockTransport(answer), log),
        log=log,
        timeout=5,
        sleep=waits.append,
        max_wait=5,
    )
    final = probe.get("Users")
    assert final.status == 200 and [e.status for e in log] == [429, 503, 200]
    assert waits == [5, 0.5]  # Retry-After 7 capped at max_wait 5; then a back-off


@pytest.mark.parametrize(
    ("value", "date", "seconds"),
    [
        ("120", None, 120.0),
        (None, None, 1.0),
        ("soon", None, 1.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", None, 1.0),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(
    value: str | None, date: str | None, seconds: float
) -> None:
    assert retry_after_seconds(value, date) == seconds
