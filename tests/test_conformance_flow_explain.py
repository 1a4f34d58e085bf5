"""The flow's explanations (:mod:`harness.conformance.flow.explain`): why an endpoint
refused one of Entra's requests, in Entra's terms."""

from __future__ import annotations

import json
from typing import Any

from conformance_support import URL

from fake_entra.dialects import Dialect
from harness.conformance.exchanges import Exchange, ExchangeLog
from harness.conformance.flow import names_object, refusal_hint


def refused(
    method: str, path: str, request: Any, status: int, error: Any, base: str = URL
) -> Exchange:
    return ExchangeLog().add(
        origin="entra",
        method=method,
        url=f"{base}{path}",
        request_headers={},
        request_body=json.dumps(request).encode(),
        status=status,
        response_headers={},
        response_body=json.dumps(error).encode(),
        error=None,
        timed_out=False,
        started=0.0,
        elapsed=0.0,
    )


def test_refusals_are_explained_in_entras_terms() -> None:
    group = {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:Group",
            "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
        ],
        "displayName": "g",
    }
    hint = refusal_hint(
        Dialect.DEFAULT, refused("POST", "/Groups", group, 400, {"scimType": "invalidSyntax"})
    )
    assert hint is not None and "ADSCIM" in hint
    patch = {"Operations": [{"op": "Add", "path": 'emails[type eq "work"].value', "value": "x"}]}
    no_target = refused("PATCH", "/Users/1", patch, 400, {"scimType": "noTarget"})
    # The server's scimType decides: noTarget is about the value path, not the dialect.
    assert "Create the element" in str(refusal_hint(Dialect.DEFAULT, no_target))
    invalid = refused("PATCH", "/Users/1", patch, 400, {"scimType": "invalidSyntax"})
    assert "capitalises" in str(refusal_hint(Dialect.DEFAULT, invalid))
    assert refusal_hint(Dialect.AAD_OPT_SCIM_062020, invalid) is None
    conflict = refused("POST", "/Users", {"userName": "a"}, 409, {"scimType": "uniqueness"})
    assert "409" in str(refusal_hint(Dialect.DEFAULT, conflict))


def test_a_short_target_id_names_only_its_own_exchanges() -> None:
    """django-scim2's ids are 1, 2, 3...: id "2" is in "127.0.0.1:34023" and was once taken
    for every exchange, so a group's member step quoted another user's refused disable."""
    port = "http://127.0.0.1:34023/scim/v2"
    names = {"0f3c9a1e-guid", "alice@contoso.example"}
    disable = {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
    other = refused("PATCH", "/Users/4", disable, 400, {"detail": "active"}, port)
    assert not names_object(other, names, "2")
    own = refused("PATCH", "/Users/2", disable, 400, {"detail": "active"}, port)
    assert names_object(own, names, "2")
    # Group 2 is not the member or manager 2 another request names (ids per resource type).
    members = {"Operations": [{"op": "Add", "path": "members", "value": [{"value": "2"}]}]}
    assert not names_object(refused("PATCH", "/Groups/1", members, 501, {}, port), names, "2")
    query = "/Users?filter=userName%20eq%20%22alice%40contoso.example%22"
    by_name = refused("GET", query, None, 400, {}, port)
    assert names_object(by_name, names, None)
