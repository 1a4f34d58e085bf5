"""A third-party checker, scim2-tester, against Fake Elevate served by uvicorn on loopback.

scim2-tester is the python-scim project's RFC 7643/7644 compliance checker. It
discovers the server from /ServiceProviderConfig, /ResourceTypes and /Schemas,
then creates, reads, queries, replaces, patches and deletes resources of every
type we advertise. No check may end in ERROR or CRITICAL.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from fake_elevate.elevate import FakeElevate
from harness.serving import serve_in_thread


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    elevate = FakeElevate(seed=11)
    _config, token = elevate.quick_setup(seats=1000)
    with serve_in_thread(elevate.asgi_app()) as base_url:
        yield f"{base_url}/scim/v2", token


def run_checker(base_url: str, token: str):  # type: ignore[no-untyped-def]
    http = httpx2.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    client = SyncSCIMClient(http)
    try:
        client.discover()
        return check_server(client)
    finally:
        http.close()


def test_scim2_tester_finds_no_error_or_critical_result(served: tuple[str, str]) -> None:
    base_url, token = served
    results = run_checker(base_url, token)
    assert len(results) > 20, "the checker ran too few checks to mean anything"
    broken = [r for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
    assert not broken, "\n".join(
        f"{r.status.name} {r.resource_type or ''} {r.title}: {r.reason}" for r in broken
    )
    ran = {r.status for r in results}
    assert Status.SUCCESS in ran
