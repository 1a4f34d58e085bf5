"""fake_entra.scim_exchange: SCIM requests without an httpx.Request per request (issue 23).

What the client sends is unchanged (tests/test_entra_scim_client.py compares every request
with httpx's own preparation, through transports that take only httpx requests); here, the
in-process path that takes a ScimRequest: the scope the app sees is the one an httpx.Request
would give it, the answer is httpx's response with the request built when read, and no
httpx.Request is built at all while nothing asks for one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_elevate.elevate import FakeElevate
from fake_entra.scim_client import ScimClient, eq_filter
from fake_entra.scim_exchange import ScimRequest, ScimResponse, send_scim
from harness.transport import AsgiTransport

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TOKEN = "exchange-test-token-0123456789abcdef"
BASES = [
    "https://api.linkedin.com",
    "https://api.linkedin.com:8443/scim/v2",
    "http://127.0.0.1:80/x",
]


class Capture(httpx.BaseTransport):
    """Keeps each ScimRequest and each httpx.Request it is given; answers 200 ``{}``."""

    def __init__(self, *, takes_scim: bool) -> None:
        self.scim: list[ScimRequest] = []
        self.plain: list[httpx.Request] = []
        if takes_scim:
            self.handle_scim_request = self._scim  # type: ignore[method-assign]

    def _scim(self, request: ScimRequest) -> httpx.Response:
        self.scim.append(request)
        response = ScimResponse(200, content=b"{}")
        response.scim_request = request
        return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.plain.append(request)
        return httpx.Response(200, content=b"{}")


def _calls(client: ScimClient) -> Iterator[Any]:
    yield lambda: client.query("Users", "userName", 'a"b@x.example')
    yield lambda: client.get("Users/4ccc2e61fa444972ae1fbd6d99daef7a")
    yield lambda: client.post("Users", {"userName": "a", "active": True})
    yield lambda: client.patch("Groups/1", {"Operations": [{"op": "Add", "value": "Zoë"}]})
    yield lambda: client.delete("Users/1")


@pytest.mark.parametrize("base", BASES)
def test_the_app_sees_the_scope_an_httpx_request_would_give_it(base: str) -> None:
    elevate = FakeElevate(now=lambda: NOW, seed=3)
    transport = AsgiTransport(elevate.asgi_app())
    capture = Capture(takes_scim=True)
    client = ScimClient(base, TOKEN, transport=capture)
    for call in _calls(client):
        call()
        light = capture.scim[-1]
        assert transport.scim_scope(light) == transport.scope(light.to_httpx())
    assert capture.plain == []


@settings(max_examples=150, deadline=None)
@given(path=st.text(alphabet="Uab/.%2Fé ?#~_-", max_size=10), value=st.text(max_size=8))
def test_any_fast_path_request_has_the_same_scope(path: str, value: str) -> None:
    transport = AsgiTransport(FakeElevate(now=lambda: NOW, seed=3).asgi_app())
    capture = Capture(takes_scim=True)
    client = ScimClient("https://api.linkedin.com/scim/v2", TOKEN, transport=capture)
    client.request("GET", path, params={"filter": eq_filter("userName", value)})
    for light in capture.scim:  # requests off the fast path went as httpx requests
        assert transport.scim_scope(light) == transport.scope(light.to_httpx())
        assert light.target == light.to_httpx().url.raw_path.decode("ascii")
        assert light.path == light.to_httpx().url.path


def test_in_process_requests_build_no_httpx_request(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[httpx.Request] = []
    original = httpx.Request.__init__

    def counting(self: httpx.Request, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    elevate = FakeElevate(now=lambda: NOW, seed=3)
    _config, token = elevate.quick_setup(seats=10)
    client = ScimClient(
        "https://api.linkedin.com", token, transport=AsgiTransport(elevate.asgi_app())
    )
    monkeypatch.setattr(httpx.Request, "__init__", counting)
    created = client.post(
        "Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ada@example.com",
            "externalId": "ada",
            "active": True,
        },
    )
    found = client.query("Users", "userName", "ada@example.com")
    assert created.status_code == 201 and found.json()["totalResults"] == 1
    assert built == []
    # Asked for, the request is the one the client would have sent, built then.
    assert found.request.url.params["filter"] == 'userName eq "ada@example.com"'
    assert found.request.headers["authorization"] == f"Bearer {token}"
    assert len(built) == 1


def test_a_transport_without_the_scim_method_gets_the_httpx_request() -> None:
    capture = Capture(takes_scim=False)
    client = ScimClient("https://api.linkedin.com", TOKEN, transport=capture)
    response = client.get("Users/1")
    assert len(capture.plain) == 1 and capture.scim == []
    assert response.request is capture.plain[0]


def test_send_scim_takes_the_scim_method_when_there_is_one() -> None:
    takes, plain = Capture(takes_scim=True), Capture(takes_scim=False)
    for transport in (takes, plain):
        ScimClient("https://h.example", TOKEN, transport=transport).get("Users")
    light = takes.scim[0]
    assert send_scim(plain, light).status_code == 200
    assert plain.plain[-1] is light.to_httpx()  # built once, then kept


def test_a_scim_response_builds_its_request_when_read_and_can_be_given_one() -> None:
    capture = Capture(takes_scim=True)
    ScimClient("https://h.example", TOKEN, transport=capture).get("Users/1")
    light = capture.scim[0]
    response = ScimResponse(404, content=b"{}")
    response.scim_request = light
    with pytest.raises(httpx.HTTPStatusError) as raised:
        response.raise_for_status()
    assert raised.value.request is light.to_httpx()
    assert response.request is light.to_httpx() and response.url == light.to_httpx().url
    other = httpx.Request("GET", "https://other.example/")
    response.request = other
    assert response.request is other
