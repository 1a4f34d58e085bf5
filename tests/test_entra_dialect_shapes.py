"""Every PATCH shape the engine can send, in both dialects, and Fake Elevate accepting each
(fake_entra/dialects/default.py, aad_opt_scim_062020.py, patch.py; issue 19 "On the wire").

Vectors captured from real Entra traffic are tests/payloads/entra-aadOptscim062020-*.json:
``patch-multi-add`` from thomaspoignant/scim-patch#132 (2021; pond/scimitar#123 in 2024
shows the same pathless add with more keys), ``patch-pathless-replace`` from
pingidentity/scim2#224 (2024).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from elevate_support import GROUP, ElevateWithFaults
from engine_support import FLAGGED_TENANT_URL, build_team, cycle

from fake_entra.dialects import (
    DEFAULT_SETTINGS,
    MANAGER_PATH,
    PATCH_OP_SCHEMA,
    AttributeChange,
    Dialect,
    DialectSettings,
    JsonObject,
    disable_body,
    enable_body,
    group_update_body,
    member_bodies,
    update_body,
)
from fake_entra.engine import EngineSettings
from harness.validation import validate_body

PAYLOADS = Path(__file__).parent / "payloads"
DEFAULT = Dialect.DEFAULT
AAD = Dialect.AAD_OPT_SCIM_062020
DIALECTS = pytest.mark.parametrize("dialect", [DEFAULT, AAD], ids=["default", "aadOptscim062020"])


def vector(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def compact(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


def patch(*operations: JsonObject) -> JsonObject:
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def body_of(value: JsonObject | None) -> JsonObject:
    assert value is not None
    assert validate_body(value, "patch-op.schema.json", where="request") == []
    return value


NAME_ADDED = [
    AttributeChange("name.givenName", None, "John"),
    AttributeChange("name.familyName", None, "Doe"),
    AttributeChange("name.formatted", None, "John Doe"),
]
NAME_REPLACED = [
    AttributeChange("name.familyName", "Young", "test"),
    AttributeChange("name.formatted", "Joy Young", "test test2"),
]

# --- the bodies -------------------------------------------------------------------------


def test_flagged_adds_of_several_attributes_are_the_pathless_add_vendors_capture() -> None:
    assert compact(update_body(AAD, NAME_ADDED)) == compact(
        vector("entra-aadOptscim062020-patch-multi-add")
    )
    # S2 "add a single-value string attribute": one add keeps its path.
    assert update_body(AAD, NAME_ADDED[:1]) == patch(
        {"op": "add", "path": "name.givenName", "value": "John"}
    )


def test_flagged_replaces_alone_are_the_pathless_replace_vendors_capture() -> None:
    assert compact(update_body(AAD, NAME_REPLACED)) == compact(
        vector("entra-aadOptscim062020-patch-pathless-replace")
    )


def test_the_default_dialect_never_sends_a_pathless_op() -> None:
    # S2 "Without feature flag": one capitalised op per attribute, each with its path.
    assert update_body(DEFAULT, NAME_ADDED) == patch(
        {"op": "Add", "path": "name.givenName", "value": "John"},
        {"op": "Add", "path": "name.familyName", "value": "Doe"},
        {"op": "Add", "path": "name.formatted", "value": "John Doe"},
    )
    lone = DialectSettings(lone_pathless_replace=True)
    change = [AttributeChange("displayName", "Sales", "Sales EMEA")]
    assert group_update_body(DEFAULT, change, settings=lone) == patch(
        {"op": "Replace", "path": "displayName", "value": "Sales EMEA"}
    )


def test_a_lone_pathless_replace_is_a_setting_of_the_flagged_dialect() -> None:
    change = [AttributeChange("displayName", "Sales", "Sales EMEA")]
    # Default: S2's flagged single replace keeps its path.
    assert group_update_body(AAD, change) == patch(
        {"op": "replace", "path": "displayName", "value": "Sales EMEA"}
    )
    # langwatch/langwatch#7131: a group renamed "using the no-path form Entra ID writes".
    lone = DialectSettings(lone_pathless_replace=True)
    assert group_update_body(AAD, change, settings=lone) == patch(
        {"op": "replace", "value": {"displayName": "Sales EMEA"}}
    )


def test_adds_and_replaces_combine_apart_after_the_value_path_ops() -> None:
    changes = [
        AttributeChange("title", None, "CTO"),
        AttributeChange('emails[type eq "work"].value', "a@b.com", "c@b.com"),
        AttributeChange("displayName", "A", "B"),
        AttributeChange("name.givenName", "Ada", "Eda"),
        AttributeChange("department", None, "R&D"),
    ]
    assert update_body(AAD, changes) == patch(
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "c@b.com"},
        {"op": "add", "value": {"title": "CTO", "department": "R&D"}},
        {"op": "replace", "value": {"displayName": "B", "name.givenName": "Eda"}},
    )


@DIALECTS
def test_remove_without_a_value_and_clearing_the_manager(dialect: Dialect) -> None:
    remove = "Remove" if dialect is DEFAULT else "remove"
    cleared = [AttributeChange("title", "CTO", None), AttributeChange(MANAGER_PATH, "m-1", None)]
    # thomaspoignant/scim-patch#453: Entra clears the manager with a Remove on its path.
    assert body_of(update_body(dialect, cleared)) == patch(
        {"op": remove, "path": "title"}, {"op": remove, "path": MANAGER_PATH}
    )
    s1 = DialectSettings(manager_shape="s1-array")
    assert body_of(update_body(dialect, cleared[1:], settings=s1)) == patch(
        {"op": remove, "path": "manager"}
    )


@DIALECTS
def test_member_changes_mixed_in_one_body(dialect: Dialect) -> None:
    mixed = DialectSettings(member_patch="mixed")
    bodies = member_bodies(dialect, add=["u3", "u4"], remove=["u1"], settings=mixed)
    add, remove = ("Add", "Remove") if dialect is DEFAULT else ("add", "remove")
    removal: JsonObject = (
        {"op": remove, "path": "members", "value": [{"$ref": None, "value": "u1"}]}
        if dialect is DEFAULT
        else {"op": remove, "path": 'members[value eq "u1"]'}
    )
    assert [body_of(body) for body in bodies] == [
        patch({"op": add, "path": "members", "value": [{"$ref": None, "value": "u3"}]}, removal),
        patch({"op": add, "path": "members", "value": [{"$ref": None, "value": "u4"}]}),
    ]


@DIALECTS
def test_member_changes_as_one_replace_of_the_whole_list(dialect: Dialect) -> None:
    whole = DialectSettings(member_patch="replace")
    (body,) = member_bodies(
        dialect, add=["u3"], remove=["u1"], members=["u2", "u3"], settings=whole
    )
    assert body_of(body) == patch(
        {
            "op": "Replace" if dialect is DEFAULT else "replace",
            "path": "members",
            "value": [{"$ref": None, "value": "u2"}, {"$ref": None, "value": "u3"}],
        }
    )
    assert member_bodies(dialect, add=[], remove=[], members=["u2"], settings=whole) == []
    with pytest.raises(ValueError, match="whole member list"):
        member_bodies(dialect, add=["u3"], remove=[], settings=whole)
    with pytest.raises(ValueError, match="member_patch"):
        DialectSettings(member_patch="bulk")  # type: ignore[arg-type]


# --- Fake Elevate accepts every shape -----------------------------------------------------


@dataclass(frozen=True)
class UserShape:
    """A user PATCH the engine can send, and what the user holds afterwards."""

    changes: tuple[AttributeChange, ...]
    expected: Callable[[dict[str, Any]], Any]
    wanted: Any
    settings: DialectSettings = DEFAULT_SETTINGS


USER_SHAPES: dict[str, UserShape] = {
    "pathless add with dotted keys": UserShape(
        (*NAME_ADDED, AttributeChange("title", None, "CTO")),
        lambda u: (u["name"], u["title"]),
        ({"givenName": "John", "familyName": "Doe", "formatted": "John Doe"}, "CTO"),
    ),
    "pathless replace alone": UserShape(
        (
            AttributeChange("displayName", "Joy Young", "Joy Test"),
            AttributeChange("name.familyName", "Young", "test"),
        ),
        lambda u: (u["displayName"], u["name"]["familyName"], u["name"]["givenName"]),
        ("Joy Test", "test", "Joy"),
    ),
    "lone pathless replace": UserShape(
        (AttributeChange("displayName", "Joy Young", "Joy Test"),),
        lambda u: u["displayName"],
        "Joy Test",
        DialectSettings(lone_pathless_replace=True),
    ),
    "remove without a value": UserShape(
        (AttributeChange("title", "Engineer", None),), lambda u: "title" in u, False
    ),
    "clearing the manager": UserShape(
        (AttributeChange(MANAGER_PATH, "MANAGER", None),),
        lambda u: "manager" in u.get(f"{MANAGER_PATH.rsplit(':', 1)[0]}", {}),
        False,
    ),
    "clearing the manager (s1-array)": UserShape(
        (AttributeChange(MANAGER_PATH, "MANAGER", None),),
        lambda u: "manager" in u.get(f"{MANAGER_PATH.rsplit(':', 1)[0]}", {}),
        False,
        DialectSettings(manager_shape="s1-array"),
    ),
    "setting the manager (s1-array)": UserShape(
        (AttributeChange(MANAGER_PATH, "MANAGER", "OTHER"),),
        lambda u: u[MANAGER_PATH.rsplit(":", 1)[0]]["manager"]["value"],
        "OTHER",
        DialectSettings(manager_shape="s1-array"),
    ),
}


def joy(service: ElevateWithFaults) -> tuple[dict[str, Any], dict[str, str]]:
    manager = service.new_user("max@contoso.com")
    other = service.new_user("otto@contoso.com")
    user = service.new_user(
        "joy@contoso.com",
        displayName="Joy Young",
        title="Engineer",
        name={"givenName": "Joy", "familyName": "Young", "formatted": "Joy Young"},
        schemas=[
            "urn:ietf:params:scim:schemas:core:2.0:User",
            MANAGER_PATH.rsplit(":", 1)[0],
        ],
        **{MANAGER_PATH.rsplit(":", 1)[0]: {"manager": {"value": manager["id"]}}},
    )
    return user, {"MANAGER": manager["id"], "OTHER": other["id"]}


@DIALECTS
@pytest.mark.parametrize("shape", sorted(USER_SHAPES))
def test_fake_elevate_applies_every_user_shape(dialect: Dialect, shape: str) -> None:
    spec = USER_SHAPES[shape]
    service = ElevateWithFaults()
    user, ids = joy(service)
    changes = [
        AttributeChange(c.path, ids.get(c.old, c.old), ids.get(c.new, c.new)) for c in spec.changes
    ]
    body = body_of(update_body(dialect, changes, settings=spec.settings))
    response = service.http.patch(f"/Users/{user['id']}", json=body)
    assert response.status_code in (200, 204), response.text
    stored = service.elevate.store.get("User", user["id"])
    wanted = ids.get(spec.wanted, spec.wanted) if isinstance(spec.wanted, str) else spec.wanted
    assert spec.expected(stored) == wanted


@DIALECTS
def test_fake_elevate_applies_disable_and_enable(dialect: Dialect) -> None:
    service = ElevateWithFaults()
    user, _ = joy(service)
    for body, active in ((disable_body(dialect), False), (enable_body(dialect), True)):
        assert service.http.patch(f"/Users/{user['id']}", json=body).status_code in (200, 204)
        assert service.elevate.store.get("User", user["id"])["active"] is active


@DIALECTS
@pytest.mark.parametrize("member_patch", ["separate", "mixed", "replace"])
@pytest.mark.parametrize("lone", [False, True], ids=["path", "pathless"])
def test_fake_elevate_applies_every_group_shape(
    dialect: Dialect, member_patch: str, lone: bool
) -> None:
    service = ElevateWithFaults()
    u1, u2, u3 = (service.new_user(f"{n}@contoso.com")["id"] for n in ("u1", "u2", "u3"))
    group = service.elevate.store.create(
        "Group",
        {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": u1}, {"value": u2}]},
        service.config,
    )
    settings = DialectSettings(
        member_patch=member_patch,  # type: ignore[arg-type]
        lone_pathless_replace=lone,
        member_batch_size=2,
    )
    rename = group_update_body(
        dialect, [AttributeChange("displayName", "Sales", "Sales EMEA")], settings=settings
    )
    bodies = [
        body_of(rename),
        *member_bodies(dialect, add=[u3], remove=[u1], members=[u2, u3], settings=settings),
    ]
    for body in bodies:
        response = service.http.patch(f"/Groups/{group['id']}", json=body_of(body))
        assert response.status_code in (200, 204), response.text
    stored = service.elevate.store.get("Group", group["id"])
    assert stored["displayName"] == "Sales EMEA"
    assert sorted(m["value"] for m in stored["members"]) == sorted([u2, u3])


# --- the engine sends them --------------------------------------------------------------


@pytest.mark.parametrize("member_patch", ["mixed", "replace"])
@pytest.mark.parametrize("flagged", [False, True], ids=["default", "aadOptscim062020"])
def test_the_engine_sends_the_member_patch_setting_and_keeps_in_step(
    member_patch: str, flagged: bool
) -> None:
    team = build_team()
    settings = EngineSettings(dialect=DialectSettings(member_patch=member_patch))  # type: ignore[arg-type]
    team.start(
        settings=settings, tenant_url=FLAGGED_TENANT_URL if flagged else "https://api.linkedin.com"
    )
    cal, alex, sales = team.users["cal"], team.users["alex"], team.groups["Sales"]
    team.directory.add_member(sales.object_id, cal.object_id)
    team.directory.remove_member(sales.object_id, alex.object_id)  # Alex stays: Bea's manager
    exchanges = [e for e in cycle(team) if e.method == "PATCH" and e.resource.startswith("Groups")]
    (body,) = [e.body for e in exchanges]
    ops = {op["op"].lower() for op in body["Operations"]}
    assert ops == ({"add", "remove"} if member_patch == "mixed" else {"replace"})
    group = team.target(sales.object_id, "Group")
    wanted = {team.target_id(team.users[n].object_id) for n in ("bea", "cal")}
    assert {m["value"] for m in group["members"]} == wanted
    # The connector data store followed: the next cycle has nothing to send to the group.
    assert not [e for e in cycle(team) if e.resource.startswith("Groups")]
