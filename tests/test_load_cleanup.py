"""Deleting what a load run created: acknowledged creates by id, cut-off creates by name,
only the run's own resources, and never a body over the size limit."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from hostile_server import HostileServer, Mode

from fake_elevate.elevate import FakeElevate
from harness.load.cleanup import delete_created
from harness.transport import AsgiTransport

URL = "http://127.0.0.1/scim/v2"
PREFIX = "provisim-load-abcd-"
#: Far beyond any request's deadline: a clean-up still going then never ends.
NEVER = 60


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


def _clean_up_against(server: HostileServer) -> tuple[threading.Thread, list[Any]]:
    """delete_created looking for one cut-off create on ``server``, in a thread of its own."""
    done: list[Any] = []

    def clean() -> None:
        done.append(
            delete_created(
                server.url,
                "cleanup-token",
                prefix=PREFIX,
                created=[],
                unanswered=[["Users", f"{PREFIX}cut-off@contoso.com"]],
                rate=100,
                timeout=1,
                max_body=4096,
            )
        )

    thread = threading.Thread(target=clean, daemon=True)
    thread.start()
    thread.join(NEVER)
    return thread, done


@pytest.mark.parametrize("mode", [Mode.DRIP, Mode.ENDLESS, Mode.BIG])
def test_a_dripping_endless_or_oversized_answer_ends_by_the_deadline(mode: Mode) -> None:
    # The look-up of a cut-off create reads a body dripped a byte every half second, one
    # that never ends, or 50 MB: each ends by the request's deadline or the size cap.
    with HostileServer(mode) as server:
        thread, done = _clean_up_against(server)
        assert server.requests, "the clean-up never asked"
    assert not thread.is_alive(), f"the clean-up was still reading after {NEVER} s"
    assert done and done[0]["deleted"] == 0
