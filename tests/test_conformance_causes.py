"""Root causes (:mod:`harness.conformance.causes`) over report rows written by hand."""

from __future__ import annotations

from typing import Any

from harness.conformance.causes import refusal_reason, root_causes

URL = "http://127.0.0.1/scim/v2"


def exchange(path: str, operations: list[Any], status: int, body: Any) -> dict[str, Any]:
    return {
        "request": {
            "method": "PATCH",
            "url": f"{URL}{path}",
            "headers": {"authorization": "Bearer <redacted>"},
            "body": {"Operations": operations},
        },
        "response": {"status": status, "headers": {}, "body": body},
        "error": None,
    }


def row(name: str, hint: str, *evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": name,
        "dialect": "default",
        "outcome": "failed",
        "hint": hint,
        "evidence": list(evidence),
        "blockedBy": None,
    }


def scimmy_400(detail: str) -> dict[str, Any]:
    error = "urn:ietf:params:scim:api:messages:2.0:Error"
    return {"schemas": [error], "status": "400", "scimType": "invalidValue", "detail": detail}


def test_two_400s_with_one_shape_but_different_reasons_are_two_causes() -> None:
    """SCIMMY answers both a string boolean and a bare manager id with PATCH /Users/{id} ->
    400 invalidValue: they were one cause, which printed the manager's fix for the disable."""
    active = [{"op": "Replace", "path": "active", "value": "False"}]
    manager = [{"op": "Add", "path": "manager", "value": "d60a981b-a0eb-401e-a8c2-827fa41efcdb"}]
    boolean = "Attribute 'active' expected value type 'boolean' but found type 'string' for "
    complex_ = "Complex attribute 'manager' expected complex value but found type 'string' for "
    rows = [
        row(
            "ENTRA-FLOW-MANAGER-ADD",
            "Accept the manager as Entra sends it",
            exchange(
                "/Users/86d5b6ab-35a4-4d12-ac78-d6e905b448e5",
                manager,
                400,
                scimmy_400(complex_ + "'add' op of operation 1 in PatchOp request body"),
            ),
        ),
        row(
            "ENTRA-FLOW-DISABLE-USER",
            "Accept string booleans",
            exchange(
                "/Users/8107d29a-27cd-4aec-b94c-7287b02764b6",
                active,
                400,
                scimmy_400(boolean + "'replace' op of operation 1 in PatchOp request body"),
            ),
        ),
        row(
            "ENTRA-FLOW-DELETE-USER",
            "Accept string booleans",
            exchange(
                "/Users/0a0a026b-d36f-4720-98f2-fe59904d8714",
                active,
                400,
                scimmy_400(boolean + "'replace' op of operation 2 in PatchOp request body"),
            ),
        ),
    ]
    causes = root_causes(rows)
    assert [c["explains"] for c in causes] == [
        ["ENTRA-FLOW-MANAGER-ADD [default]"],
        ["ENTRA-FLOW-DISABLE-USER [default]", "ENTRA-FLOW-DELETE-USER [default]"],
    ]
    assert [c["fix"] for c in causes] == [
        "Accept the manager as Entra sends it",
        "Accept string booleans",
    ]
    assert {(c["request"], c["answer"]) for c in causes} == {
        ("PATCH /Users/{id}", "400 invalidValue")
    }


def test_a_501_or_a_409_is_one_cause_whatever_its_detail_says() -> None:
    """Only a 400's detail tells causes apart; a 501's or 409's often names the resource."""
    rows = [
        row(f"CHECK-{n}", "Implement PATCH", exchange(f"/Users/{n}", [], 501, {"detail": detail}))
        for n, detail in ((1, "Not Implemented"), (2, ""))
    ]
    (cause,) = root_causes(rows)
    assert cause["explains"] == ["CHECK-1 [default]", "CHECK-2 [default]"]
    conflict = exchange("/Users", [], 409, {"detail": "userName Ada is already taken"})
    assert refusal_reason(conflict) == ""
