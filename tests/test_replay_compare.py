"""What a replay compares (harness.replay.compare), rule by rule."""

from __future__ import annotations

from typing import Any

from harness.replay.compare import Difference, compare_json, compare_outcome

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "old",
    "userName": "britta@contoso.com",
    "active": True,
    "emails": [{"value": "a@x", "type": "work"}, {"value": "b@x", "type": "home"}],
    "meta": {
        "resourceType": "User",
        "created": "2026-01-01T00:00:00Z",
        "lastModified": "2026-01-01T00:00:00Z",
        "version": 'W/"1"',
        "location": "https://old/Users/old",
    },
}


def _outcome(
    recorded_status: int | None,
    recorded_body: Any,
    status: int | None,
    body: Any,
    *,
    known: bool = True,
) -> list[Difference]:
    return compare_outcome(
        recorded_status=recorded_status,
        recorded_error=None if recorded_status is not None else "ReadTimeout",
        recorded_body=recorded_body,
        recorded_body_known=known,
        status=status,
        error=None if status is not None else "ConnectError: refused",
        body=body,
        body_is_json=not isinstance(body, str) and body is not None,
    )


def test_generated_attributes_are_not_compared() -> None:
    replayed = dict(USER, id="new")
    replayed["meta"] = {
        "resourceType": "User",
        "created": "2027-01-01T00:00:00Z",
        "lastModified": "2027-01-02T00:00:00Z",
        "version": 'W/"7"',
        "location": "http://127.0.0.1/Users/new",
    }
    assert compare_json(USER, replayed) == []
    replayed["meta"] = dict(replayed["meta"], resourceType="Group")
    assert compare_json(USER, replayed) == [
        Difference("/meta/resourceType", "changed", "User", "Group")
    ]


def test_everything_else_is_compared_with_a_pointer() -> None:
    replayed = dict(USER, active="True", nickName="Bri")
    del replayed["userName"]
    found = compare_json(USER, replayed)
    assert found == [
        Difference("/userName", "missing", "britta@contoso.com", None),
        Difference("/active", "changed", True, "True"),
        Difference("/nickName", "unexpected", None, "Bri"),
    ]
    assert found[1].describe() == 'body /active: recorded true, replay returned "True"'


def test_names_ignore_case_arrays_ignore_order_and_null_is_unassigned() -> None:
    replayed = {
        "SCHEMAS": USER["schemas"],
        "id": "x",
        "username": "britta@contoso.com",
        "Active": True,
        "emails": list(reversed(USER["emails"])),
        "meta": USER["meta"],
        "title": None,
        "roles": [],
    }
    assert compare_json(USER, replayed) == []


def test_a_changed_array_item_is_reported_by_position() -> None:
    replayed = dict(USER, emails=[USER["emails"][0], {"value": "c@x", "type": "home"}])
    assert compare_json(USER, replayed) == [Difference("/emails/1/value", "changed", "b@x", "c@x")]
    shorter = dict(USER, emails=USER["emails"][:1])
    assert [d.pointer for d in compare_json(USER, shorter)] == ["/emails"]


def test_each_resource_of_a_list_response_keeps_its_own_generated_attributes() -> None:
    recorded = {"schemas": [LIST], "totalResults": 1, "Resources": [USER]}
    replayed = {"schemas": [LIST], "totalResults": 1, "Resources": [dict(USER, id="other")]}
    assert compare_json(recorded, replayed) == []
    replayed["Resources"] = [dict(USER, id="other", userName="someone")]
    assert compare_json(recorded, replayed) == [
        Difference("/Resources/0/userName", "changed", "britta@contoso.com", "someone")
    ]
    assert compare_json(recorded, dict(replayed, totalResults=2))[0].pointer == "/totalResults"


def test_a_nested_id_is_compared() -> None:
    # Only the resource's own id is generated; a manager's value is an aliased reference.
    recorded = dict(USER, manager={"value": "m1"})
    assert compare_json(recorded, dict(USER, manager={"value": "m2"})) == [
        Difference("/manager/value", "changed", "m1", "m2")
    ]


def test_the_status_comes_first_and_stops_the_comparison() -> None:
    assert _outcome(201, USER, 409, {"status": "409"}) == [Difference("status", "status", 201, 409)]
    none = _outcome(200, USER, None, None)
    assert (
        none[0].describe()
        == "status: recorded 200, replay returned no response (ConnectError: refused)"
    )
    assert _outcome(None, None, None, None) == []
    assert _outcome(None, None, 200, USER)[0].recorded == "no response (ReadTimeout)"


def test_errors_compare_on_schemas_status_and_scim_type_only() -> None:
    error = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "409",
        "scimType": "uniqueness",
        "detail": "User old already exists",
    }
    assert _outcome(409, error, 409, dict(error, detail="User new exists")) == []
    assert _outcome(409, error, 409, dict(error, scimType="invalidValue")) == [
        Difference("/scimType", "changed", "uniqueness", "invalidValue")
    ]


def test_bodies_that_are_unknown_or_not_json() -> None:
    assert _outcome(200, None, 200, USER, known=False) == []
    assert _outcome(200, "<html>ok</html>", 200, "<html>other</html>") == []
    assert _outcome(200, USER, 200, "<html>oops</html>") == [
        Difference("", "changed", USER, "<html>oops</html>")
    ]
    assert _outcome(204, None, 204, None) == []
    assert _outcome(200, None, 200, USER)[0].kind == "unexpected"
