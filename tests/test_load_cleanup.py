"""Deleting what a load run created: acknowledged creates by id, cut-off creates by name,
only the run's own resources, and never a body over the size limit."""

from __future__ import annotations

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from harness.load.cleanup import LimitedTransport, delete_created
from harness.transport import AsgiTransport

URL = "http://127.0.0.1/scim/v2"
PREFIX = "provisim-load-abcd-"


def _create(client: httpx.Client, endpoint: str, name: str) -> str:
    key = "userName" if endpoint == "Users" else "displayName"
    schema = "User" if endpoint == "Users" else "Group"
    body = {"schemas": [f"urn:ietf:params:scim:schemas:core:2.0:{schema}"], key: name}
    response = client.post(f"{URL}/{endpoint}", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_created_and_unanswered_resources_of_the_run_are_deleted_and_nothing_else() -> None:
    elevate = FakeElevate(seed=2)
    _, token = elevate.quick_setup(seats=20)
    transport = AsgiTransport(elevate.asgi_app())
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(transport=transport, headers=headers) as client:
        a = _create(client, "Users", f"{PREFIX}a@contoso.com")
        _create(client, "Users", f"{PREFIX}cut@contoso.com")
        g = _create(client, "Groups", f"{PREFIX}group")
        other = _create(client, "Users", "someone-else@contoso.com")
    cleanup = delete_created(
        URL,
        token,
        prefix=PREFIX,
        created=[
            ["Users", a, f"{PREFIX}a@contoso.com"],
            ["Groups", g, f"{PREFIX}group"],
            # Not the run's name: never deleted, whatever the list says.
            ["Users", other, "someone-else@contoso.com"],
        ],
        unanswered=[["Users", f"{PREFIX}cut@contoso.com"], ["Users", f"{PREFIX}never@x.com"]],
        rate=1000,
        timeout=5,
        max_body=100_000,
        transport=transport,
    )
    assert cleanup["deleted"] == 3 and cleanup["failed"] == []
    held = elevate.store.snapshot()
    assert [u["userName"] for u in held["User"]] == ["someone-else@contoso.com"]
    assert held["Group"] == []


def test_a_body_over_the_limit_is_not_read() -> None:
    def big(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 5000)

    limited = LimitedTransport(httpx.MockTransport(big), 4096)
    with httpx.Client(transport=limited) as client, pytest.raises(httpx.ReadError, match="4096"):
        client.get("http://127.0.0.1/")
    small = LimitedTransport(httpx.MockTransport(big), 5000)
    with httpx.Client(transport=small) as client:
        assert len(client.get("http://127.0.0.1/").content) == 5000
