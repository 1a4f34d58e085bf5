"""ScimFastPath (fake_elevate/web/asgi.py): which requests it answers itself, and how.

The resource routes are looked up in a dict and answered by their handlers; everything
else (discovery, the admin API, unknown paths and methods) falls through to FastAPI.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from fake_elevate.web.asgi import ScimFastPath
from fake_elevate.web.resources import LIGHT_BODY_LIMIT, LIGHT_VALUES_LIMIT

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

TOKEN = "asgi-test-token-0123456789abcdef"


@pytest.fixture
def app() -> ScimFastPath:
    elevate = FakeElevate(seed=5)
    elevate.quick_setup(seats=1, token=TOKEN)
    return elevate.asgi_app()  # type: ignore[no-any-return]


def scope(method: str, path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": [
            (b"host", b"api.linkedin.com"),
            (b"authorization", f"Bearer {TOKEN}".encode()),
            (b"content-type", b"application/scim+json"),
        ],
        "scheme": "https",
        "server": ("10.0.0.1", 443),
        "root_path": "",
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/scim/v2/Users"),
        ("GET", "/scim/Groups"),
        ("GET", "/Users"),
        ("POST", "/scim/v2/Users/.search"),
        ("GET", "/scim/v2/Users/some-id"),
        ("DELETE", "/Groups/some-id"),
    ],
)
def test_resource_routes_are_answered_without_fastapi(
    app: ScimFastPath, method: str, path: str
) -> None:
    assert app.handles_without_suspending(scope(method, path))
    assert app.answer_in_process(scope(method, path), b"{}") is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/scim/v2/ServiceProviderConfig"),  # discovery
        ("POST", "/scim/v2/.search"),  # the root search goes through FastAPI
        ("GET", "/account-center/users"),
        ("PUT", "/scim/v2/Users"),  # no such route: FastAPI answers 405
        ("GET", "/scim/v2/Users/"),
        ("GET", "/scim/v2/Users/id/extra"),
        ("GET", "/scim/v3/Users"),
    ],
)
def test_everything_else_falls_through_to_fastapi(
    app: ScimFastPath, method: str, path: str
) -> None:
    assert not app.handles_without_suspending(scope(method, path))
    assert app.answer_in_process(scope(method, path), b"") is None


def test_the_route_lookup_answers_as_trying_each_base_path(app: ScimFastPath) -> None:
    # _route looks the path (or, for an id, its collection) up in dicts built from
    # _find_route's answers; both must agree on every path, ids and odd ones included.
    segments = ["", "scim", "v2", "Users", "Groups", ".search", "some-id", "users", "Schemas"]
    paths = ["/".join(("", *parts)) for parts in itertools.product(segments, repeat=3)]
    paths += ["/".join(("", *parts)) for parts in itertools.product(segments, repeat=4)]
    for path in paths:
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"):
            assert app._route(method, path) == app._find_route(method, path), (method, path)


def test_the_longest_base_path_wins(app: ScimFastPath) -> None:
    body = json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a"})
    answer = app.answer_in_process(scope("POST", "/scim/v2/Users"), body.encode())
    assert answer is not None
    status, headers, _ = answer
    # "/scim/v2/Users" is the Users endpoint under /scim/v2, not "/v2/Users" under /scim.
    assert status == 201
    assert dict(headers)[b"location"].startswith(b"https://api.linkedin.com/scim/v2/Users/")


def test_an_unexpected_error_is_a_500_without_a_stack_trace(
    app: ScimFastPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_search(*_args: object, **_kwargs: object) -> None:
        raise LookupError("a bug, not a SCIM error")

    monkeypatch.setattr(app.state.elevate.store, "search", broken_search)
    answer = app.answer_in_process(scope("GET", "/scim/v2/Users"), b"")
    assert answer is not None
    status, _, body = answer
    assert status == 500
    assert json.loads(body)["detail"] == "Internal error: LookupError"


# --- light requests: answered on the event loop when the store is free ----------------------


def _threads_of(elevate: FakeElevate, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record, for each store create/search/patch, whether it ran on the event loop's thread."""
    seen: list[str] = []
    for name in ("create", "search", "patch"):
        real = getattr(elevate.store, name)

        def recorded(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                seen.append("loop")
            except RuntimeError:
                seen.append("worker")
            return _real(*args, **kwargs)

        monkeypatch.setattr(elevate.store, name, recorded)
    return seen


def _send(app: Any, requests: list[tuple[str, str, dict[str, str], bytes]]) -> list[int]:
    """The statuses of ``requests`` sent one after another under a running event loop."""

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json"}
        async with httpx.AsyncClient(transport=transport, base_url="http://elevate") as client:
            return [
                (
                    await client.request(method, path, params=params, content=body, headers=headers)
                ).status_code
                for method, path, params, body in requests
            ]

    return asyncio.run(run())


def _user(name: str, padding: int = 0) -> bytes:
    body: dict[str, Any] = {"schemas": [USER], "userName": name}
    if padding:
        body["title"] = "x" * padding
    return json.dumps(body).encode()


def test_small_creates_and_indexed_filters_are_answered_on_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elevate = FakeElevate(seed=5)
    elevate.quick_setup(seats=5, token=TOKEN)
    seen = _threads_of(elevate, monkeypatch)
    user = elevate.store.create("User", {"schemas": [USER], "userName": "bob@x"})
    seen.clear()
    rename = json.dumps(
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "displayName", "value": "B"}],
        }
    ).encode()
    statuses = _send(
        elevate.asgi_app(),
        [
            ("POST", "/scim/v2/Users", {}, _user("ada@x")),
            ("PATCH", f"/scim/v2/Users/{user['id']}", {}, rename),
            ("GET", "/scim/v2/Users", {"filter": 'userName eq "ada@x"'}, b""),
            ("GET", "/scim/v2/Users", {"filter": 'externalId eq "e1"'}, b""),
            ("GET", "/scim/v2/Groups", {"filter": 'displayName eq "g"',
                                        "excludedAttributes": "members"}, b""),
        ],
    )  # fmt: skip
    assert statuses == [201, 200, 200, 200, 200]
    assert seen == ["loop"] * 5


def test_heavier_requests_go_to_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    elevate = FakeElevate(seed=5)
    elevate.quick_setup(seats=5, token=TOKEN)
    many = [{"value": f"e{i}@x"} for i in range(LIGHT_VALUES_LIMIT + 1)]
    user = elevate.store.create("User", {"schemas": [USER], "userName": "many@x", "emails": many})
    group = elevate.store.create("Group", {"schemas": [GROUP], "displayName": "g"})
    seen = _threads_of(elevate, monkeypatch)
    rename = json.dumps(
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "displayName", "value": "B"}],
        }
    ).encode()
    long_patch = json.dumps(
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "displayName", "value": "B" * 5000}],
        }
    ).encode()
    statuses = _send(
        elevate.asgi_app(),
        [
            ("PATCH", f"/scim/v2/Users/{user['id']}", {}, rename),  # a user with many values
            ("PATCH", f"/scim/v2/Groups/{group['id']}", {}, rename),  # a group
            ("PATCH", f"/scim/v2/Users/{user['id']}", {}, long_patch),  # a long body
            ("POST", "/scim/v2/Users", {}, _user("big@x", padding=LIGHT_BODY_LIMIT)),
            ("GET", "/scim/v2/Users", {"filter": 'displayName eq "Ada"'}, b""),  # a scan
            ("GET", "/scim/v2/Users", {}, b""),  # no filter: every user
            ("GET", "/scim/v2/Users", {"filter": 'userName eq "a"', "sortBy": "userName"}, b""),
            ("GET", "/scim/v2/Users", {"filter": 'userName eq "a" or userName eq "b"'}, b""),
            ("GET", "/scim/v2/Groups", {"filter": 'displayName eq "g"'}, b""),  # with members
        ],
    )
    assert statuses == [200, 204, 200, 201, 200, 200, 200, 200, 200]
    assert seen == ["worker"] * 9


def test_a_light_request_goes_to_a_worker_while_the_store_is_busy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Structural: another thread holds the store's lock (as a long search would); the
    # loop must not wait for it, so the light create is handed to a worker thread.
    elevate = FakeElevate(seed=5)
    elevate.quick_setup(seats=5, token=TOKEN)
    seen = _threads_of(elevate, monkeypatch)
    app = elevate.asgi_app()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with elevate.store.lock:
            held.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(timeout=30)
    threading.Timer(0.2, release.set).start()
    try:
        assert _send(app, [("POST", "/scim/v2/Users", {}, _user("ada@x"))]) == [201]
    finally:
        release.set()
        holder.join(timeout=30)
    assert seen == ["worker"]


def test_a_persisting_server_answers_nothing_on_the_loop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elevate = FakeElevate(seed=5, db=tmp_path / "elevate.db")
    elevate.quick_setup(seats=5, token=TOKEN)
    seen = _threads_of(elevate, monkeypatch)
    assert _send(elevate.asgi_app(), [("POST", "/scim/v2/Users", {}, _user("ada@x"))]) == [201]
    assert seen == ["worker"]
