"""Entra's form-encoded queries against Fake Elevate, and the profile that misreads them
(fake_elevate/fault_injection/query_encoding.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from elevate_support import BASE, GROUP, ElevateWithFaults, assert_error

from fake_entra.scim_client import ScimClient
from harness.serving import serve_in_thread
from harness.transport import AsgiTransport

#: The query Entra sends (AzureAD/SCIMReferenceCode#63), a "+" in the address kept as %2B.
ENTRA_QUERY = "/Users?filter=userName+eq+%22dana%2Bscim%40contoso.com%22"


def test_literal_plus_query_misreads_the_filter_entra_sends() -> None:
    service = ElevateWithFaults("literal-plus-query")
    service.new_user("dana+scim@contoso.com")
    body = assert_error(service.http.get(ENTRA_QUERY), 400, "invalidFilter")
    assert "+" in body["detail"]
    # The same filter with %20 for its spaces passes: only Entra's encoding is misread.
    percent = service.http.get("/Users?filter=userName%20eq%20%22dana%2Bscim%40contoso.com%22")
    assert percent.status_code == 200 and percent.json()["totalResults"] == 1
    assert service.injected == {"literal-plus-query": 1}


@contextmanager
def entra_client(served: bool, *faults: str) -> Iterator[tuple[ScimClient, ElevateWithFaults]]:
    service = ElevateWithFaults(*faults)
    if not served:
        yield ScimClient(BASE, service.token, transport=AsgiTransport(service.app)), service
        return
    with serve_in_thread(service.app) as base:
        client = ScimClient(f"{base}/scim/v2", service.token, transport=httpx.HTTPTransport())
        try:
            yield client, service
        finally:
            client.close()


@pytest.mark.parametrize("served", [False, True], ids=["in-process", "uvicorn"])
def test_fake_elevate_finds_what_entra_queries_in_process_and_over_uvicorn(served: bool) -> None:
    with entra_client(served) as (client, service):
        service.new_user("dana+scim@contoso.com")
        service.elevate.store.create(
            "Group", {"schemas": [GROUP], "displayName": "EDU All personal"}, service.config
        )
        users = client.query("/Users", "userName", "dana+scim@contoso.com")
        groups = client.query(
            "/Groups", "displayName", "EDU All personal", excluded_attributes="members"
        )
    assert users.request.url.raw_path.endswith(ENTRA_QUERY.encode())
    # audriga/scim-server-php#1: Entra's group query, spaces "+" inside the value too.
    assert groups.request.url.raw_path.endswith(
        b"/Groups?excludedAttributes=members&filter=displayName+eq+%22EDU+All+personal%22"
    )
    assert users.status_code == 200 and users.json()["totalResults"] == 1
    assert groups.status_code == 200 and groups.json()["totalResults"] == 1


@pytest.mark.parametrize("served", [False, True], ids=["in-process", "uvicorn"])
def test_a_server_that_keeps_plus_fails_entras_query(served: bool) -> None:
    with entra_client(served, "literal-plus-query") as (client, service):
        service.new_user("dana+scim@contoso.com")
        response = client.query("/Users", "userName", "dana+scim@contoso.com")
    assert_error(response, 400, "invalidFilter")
    assert service.injected == {"literal-plus-query": 1}
