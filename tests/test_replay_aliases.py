"""Id aliases (harness.replay.aliases): learned from creates and one-result searches, and
rewritten in paths, filters, member values and $ref, never inside other text."""

from __future__ import annotations

from typing import Any

from harness.replay.aliases import IdAliases, resource_id
from harness.replay.capture import RecordedExchange

OLD = "https://old.example/scim"
NEW = "http://127.0.0.1:9/v2"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def _recorded(
    number: int,
    method: str,
    path: str,
    status: int,
    response: Any = None,
    body: Any = None,
    location: str | None = None,
) -> RecordedExchange:
    return RecordedExchange(
        number=number,
        method=method,
        url=OLD + path,
        content_type=None,
        accept=None,
        body=body,
        status=status,
        response_body=response,
        response_body_known=True,
        location=location,
    )


def _learned() -> IdAliases:
    aliases = IdAliases(OLD, NEW)
    aliases.learn(_recorded(1, "POST", "/Users", 201, {"id": "1"}), 201, {"id": "u-new"}, None)
    # No id in the recorded body: Location says it; the replay's Location too.
    aliases.learn(
        _recorded(2, "POST", "/Groups", 201, None, location=f"{OLD}/Groups/g%201"),
        201,
        None,
        f"{NEW}/Groups/g-new",
    )
    return aliases


def test_a_create_maps_the_recorded_id_to_the_replayed_one() -> None:
    aliases = _learned()
    assert aliases.ids == {"1": "u-new", "g 1": "g-new"}
    assert aliases.created == {"1": 1, "g 1": 2}


def test_urls_move_to_the_new_base_with_ids_rewritten_in_segments_and_filter_literals() -> None:
    aliases = _learned()
    assert aliases.url(f"{OLD}/Users/1") == f"{NEW}/Users/u-new"
    assert aliases.url(f"{OLD}/Groups/g%201?excludedAttributes=members") == (
        f"{NEW}/Groups/g-new?excludedAttributes=members"
    )
    # A segment that merely contains the id is someone else's.
    assert aliases.url(f"{OLD}/Users/11") == f"{NEW}/Users/11"
    assert (
        aliases.url(f"{OLD}/Users?filter=id+eq+%221%22") == f"{NEW}/Users?filter=id+eq+%22u-new%22"
    )
    # Unchanged parameters keep their recorded encoding byte for byte.
    assert aliases.url(f"{OLD}/Users?filter=userName+eq+%22user1%22") == (
        f"{NEW}/Users?filter=userName+eq+%22user1%22"
    )


def test_bodies_rewrite_values_refs_and_quoted_literals_only() -> None:
    aliases = _learned()
    body = {
        "Operations": [
            {"op": "Add", "path": "members", "value": [{"value": "1", "$ref": f"{OLD}/Users/1"}]},
            {"op": "Remove", "path": 'members[value eq "1"]'},
            {"op": "Add", "path": "manager", "value": "1"},
        ],
        "displayName": "Group 1",
        "externalId": "11",
    }
    assert aliases.rewrite(body) == {
        "Operations": [
            {
                "op": "Add",
                "path": "members",
                "value": [{"value": "u-new", "$ref": f"{NEW}/Users/u-new"}],
            },
            {"op": "Remove", "path": 'members[value eq "u-new"]'},
            {"op": "Add", "path": "manager", "value": "u-new"},
        ],
        "displayName": "Group 1",
        "externalId": "11",
    }


def test_a_failed_create_leaves_its_id_unresolved_and_names_it() -> None:
    aliases = IdAliases(OLD, NEW)
    aliases.learn(_recorded(4, "POST", "/Users", 201, {"id": "abc"}), 409, {"status": "409"}, None)
    assert aliases.unresolved == {"abc"}
    using = _recorded(
        5, "PATCH", "/Groups/g", 204, body={"Operations": [{"value": [{"value": "abc"}]}]}
    )
    assert aliases.uses_unresolved(using) == [4]
    assert aliases.uses_unresolved(_recorded(6, "GET", "/Users/abc", 200)) == [4]
    assert aliases.uses_unresolved(_recorded(7, "GET", "/Users/abcd", 200)) == []
    # The request is still sent, unchanged.
    assert aliases.url(f"{OLD}/Users/abc") == f"{NEW}/Users/abc"


def test_a_one_result_search_aliases_a_resource_that_existed_before_the_capture() -> None:
    aliases = IdAliases(OLD, NEW)
    one = {"schemas": [LIST], "totalResults": 1, "Resources": [{"id": "pre"}]}
    aliases.learn(
        _recorded(1, "GET", "/Users?filter=x", 200, one),
        200,
        {"schemas": [LIST], "totalResults": 1, "Resources": [{"id": "here"}]},
        None,
    )
    assert aliases.ids == {"pre": "here"}
    two = {"schemas": [LIST], "totalResults": 2, "Resources": [{"id": "a"}, {"id": "b"}]}
    aliases.learn(_recorded(2, "GET", "/Users", 200, two), 200, two, None)
    assert aliases.ids == {"pre": "here"}


def test_failed_recorded_exchanges_teach_nothing() -> None:
    aliases = IdAliases(OLD, NEW)
    aliases.learn(_recorded(1, "POST", "/Users", 409, {"id": "x"}), 201, {"id": "y"}, None)
    assert aliases.ids == {} and aliases.unresolved == set()


def test_resource_id_reads_the_body_then_the_location() -> None:
    assert resource_id({"id": "a"}, "https://h/Users/b") == "a"
    assert resource_id({}, "https://h/Users/b/") == "b"
    assert resource_id(None, None) is None
