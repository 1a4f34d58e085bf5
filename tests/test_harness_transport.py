"""harness.transport: the in-process SCIM transport, direct and ASGI, and scim_client."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from fake_elevate.elevate import ElevateSettings, FakeElevate
from harness.transport import (
    ENV_MAX_BODY,
    ENV_TIMEOUT,
    AsgiTransport,
    BoundedTransport,
    ResponseLimits,
    _complete_at_once,
    limits_from_environment,
    parse_size,
    scim_client,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
TOKEN = "transport-test-token-0123456789abcdef"


def _elevate() -> FakeElevate:
    elevate = FakeElevate(now=lambda: NOW, seed=7, settings=ElevateSettings(max_payload_size=2_000))
    elevate.quick_setup(seats=10, token=TOKEN)
    return elevate


def _user(name: str) -> dict[str, Any]:
    return {
        "schemas": [USER_SCHEMA],
        "userName": name,
        "active": True,
        "displayName": "Ada Lovelace",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": True, "type": "work", "value": name}],
    }


def _exchanges() -> list[tuple[str, str, dict[str, str], bytes | None]]:
    """A walk over the resource routes, their errors and their edges: (method, url, headers, body)."""
    auth = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/scim+json"}
    send = {**auth, "Content-Type": "application/scim+json"}
    base = "https://api.linkedin.com/scim/v2"

    def body(value: Any) -> bytes:
        return json.dumps(value).encode()

    return [
        ("GET", f"{base}/Users?filter=userName%20eq%20%22ada%40contoso.com%22", auth, None),
        ("POST", f"{base}/Users", send, body(_user("ada@contoso.com"))),
        ("POST", f"{base}/Users", send, body(_user("ada@contoso.com"))),  # 409 uniqueness
        ("GET", f"{base}/Users?filter=userName%20eq%20%22ADA%40contoso.com%22", auth, None),
        ("GET", f"{base}/Users?attributes=userName&count=1&startIndex=1", auth, None),
        (
            "GET",
            f"{base}/Users?excludedAttributes=emails&sortBy=userName&sortOrder=descending",
            auth,
            None,
        ),
        ("GET", f"{base}/Users?sortOrder=sideways", auth, None),
        ("GET", f"{base}/Users?count=many", auth, None),
        ("GET", f"{base}/Users?filter=userName%20zz%20%22x%22", auth, None),
        (
            "POST",
            f"{base}/Users/.search",
            send,
            body({"schemas": [SEARCH_SCHEMA], "filter": 'userName sw "ada"'}),
        ),
        ("POST", f"{base}/Groups", send, body({"schemas": [GROUP_SCHEMA], "displayName": "Sales"})),
        ("GET", f"{base}/Groups?excludedAttributes=members", auth, None),
        ("DELETE", f"{base}/Users/does-not-exist", auth, None),
        ("GET", f"{base}/Users/does-not-exist", auth, None),
        ("GET", f"{base}/Users", {"Accept": "application/scim+json"}, None),  # 401, no token
        ("GET", f"{base}/Users", {"Authorization": "Basic abc"}, None),  # 401, wrong scheme
        ("GET", f"{base}/Users", {"Authorization": "Bearer not-the-token"}, None),
        ("POST", f"{base}/Users", {**auth, "Content-Type": "text/plain"}, b"hello"),  # 415
        ("POST", f"{base}/Users", send, b"{" + b" " * 3_000 + b"}"),  # 413, over the limit
        ("POST", f"{base}/Users", {**send, "Content-Length": "99999"}, body(_user("x@y.z"))),
        ("POST", f"{base}/Users", send, b'{"schemas": ['),  # invalid JSON
        ("POST", f"{base}/Users", send, b'{"userName": "\xff"}'),  # invalid UTF-8
        ("POST", f"{base}/Users", send, b'{"userName": NaN}'),  # what only the stdlib reads
        ("POST", f"{base}/Users", send, b"\xef\xbb\xbf{}"),  # a UTF-8 byte order mark
        ("POST", f"{base}/Users", send, body(_user("ünïcødé@contoso.com"))),
        ("GET", "http://elevate.test:8080/scim/Users?attributes=userName", auth, None),
        ("GET", "http://elevate.test/Users?attributes=userName", auth, None),
        ("GET", f"{base}/ServiceProviderConfig", auth, None),  # not a resource route
        ("GET", f"{base}/Nothing", auth, None),
    ]


def _replay(transport: AsgiTransport) -> list[tuple[int, list[tuple[bytes, bytes]], bytes]]:
    answers = []
    for method, url, headers, content in _exchanges():
        response = transport.handle_request(
            httpx.Request(method, url, headers=headers, content=content)
        )
        answers.append((response.status_code, list(response.headers.raw), response.content))
    # The created user's id is the seeded store's; use it for the item routes.
    created = json.loads(answers[1][2])
    item = f"https://api.linkedin.com/scim/v2/Users/{created['id']}"
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json"}
    patch = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    for method, content in [
        ("GET", None),
        ("PATCH", json.dumps(patch).encode()),
        ("PUT", json.dumps(_user("ada@contoso.com")).encode()),
        ("DELETE", None),
        ("GET", None),
    ]:
        response = transport.handle_request(
            httpx.Request(method, item, headers=auth, content=content)
        )
        answers.append((response.status_code, list(response.headers.raw), response.content))
    return answers


def test_direct_answers_are_the_asgi_answers_byte_for_byte() -> None:
    direct = _replay(AsgiTransport(_elevate().asgi_app()))
    through_asgi = _replay(AsgiTransport(_elevate().asgi_app(), direct=False))
    assert [status for status, _, _ in direct] == [
        200, 201, 409, 200, 200, 200, 400, 400, 400, 200, 201, 200, 404, 404, 401, 401, 401,
        415, 413, 413, 400, 400, 400, 400, 201, 200, 200, 200, 404, 200, 200, 200, 204, 404,
    ]  # fmt: skip
    assert direct == through_asgi


def test_fastapis_registered_resource_routes_answer_the_same() -> None:
    # The resource handlers are registered with FastAPI too (for /openapi.json); reached
    # through FastAPI's router they must answer exactly as the fast path does.
    fast = _replay(AsgiTransport(_elevate().asgi_app(), direct=False))
    routed = _replay(AsgiTransport(_elevate().asgi_app().fastapi, direct=False))
    assert fast == routed


def test_the_location_follows_the_host_the_request_named() -> None:
    transport = AsgiTransport(_elevate().asgi_app())
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json"}
    for url, expected in [
        ("http://elevate.test:8080/scim/v2/Users", "http://elevate.test:8080/scim/v2/Users/"),
        ("https://api.linkedin.com/Users", "https://api.linkedin.com/Users/"),
    ]:
        response = transport.handle_request(
            httpx.Request("POST", url, headers=headers, content=json.dumps(_user(url)).encode())
        )
        assert response.status_code == 201
        assert response.headers["Location"].startswith(expected)
        assert response.json()["meta"]["location"] == response.headers["Location"]


def _post_over_asgi(
    path: str, messages: list[dict[str, Any]], *, scheme: str = "http", host: bytes | None = None
) -> list[dict[str, Any]]:
    """POST to Fake Elevate's ASGI app with the body in ``messages``; the messages sent back."""
    app = _elevate().asgi_app()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [
        (b"authorization", f"Bearer {TOKEN}".encode()),
        (b"content-type", b"application/scim+json"),
    ]
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", host), *headers] if host else headers,
        "scheme": scheme,
        "server": ("127.0.0.1", 443 if scheme == "https" else 8000),
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    return sent


def test_a_body_over_the_limit_is_refused_without_being_kept() -> None:
    messages = [
        {"type": "http.request", "body": b"x" * 1_500, "more_body": True},
        {"type": "http.request", "body": b"x" * 1_500, "more_body": True},
        {"type": "http.request", "body": b"never read", "more_body": False},
    ]
    sent = _post_over_asgi("/scim/v2/Users", messages)
    assert sent[0]["status"] == 413
    assert messages == [{"type": "http.request", "body": b"never read", "more_body": False}]
    assert json.loads(sent[1]["body"])["status"] == "413"


def test_a_body_in_several_messages_is_read_whole() -> None:
    payload = json.dumps(_user("chunks@contoso.com")).encode()
    messages = [
        {"type": "http.request", "body": payload[:10], "more_body": True},
        {"type": "http.request", "body": payload[10:], "more_body": False},
    ]
    sent = _post_over_asgi("/Users", messages, scheme="https", host=b"elevate.test")
    assert sent[0]["status"] == 201
    assert json.loads(sent[1]["body"])["userName"] == "chunks@contoso.com"
    assert dict(sent[0]["headers"])[b"location"].startswith(b"https://elevate.test/Users/")


async def _suspending_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    message = await receive()
    await asyncio.sleep(0)  # a real suspension: needs an event loop
    body = json.dumps(
        {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "host": dict(scope["headers"]).get(b"host", b"").decode(),
            "server": list(scope["server"]),
            "body": message["body"].decode(),
        }
    ).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"plain")]})
    await send({"type": "http.response.body", "body": body})


def test_a_plain_asgi_app_gets_a_faithful_scope_on_a_private_loop() -> None:
    transport = AsgiTransport(_suspending_app)
    with httpx.Client(transport=transport, base_url="http://example.test:8080") as client:
        response = client.post("/a%20b/c?x=1&y=%22z%22", content=b"payload")
    assert response.status_code == 200
    assert response.headers["x-app"] == "plain"
    assert response.json() == {
        "method": "POST",
        "path": "/a b/c",
        "query": "x=1&y=%22z%22",
        "host": "example.test:8080",
        "server": ["example.test", 8080],
        "body": "payload",
    }
    transport.close()


def test_the_transport_works_from_inside_a_running_event_loop() -> None:
    transport = AsgiTransport(_suspending_app)

    async def call_from_async_code() -> httpx.Response:
        return transport.handle_request(httpx.Request("GET", "https://example.test/here"))

    response = asyncio.run(call_from_async_code())
    assert response.json()["server"] == ["example.test", 443]
    transport.close()


def test_an_app_that_sends_no_response_is_an_error() -> None:
    async def silent(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()

    with pytest.raises(RuntimeError, match="without sending a response"):
        AsgiTransport(silent).handle_request(httpx.Request("GET", "http://example.test/"))


def test_an_app_exception_propagates() -> None:
    async def broken(scope: dict[str, Any], receive: Any, send: Any) -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        AsgiTransport(broken).handle_request(httpx.Request("GET", "http://example.test/"))


def test_a_coroutine_that_breaks_its_promise_not_to_suspend_is_refused() -> None:
    async def quick() -> int:
        return 42

    async def suspends() -> int:
        await asyncio.sleep(0)
        return 42

    assert _complete_at_once(quick()) == 42
    with pytest.raises(RuntimeError, match="suspended"):
        _complete_at_once(suspends())


def test_scim_client_sends_the_scim_headers_to_the_app() -> None:
    elevate = _elevate()
    with scim_client("https://api.linkedin.com/scim/v2/", TOKEN, app=elevate.asgi_app()) as client:
        assert str(client.base_url) == "https://api.linkedin.com/scim/v2/"
        assert client.headers["Accept"] == "application/scim+json"
        response = client.get("/Users")
    assert response.status_code == 200
    assert response.json()["totalResults"] == 0


def test_a_direct_answer_is_an_ordinary_read_and_closed_response() -> None:
    transport = AsgiTransport(_elevate().asgi_app())
    with httpx.Client(transport=transport) as client:
        response = client.get(
            "https://api.linkedin.com/scim/v2/Users",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.is_closed
    assert response.read() == response.content
    assert b"".join(response.iter_bytes()) == response.content
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert int(response.headers["content-length"]) == len(response.content)


@pytest.mark.parametrize(
    ("text", "size"),
    [("100", 100), ("512KiB", 512 * 1024), ("8MiB", 8 * 1024 * 1024), ("1 mb", 1024 * 1024)],
)
def test_sizes_are_read_with_or_without_a_unit(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "0", "-1k", "5 parsecs"])
def test_a_size_that_is_none_is_refused_clearly(text: str) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(text)


def test_limits_come_from_the_environment_provisim_run_sets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert limits_from_environment() == ResponseLimits()
    monkeypatch.setenv(ENV_TIMEOUT, "2.5")
    monkeypatch.setenv(ENV_MAX_BODY, "1048576")
    assert limits_from_environment() == ResponseLimits(2.5, 1024 * 1024)


def test_the_network_bounds_every_route_over_real_sockets_and_no_other() -> None:
    from harness.network import Network

    limits = ResponseLimits(3, 1000)
    network = Network(limits=limits)
    network.route("live.example", httpx.HTTPTransport())
    network.route("api.linkedin.com", AsgiTransport(object()))
    live = network.transport_for(httpx.URL("https://live.example/scim"))
    assert isinstance(live, BoundedTransport) and live.limits == limits
    assert isinstance(network.transport_for(httpx.URL("https://api.linkedin.com/")), AsgiTransport)
    network.close()
