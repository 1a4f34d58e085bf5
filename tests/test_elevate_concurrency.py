"""Fake Elevate under concurrent clients on a real socket (uvicorn on loopback)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from harness.serving import serve_in_thread

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
HEADERS = {"Content-Type": "application/scim+json"}


@pytest.fixture
def served() -> Iterator[tuple[FakeElevate, str, str]]:
    elevate = FakeElevate(seed=9)
    _config, token = elevate.quick_setup(seats=10)
    with serve_in_thread(elevate.asgi_app()) as base:
        yield elevate, f"{base}/scim/v2", token


def _clients(base: str, token: str, n: int) -> list[httpx.Client]:
    return [
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        for _ in range(n)
    ]


def test_fifty_parallel_posts_of_one_user_name_give_one_201_and_409s(served) -> None:  # type: ignore[no-untyped-def]
    elevate, base, token = served
    clients = _clients(base, token, 50)
    body = json.dumps({"schemas": [USER], "userName": "race@contoso.com"})
    with ThreadPoolExecutor(50) as pool:
        statuses = list(
            pool.map(lambda c: c.post("/Users", content=body, headers=HEADERS).status_code, clients)
        )
    for c in clients:
        c.close()
    assert Counter(statuses) == {201: 1, 409: 49}
    assert elevate.store.count("User") == 1


def test_parallel_patches_on_one_user_serialise(served) -> None:  # type: ignore[no-untyped-def]
    _elevate, base, token = served
    clients = _clients(base, token, 20)
    created = (
        clients[0]
        .post(
            "/Users",
            content=json.dumps({"schemas": [USER], "userName": "p@contoso.com"}),
            headers=HEADERS,
        )
        .json()
    )

    def add_email(i: int) -> int:
        op = {
            "op": "add",
            "path": "emails",
            "value": [{"type": "other", "value": f"alias{i}@contoso.com"}],
        }
        body = json.dumps({"schemas": [PATCH_OP], "Operations": [op]})
        return (
            clients[i].patch(f"/Users/{created['id']}", content=body, headers=HEADERS).status_code
        )

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(add_email, range(20)))
    assert set(statuses) == {200}
    final = clients[0].get(f"/Users/{created['id']}").json()
    # No lost update: every one of the twenty adds is there.
    assert sorted(e["value"] for e in final["emails"]) == sorted(
        f"alias{i}@contoso.com" for i in range(20)
    )
    assert final["meta"]["version"] == 'W/"21"'
    for c in clients:
        c.close()


def test_seats_are_never_over_assigned_under_concurrent_creates(served) -> None:  # type: ignore[no-untyped-def]
    elevate, base, token = served
    clients = _clients(base, token, 40)

    def create(i: int) -> int:
        body = json.dumps({"schemas": [USER], "userName": f"seat{i}@contoso.com", "active": True})
        return clients[i].post("/Users", content=body, headers=HEADERS).status_code

    with ThreadPoolExecutor(40) as pool:
        assert set(pool.map(create, range(40))) == {201}
    pool_state = elevate.account_center.license_pools()[0]
    states = Counter(u.state for u in elevate.account_center.users())
    assert pool_state.used == 10 and states == {"Licensed": 10, "NoLicenseAvailable": 30}
    for c in clients:
        c.close()
