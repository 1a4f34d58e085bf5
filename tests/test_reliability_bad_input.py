"""Bad input never corrupts (issue 8): each bad request gets its 4xx and changes nothing.

One parametrized test: snapshot Fake Elevate's SCIM store and Account Center (licence pools,
licensed users, SCIM configurations), send one bad request, check the status, the SCIM Error
body (RFC 7644 §3.12) and its ``scimType``, then check both snapshots are identical.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from fake_elevate.elevate import ElevateSettings, FakeElevate
from fake_entra.clock import VirtualClock
from harness.transport import scim_client

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = {"Content-Type": "application/scim+json"}
MAX_PAYLOAD = 16 * 1024


@dataclass(frozen=True)
class Bad:
    """One bad request: ``{id}`` in the path is the seeded user's id."""

    method: str
    path: str
    status: int
    scim_type: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(SCIM_JSON))


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _patch(path: str, value: Any = "x", op: str = "replace") -> bytes:
    return _json({"schemas": [PATCH_OP], "Operations": [{"op": op, "path": path, "value": value}]})


def _filter(text: str) -> Bad:
    return Bad("GET", "/Users", 400, "invalidFilter", params={"filter": text})


def _nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


INJECTED_FILTERS = {
    "always-true or": 'userName eq "x" or "1" eq "1"',
    "escaped quote": 'userName eq "\\" or true',
    "bare true": 'userName eq "alice@contoso.com" or true',
    "single quotes": "userName eq 'alice@contoso.com'",
    "sql tail": 'userName eq "a"; DROP TABLE users --',
    "unbalanced quote": 'userName eq "alice@contoso.com',
    "unbalanced bracket": 'emails[type eq "work"',
    "unbalanced paren": '(userName eq "a"',
    "extra paren": 'userName eq "a")',
    "nul byte": 'userName eq "a\x00"',
    "cyrillic lookalike attribute": 'userN\u0430me eq "alice@contoso.com"',
    "fullwidth operator": 'userName \uff45\uff51 "alice@contoso.com"',
    "10k-long value": 'userName eq "' + "a" * 10_000 + '"',
    "10k-long or-chain": " or ".join(['userName eq "a"'] * 600),
    "deep parens": "(" * 2_000 + 'userName eq "a"' + ")" * 2_000,
}

BAD: dict[str, Bad] = {
    **{f"filter: {name}": _filter(text) for name, text in INJECTED_FILTERS.items()},
    "search: injected filter": Bad(
        "POST",
        "/Users/.search",
        400,
        "invalidFilter",
        body=_json({"schemas": [SEARCH], "filter": INJECTED_FILTERS["always-true or"]}),
    ),
    "oversized POST": Bad(
        "POST",
        "/Users",
        413,
        body=_json({"schemas": [USER], "userName": "big", "title": "x" * MAX_PAYLOAD}),
    ),
    "oversized PATCH": Bad("PATCH", "/Users/{id}", 413, body=_patch("title", "x" * MAX_PAYLOAD)),
    "deeply nested POST": Bad("POST", "/Users", 400, "invalidSyntax", body=_nested(5_000)),
    "deeply nested PATCH value": Bad(
        "PATCH", "/Users/{id}", 400, body=_patch("title", json.loads(_nested(400)))
    ),
    "invalid UTF-8 POST": Bad(
        "POST",
        "/Users",
        400,
        "invalidSyntax",
        body=b'{"schemas": ["' + USER.encode() + b'"], "userName": "\xff\xfe"}',
    ),
    "invalid UTF-8 PATCH": Bad("PATCH", "/Users/{id}", 400, "invalidSyntax", body=b"\xc3\x28"),
    "text/plain POST": Bad(
        "POST",
        "/Users",
        415,
        body=_json({"schemas": [USER], "userName": "t@contoso.com"}),
        headers={"Content-Type": "text/plain"},
    ),
    "form PATCH": Bad(
        "PATCH",
        "/Users/{id}",
        415,
        body=b"title=CEO",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    "unknown schema POST": Bad(
        "POST",
        "/Users",
        400,
        "invalidValue",
        body=_json({"schemas": ["urn:bogus"], "userName": "b"}),
    ),
    "unknown schema PUT": Bad(
        "PUT",
        "/Users/{id}",
        400,
        "invalidValue",
        body=_json({"schemas": ["urn:x"], "userName": "b"}),
    ),
    "duplicate userName": Bad(
        "POST",
        "/Users",
        409,
        "uniqueness",
        body=_json({"schemas": [USER], "userName": "alice@contoso.com", "active": True}),
    ),
    **{
        f"PATCH path: {path!r}": Bad("PATCH", "/Users/{id}", 400, "invalidPath", body=_patch(path))
        for path in (
            'emails[type eq "work" or "1" eq "1"].value',
            'emails[type eq "work"].value]',
            "emails[",
            "name.givenName.extra",
            "urn:bogus:schema:title",
            '"title"',
            "title\x00",
            "ti\u0074le\u200b",
        )
    },
    "PATCH group members injected filter": Bad(
        "PATCH",
        "/Groups/{group}",
        400,
        "invalidPath",
        body=_patch('members[value eq "x" or "1" eq "1"]', op="remove"),
    ),
    "count not a number": Bad("GET", "/Users", 400, "invalidValue", params={"count": "abc"}),
    "startIndex not a number": Bad(
        "GET", "/Users", 400, "invalidValue", params={"startIndex": "1e999"}
    ),
}


@pytest.fixture
def elevate() -> FakeElevate:
    clock = VirtualClock()
    return FakeElevate(
        now=clock.now, seed=8, settings=ElevateSettings(max_payload_size=MAX_PAYLOAD)
    )


@pytest.fixture
def client(elevate: FakeElevate) -> Iterator[httpx.Client]:
    _, token = elevate.quick_setup(seats=2)
    with scim_client("https://api.linkedin.com/scim/v2", token, app=elevate.asgi_app()) as c:
        yield c


def _state(elevate: FakeElevate) -> dict[str, Any]:
    center = elevate.account_center
    return {
        "store": elevate.store.snapshot(),
        "pools": [pool.to_json() for pool in center.license_pools()],
        "licensed": [user.to_json() for user in center.users()],
        "configurations": [config.to_json() for config in center.scim_configurations()],
    }


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_bad_request_gets_its_4xx_and_changes_nothing(
    elevate: FakeElevate, client: httpx.Client, bad: Bad
) -> None:
    user = {"schemas": [USER], "userName": "alice@contoso.com", "active": True, "title": "Dev"}
    created = client.post("/Users", content=_json(user), headers=SCIM_JSON)
    assert created.status_code == 201, created.text
    group = client.post(
        "/Groups",
        content=_json(
            {
                "schemas": [GROUP],
                "displayName": "Sales",
                "members": [{"value": created.json()["id"]}],
            }
        ),
        headers=SCIM_JSON,
    )
    assert group.status_code == 201, group.text
    before = _state(elevate)

    path = bad.path.format(id=created.json()["id"], group=group.json()["id"])
    response = client.request(
        bad.method, path, params=bad.params, content=bad.body, headers=bad.headers
    )

    assert response.status_code == bad.status, response.text[:300]
    error = response.json()
    assert error["schemas"] == [ERROR]
    assert error["status"] == str(bad.status)
    if bad.scim_type is not None:
        assert error.get("scimType") == bad.scim_type
    assert _state(elevate) == before


@pytest.mark.parametrize("name", ["startIndex", "count"])
@pytest.mark.parametrize("value", ["0", "-1", "-99999999999999999999", str(10**30)])
def test_paging_edges_answer_and_change_nothing(
    elevate: FakeElevate, client: httpx.Client, name: str, value: str
) -> None:
    # RFC 7644 §3.4.2.4: startIndex < 1 is read as 1, a negative count as 0; huge values
    # are clamped, not a 5xx.
    client.post(
        "/Users",
        content=_json({"schemas": [USER], "userName": "bob@contoso.com", "active": True}),
        headers=SCIM_JSON,
    )
    before = _state(elevate)
    response = client.get("/Users", params={name: value})
    assert response.status_code == 200, response.text
    assert response.json()["totalResults"] == 1
    assert _state(elevate) == before
