"""The profiles that bend RFC 7644's semantics (fake_elevate/fault_injection/semantics.py)."""

from __future__ import annotations

from elevate_support import GROUP, USER, ElevateWithFaults, assert_error


def test_empty_search_404_answers_404_to_an_empty_filter_result_only() -> None:
    service = ElevateWithFaults("empty-search-404")
    assert_error(service.get("/Users", filter='userName eq "ghost@contoso.com"'), 404)
    service.new_user("dana@contoso.com")
    found = service.get("/Users", filter='userName eq "dana@contoso.com"')
    assert found.status_code == 200 and found.json()["totalResults"] == 1
    # An unfiltered list is not a search: an empty page is still 200.
    assert service.get("/Groups").status_code == 200
    assert service.injected == {"empty-search-404": 1}


def test_case_sensitive_username_misses_a_differently_cased_user() -> None:
    service = ElevateWithFaults("case-sensitive-username")
    service.new_user("Eve.Adams@contoso.com")
    exact = service.get("/Users", filter='userName eq "Eve.Adams@contoso.com"').json()
    assert exact["totalResults"] == 1
    lower = service.get("/Users", filter='userName eq "eve.adams@contoso.com"').json()
    assert lower["totalResults"] == 0 and lower["Resources"] == [] and lower["itemsPerPage"] == 0
    # The store behind it still holds the name: a create with the other case conflicts.
    conflict = service.post("/Users", {"schemas": [USER], "userName": "eve.adams@contoso.com"})
    assert_error(conflict, 409, "uniqueness")
    # Other filters are untouched.
    by_external = service.get("/Users", filter='externalId eq "none"')
    assert by_external.status_code == 200


def test_members_in_excluded_returns_members_despite_excluded_attributes() -> None:
    service = ElevateWithFaults("members-in-excluded")
    user = service.new_user("finn@contoso.com")
    service.elevate.store.create(
        "Group", {"schemas": [GROUP], "displayName": "Ops", "members": [{"value": user["id"]}]}
    )
    found = service.get(
        "/Groups", excludedAttributes="members", filter='displayName eq "Ops"'
    ).json()
    assert [m["value"] for m in found["Resources"][0]["members"]] == [user["id"]]
    # Other excluded attributes still go.
    both = service.get(
        "/Groups", excludedAttributes="members,externalId", filter='displayName eq "Ops"'
    ).json()
    assert "members" in both["Resources"][0]
    plain = ElevateWithFaults().get("/Groups", excludedAttributes="members").json()
    assert plain["Resources"] == []
    assert service.injected == {"members-in-excluded": 2}


def test_no_location_drops_the_header_and_meta_location_from_creates() -> None:
    service = ElevateWithFaults("no-location")
    created = service.post("/Users", {"schemas": [USER], "userName": "gil@contoso.com"})
    assert created.status_code == 201
    assert "location" not in created.headers
    assert "location" not in created.json()["meta"]
    assert created.json()["id"]
    fetched = service.get(f"/Users/{created.json()['id']}").json()
    assert fetched["meta"]["location"].endswith(created.json()["id"])


def test_hide_inactive_makes_deactivated_users_vanish() -> None:
    service = ElevateWithFaults("hide-inactive")
    user = service.new_user("hal@contoso.com")
    path = f"/Users/{user['id']}"
    off = service.patch(path, [{"op": "replace", "path": "active", "value": False}])
    assert off.status_code == 200
    query = service.get("/Users", filter='userName eq "hal@contoso.com"').json()
    assert query["totalResults"] == 0 and query["Resources"] == []
    assert_error(service.get(path), 404)
    assert_error(service.patch(path, [{"op": "replace", "path": "active", "value": True}]), 404)
    # The user is still stored, inactive: only the service hides it.
    assert service.elevate.store.get("User", user["id"])["active"] is False


def test_ignore_active_acknowledges_the_disable_but_keeps_the_user_active() -> None:
    service = ElevateWithFaults("ignore-active")
    user = service.new_user("ida@contoso.com")
    path = f"/Users/{user['id']}"
    answer = service.patch(path, [{"op": "Replace", "path": "active", "value": "False"}])
    assert answer.status_code == 200 and answer.json()["active"] is True
    mixed = service.patch(
        path,
        [
            {"op": "replace", "path": "title", "value": "CTO"},
            {"op": "replace", "value": {"active": False, "displayName": "Ida"}},
        ],
    )
    assert mixed.status_code == 200
    stored = service.elevate.store.get("User", user["id"])
    assert stored["active"] is True and stored["title"] == "CTO" and stored["displayName"] == "Ida"
    licence = service.elevate.account_center.user(user["id"])
    assert licence is not None and licence.state == "Licensed"
    assert service.injected == {"ignore-active": 2}
