"""ScimFastPath (fake_elevate/web/asgi.py): which requests it answers itself, and how.

The resource routes are looked up in a dict and answered by their handlers; everything
else (discovery, the admin API, unknown paths and methods) falls through to FastAPI.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fake_elevate.elevate import FakeElevate
from fake_elevate.web.asgi import ScimFastPath

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
