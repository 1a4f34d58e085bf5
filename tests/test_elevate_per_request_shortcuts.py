"""Shortcuts on Fake Elevate's per-request path (issue 23), each checked equal to what it
replaces: the light filter check over the remembered split (simple_equality), the stamp of
the current second, a projection returning its resource, the coercions
skipped for printable strings and booleans, and the PATCH envelope read as sent."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scim_filter_support import BJENSEN

from fake_elevate.scim import resource as resource_module
from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.filter.fast_path import _SIMPLE_EQUALITY, simple_equality
from fake_elevate.scim.patch import apply_patch
from fake_elevate.scim.resource import normalize_resource, project
from fake_elevate.scim.schema import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_TYPE,
    PATCH_OP_SCHEMA,
    USER_SCHEMA,
    USER_TYPE,
)
from fake_elevate.store import ScimStore, _count_values, _iso, _iso_utc
from fake_elevate.web import resources
from fake_elevate.web.request import ScimRequest

# --- the light filter check ---------------------------------------------------------------

# What light_filter decided before it read the remembered split: the regular expression alone.
_EQUALITY = re.compile(r'\s*([A-Za-z]+)\s+eq\s+"(?:[^"\\]|\\.)*"\s*', re.ASCII)

WORDS = [
    "userName", "USERNAME", "externalId", "id", "ID", "displayName", "emails", "name.givenName",
    f"{USER_SCHEMA}:userName", "user-name", "$ref", "a1", "members", "title",
]  # fmt: skip
filter_texts = st.one_of(
    st.builds(
        lambda word, gap1, op, gap2, value, tail: f"{word}{gap1}{op}{gap2}{value}{tail}",
        st.sampled_from(WORDS),
        st.sampled_from([" ", "  ", "\t", ""]),
        st.sampled_from(["eq", "EQ", "Eq", "ne"]),
        st.sampled_from([" ", "", "\n"]),
        st.one_of(
            st.sampled_from(['"x"', '"a\\"b"', '"é"', '"\x01"', '"a b"', '""', "true", '"x']),
            st.text(max_size=6).map(lambda text: f'"{text}"'),
        ),
        st.sampled_from(["", " ", "\n", " and title pr", "]"]),
    ),
    st.text(alphabet='userNamEQ "x\\\t', max_size=24),
)


def light_before(flt: str, type_name: str) -> bool:
    match = _EQUALITY.fullmatch(flt)
    return match is not None and match.group(1).lower() in resources._INDEXED[type_name]


def light_now(flt: str, type_name: str) -> bool:
    scope = {"type": "http", "query_string": b"x=1", "headers": []}
    request = ScimRequest(scope, b"", body_too_large=False)
    request._query = {"filter": flt}
    return resources.light_filter(type_name)(request, {})


@given(filter_texts, st.sampled_from(["User", "Group"]), st.booleans())
@settings(max_examples=600, deadline=None)
def test_the_light_filter_check_decides_as_the_regular_expression_did(
    flt: str, type_name: str, split_first: bool
) -> None:
    if split_first:  # the split is remembered from an earlier request, or not
        simple_equality(flt)
    else:
        simple_equality("something else")
    if type_name == "Group":
        assert not light_now(flt, type_name) or light_before(flt, type_name)
        return  # a Group GET is light only with its members excluded (checked below)
    assert light_now(flt, type_name) == light_before(flt, type_name), flt


@given(filter_texts)
@settings(max_examples=300, deadline=None)
def test_simple_equality_splits_as_the_expression_matches(text: str) -> None:
    match = _SIMPLE_EQUALITY.match(text)
    expected = None if match is None else match.groups()
    assert simple_equality(text) == expected
    assert simple_equality(text) == expected  # remembered
    simple_equality(text + " ")
    assert simple_equality(text) == expected


# --- stamps and versions ------------------------------------------------------------------

steps = st.lists(
    st.sampled_from([0, 1, 999, 1000, 999_999, 1_000_000, 3_600_000_000, -1, -1_000_001]),
    min_size=1,
    max_size=40,
)


@given(steps, st.integers(min_value=0, max_value=10**6))
@settings(max_examples=200, deadline=None)
def test_the_stamp_of_an_instant_is_its_iso_text(moves: list[int], start_us: int) -> None:
    when = datetime(2026, 12, 7, 5, 0, 0, tzinfo=UTC) + timedelta(microseconds=start_us)
    clock = {"now": when}
    store = ScimStore(lambda: clock["now"])
    for move in moves:
        when = when + timedelta(microseconds=move)
        clock["now"] = when
        assert _iso_utc(when) == _iso(when)
        assert store._timestamp() == _iso(when)


@pytest.mark.parametrize(
    "when",
    [
        datetime.max.replace(tzinfo=UTC),
        datetime.min.replace(tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 123, tzinfo=UTC),
        datetime(2026, 12, 7, 5, 0, 0, 999_999, tzinfo=UTC),
        datetime(2026, 12, 7, 5, 0, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 12, 7, 5, 0, 0),
    ],
)
def test_the_stamp_of_an_edge_instant_is_its_iso_text(when: datetime) -> None:
    assert _iso_utc(when) == _iso(when)
    assert ScimStore(lambda: when)._timestamp() == _iso(when)
    assert _iso_utc(when) == _iso(when)  # twice: the second it keeps, or not


@pytest.mark.parametrize("version", ['W/"0"', 'W/"1"', 'W/"41"', 'W/"999"', 'W/" 7"'])
def test_a_change_bumps_the_version(version: str) -> None:
    meta = {"version": version}
    ScimStore(lambda: datetime(2026, 1, 1, tzinfo=UTC))._touch({"meta": meta}, changed=True)
    assert meta["version"] == f'W/"{int(version[3:-1]) + 1}"'


# --- projection and normalisation ---------------------------------------------------------


def project_by_the_loop(resource: dict[str, Any]) -> dict[str, Any]:
    """project() without attributes, as it was: every key but password, extensions copied
    and left out when empty."""
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if key == "password":
            continue
        if USER_TYPE.extension(key) is not None:
            kept = dict(value)
            if kept:
                out[key] = kept
            continue
        out[key] = value
    return out


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"password": "secret"},
        {ENTERPRISE_USER_SCHEMA: {"employeeNumber": "7"}},
        {ENTERPRISE_USER_SCHEMA: {}},
        {ENTERPRISE_USER_SCHEMA.upper(): {"employeeNumber": "7"}},
        {"nickName": "b", "password": "x", ENTERPRISE_USER_SCHEMA: {}},
    ],
)
def test_project_without_attributes_writes_what_the_loop_wrote(extra: dict[str, Any]) -> None:
    resource = {**copy.deepcopy(BJENSEN), **extra}
    for _ in range(2):  # the second time, every key is known
        projected = project(resource, USER_TYPE)
        assert json.dumps(projected) == json.dumps(project_by_the_loop(resource))
        assert (projected is resource) == (json.dumps(projected) == json.dumps(resource))


def test_project_returns_a_plain_resource_itself_once_its_keys_are_known() -> None:
    resource = {"schemas": [USER_SCHEMA], "id": "1", "userName": "a"}
    project(resource, USER_TYPE)
    assert project(resource, USER_TYPE) is resource
    assert project(resource, USER_TYPE, [("userName", None)]) is not resource


values = st.one_of(
    st.text(max_size=5),
    st.sampled_from(["a\x01", "\x7f", "\u2028", "é", "True", "false", "tab\there"]),
    st.booleans(),
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=3), max_size=2),
)


@given(
    st.dictionaries(
        st.sampled_from(["displayName", "nickName", "active", "title", "userType", "locale"]),
        values,
    ),
    st.lists(
        st.dictionaries(st.sampled_from(["value", "type", "primary", "display"]), values),
        max_size=2,
    ),
)
@settings(max_examples=300, deadline=None)
def test_normalize_resource_coerces_as_the_reference(
    attributes: dict[str, Any], emails: list[dict[str, Any]]
) -> None:
    body = {"schemas": [USER_SCHEMA], "userName": "alice", **attributes, "emails": emails}
    try:
        fast: Any = normalize_resource(copy.deepcopy(body), USER_TYPE)
    except ScimError as error:
        fast = (error.status, error.detail)
    out: dict[str, Any] = {}
    try:
        for key, value in body.items():
            if key == "schemas":
                continue
            attr = USER_TYPE.schema.attribute(key)
            assert attr is not None
            coerced = resource_module._coerce_attribute(attr, value, attr.name)
            if coerced is not None and coerced not in ([], {}):
                out[attr.name] = coerced
        reference: Any = out
    except ScimError as error:
        reference = (error.status, error.detail)
    assert fast == reference


# --- the PATCH envelope -----------------------------------------------------------------------


def patch_bodies(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """One PATCH, with its member names spelt as the RFC does and otherwise."""
    odd = {key.upper(): value for key, value in operation.items()}
    return [
        {"schemas": [PATCH_OP_SCHEMA], "Operations": [operation]},
        {"schemas": [PATCH_OP_SCHEMA], "operations": [operation]},
        {"Schemas": [PATCH_OP_SCHEMA.upper()], "OPERATIONS": [odd]},
        {"schemas": [PATCH_OP_SCHEMA], "Operations": [odd], "extra": 1},
    ]


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "displayName", "value": "Renamed"},
        {"op": "Replace", "value": {"displayName": "R", "active": "False"}},
        {"op": "add", "path": "emails", "value": [{"type": "home", "value": "h@x"}]},
        {"op": "remove", "path": 'emails[type eq "work"]'},
        {"op": "replace", "path": "id", "value": "x"},
        {"op": "bogus", "path": "displayName", "value": "x"},
        {"op": "replace", "path": 7, "value": "x"},
        {"op": "replace", "path": "  ", "value": {"nickName": "n"}},
        {"op": "add", "path": "title"},
    ],
)
def test_a_patch_reads_the_same_whatever_the_spelling_of_its_names(
    operation: dict[str, Any],
) -> None:
    outcomes = []
    for body in patch_bodies(operation):
        try:
            result = apply_patch(copy.deepcopy(BJENSEN), body, USER_TYPE)
            outcomes.append(("ok", result.resource, result.changed, result.modified))
        except ScimError as error:
            outcomes.append(("error", error.status, error.detail, error.scim_type))
    assert all(outcome == outcomes[0] for outcome in outcomes), outcomes


def test_group_filters_need_members_excluded_to_be_light() -> None:
    scope = {"type": "http", "query_string": b"x=1", "headers": []}
    check = resources.light_filter(GROUP_TYPE.name)
    for excluded, light in ((None, False), ("members", True), ("displayName, members", True)):
        request = ScimRequest(scope, b"", body_too_large=False)
        request._query = {"filter": 'displayName eq "g"'}
        if excluded is not None:
            request._query["excludedAttributes"] = excluded
        assert check(request, {}) is light


# --- the value counts a PATCH leaves as they were -----------------------------------------

patch_operations = st.sampled_from(
    [
        {"op": "replace", "path": "displayName", "value": "R"},
        {"op": "replace", "path": "active", "value": "False"},
        {"op": "remove", "path": "displayName"},
        {"op": "add", "path": "emails", "value": [{"value": "n@x", "type": "home"}]},
        {"op": "add", "path": "emails", "value": [{"value": f"m{i}@x"} for i in range(9)]},
        {"op": "remove", "path": 'emails[type eq "home"]'},
        {"op": "replace", "path": "emails", "value": []},
        {"op": "replace", "path": "name.givenName", "value": "G"},
        {"op": "replace", "path": f"{ENTERPRISE_USER_SCHEMA}:employeeNumber", "value": "7"},
        {"op": "remove", "path": ENTERPRISE_USER_SCHEMA},
        {"op": "replace", "value": {"nickName": "n", "title": "t"}},
        {"op": "replace", "value": {"phoneNumbers": [{"value": "1"}] * 2, "title": "u"}},
    ]
)


@given(st.integers(min_value=0, max_value=12), st.lists(patch_operations, max_size=12))
@settings(max_examples=150, deadline=None)
def test_patches_keep_the_value_counts_of_what_they_store(
    emails: int, operations: list[dict[str, Any]]
) -> None:
    store = ScimStore(lambda: datetime(2026, 12, 7, tzinfo=UTC))
    body = {
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "userName": "counted",
        "emails": [{"value": f"e{i}@x"} for i in range(emails)],
        ENTERPRISE_USER_SCHEMA: {"department": "D"},
    }
    user_id = store.create("User", body)["id"]
    for operation in operations:
        with contextlib.suppress(ScimError):  # a refused PATCH stores nothing
            store.patch("User", user_id, {"schemas": [PATCH_OP_SCHEMA], "Operations": [operation]})
        (stored,) = store.snapshot()["User"]
        count = _count_values(stored)
        assert store._many_values["User"].get(user_id) == (count if count > 8 else None)
        assert store.is_compact("User", user_id, 8) == (count <= 8)
