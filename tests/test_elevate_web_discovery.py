"""The discovery endpoints (fake_elevate/web/discovery.py): truthful, tokenless, unfilterable."""

from __future__ import annotations

import httpx
from elevate_support import (  # noqa: F401 (pytest fixtures, requested by name)
    ENTERPRISE,
    GROUP,
    USER,
    assert_error,
    client_fixture,
    clock_fixture,
    elevate_fixture,
    token_fixture,
)


def test_discovery_is_truthful(client: httpx.Client) -> None:
    spc = client.get("/ServiceProviderConfig").json()
    assert spc["patch"]["supported"] and spc["filter"]["supported"] and spc["sort"]["supported"]
    assert (
        not spc["bulk"]["supported"]
        and not spc["etag"]["supported"]
        and not spc["changePassword"]["supported"]
    )
    assert spc["bulk"]["maxPayloadSize"] == 64 * 1024
    schemas = client.get("/Schemas").json()
    assert {s["id"] for s in schemas["Resources"]} == {USER, ENTERPRISE, GROUP}
    assert client.get(f"/Schemas/{USER}").json()["name"] == "User"
    types = client.get("/ResourceTypes").json()
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    assert client.get("/ResourceTypes/User").json()["schema"] == USER
    assert_error(client.get("/ResourceTypes/Device"), 404)
    assert_error(client.get("/Schemas", params={"filter": 'id eq "x"'}), 403)
