"""The PATCH dialect profiles (fake_elevate/fault_injection/dialect.py), over HTTP in-process."""

from __future__ import annotations

from elevate_support import GROUP, ElevateWithFaults, assert_error


def test_refuse_default_dialect_refuses_capitalised_ops_and_boolean_strings() -> None:
    service = ElevateWithFaults("refuse-default-dialect")
    user = service.new_user("alex@contoso.com")
    path = f"/Users/{user['id']}"
    body = assert_error(
        service.patch(path, [{"op": "Replace", "path": "active", "value": "False"}]),
        400,
        "invalidSyntax",
    )
    assert "Replace" in body["detail"]
    assert_error(
        service.patch(path, [{"op": "replace", "path": "active", "value": "False"}]),
        400,
        "invalidValue",
    )
    # Booleans hidden in a pathless replace are found too.
    assert_error(
        service.patch(path, [{"op": "replace", "value": {"active": "True"}}]), 400, "invalidValue"
    )
    # The aadOptscim062020 dialect passes (entra-aadOptscim062020-patch-disable.json).
    ok = service.patch(path, [{"op": "replace", "path": "active", "value": False}])
    assert ok.status_code == 200 and ok.json()["active"] is False
    assert service.injected == {"refuse-default-dialect": 3}


def test_refuse_value_remove_refuses_the_default_member_removal_only() -> None:
    service = ElevateWithFaults("refuse-value-remove")
    user = service.new_user("bea@contoso.com")
    group = service.elevate.store.create(
        "Group", {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": user["id"]}]}
    )
    path = f"/Groups/{group['id']}"
    body = assert_error(
        service.patch(
            path, [{"op": "Remove", "path": "members", "value": [{"value": user["id"]}]}]
        ),
        400,
        "invalidValue",
    )
    assert body["detail"].startswith("values must not be set for remove operation")
    removed = service.patch(path, [{"op": "remove", "path": f'members[value eq "{user["id"]}"]'}])
    assert removed.status_code == 204
    assert "members" not in service.elevate.store.get("Group", group["id"])


def test_value_path_notarget_refuses_filtered_paths_but_not_member_removal() -> None:
    service = ElevateWithFaults("value-path-notarget")
    user = service.new_user("cal@contoso.com")
    path = f"/Users/{user['id']}"
    body = assert_error(
        service.patch(
            path, [{"op": "Add", "path": 'emails[type eq "work"].value', "value": "c@contoso.com"}]
        ),
        400,
        "noTarget",
    )
    assert "emails[type eq" in body["detail"]
    assert service.patch(path, [{"op": "Add", "path": "title", "value": "CFO"}]).status_code == 200
