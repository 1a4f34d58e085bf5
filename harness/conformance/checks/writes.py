"""RFC 7644 §3.3 and §3.6 writes: create (201, its id and Location), uniqueness (409)
and delete (204, then 404)."""

from __future__ import annotations

from typing import Final

from fake_entra.scim_client import eq_filter
from harness.conformance.checks.clauses import (
    CREATED_201,
    CREATED_LOCATION,
    DELETE_204,
    DELETE_404,
    DELETE_OMITTED,
    ENTRA_CREATE,
    UNIQUENESS_409,
)
from harness.conformance.checks.context import Check, CheckContext
from harness.conformance.exchanges import list_resources
from harness.conformance.results import ENTRA_AND_RFC, RFC_ONLY, Finding, bad, ok


def _create_user(ctx: CheckContext) -> Finding:
    user = ctx.user("ada")
    exchange = user.exchange
    if exchange.status != 201:
        return bad(
            f"{exchange.describe()}, expected 201 Created",
            "Answer a successful POST /Users with 201 Created and the new resource, its id "
            "included (RFC 7644 §3.3); Entra caches that id for every later call (S1).",
        )
    if user.id is None:
        return bad("the 201 body has no id")
    echoed = user.resource.get("userName")
    if not isinstance(echoed, str) or echoed.lower() != user["userName"].lower():
        return bad(f"the created user's userName is {echoed!r}, not {user['userName']!r}")
    return ok(f"201 with id {user.id}")


CREATE_USER: Final = Check.define(
    "RFC7644-3.3-CREATE-USER",
    "POST /Users answers 201 with the new user and its id",
    "RFC 7644 §3.3; Entra S1",
    CREATED_201.level,
    ENTRA_AND_RFC,
    "Answer 201 Created with the created resource and its id.",
    _create_user,
    clauses=(CREATED_201,),
    microsoft=(ENTRA_CREATE,),
)


def _create_location(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    location = user.exchange.header("location")
    meta = user.resource.get("meta")
    meta_location = meta.get("location") if isinstance(meta, dict) else None
    hint = (
        "Send the new resource's URI in a Location header and in meta.location of a 201 "
        "(RFC 7644 §3.3, wso2/product-is#5328)."
    )
    if not location:
        return bad("the 201 has no Location header", hint, [user.exchange])
    if not meta_location:
        return bad("the created resource has no meta.location", hint, [user.exchange])
    return ok(f"Location: {location}")


CREATE_LOCATION: Final = Check.define(
    "RFC7644-3.3-CREATE-LOCATION",
    "201 Created carries a Location header and meta.location",
    "RFC 7644 §3.3",
    CREATED_LOCATION.level,
    RFC_ONLY,
    "Send the Location header and meta.location with 201 Created.",
    _create_location,
    clauses=(CREATED_LOCATION,),
)


def _uniqueness(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    duplicate = dict(user.body, externalId=f"{ctx.prefix}rfc-ada-duplicate")
    exchange = ctx.probe.post("Users", duplicate)
    ctx.register("Users", exchange, f"{user['userName']} (duplicate)")
    if exchange.status == 409:
        body = exchange.json()
        if isinstance(body, dict) and str(body.get("scimType", "")) == "uniqueness":
            return ok("409 with scimType uniqueness")
        return bad(
            "409 without scimType uniqueness",
            'Add "scimType":"uniqueness" to the 409 Error (RFC 7644 §3.3, §3.12).',
        )
    if exchange.status is not None and 200 <= exchange.status < 300:
        return bad(
            "a second user with the same userName was created",
            "Refuse a duplicate userName with 409 and scimType uniqueness (RFC 7644 §3.3): "
            "duplicates make Entra's next match fail with DuplicateTargetEntries (S13).",
        )
    return bad(f"{exchange.describe()}, expected 409 Conflict with scimType uniqueness")


UNIQUENESS: Final = Check.define(
    "RFC7644-3.3-UNIQUENESS",
    "A duplicate userName is refused with 409 and scimType uniqueness",
    "RFC 7644 §3.3, §3.12; Entra S13 (EntryConflict)",
    UNIQUENESS_409.level,
    RFC_ONLY,
    "Refuse a duplicate userName with 409 Conflict and scimType uniqueness.",
    _uniqueness,
    clauses=(UNIQUENESS_409,),
)


def _delete(ctx: CheckContext) -> Finding:
    user = ctx.require_user("alan")
    deleted = ctx.probe.delete(f"Users/{user.id}")
    if deleted.status != 204:
        return bad(
            f"{deleted.describe()}, expected 204 No Content",
            "Answer a successful DELETE with 204 No Content (RFC 7644 §3.6).",
        )
    hint = (
        "Forget a deleted resource: GET /Users/{id} must answer 404 and filters must no "
        "longer find it (RFC 7644 §3.6)."
    )
    read = ctx.probe.get(f"Users/{user.id}")
    if read.status != 404:
        return bad(f"GET of the deleted user: {read.describe()}, expected 404", hint)
    query = ctx.probe.get("Users", {"filter": eq_filter("userName", user["userName"])})
    resources = list_resources(query)
    if resources:
        return bad("the deleted user is still found by filter userName eq", hint)
    return ok("204, then 404 and no longer found")


DELETE: Final = Check.define(
    "RFC7644-3.6-DELETE",
    "DELETE answers 204, then the user is gone (404)",
    "RFC 7644 §3.6",
    DELETE_204.level,
    RFC_ONLY,
    "Answer DELETE with 204 and 404 afterwards.",
    _delete,
    clauses=(
        DELETE_204,
        DELETE_404,
        DELETE_OMITTED,
    ),
)


__all__ = ["CREATE_LOCATION", "CREATE_USER", "DELETE", "UNIQUENESS"]
