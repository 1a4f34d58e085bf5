"""The SCIM resource routes over HTTP (fake_elevate/web/resources.py), in-process through httpx."""

from __future__ import annotations

import json

import httpx
import pytest
from elevate_support import (  # noqa: F401 (pytest fixtures, requested by name)
    ENTERPRISE,
    GROUP,
    USER,
    assert_error,
    client_fixture,
    clock_fixture,
    elevate_fixture,
    new_user,
    patch,
    post,
    token_fixture,
)

from fake_elevate.elevate import FakeElevate
from fake_entra.clock import VirtualClock
from harness.transport import scim_client

# --- the tutorial's probe and the Entra request shapes --------------------------------------


@pytest.mark.parametrize(
    "base",
    [
        "https://api.linkedin.com",
        "https://api.linkedin.com/scim",
        "https://api.linkedin.com/scim/v2",
    ],
)
def test_test_connection_probe_is_200_with_an_empty_list_on_every_base_path(
    elevate: FakeElevate, token: str, base: str
) -> None:
    with scim_client(base, token, app=elevate.asgi_app()) as c:
        r = c.get("/Users", params={"filter": 'userName eq "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"'})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/scim+json")
    body = r.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert (body["totalResults"], body["Resources"], body["startIndex"]) == (0, [], 1)


def test_entra_create_user_is_201_with_id_meta_and_location(client: httpx.Client) -> None:
    body = {
        "schemas": [USER, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": "Test_User_11bb11bb@testuser.com"}],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": "givenName familyName",
            "familyName": "familyName",
            "givenName": "givenName",
        },
        "roles": [],
    }
    r = post(client, "/Users", body)
    assert r.status_code == 201
    created = r.json()
    assert created["id"] and created["userName"] == body["userName"]
    assert created["meta"]["resourceType"] == "User"
    assert created["meta"]["created"] == "2026-01-05T09:00:00.000Z"
    assert r.headers["location"] == f"https://api.linkedin.com/scim/v2/Users/{created['id']}"
    assert created["meta"]["location"] == r.headers["location"]
    assert client.get(f"/Users/{created['id']}").json()["userName"] == body["userName"]


def test_user_name_filter_is_case_insensitive_and_external_id_is_exact(
    client: httpx.Client,
) -> None:
    user = new_user(client, "Ada@Contoso.com", externalId="Ada")
    for flt in (
        'userName eq "ada@contoso.com"',
        'USERNAME EQ "ADA@CONTOSO.COM"',
        'externalId eq "Ada"',
    ):
        body = client.get("/Users", params={"filter": flt}).json()
        assert [u["id"] for u in body["Resources"]] == [user["id"]], flt
    assert (
        client.get("/Users", params={"filter": 'externalId eq "ada"'}).json()["totalResults"] == 0
    )


def test_filter_operators_and_value_paths(client: httpx.Client) -> None:
    a = new_user(client, "ada", emails=[{"type": "work", "value": "ada@contoso.com"}], title="CTO")
    b = new_user(client, "bob", emails=[{"type": "home", "value": "bob@home.net"}])
    cases = {
        'emails[type eq "work" and value co "contoso"]': [a],
        'emails[type eq "work"].value eq "ada@contoso.com"': [a],
        "title pr": [a],
        "not (title pr)": [b],
        'userName sw "a" or userName ew "ob"': [a, b],
        'userName ne "ada"': [b],
        '(userName eq "ada") and (title eq "CTO")': [a],
        'meta.created ge "2026-01-01T00:00:00Z"': [a, b],
    }
    for flt, expected in cases.items():
        r = client.get("/Users", params={"filter": flt, "sortBy": "userName"})
        assert r.status_code == 200, (flt, r.text)
        assert [u["id"] for u in r.json()["Resources"]] == [u["id"] for u in expected], flt


def test_invalid_filter_is_400_invalid_filter(client: httpx.Client) -> None:
    assert_error(client.get("/Users", params={"filter": "userName eq"}), 400, "invalidFilter")
    assert_error(
        client.get("/Users", params={"filter": "externalId eq jyoung"}), 400, "invalidFilter"
    )


def test_pagination_sorting_and_projection(client: httpx.Client) -> None:
    for name in ["e", "c", "a", "d", "b"]:
        new_user(client, name, title=name.upper())
    r = client.get(
        "/Users",
        params={"startIndex": 2, "count": 2, "sortBy": "userName", "sortOrder": "descending"},
    )
    body = r.json()
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (5, 2, 2)
    assert [u["userName"] for u in body["Resources"]] == ["d", "c"]
    only = client.get("/Users", params={"attributes": "userName", "count": 1}).json()["Resources"][
        0
    ]
    assert set(only) == {"id", "schemas", "userName"}
    without = client.get("/Users", params={"excludedAttributes": "title", "count": 1}).json()[
        "Resources"
    ][0]
    assert "title" not in without and "userName" in without


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"startIndex": 0, "count": 2}, (1, 2)),
        ({"startIndex": -5, "count": 2}, (1, 2)),
        ({"startIndex": 1, "count": -1}, (1, 0)),
        ({"startIndex": 1, "count": 0}, (1, 0)),
        ({"startIndex": 99, "count": 10}, (99, 0)),
        ({"startIndex": 1, "count": 10**12}, (1, 3)),
    ],
)
def test_start_index_and_count_edges_follow_rfc7644_3_4_2_4(
    client: httpx.Client, params: dict, expected: tuple[int, int]
) -> None:
    for name in ["a", "b", "c"]:
        new_user(client, name)
    body = client.get("/Users", params=params).json()
    assert (body["startIndex"], body["itemsPerPage"]) == expected
    assert body["totalResults"] == 3


def test_non_integer_paging_is_400(client: httpx.Client) -> None:
    assert_error(client.get("/Users", params={"count": "ten"}), 400, "invalidValue")
    assert_error(client.get("/Users", params={"sortOrder": "up"}), 400, "invalidValue")


def test_dot_search_matches_get(client: httpx.Client) -> None:
    user = new_user(client, "ada")
    r = post(
        client,
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "ADA"',
            "attributes": ["userName"],
        },
    )
    assert r.status_code == 200 and r.json()["Resources"] == [
        {"schemas": user["schemas"], "id": user["id"], "userName": "ada"}
    ]


# --- writes ----------------------------------------------------------------------------------


def test_duplicate_user_name_is_409_uniqueness_in_any_case(client: httpx.Client) -> None:
    new_user(client, "ada@contoso.com")
    assert_error(
        post(client, "/Users", {"schemas": [USER], "userName": "ADA@contoso.com"}),
        409,
        "uniqueness",
    )


def test_duplicate_group_display_name_is_409(client: httpx.Client) -> None:
    assert post(client, "/Groups", {"schemas": [GROUP], "displayName": "Sales"}).status_code == 201
    assert_error(
        post(client, "/Groups", {"schemas": [GROUP], "displayName": "sales"}), 409, "uniqueness"
    )


def test_put_replaces_and_keeps_id_and_created(client: httpx.Client, clock: VirtualClock) -> None:
    user = new_user(client, "ada", title="CTO")
    clock.advance(minutes=5)
    r = client.put(
        f"/Users/{user['id']}",
        content=json.dumps({"schemas": [USER], "userName": "ada", "displayName": "Ada"}),
        headers={"Content-Type": "application/scim+json"},
    )
    assert r.status_code == 200
    replaced = r.json()
    assert "title" not in replaced and replaced["displayName"] == "Ada"
    assert replaced["meta"]["created"] == user["meta"]["created"]
    assert replaced["meta"]["lastModified"] > user["meta"]["lastModified"]


def test_entra_default_dialect_disable_then_inactive_user_is_still_returned(
    client: httpx.Client, elevate: FakeElevate
) -> None:
    user = new_user(client, "ada")
    r = patch(
        client, f"/Users/{user['id']}", [{"op": "Replace", "path": "active", "value": "False"}]
    )
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get(f"/Users/{user['id']}").json()["active"] is False
    found = client.get("/Users", params={"filter": 'userName eq "ada"'}).json()
    assert found["totalResults"] == 1 and found["Resources"][0]["active"] is False
    assert elevate.account_center.user(user["id"]).state == "Revoked"  # type: ignore[union-attr]


def test_aad_opt_scim062020_multi_attribute_replace(client: httpx.Client) -> None:
    user = new_user(client, "ada", emails=[{"type": "work", "value": "old@x"}])
    ops = [
        {
            "op": "replace",
            "path": 'emails[type eq "work"].value',
            "value": "TestMhvaes@test.microsoft.com",
        },
        {
            "op": "replace",
            "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                "name.familyName": "Unua",
                f"{ENTERPRISE}:employeeNumber": "Aklq",
            },
        },
    ]
    r = patch(client, f"/Users/{user['id']}", ops)
    assert r.status_code == 200, r.text
    got = client.get(f"/Users/{user['id']}").json()
    assert got["emails"][0]["value"] == "TestMhvaes@test.microsoft.com"
    assert (got["displayName"], got["name"]["givenName"], got["name"]["familyName"]) == (
        "Bjfe",
        "Kkom",
        "Unua",
    )
    assert got[ENTERPRISE]["employeeNumber"] == "Aklq"
    assert ENTERPRISE in got["schemas"]


def test_group_membership_in_both_dialects_answers_204(client: httpx.Client) -> None:
    a, b = new_user(client, "ada"), new_user(client, "bob")
    group = post(
        client,
        "/Groups",
        {
            "schemas": [
                GROUP,
                "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
            ],
            "externalId": "g1",
            "displayName": "Sales",
            "meta": {"resourceType": "Group"},
        },
    ).json()
    assert group["displayName"] == "Sales" and not group.get("members")
    path = f"/Groups/{group['id']}"
    r = patch(
        client,
        path,
        [
            {
                "op": "Add",
                "path": "members",
                "value": [{"$ref": None, "value": a["id"]}, {"$ref": None, "value": b["id"]}],
            }
        ],
    )
    assert r.status_code == 204 and r.content == b""
    assert {m["value"] for m in client.get(path).json()["members"]} == {a["id"], b["id"]}
    assert client.get(f"/Users/{a['id']}").json()["groups"][0]["value"] == group["id"]
    assert (
        patch(
            client,
            path,
            [{"op": "Remove", "path": "members", "value": [{"$ref": None, "value": a["id"]}]}],
        ).status_code
        == 204
    )
    assert (
        patch(
            client, path, [{"op": "remove", "path": f'members[value eq "{b["id"]}"]'}]
        ).status_code
        == 204
    )
    assert not client.get(path).json().get("members")
    excluded = client.get(
        "/Groups", params={"excludedAttributes": "members", "filter": 'displayName eq "Sales"'}
    ).json()
    assert excluded["totalResults"] == 1 and "members" not in excluded["Resources"][0]


def test_adding_an_unknown_member_is_400_and_changes_nothing(client: httpx.Client) -> None:
    group = post(client, "/Groups", {"schemas": [GROUP], "displayName": "Sales"}).json()
    before = client.get(f"/Groups/{group['id']}").json()
    assert_error(
        patch(
            client,
            f"/Groups/{group['id']}",
            [{"op": "Add", "path": "members", "value": [{"value": "nobody"}]}],
        ),
        400,
        "invalidValue",
    )
    assert client.get(f"/Groups/{group['id']}").json() == before


def test_delete_is_204_then_404_and_leaves_groups(client: httpx.Client) -> None:
    user = new_user(client, "ada")
    group = post(
        client,
        "/Groups",
        {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": user["id"]}]},
    ).json()
    assert client.delete(f"/Users/{user['id']}").status_code == 204
    assert_error(client.get(f"/Users/{user['id']}"), 404)
    assert_error(client.delete(f"/Users/{user['id']}"), 404)
    assert not client.get(f"/Groups/{group['id']}").json().get("members")


def test_unknown_ids_are_404_on_every_verb(client: httpx.Client) -> None:
    assert_error(client.get("/Users/nope"), 404)
    assert_error(client.get("/Groups/nope"), 404)
    assert_error(
        patch(client, "/Users/nope", [{"op": "replace", "path": "active", "value": False}]), 404
    )
    assert_error(
        client.put(
            "/Users/nope",
            content=json.dumps({"schemas": [USER], "userName": "x"}),
            headers={"Content-Type": "application/scim+json"},
        ),
        404,
    )


# --- licensing through SCIM ------------------------------------------------------------------


def test_licences_run_out_and_come_back(client: httpx.Client, elevate: FakeElevate) -> None:
    ids = [new_user(client, f"user{i}")["id"] for i in range(3)]
    center = elevate.account_center
    assert [center.user(i).state for i in ids] == ["Licensed", "Licensed", "NoLicenseAvailable"]  # type: ignore[union-attr]
    patch(client, f"/Users/{ids[0]}", [{"op": "Replace", "path": "active", "value": "False"}])
    patch(client, f"/Users/{ids[2]}", [{"op": "Replace", "path": "displayName", "value": "x"}])
    assert center.user(ids[2]).state == "Licensed"  # type: ignore[union-attr]
    pool = center.license_pools()[0]
    assert (pool.used, pool.available) == (2, 0)


# --- authentication and transport errors -----------------------------------------------------


def test_missing_wrong_regenerated_and_expired_tokens_are_401_with_www_authenticate(
    elevate: FakeElevate, token: str, clock: VirtualClock
) -> None:
    app = elevate.asgi_app()
    probe = {"filter": 'userName eq "x"'}
    with scim_client("https://api.linkedin.com", None, app=app) as anonymous:
        r = anonymous.get("/Users", params=probe)
        assert_error(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer")
    with scim_client("https://api.linkedin.com", "wrong-token", app=app) as wrong:
        assert_error(wrong.get("/Users", params=probe), 401)
    config = elevate.account_center.scim_configurations()[0]
    fresh = elevate.account_center.generate_token(config.id)
    with scim_client("https://api.linkedin.com", token, app=app) as old:
        assert "regenerated" in assert_error(old.get("/Users", params=probe), 401)["detail"]
    clock.advance(days=731)
    with scim_client("https://api.linkedin.com", fresh, app=app) as expired:
        assert "expired" in assert_error(expired.get("/Users", params=probe), 401)["detail"]


def test_basic_auth_is_refused(elevate: FakeElevate, token: str) -> None:
    with scim_client(
        "https://api.linkedin.com",
        None,
        app=elevate.asgi_app(),
        headers={"Authorization": f"Basic {token}"},
    ) as c:
        assert_error(c.get("/Users"), 401)


def test_application_json_is_accepted_and_other_media_types_are_415(client: httpx.Client) -> None:
    body = json.dumps({"schemas": [USER], "userName": "ada"})
    assert (
        client.post(
            "/Users", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
        ).status_code
        == 201
    )
    assert_error(client.post("/Users", content=body, headers={"Content-Type": "text/plain"}), 415)


def test_oversized_bodies_are_413_and_store_nothing(
    client: httpx.Client, elevate: FakeElevate
) -> None:
    big = json.dumps({"schemas": [USER], "userName": "x" * (65 * 1024)})
    assert_error(post_raw(client, big), 413)
    assert elevate.store.count("User") == 0


def post_raw(client: httpx.Client, content: str | bytes) -> httpx.Response:
    return client.post("/Users", content=content, headers={"Content-Type": "application/scim+json"})


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe{}", b"[" * 5000 + b"]" * 5000, b""],
    ids=["invalid-json", "invalid-utf8", "deeply-nested", "empty"],
)
def test_malformed_bodies_are_400_invalid_syntax_and_store_nothing(
    client: httpx.Client, elevate: FakeElevate, content: bytes
) -> None:
    assert_error(post_raw(client, content), 400, "invalidSyntax")
    assert elevate.store.count("User") == 0


def test_root_search_spans_users_and_groups(client: httpx.Client) -> None:
    user = new_user(client, "sales-ada")
    group = post(client, "/Groups", {"schemas": [GROUP], "displayName": "Sales"}).json()
    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}
    everything = post(client, "/.search", {**search, "attributes": ["userName", "displayName"]})
    assert everything.status_code == 200
    body = everything.json()
    assert body["totalResults"] == 2
    assert {r["id"] for r in body["Resources"]} == {user["id"], group["id"]}
    only_users = post(client, "/.search", {**search, "filter": 'userName sw "sales"'}).json()
    assert [r["id"] for r in only_users["Resources"]] == [user["id"]]
    assert_error(post(client, "/.search", {"filter": "x"}), 400, "invalidSyntax")
