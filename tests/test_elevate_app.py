"""The assembled app (fake_elevate/app.py): errors for what no route answers; the OpenAPI doc."""

from __future__ import annotations

import httpx
from elevate_support import (  # noqa: F401 (pytest fixtures, requested by name)
    assert_error,
    client_fixture,
    clock_fixture,
    elevate_fixture,
    token_fixture,
)


def test_unknown_routes_and_methods_get_scim_errors(client: httpx.Client) -> None:
    assert_error(client.get("/Devices"), 404)
    assert_error(client.delete("/Users"), 405)


def test_openapi_document_describes_both_apis(client: httpx.Client) -> None:
    doc = client.get("https://api.linkedin.com/openapi.json").json()
    paths = doc["paths"]
    assert "/scim/v2/Users" in paths and "/account-center/scim-configurations" in paths
    assert "/Users" not in paths  # the duplicate mounts stay out of the document
