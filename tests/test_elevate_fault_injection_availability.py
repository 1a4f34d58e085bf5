"""The availability profiles (fake_elevate/fault_injection/availability.py).

Counted, random, slow and revoked-token faults; ``slow`` once under uvicorn.
"""

from __future__ import annotations

import time

import httpx
import pytest
from elevate_support import ElevateWithFaults, assert_error

from fake_elevate.elevate import FakeElevate
from harness.serving import serve_in_thread


def test_429_storm_answers_a_window_of_requests_with_retry_after() -> None:
    service = ElevateWithFaults("429-storm", storm_start=1, storm_count=3, storm_retry_after=90)
    statuses = []
    for _ in range(6):
        response = service.get("/Users", filter='userName eq "x@contoso.com"')
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.headers["retry-after"] == "90"
            assert "90 seconds" in assert_error(response, 429)["detail"]
    assert statuses == [200, 429, 429, 429, 200, 200]
    assert service.injected == {"429-storm": 3}


def test_5xx_burst_cycles_through_its_statuses_then_recovers() -> None:
    service = ElevateWithFaults("5xx-burst", burst_count=3, burst_statuses=(500, 503))
    statuses = [service.get("/Groups").status_code for _ in range(5)]
    assert statuses == [500, 503, 500, 200, 200]


def test_flaky_is_repeatable_for_a_seed_and_differs_between_seeds() -> None:
    def run(seed: int) -> list[int]:
        service = ElevateWithFaults("flaky", flaky_rate=0.5, seed=seed)
        return [service.get("/Groups").status_code for _ in range(24)]

    first = run(1)
    assert first == run(1)
    assert first != run(2)
    assert set(first) == {200, 503}


def test_revoked_token_refuses_everything_after_the_first_requests() -> None:
    service = ElevateWithFaults("revoked-token", revoke_after=2)
    statuses = [service.get("/Users").status_code for _ in range(4)]
    assert statuses == [200, 200, 401, 401]
    refused = service.get("/Users")
    assert "invalid_token" in refused.headers["www-authenticate"]
    assert_error(refused, 401)


def test_slow_in_process_never_sleeps_and_times_out_past_the_client_timeout() -> None:
    service = ElevateWithFaults("slow", slow_delay=30.0)
    started = time.perf_counter()
    assert service.get("/Users").status_code == 200
    assert time.perf_counter() - started < 5  # 30 s are simulated, never waited
    timing_out = ElevateWithFaults("slow", slow_delay=30.0, slow_timeout_after=10.0, slow_count=1)
    with pytest.raises(httpx.ReadTimeout, match=r"10\.0 s"):
        timing_out.get("/Users")
    assert timing_out.get("/Users").status_code == 200
    assert timing_out.injected == {"slow": 1}


def test_slow_served_for_real_delays_and_trips_a_client_timeout() -> None:
    elevate = FakeElevate(seed=4)
    _config, token = elevate.quick_setup(seats=1)
    app = elevate.asgi_app(faults=["slow"], fault_options={"served": True, "slow_delay": 0.3})
    headers = {"Authorization": f"Bearer {token}"}
    with serve_in_thread(app) as base:
        started = time.perf_counter()
        response = httpx.get(f"{base}/scim/v2/Users", headers=headers, timeout=5)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and elapsed >= 0.3
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{base}/scim/v2/Users", headers=headers, timeout=0.1)
