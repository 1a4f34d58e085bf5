"""The Account Center admin API over HTTP (fake_elevate/web/account_center_api.py)."""

from __future__ import annotations

import json

import httpx
import pytest
from elevate_support import USER, assert_error, post

from fake_elevate.elevate import FakeElevate
from harness.transport import scim_client


def test_account_center_generate_token_flow_over_http() -> None:
    elevate = FakeElevate(seed=1, admin_key="admin-key-0123456789")
    app = elevate.asgi_app()
    with scim_client("http://elevate.test", "admin-key-0123456789", app=app) as admin:
        created = admin.post(
            "/account-center/scim-configurations",
            json={"name": "Entra ID", "autoAssignLicenses": True},
        )
        assert created.status_code == 201
        config_id = created.json()["id"]
        assert (
            admin.put(
                "/account-center/license-pools",
                json={
                    "applicationInstance": "LinkedIn Elevate",
                    "licenseType": "Elevate",
                    "seats": 1,
                },
            ).status_code
            == 200
        )
        issued = admin.post(f"/account-center/scim-configurations/{config_id}/token")
        assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
        token = issued.json()["accessToken"]
        listed = admin.get("/account-center/scim-configurations").json()["configurations"]
        assert listed[0]["hasToken"] is True and token not in json.dumps(listed)
        with scim_client("http://elevate.test/scim/v2", token, app=app) as scim:
            assert post(scim, "/Users", {"schemas": [USER], "userName": "ada"}).status_code == 201
        users = admin.get("/account-center/users").json()["users"]
        assert users[0]["licenseState"] == "Licensed" and users[0]["source"] == "IdP"
        assert admin.get("/account-center/license-pools").json()["pools"][0]["used"] == 1
        assert admin.delete(f"/account-center/scim-configurations/{config_id}").status_code == 204
        with scim_client("http://elevate.test/scim/v2", token, app=app) as scim:
            assert_error(scim.get("/Users"), 401)
        assert_error(
            admin.post("/account-center/scim-configurations", json={"name": ""}),
            400,
            "invalidValue",
        )
        assert_error(admin.post("/account-center/scim-configurations/nope/token"), 404)
    with scim_client("http://elevate.test", "not-the-admin-key", app=app) as stranger:
        assert_error(stranger.get("/account-center/scim-configurations"), 401)


def _admin_routes(client: httpx.Client) -> list[tuple[str, str]]:
    """Every admin route and method, as /openapi.json documents them."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path.replace("{config_id}", "some-id"))
        for path, methods in paths.items()
        if path.startswith("/account-center")
        for method in methods
    ]


@pytest.mark.parametrize("body", [b"{", b'{"name": ""}', b"[]", b'{"seats": "many"}'])
def test_every_admin_route_authenticates_before_it_reads_the_body(body: bytes) -> None:
    # issue 21 (7): POST /account-center/scim-configurations with a bad body answered 400
    # to a caller without the admin key: the body was checked before the key.
    elevate = FakeElevate(seed=1, admin_key="admin-key-0123456789")
    app = elevate.asgi_app()
    with scim_client("http://elevate.test", "not-the-admin-key", app=app) as stranger:
        routes = _admin_routes(stranger)
        assert {m for m, _ in routes} >= {"GET", "POST", "PATCH", "PUT", "DELETE"}
        for method, path in routes:
            answer = stranger.request(
                method, path, content=body, headers={"Content-Type": "application/json"}
            )
            assert_error(answer, 401)


@pytest.mark.parametrize(
    ("path", "method", "body", "scim_type"),
    [
        ("/account-center/scim-configurations", "POST", b"{", "invalidSyntax"),
        ("/account-center/scim-configurations", "POST", b'{"name": ""}', "invalidValue"),
        (
            "/account-center/scim-configurations",
            "POST",
            b'{"name": "a", "name": "b"}',
            "invalidSyntax",
        ),
        ("/account-center/license-pools", "PUT", b'{"seats": -1}', "invalidValue"),
        ("/account-center/license-pools", "PUT", b"[1]", "invalidSyntax"),
    ],
)
def test_the_admin_gets_a_scim_error_for_a_bad_body(
    path: str, method: str, body: bytes, scim_type: str
) -> None:
    elevate = FakeElevate(seed=1, admin_key="admin-key-0123456789")
    with scim_client(
        "http://elevate.test", "admin-key-0123456789", app=elevate.asgi_app()
    ) as admin:
        answer = admin.request(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )
        assert_error(answer, 400, scim_type)


def test_the_request_right_after_regenerating_the_token_is_refused() -> None:
    # authenticate() knows accepted tokens without hashing them; regenerating must still
    # refuse the old one on the very next request (and accept the new one).
    elevate = FakeElevate(seed=1, admin_key="admin-key-0123456789")
    config, token = elevate.quick_setup(seats=5)
    app = elevate.asgi_app()
    with scim_client("http://elevate.test/scim/v2", token, app=app) as scim:
        assert scim.get("/Users").status_code == 200
        with scim_client("http://elevate.test", "admin-key-0123456789", app=app) as admin:
            issued = admin.post(f"/account-center/scim-configurations/{config.id}/token")
        assert issued.status_code == 201
        assert_error(scim.get("/Users"), 401)
    with scim_client("http://elevate.test/scim/v2", issued.json()["accessToken"], app=app) as scim:
        assert scim.get("/Users").status_code == 200
