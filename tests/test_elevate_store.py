"""ScimStore: group memberships as users see them, timestamps, versions and required attributes.

The store keeps a reverse index (member id -> groups) so a User's ``groups`` (RFC 7643
§4.1.2) is read without scanning every group, and updates it by the memberships a write
starts and ends; the index must always say what the groups' ``members`` say.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_elevate.account_center import AccountCenter
from fake_elevate.persistence import SqliteState
from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.schema import GROUP_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from fake_elevate.store import ScimStore


class Clock:
    """A settable clock; ``fresh`` makes it return a new (equal) datetime on every call."""

    def __init__(self) -> None:
        self.when = datetime(2026, 1, 5, 9, 0, 0, 123456, tzinfo=UTC)
        self.fresh = False

    def now(self) -> datetime:
        return self.when.replace() if self.fresh else self.when


def new_store(clock: Clock | None = None) -> ScimStore:
    ids = random.Random(4)
    clock = clock or Clock()
    return ScimStore(
        clock.now, AccountCenter(clock.now), new_id=lambda: f"{ids.getrandbits(64):016x}"
    )


def add_users(store: ScimStore, count: int) -> list[str]:
    return [
        store.create("User", {"schemas": [USER_SCHEMA], "userName": f"user{i}@contoso.com"})["id"]
        for i in range(count)
    ]


def patch(op: str, path: str, value: Any = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"op": op, "path": path}
    if value is not None:
        operation["value"] = value
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": [operation]}


def groups_seen_by_users(store: ScimStore, user_ids: list[str]) -> dict[str, list[str]]:
    return {uid: [g["value"] for g in store.get("User", uid).get("groups", [])] for uid in user_ids}


def groups_by_members(store: ScimStore, user_ids: list[str]) -> dict[str, list[str]]:
    """What the users' groups must be: read from every group's members."""
    listed = store.search("Group").resources
    return {
        uid: sorted(g["id"] for g in listed if any(m["value"] == uid for m in g.get("members", ())))
        for uid in user_ids
    }


def test_memberships_follow_adds_removals_replacements_and_deletes() -> None:
    store = new_store()
    u = add_users(store, 5)
    g = store.create(
        "Group",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Sales",
            "members": [{"value": u[0]}, {"value": u[1], "display": "User 1"}],
        },
    )["id"]
    h = store.create("Group", {"schemas": [GROUP_SCHEMA], "displayName": "Ops"})["id"]
    steps = [
        lambda: store.patch("Group", g, patch("Add", "members", [{"value": u[2]}])),
        lambda: store.patch("Group", g, patch("Remove", "members", [{"value": u[0]}])),
        lambda: store.patch("Group", h, patch("add", "members", [{"value": u[2]}, {"value": g}])),
        lambda: store.replace(
            "Group",
            g,
            {"schemas": [GROUP_SCHEMA], "displayName": "Sales", "members": [{"value": u[3]}]},
        ),
        lambda: store.patch("Group", g, patch("replace", "members", [{"value": u[4]}])),
        lambda: store.delete("User", u[2]),
        lambda: store.patch("Group", g, patch("remove", f'members[value eq "{u[4]}"]')),
        lambda: store.delete("Group", h),
    ]
    for step in steps:
        step()
        living = [uid for uid in u if _exists(store, uid)]
        assert groups_seen_by_users(store, living) == groups_by_members(store, living)
    assert groups_seen_by_users(store, [u[0], u[1], u[3], u[4]]) == {
        u[0]: [],
        u[1]: [],
        u[3]: [],
        u[4]: [],
    }


def test_stored_members_carry_value_and_type_only() -> None:
    store = new_store()
    u = add_users(store, 2)
    g = store.create(
        "Group",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "G",
            "members": [{"value": u[0], "display": "x"}],
        },
    )["id"]
    store.patch("Group", g, patch("Add", "members", [{"value": u[1], "display": "y"}]))
    store.patch("Group", g, patch("Add", "members", [{"value": u[0]}]))  # already there
    # The store says what a member is, whatever the client called it.
    h = store.create("Group", {"schemas": [GROUP_SCHEMA], "displayName": "H"})["id"]
    store.patch("Group", g, patch("Add", "members", [{"value": h, "type": "User"}]))
    assert store.get("Group", g)["members"] == [
        {"value": u[0], "type": "User"},
        {"value": u[1], "type": "User"},
        {"value": h, "type": "Group"},
    ]


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["add", "remove", "replace", "put", "delete-user"]),
            st.integers(0, 2),  # which group
            st.lists(st.integers(0, 5), max_size=4),  # which users
        ),
        max_size=12,
    )
)
def test_users_always_see_the_groups_that_list_them(
    steps: list[tuple[str, int, list[int]]],
) -> None:
    store = new_store()
    users = add_users(store, 6)
    groups = [
        store.create("Group", {"schemas": [GROUP_SCHEMA], "displayName": f"G{i}"})["id"]
        for i in range(3)
    ]
    for action, which, picked in steps:
        alive = [users[i] for i in picked if _exists(store, users[i])]
        members = [{"value": uid} for uid in alive]
        if action == "delete-user":
            for uid in alive[:1]:
                store.delete("User", uid)
        elif action == "put":
            body = {"schemas": [GROUP_SCHEMA], "displayName": f"G{which}", "members": members}
            store.replace("Group", groups[which], body)
        elif members:
            store.patch("Group", groups[which], patch(action, "members", members))
        living = [uid for uid in users if _exists(store, uid)]
        assert groups_seen_by_users(store, living) == groups_by_members(store, living)


def _exists(store: ScimStore, user_id: str) -> bool:
    try:
        store.get("User", user_id)
    except ScimError:
        return False
    return True


@pytest.mark.parametrize("fresh", [False, True])
def test_timestamps_and_versions_follow_the_clock(fresh: bool) -> None:
    clock = Clock()
    clock.fresh = fresh  # the same datetime object every call, or a new one each time
    store = new_store(clock)
    created = store.create("User", {"schemas": [USER_SCHEMA], "userName": "a@contoso.com"})
    assert created["meta"]["created"] == "2026-01-05T09:00:00.123Z"
    assert created["meta"]["lastModified"] == created["meta"]["created"]
    assert created["meta"]["version"] == 'W/"1"'
    clock.when += timedelta(seconds=90, microseconds=5000)
    patched = store.patch("User", created["id"], patch("replace", "title", "Engineer"))
    assert patched["meta"]["created"] == "2026-01-05T09:00:00.123Z"
    assert patched["meta"]["lastModified"] == "2026-01-05T09:01:30.128Z"
    assert patched["meta"]["version"] == 'W/"2"'
    unchanged = store.patch("User", created["id"], patch("replace", "title", "Engineer"))
    assert unchanged["meta"] == patched["meta"]  # RFC 7644 §3.5.2.1: no change, no new version
    clock.when = clock.when.astimezone(UTC) + timedelta(days=1)
    other = store.create("User", {"schemas": [USER_SCHEMA], "userName": "b@contoso.com"})
    assert other["meta"]["created"] == "2026-01-06T09:01:30.128Z"


@pytest.mark.parametrize(
    ("type_name", "body", "path", "message"),
    [
        ("User", {"schemas": [USER_SCHEMA], "userName": "a"}, "userName", "'userName'"),
        ("Group", {"schemas": [GROUP_SCHEMA], "displayName": "G"}, "displayName", "'displayName'"),
    ],
)
def test_required_attributes_cannot_be_emptied_by_patch(
    type_name: str, body: dict[str, Any], path: str, message: str
) -> None:
    store = new_store()
    resource_id = store.create(type_name, body)["id"]
    with pytest.raises(ScimError) as refused:
        store.patch(type_name, resource_id, patch("replace", path, ""))
    assert (refused.value.status, refused.value.scim_type) == (400, "invalidValue")
    assert refused.value.detail == f"{message} is required and cannot be removed"
    assert store.get(type_name, resource_id)[path] == body[path]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["create", "delete", "rename"]),
            st.integers(0, 5),
            st.sampled_from(["a", "b", "c"]),
        ),
        max_size=25,
    )
)
def test_the_externalid_index_finds_what_a_scan_finds(
    steps: list[tuple[str, int, str]],
) -> None:
    # The index holds one id as itself and a set only for a shared externalId; whatever
    # the history of creates, deletes and changes, a filter finds what scanning finds.
    store = new_store()
    ids: list[str] = []
    for number, (action, index, external) in enumerate(steps):
        if action == "create":
            body = {"schemas": [USER_SCHEMA], "userName": f"u{number}", "externalId": external}
            ids.append(store.create("User", body)["id"])
        elif ids and action == "delete":
            store.delete("User", ids.pop(index % len(ids)))
        elif ids:
            store.patch("User", ids[index % len(ids)], patch("replace", "externalId", external))
    every = store.search("User").resources
    for external in ("a", "b", "c"):
        found = store.search("User", f'externalId eq "{external}"').resources
        expected = [r["id"] for r in every if r.get("externalId") == external]
        assert sorted(r["id"] for r in found) == sorted(expected)


def test_a_user_is_found_by_a_name_that_folds_to_itself_and_by_one_that_does_not() -> None:
    store = new_store()
    lower = store.create("User", {"schemas": [USER_SCHEMA], "userName": "ada@x"})["id"]
    mixed = store.create("User", {"schemas": [USER_SCHEMA], "userName": "Bob@X"})["id"]
    assert [r["id"] for r in store.search("User", 'userName eq "ADA@x"').resources] == [lower]
    assert [r["id"] for r in store.search("User", 'userName eq "bob@x"').resources] == [mixed]
    store.patch("User", lower, patch("replace", "userName", "Ada@X"))
    assert [r["id"] for r in store.search("User", 'userName eq "ada@x"').resources] == [lower]
    with pytest.raises(ScimError):
        store.create("User", {"schemas": [USER_SCHEMA], "userName": "BOB@x"})


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 1, 5, 9, 0, 59, 999999, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 1, 5, 10, 0, 0, 1000, tzinfo=timezone(timedelta(hours=1))),
        datetime(2026, 1, 5, 9, 0, 0),  # naive
    ],
)
def test_meta_timestamps_are_the_clocks_instant_in_milliseconds(when: datetime) -> None:
    # The wall clock's text is built once a second and completed with the milliseconds:
    # it must read as isoformat does (truncated, "Z" for UTC), whatever the clock returns.
    clock = Clock()
    store = new_store(clock)
    for step in (timedelta(0), timedelta(microseconds=1), timedelta(milliseconds=999)):
        clock.when = when + step if when.year < 9999 else when
        clock.fresh = True
        created = store.create("User", {"schemas": [USER_SCHEMA], "userName": f"{step}@x.com"})
        expected = clock.when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        assert created["meta"]["created"] == expected


def test_large_multi_valued_attributes_are_counted_for_the_light_patch() -> None:
    # is_compact reads a remembered count (resources with more than a few values) rather
    # than the stored resource: it must say what counting the values says (the one-element
    # "schemas" list included).
    store = new_store()
    emails = [{"value": f"a{i}@x.com"} for i in range(12)]
    many = store.create("User", {"schemas": [USER_SCHEMA], "userName": "m", "emails": emails})
    few = store.create("User", {"schemas": [USER_SCHEMA], "userName": "f", "emails": emails[:3]})
    assert [store.is_compact("User", many["id"], limit) for limit in (12, 13, 64)] == [
        False,
        True,
        True,
    ]
    assert [store.is_compact("User", few["id"], limit) for limit in (3, 4, 64)] == [
        False,
        True,
        True,
    ]
    store.patch("User", many["id"], patch("replace", "emails", emails[:2]))
    assert store.is_compact("User", many["id"], 3)
    store.patch("User", few["id"], patch("add", "emails", emails[3:]))
    assert not store.is_compact("User", few["id"], 12)
    store.delete("User", many["id"])
    assert store.is_compact("User", many["id"], 0)  # gone: nothing to change


def test_values_json_cannot_write_back_exactly_are_kept_as_they_are(tmp_path: Path) -> None:
    # Resources are stored as orjson bytes; an integer beyond 64 bits, a NaN or a lone
    # surrogate (which an older --db file may hold) would not read back the same, so such
    # a resource keeps its value as it is.
    db = SqliteState(tmp_path / "state.db")
    odd = {
        "schemas": [USER_SCHEMA],
        "id": "u1",
        "userName": "odd@x.com",
        "title": "\ud800",
        "urn:x:big": {"n": 2**70, "nan": math.nan, "inf": -math.inf},
        "meta": {"resourceType": "User", "version": 'W/"1"'},
    }
    db.put_resource("User", odd)
    store = ScimStore(Clock().now, persistence=db)
    for read in (store.get("User", "u1"), store.snapshot()["User"][0]):
        assert read["title"] == "\ud800"
        assert read["urn:x:big"]["n"] == 2**70
        assert math.isnan(read["urn:x:big"]["nan"])
        assert read["urn:x:big"]["inf"] == -math.inf
        read["urn:x:big"]["n"] = 0  # a reader's copy: the store is not changed
    assert store.get("User", "u1")["urn:x:big"]["n"] == 2**70
    db.close()
