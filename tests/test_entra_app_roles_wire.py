"""App roles on the wire, as Microsoft documents them (fake_entra/dialects/app_roles.py).

[S7] = entra-docs customize-application-attributes.md, "Provisioning a role to a SCIM app".
Its six example bodies are tests/payloads/entra-single-app-role-assignment-*.json,
entra-app-role-assignments-complex-*.json and
entra-assertive-app-role-assignments-complex-*.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from elevate_support import ElevateWithFaults
from engine_support import FLAGGED_TENANT_URL, build_team, cycle

from fake_entra.dialects import (
    PATCH_OP_SCHEMA,
    AttributeChange,
    Dialect,
    create_user_body,
    update_body,
)
from fake_entra.expressions import parse_expression
from fake_entra.mappings import AttributeMapping

PAYLOADS = Path(__file__).parent / "payloads"
DEFAULT = Dialect.DEFAULT
AAD = Dialect.AAD_OPT_SCIM_062020
SINGLE_VALUE = 'roles[primary eq "True"].value'
SINGLE_TYPE = 'roles[primary eq "True"].type'
SINGLE_DISPLAY = 'roles[primary eq "True"].display'

ADMIN = {"id": "06b07648-ecfe-589f-9d2f-6325724a46ee", "value": "Admin", "displayName": "Admin"}
USER = {"id": "06b07648-ecfe-599f-9d2f-6325724a46ee", "value": "User", "displayName": "User"}
ROLE_1234 = {"id": "06b07648-ecfe-589f-9d2f-6325724a46ee", "value": "25", "displayName": "Role1234"}


def vector(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def compact(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


def assert_posts(body: Any, name: str) -> None:
    """``body`` is S7's POST sample, key order included. S7's samples leave out what every
    Entra POST carries besides (§1 vector): the enterprise schema URN and, in one, meta."""
    expected = vector(name)
    assert compact(body.pop("roles")) == compact(expected.pop("roles"))
    assert body.pop("schemas")[0] == expected.pop("schemas")[0]
    assert body.pop("meta") == expected.pop("meta", {"resourceType": "User"})
    assert body == expected


def roles(function: str, *assignments: dict[str, str]) -> Any:
    expression = parse_expression(f"{function}([appRoleAssignments])")
    return expression.evaluate({"appRoleAssignments": list(assignments)})


def user(alias: str, **more: Any) -> dict[str, Any]:
    return {
        "externalId": alias,
        "userName": f"{alias}@contoso.OnMicrosoft.com",
        "active": "True",
        **more,
    }


# --- POST -------------------------------------------------------------------------------


def test_single_app_role_assignment_posts_the_documented_role() -> None:
    role = roles("SingleAppRoleAssignment", ADMIN)
    body = create_user_body(
        user("alias", displayName="First Name Last Name", **{SINGLE_VALUE: role, SINGLE_TYPE: role})
    )
    assert_posts(body, "entra-single-app-role-assignment-create-user")
    # "You can choose to include any or all of the role attributes".
    display = create_user_body(user("alias", **{SINGLE_DISPLAY: role}))
    assert display["roles"] == [{"primary": True, "display": "Admin"}]


def test_app_role_assignments_complex_posts_display_name() -> None:
    mapped = roles("AppRoleAssignmentsComplex", ADMIN, USER)
    body = create_user_body(user("alias", displayName="First Name Last Name", roles=mapped))
    assert_posts(body, "entra-app-role-assignments-complex-create-user")


def test_assertive_app_role_assignments_complex_posts_display() -> None:
    test = {"id": "1", "value": "Test", "displayName": "Test"}
    mapped = roles("AssertiveAppRoleAssignmentsComplex", USER, test)
    body = create_user_body(
        {**user("contoso"), "userName": "contoso@alias.onmicrosoft.com", "roles": mapped}
    )
    assert_posts(body, "entra-assertive-app-role-assignments-complex-create-user")


def test_a_single_role_mapped_to_a_plain_attribute_is_its_value() -> None:
    role = roles("SingleAppRoleAssignment", ADMIN)
    assert create_user_body(user("alias", title=role))["title"] == "Admin"


# --- PATCH ------------------------------------------------------------------------------


def test_single_app_role_assignment_patches_add_with_the_role_stringified() -> None:
    old, new = roles("SingleAppRoleAssignment", USER), roles("SingleAppRoleAssignment", ROLE_1234)
    changes = [AttributeChange(SINGLE_VALUE, old, new), AttributeChange(SINGLE_TYPE, old, new)]
    assert compact(update_body(DEFAULT, changes)) == compact(
        vector("entra-single-app-role-assignment-patch")
    )
    # S7: the flag sends PATCH "in the same format" as POST: the mapped paths; type is unchanged.
    assert update_body(AAD, changes) == {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "replace", "path": SINGLE_VALUE, "value": "25"}],
    }
    assert update_body(DEFAULT, [AttributeChange(SINGLE_VALUE, new, new)]) is None


def test_app_role_assignments_complex_patches_add_only_with_stringified_values() -> None:
    new = roles("AppRoleAssignmentsComplex", ADMIN, USER)
    body = update_body(DEFAULT, [AttributeChange("roles", None, new)])
    assert compact(body) == compact(vector("entra-app-role-assignments-complex-patch"))
    # "The former does PATCH add only": a role taken away is still an add of what is left.
    fewer = roles("AppRoleAssignmentsComplex", USER)
    (op,) = update_body(DEFAULT, [AttributeChange("roles", new, fewer)])["Operations"]
    assert op["op"] == "Add" and len(op["value"]) == 1
    flagged = update_body(AAD, [AttributeChange("roles", new, fewer)])
    assert flagged["Operations"] == [{"op": "add", "path": "roles", "value": [dict(fewer[0])]}]


@pytest.mark.parametrize("dialect", [DEFAULT, AAD], ids=["default", "aadOptscim062020"])
def test_only_assertive_app_role_assignments_complex_sends_replace(dialect: Dialect) -> None:
    test = {"id": "1", "value": "Test", "displayName": "Test"}
    old = roles("AssertiveAppRoleAssignmentsComplex", ADMIN)
    new = roles("AssertiveAppRoleAssignmentsComplex", USER, test)
    body = update_body(dialect, [AttributeChange("roles", old, new)])
    expected = vector("entra-assertive-app-role-assignments-complex-patch")
    if dialect is DEFAULT:
        # S7's sample writes "replace"; the default dialect capitalises every op (S1, S2).
        expected["Operations"][0]["op"] = "Replace"
    assert compact(body) == compact(expected)
    for function in ("SingleAppRoleAssignment", "AppRoleAssignmentsComplex"):
        other_old, other_new = roles(function, ADMIN), roles(function, USER, test)
        path = SINGLE_VALUE if function.startswith("Single") else "roles"
        ops = update_body(dialect, [AttributeChange(path, other_old, other_new)])["Operations"]
        assert {op["op"].lower() for op in ops} <= {"add", "replace"} - (
            {"replace"} if dialect is DEFAULT else set()
        )


# --- Fake Elevate -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "entra-single-app-role-assignment",
        "entra-app-role-assignments-complex",
        "entra-assertive-app-role-assignments-complex",
    ],
)
def test_fake_elevate_accepts_each_documented_body(name: str) -> None:
    service = ElevateWithFaults()
    created = service.post("/Users", vector(f"{name}-create-user"))
    assert created.status_code == 201, created.text
    posted = vector(f"{name}-create-user")["roles"]
    assert created.json()["roles"] == posted
    patch = vector(f"{name}-patch")
    patched = service.http.patch(f"/Users/{created.json()['id']}", json=patch)
    assert patched.status_code in (200, 204), patched.text
    # The flagged form: PATCH on the documented target paths, primary compared with "True".
    flagged = service.patch(
        f"/Users/{created.json()['id']}",
        [{"op": "replace", "path": SINGLE_VALUE, "value": "Reader"}],
    )
    assert flagged.status_code in (200, 204), flagged.text


# --- the engine -------------------------------------------------------------------------


@pytest.mark.parametrize("flagged", [False, True], ids=["default", "aadOptscim062020"])
def test_the_engine_provisions_a_single_role_on_the_documented_targets(flagged: bool) -> None:
    # S7's role targets belong to the generic SCIM template (LinkedIn's lists no roles).
    team = build_team(linkedin_connector_template=False)
    draft = team.provisioning.open_attribute_mapping("User")
    for target in (SINGLE_VALUE, SINGLE_TYPE):
        draft.add_mapping(
            AttributeMapping.of_expression("SingleAppRoleAssignment([appRoleAssignments])", target)
        )
    team.provisioning.save_attribute_mapping(draft)
    mark = team.recorder.mark()
    team.start(tenant_url=FLAGGED_TENANT_URL if flagged else "https://api.linkedin.com")
    posts = [e for e in team.recorder.since(mark) if e.method == "POST" and e.resource == "Users"]
    assert posts and all(
        e.body["roles"]
        == [{"primary": True, "type": "WindowsAzureActiveDirectoryRole", "value": "User"}]
        for e in posts
    )
    cal = team.users["cal"]
    stored = team.target(cal.object_id)
    assert stored["roles"] == posts[0].body["roles"]
    assert not [e for e in cycle(team) if e.method == "PATCH"]  # in sync: nothing to send
