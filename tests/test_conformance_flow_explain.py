"""The flow's explanations (:mod:`harness.conformance.flow.explain`): why an endpoint
refused one of Entra's requests, in Entra's terms."""

from __future__ import annotations

import json
from typing import Any

from conformance_support import URL

from fake_entra.dialects import Dialect
from harness.conformance.exchanges import Exchange, ExchangeLog
from harness.conformance.flow import refusal_hint


def refused(method: str, path: str, request: Any, status: int, error: Any) -> Exchange:
    return ExchangeLog().add(
        origin="entra",
        method=method,
        url=f"{URL}{path}",
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
