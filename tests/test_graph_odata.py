"""The OData query options, durations and the Graph JSON Schemas themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_entra.graph.durations import format_duration, parse_duration
from fake_entra.graph.errors import GraphError
from fake_entra.graph.odata import CollectionOptions, matches, parse_filter, query_collection
from harness.schemas.graph import graph_schema_names, graph_violations

ALLOWED = frozenset(
    {
        "displayName",
        "jobId",
        "provisioningStatusInfo/status",
        "count",
        "activityDateTime",
        "accountEnabled",
    }
)
ITEM = {
    "displayName": "Britta O'Neil",
    "jobId": "scim.1.2",
    "count": 3,
    "activityDateTime": "2026-01-05T09:00:00.000Z",
    "accountEnabled": True,
    "provisioningStatusInfo": {"status": "success"},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("displayName eq 'Britta O''Neil'", True),
        ("displayName eq 'britta o''neil'", True),  # case-insensitive here
        ("startswith(displayName,'Brit')", True),
        ("endswith(displayName,'Neil')", True),
        ("contains(displayName,'x')", False),
        ("provisioningStatusInfo/status eq 'success' and count gt 2", True),
        ("count lt 3 or jobId eq 'scim.1.2'", True),
        ("not (count ge 3)", False),
        ("count le 3", True),
        ("activityDateTime gt 2026-01-05T08:59:59Z", True),
        ("activityDateTime lt 2026-01-05T09:00:00Z", False),
        ("accountEnabled eq true", True),
        ("displayName ne null", True),
    ],
)
def test_filters(text: str, expected: bool) -> None:
    assert matches(parse_filter(text, ALLOWED), ITEM, case_sensitive=False) is expected


def test_any_over_a_string_collection() -> None:
    allowed = frozenset({"categories", "displayName"})
    item = {"displayName": "LinkedIn Elevate", "categories": ["collaboration", "social"]}
    hit = parse_filter("categories/any(c:contains(c,'collab'))", allowed)
    miss = parse_filter(
        "categories/any(c:c eq 'crm') and displayName eq 'LinkedIn Elevate'", allowed
    )
    assert matches(hit, item, case_sensitive=False) is True
    assert matches(miss, item, case_sensitive=False) is False
    for bad in (
        "shoes/any(c:c eq 'x')",
        "categories/any(c c eq 'x')",
        "categories/any(c:d eq 'x')",
        "categories/any(c:c/any(d:d eq 'x'))",
    ):
        with pytest.raises(GraphError):
            parse_filter(bad, allowed)


def test_case_sensitive_filters() -> None:
    node = parse_filter("displayName eq 'britta o''neil'", ALLOWED)
    assert matches(node, ITEM, case_sensitive=True) is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "displayName",
        "displayName eq",
        "displayName like 'x'",
        "shoeSize eq 1",
        "(displayName eq 'x'",
        "displayName eq 'x' and",
        "contains(displayName, 3)",
        "count eq 'a' )",
    ],
)
def test_bad_filters_are_400_unsupported_query(text: str) -> None:
    with pytest.raises(GraphError) as caught:
        parse_filter(text, ALLOWED)
    assert (caught.value.status, caught.value.code) == (400, "Request_UnsupportedQuery")


def test_paging_returns_each_item_once() -> None:
    items = [{"displayName": f"u{i}"} for i in range(7)]
    options = CollectionOptions(selectable=frozenset({"displayName"}))
    seen: list[str] = []
    params: dict[str, str] = {"$top": "3"}
    while True:
        page = query_collection(items, params, options, default_page_size=100, max_page_size=999)
        seen.extend(item["displayName"] for item in page.items)
        if page.next_skiptoken is None:
            break
        params = {"$top": "3", "$skiptoken": page.next_skiptoken}
    assert seen == [f"u{i}" for i in range(7)]


SORTABLE = CollectionOptions(
    orderable=frozenset({"displayName", "count", "info/status"}), skippable=True
)


def _query(items: list[dict[str, Any]], **params: str) -> list[dict[str, Any]]:
    page = query_collection(items, params, SORTABLE, default_page_size=100, max_page_size=999)
    return page.items


@given(
    st.lists(
        st.fixed_dictionaries(
            {"displayName": st.text(max_size=3), "count": st.one_of(st.none(), st.integers())}
        ),
        max_size=8,
    ),
    st.sampled_from(["asc", "desc", ""]),
    st.integers(min_value=0, max_value=9),
)
def test_orderby_sorts_stably_with_null_first_and_skip_drops_the_head(
    items: list[dict[str, Any]], direction: str, skip: int
) -> None:
    got = _query(items, **{"$orderby": f"count {direction}".strip(), "$skip": str(skip)})
    # OData §5.1.3: null sorts first ascending, so last descending.
    key = [(item["count"] is not None, item["count"]) for item in items]
    expected = [
        item
        for _, item in sorted(
            zip(key, items, strict=True), key=lambda pair: pair[0], reverse=direction == "desc"
        )
    ]
    assert got == expected[skip:]


def test_orderby_takes_several_keys_and_nested_paths() -> None:
    items = [
        {"displayName": "b", "count": 1, "info": {"status": "x"}},
        {"displayName": "a", "count": 2, "info": {"status": "y"}},
        {"displayName": "a", "count": 1, "info": {"status": "z"}},
    ]
    names = [
        (i["displayName"], i["count"])
        for i in _query(items, **{"$orderby": "displayName, count desc"})
    ]
    assert names == [("a", 2), ("a", 1), ("b", 1)]
    statuses = [i["info"]["status"] for i in _query(items, **{"$orderby": "info/status desc"})]
    assert statuses == ["z", "y", "x"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"$orderby": "jobId"}, "Request_UnsupportedQuery"),  # not an orderable property
        ({"$orderby": "count sideways"}, "Request_UnsupportedQuery"),
        ({"$orderby": ""}, "Request_UnsupportedQuery"),
        ({"$skip": "-1"}, "Request_BadRequest"),
        ({"$skip": "two"}, "Request_BadRequest"),
    ],
)
def test_bad_orderby_and_skip_are_400(params: dict[str, str], code: str) -> None:
    with pytest.raises(GraphError) as caught:
        _query([{"displayName": "a", "count": 1}], **params)
    assert caught.value.status == 400 and caught.value.code == code


def test_orderby_and_skip_are_refused_where_the_reference_page_does_not_list_them() -> None:
    for name in ("$orderby", "$skip"):
        with pytest.raises(GraphError) as caught:
            query_collection(
                [{"displayName": "a"}],
                {name: "displayName" if name == "$orderby" else "1"},
                CollectionOptions(),
                default_page_size=100,
                max_page_size=999,
            )
        assert caught.value.code == "Request_UnsupportedQuery"


def test_a_skiptoken_from_another_query_is_refused() -> None:
    items = [{"displayName": f"u{i}"} for i in range(4)]
    options = CollectionOptions(filterable=frozenset({"displayName"}))
    page = query_collection(items, {"$top": "2"}, options, default_page_size=100, max_page_size=999)
    assert page.next_skiptoken is not None
    with pytest.raises(GraphError):
        query_collection(
            items,
            {"$top": "3", "$skiptoken": page.next_skiptoken},
            options,
            default_page_size=100,
            max_page_size=999,
        )


@given(st.integers(min_value=0, max_value=10**12).map(lambda us: timedelta(microseconds=us)))
def test_durations_round_trip(delta: timedelta) -> None:
    assert parse_duration(format_duration(delta)) == delta


@pytest.mark.parametrize("text", ["", "P", "PT", "40M", "P1Y", "PT-5M", "P1DT"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_the_interval_reads_as_graph_writes_it() -> None:
    assert format_duration(timedelta(minutes=40)) == "PT40M"
    assert parse_duration("PT40M") == timedelta(minutes=40)


@pytest.mark.parametrize("name", graph_schema_names())
def test_every_graph_schema_loads_and_rejects_a_wrong_type(name: str) -> None:
    assert graph_violations(name, 42) != []
