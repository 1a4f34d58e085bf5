"""The request-rate limiter, driven by an injected clock: no test waits for real time."""

from __future__ import annotations

import math
import threading
import time

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.conformance.rate import (
    ENTRA_REQUESTS_PER_SECOND,
    LeakyBucket,
    RateLimitedTransport,
    peak_per_second,
)


class FakeTime:
    """A monotonic clock that only moves when someone sleeps (or the test says so)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds


def bucket(rate: float, fake: FakeTime) -> LeakyBucket:
    return LeakyBucket(rate, clock=fake.monotonic, sleep=fake.sleep)


def test_entra_rate_is_the_default_the_reference_asks_for() -> None:
    # entra-provisioning-service.md §6: endpoints must handle >= 25 requests/s per tenant.
    assert ENTRA_REQUESTS_PER_SECOND == 25


def test_back_to_back_requests_are_spaced_one_interval_apart() -> None:
    fake = FakeTime()
    limiter = bucket(25, fake)
    for _ in range(100):
        limiter.acquire()
    # 100 requests at 25/s: the first at once, then 99 intervals of 40 ms.
    assert fake.now - 1000.0 == pytest.approx(99 / 25)
    assert limiter.peak_per_second() == 25
    gaps = [b - a for a, b in zip(limiter.admitted, limiter.admitted[1:], strict=False)]
    assert min(gaps) == pytest.approx(0.04)


def test_an_idle_limiter_banks_no_burst() -> None:
    fake = FakeTime()
    limiter = bucket(10, fake)
    limiter.acquire()
    fake.now += 60  # a minute of silence
    first = limiter.acquire()
    second = limiter.acquire()
    assert first == fake.now - 0.1 and second - first == pytest.approx(0.1)


def test_a_request_that_arrives_late_does_not_wait() -> None:
    fake = FakeTime()
    limiter = bucket(5, fake)
    limiter.acquire()
    fake.now += 1.0
    limiter.acquire()
    assert fake.slept == []


@pytest.mark.parametrize("rate", [0, 0.5, -3, math.nan, math.inf])
def test_a_rate_below_one_per_second_or_not_finite_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="at least 1 request per second"):
        LeakyBucket(rate)


@settings(max_examples=200, deadline=None)
@given(
    rate=st.one_of(st.integers(1, 60).map(float), st.floats(1.0, 60.0)),
    gaps=st.lists(st.floats(0.0, 0.3), min_size=1, max_size=80),
)
def test_no_one_second_window_ever_holds_more_than_the_rate(rate: float, gaps: list[float]) -> None:
    fake = FakeTime()
    limiter = bucket(rate, fake)
    for gap in gaps:
        fake.now += gap
        asked = fake.now
        admitted = limiter.acquire()
        assert admitted >= asked and fake.now >= admitted
    assert limiter.admitted == sorted(limiter.admitted)
    assert limiter.peak_per_second() <= math.floor(rate)


def test_peak_per_second_counts_half_open_windows() -> None:
    assert peak_per_second([]) == 0
    assert peak_per_second([0.0, 0.5, 0.999, 1.0, 1.5]) == 3
    assert peak_per_second([0.0, 1.0, 2.0]) == 1
    assert peak_per_second([5.0, 5.0, 5.0]) == 3


def test_the_transport_limits_every_request_and_passes_responses_through() -> None:
    fake = FakeTime()
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"n": len(seen)})

    limiter = bucket(25, fake)
    transport = RateLimitedTransport(httpx.MockTransport(answer), limiter)
    with httpx.Client(transport=transport, base_url="http://127.0.0.1") as client:
        bodies = [client.get(f"/Users/{i}").json() for i in range(60)]
    assert bodies[-1] == {"n": 60} and len(seen) == 60
    assert limiter.count == 60 and limiter.peak_per_second() == 25
    assert fake.now - 1000.0 == pytest.approx(59 / 25)


def test_concurrent_callers_share_one_limit() -> None:
    # Real threads and the real clock, at a rate high enough to take a fraction of a second.
    limiter = LeakyBucket(400)
    transport = RateLimitedTransport(
        httpx.MockTransport(lambda request: httpx.Response(204)), limiter
    )

    def send() -> None:
        with httpx.Client(transport=transport) as client:
            for _ in range(20):
                client.get("http://127.0.0.1/Users")

    started = time.monotonic()
    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert limiter.count == 80
    assert limiter.peak_per_second() <= 400
    # 80 slots 2.5 ms apart: the last one is reserved 197.5 ms after the first.
    assert time.monotonic() - started >= 79 / 400 - 0.01
