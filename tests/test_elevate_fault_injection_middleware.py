"""FaultMiddleware (fake_elevate/fault_injection/middleware.py): order, pass-through, fast path."""

from __future__ import annotations

from elevate_support import USER, ElevateWithFaults

from fake_elevate.elevate import FakeElevate
from fake_elevate.faults import with_faults


def test_the_in_process_fast_path_stays_unless_a_fault_really_waits() -> None:
    elevate = FakeElevate(seed=3)
    scope = {"type": "http", "method": "GET", "path": "/scim/v2/Users"}
    assert with_faults(elevate.asgi_app(), "429-storm").handles_without_suspending(scope)
    in_process_slow = with_faults(elevate.asgi_app(), "slow", slow_delay=5)
    assert in_process_slow.handles_without_suspending(scope)
    served_slow = with_faults(elevate.asgi_app(), "slow", served=True)
    assert not served_slow.handles_without_suspending(scope)
    # The wrapped app's state is still reachable, as code reading app.state expects.
    assert served_slow.state.elevate is elevate


def test_without_faults_the_middleware_changes_nothing() -> None:
    service = ElevateWithFaults()
    assert service.get("/Users", filter='userName eq "nobody"').json()["totalResults"] == 0
    created = service.post("/Users", {"schemas": [USER], "userName": "a@contoso.com"})
    assert created.status_code == 201
    assert created.headers["location"].endswith(created.json()["id"])
    assert service.get(f"/Users/{created.json()['id']}").json()["userName"] == "a@contoso.com"
    assert service.injected == {}


def test_faults_leave_the_account_center_admin_api_alone() -> None:
    service = ElevateWithFaults("revoked-token", "5xx-burst", revoke_after=0)
    pools = service.http.get("https://api.linkedin.com/account-center/license-pools")
    assert pools.status_code == 200 and pools.json()["pools"][0]["seats"] == 10
    assert service.get("/Users").status_code == 401
    assert service.injected == {"revoked-token": 1, "5xx-burst": 0}


def test_faults_apply_in_the_order_named() -> None:
    # The storm sees requests first, so the burst only counts what the storm lets through.
    service = ElevateWithFaults("429-storm", "5xx-burst", storm_count=2, burst_count=1)
    statuses = [service.get("/Groups").status_code for _ in range(4)]
    assert statuses == [429, 429, 500, 200]
