"""Shared scaffolding for the Fake Elevate HTTP tests: an account served in-process, helpers.

:class:`ElevateWithFaults` serves one behind fault profiles, for the fault tests.

A test module imports the fixtures it uses (pytest finds fixtures in a module's
namespace); each is defined as ``<name>_fixture`` with ``@pytest.fixture(name=...)``, so a
test's ``client`` argument does not shadow an imported name: ``clock``, ``elevate`` (64 KiB
request limit, seeded), ``token`` (two seats) and ``client`` (an httpx client on ``/scim/v2``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest

from fake_elevate.elevate import ElevateSettings, FakeElevate
from fake_elevate.faults import with_faults
from fake_entra.clock import VirtualClock
from harness.transport import AsgiTransport, scim_client

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
BASE = "https://api.linkedin.com/scim/v2"
SCIM_JSON = {"Content-Type": "application/scim+json"}


@pytest.fixture(name="clock")
def clock_fixture() -> VirtualClock:
    return VirtualClock()


@pytest.fixture(name="elevate")
def elevate_fixture(clock: VirtualClock) -> FakeElevate:
    return FakeElevate(now=clock.now, seed=3, settings=ElevateSettings(max_payload_size=64 * 1024))


@pytest.fixture(name="token")
def token_fixture(elevate: FakeElevate) -> str:
    return elevate.quick_setup(seats=2)[1]


@pytest.fixture(name="client")
def client_fixture(elevate: FakeElevate, token: str) -> Iterator[httpx.Client]:
    with scim_client("https://api.linkedin.com/scim/v2", token, app=elevate.asgi_app()) as c:
        yield c


def post(client: httpx.Client, path: str, body: object) -> httpx.Response:
    return client.post(
        path, content=json.dumps(body), headers={"Content-Type": "application/scim+json"}
    )


def patch(client: httpx.Client, path: str, ops: list[dict]) -> httpx.Response:
    body = {"schemas": [PATCH_OP], "Operations": ops}
    return client.patch(
        path, content=json.dumps(body), headers={"Content-Type": "application/scim+json"}
    )


def new_user(client: httpx.Client, user_name: str, **extra: object) -> dict:
    response = post(
        client, "/Users", {"schemas": [USER], "userName": user_name, "active": True, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status) and body["detail"]
    assert body.get("scimType") == scim_type
    return body


class ElevateWithFaults:
    """Fake Elevate behind some fault profiles, with an httpx client bound to it."""

    def __init__(self, *faults: str, **options: Any) -> None:
        self.clock = VirtualClock()
        self.elevate = FakeElevate(now=self.clock.now, seed=7)
        self.config, self.token = self.elevate.quick_setup(seats=10)
        self.app = with_faults(self.elevate.asgi_app(), *faults, **options)
        self.http = httpx.Client(
            base_url=BASE,
            transport=AsgiTransport(self.app),
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/scim+json"},
        )

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.http.get(path, params=params)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(path, content=json.dumps(body), headers=SCIM_JSON)

    def patch(self, path: str, operations: Sequence[dict[str, Any]]) -> httpx.Response:
        body = {"schemas": [PATCH_OP], "Operations": list(operations)}
        return self.http.patch(path, content=json.dumps(body), headers=SCIM_JSON)

    def new_user(self, user_name: str, **extra: Any) -> dict[str, Any]:
        """Create a user straight in the store, past every fault."""
        body = {"schemas": [USER], "userName": user_name, "active": True, **extra}
        return self.elevate.store.create("User", body, self.config)

    @property
    def injected(self) -> dict[str, int]:
        return self.app.injected
