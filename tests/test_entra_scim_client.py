from __future__ import annotations

import json

import httpx
import pytest

from fake_entra.dialects import Dialect
from fake_entra.scim_client import (
    SCIM_MEDIA_TYPE,
    ScimClient,
    TenantUrl,
    eq_filter,
)


class Recorder:
    """A MockTransport that records requests and answers 200 with an empty body."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[httpx.Request] = []
        self.status = status
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json={})


@pytest.mark.parametrize(
    ("tenant_url", "base_url", "flags"),
    [
        ("https://api.linkedin.com", "https://api.linkedin.com", set()),
        ("https://api.linkedin.com/", "https://api.linkedin.com", set()),
        ("https://host/scim/v2/?aadOptscim062020", "https://host/scim/v2", {"aadoptscim062020"}),
        ("https://host/scim?AADOPTSCIM062020", "https://host/scim", {"aadoptscim062020"}),
        (
            "https://host/scim?aadOptscim062020&AzureAdScimPatch2017",
            "https://host/scim",
            {"aadoptscim062020", "azureadscimpatch2017"},
        ),
    ],
)
def test_tenant_url_flags_are_stripped_from_the_base_url(tenant_url, base_url, flags) -> None:
    parsed = TenantUrl(tenant_url)
    assert parsed.base_url == base_url
    assert parsed.flags == flags
    assert parsed.original == tenant_url


def test_patch_dialect_follows_the_flag_case_insensitively() -> None:
    assert TenantUrl("https://h/scim").patch_dialect is Dialect.DEFAULT
    assert TenantUrl("https://h/scim?aadoptSCIM062020").patch_dialect is Dialect.AAD_OPT_SCIM_062020
    assert TenantUrl("https://h/scim?aadOptscim062020").has_flag("AADOPTSCIM062020")
    # AzureAdScimPatch2017 rolls the compliant behaviour back (§5.3).
    rolled_back = TenantUrl("https://h/scim?aadOptscim062020&AzureAdScimPatch2017")
    assert rolled_back.patch_dialect is Dialect.DEFAULT


def test_requests_carry_entras_headers_and_the_stripped_base_url() -> None:
    recorder = Recorder()
    with ScimClient(
        "https://host/scim/v2/?aadOptscim062020", "s3cr3t", transport=recorder.transport
    ) as client:
        assert client.base_url == "https://host/scim/v2"
        assert client.flags == {"aadoptscim062020"}
        assert client.patch_dialect is Dialect.AAD_OPT_SCIM_062020
        client.get("/Users/42")
        client.post("/Users", {"userName": "alice"})
    get, post = recorder.requests
    assert str(get.url) == "https://host/scim/v2/Users/42"
    assert get.method == "GET"
    assert get.headers["Authorization"] == "Bearer s3cr3t"
    assert get.headers["Accept"] == SCIM_MEDIA_TYPE
    assert "Content-Type" not in get.headers
    assert post.headers["Content-Type"] == SCIM_MEDIA_TYPE
    assert json.loads(post.content) == {"userName": "alice"}


def test_patch_and_delete() -> None:
    recorder = Recorder(status=204)
    client = ScimClient("https://api.linkedin.com", "t", transport=recorder.transport)
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []}
    assert client.patch("Users/1", body).status_code == 204
    assert client.delete("/Groups/2").status_code == 204
    client.close()
    assert [(r.method, str(r.url)) for r in recorder.requests] == [
        ("PATCH", "https://api.linkedin.com/Users/1"),
        ("DELETE", "https://api.linkedin.com/Groups/2"),
    ]
    assert json.loads(recorder.requests[0].content) == body


def test_query_sends_an_eq_filter() -> None:
    recorder = Recorder()
    client = ScimClient("https://h/scim", "t", transport=recorder.transport)
    client.query("/Users", "userName", "alice@contoso.com")
    client.query("/Groups", "displayName", 'Sales "EMEA"', excluded_attributes="members")
    users, groups = recorder.requests
    assert users.url.params["filter"] == 'userName eq "alice@contoso.com"'
    # Spaces travel as %20, never "+".
    assert b"filter=userName%20eq%20%22alice%40contoso.com%22" in users.url.raw_path
    assert groups.url.params["excludedAttributes"] == "members"
    assert groups.url.params["filter"] == 'displayName eq "Sales \\"EMEA\\""'


def test_key_value_query_items_are_kept_as_parameters() -> None:
    recorder = Recorder()
    client = ScimClient(
        "https://h/scim?api-version=2&aadOptscim062020", "t", transport=recorder.transport
    )
    client.get("/Users", params={"startIndex": "1"})
    assert client.tenant_url.parameters == (("api-version", "2"),)
    request = recorder.requests[0]
    assert request.url.params["api-version"] == "2"
    assert request.url.params["startIndex"] == "1"
    assert "aadOptscim062020" not in str(request.url)


def test_eq_filter_escapes_quotes_and_backslashes() -> None:
    assert eq_filter("userName", 'a"b\\c') == 'userName eq "a\\"b\\\\c"'


def test_transport_errors_propagate_to_the_caller() -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = ScimClient("https://h", "t", transport=httpx.MockTransport(time_out), timeout=0.5)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/Users")


def test_the_timeout_is_configurable() -> None:
    seen: list[dict] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={})

    ScimClient("https://h", "t", transport=httpx.MockTransport(record), timeout=2.5).get("/Users")
    assert seen[0]["read"] == 2.5


def test_against_a_real_scim_server(scim2_server) -> None:
    with ScimClient(scim2_server.base_url, scim2_server.token) as client:
        created = client.post(
            "/Users",
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "alice"},
        )
        assert created.status_code == 201
        found = client.query("/Users", "userName", "alice").json()
        assert found["totalResults"] == 1
        assert client.delete(f"/Users/{created.json()['id']}").status_code == 204


def test_set_cookie_is_ignored_as_entra_carries_no_cookies() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, json={"ok": True}, headers={"Set-Cookie": "session=abc"})

    with ScimClient("https://h/scim", "token", transport=httpx.MockTransport(handler)) as client:
        client.get("Users")
        client.get("Users")
    assert seen == [None, None]
