"""RFC 7644 §4 discovery: /ServiceProviderConfig, /Schemas and /ResourceTypes, and the
one thing discovery may decide: that a check of the RFC scope does not apply."""

from __future__ import annotations

from typing import Final

from fake_entra.dialects import CORE_USER_SCHEMA
from fake_entra.scim_client import LIST_RESPONSE_SCHEMA
from harness.conformance.checks.clauses import (
    RESOURCE_TYPES_DEFINED,
    SCHEMAS_LIST,
    SPC_SCHEMA,
)
from harness.conformance.checks.context import Check, CheckContext
from harness.conformance.exchanges import Exchange, list_resources
from harness.conformance.results import (
    RFC_ONLY,
    DiscoveryFact,
    Finding,
    NotApplicable,
    bad,
    ok,
)

SERVICE_PROVIDER_CONFIG_SCHEMA: Final = (
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)


def require_supported(ctx: CheckContext, feature: str) -> None:
    """Raise :class:`NotApplicable` when /ServiceProviderConfig declares ``feature``
    unsupported (RFC 7643 §5: ``<feature>.supported`` false). A configuration that cannot
    be read declares nothing, so the check applies."""
    body = ctx.service_provider_config().json()
    declared = body.get(feature) if isinstance(body, dict) else None
    if isinstance(declared, dict) and declared.get("supported") is False:
        raise NotApplicable(DiscoveryFact("ServiceProviderConfig", f"{feature}.supported", False))


def list_response_problem(exchange: Exchange) -> str:
    """Why a 200 body is not a ListResponse, in the words a vendor can act on: the missing
    schema URN, a missing or non-numeric ``totalResults`` (REQUIRED, RFC 7644 §3.4.2), or
    ``Resources`` that is not a list."""
    body = exchange.json()
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if LIST_RESPONSE_SCHEMA not in (body.get("schemas") or []):
        return f"schemas does not name {LIST_RESPONSE_SCHEMA}"
    if "totalResults" not in body:
        return "totalResults is missing (RFC 7644 §3.4.2: REQUIRED)"
    if not isinstance(body["totalResults"], int) or isinstance(body["totalResults"], bool):
        return f"totalResults is {body['totalResults']!r}, not a number"
    return "Resources is not a list"


def _not_a_list(exchange: Exchange, what: str, hint: str) -> Finding:
    problem = list_response_problem(exchange)
    if "totalResults" in problem:
        hint = (
            f"{hint[:-1]}, with totalResults: RFC 7644 §3.4.2 makes it REQUIRED in every "
            "ListResponse, discovery lists included."
        )
    return bad(f"the body is not a SCIM ListResponse of {what}: {problem}", hint)


def _service_provider_config(ctx: CheckContext) -> Finding:
    exchange = ctx.service_provider_config()
    if exchange.status != 200:
        return bad(f"{exchange.describe()}, expected 200")
    body = exchange.json()
    if not isinstance(body, dict) or SERVICE_PROVIDER_CONFIG_SCHEMA not in (
        body.get("schemas") or []
    ):
        return bad(f"the body does not name the schema {SERVICE_PROVIDER_CONFIG_SCHEMA}")
    missing = [k for k in ("patch", "filter", "bulk", "authenticationSchemes") if k not in body]
    if missing:
        return bad(f"required attribute(s) missing: {', '.join(missing)} (RFC 7643 §5)")
    return ok("ServiceProviderConfig is served")


SERVICE_PROVIDER_CONFIG: Final = Check.define(
    "RFC7644-4-SERVICE-PROVIDER-CONFIG",
    "GET /ServiceProviderConfig describes the service",
    "RFC 7644 §4; RFC 7643 §5",
    SPC_SCHEMA.level,
    RFC_ONLY,
    "Serve GET /ServiceProviderConfig with the ServiceProviderConfig schema URN and its "
    "required attributes (patch, bulk, filter, changePassword, sort, etag, "
    "authenticationSchemes).",
    _service_provider_config,
    clauses=(SPC_SCHEMA,),
)


SCHEMAS_HINT: Final = (
    "Serve GET /Schemas as a ListResponse of the schemas you support, the core User schema "
    "among them (Entra reads /Schemas for gallery apps, S1)."
)


def _schemas(ctx: CheckContext) -> Finding:
    exchange = ctx.probe.get("Schemas")
    if exchange.status != 200:
        return bad(f"{exchange.describe()}, expected 200 with a ListResponse")
    resources = list_resources(exchange)
    if resources is None:
        return _not_a_list(exchange, "Schema resources", SCHEMAS_HINT)
    ids = {str(r.get("id")) for r in resources}
    if CORE_USER_SCHEMA not in ids:
        return bad(f"the User schema ({CORE_USER_SCHEMA}) is not listed")
    return ok(f"{len(ids)} schema(s), the User schema among them")


SCHEMAS: Final = Check.define(
    "RFC7644-4-SCHEMAS",
    "GET /Schemas lists the User schema",
    "RFC 7644 §4; RFC 7643 §7",
    SCHEMAS_LIST.level,
    RFC_ONLY,
    SCHEMAS_HINT,
    _schemas,
    clauses=(SCHEMAS_LIST,),
)


RESOURCE_TYPES_HINT: Final = (
    "Serve GET /ResourceTypes as a ListResponse with a ResourceType whose endpoint is /Users."
)


def _resource_types(ctx: CheckContext) -> Finding:
    exchange = ctx.probe.get("ResourceTypes")
    if exchange.status != 200:
        return bad(f"{exchange.describe()}, expected 200 with a ListResponse")
    resources = list_resources(exchange)
    if resources is None:
        return _not_a_list(exchange, "ResourceType resources", RESOURCE_TYPES_HINT)
    endpoints = {str(r.get("endpoint", "")).strip("/").lower() for r in resources}
    if "users" not in endpoints:
        return bad("no ResourceType has the endpoint /Users")
    return ok(f"resource types: {', '.join(sorted(str(r.get('name')) for r in resources))}")


RESOURCE_TYPES: Final = Check.define(
    "RFC7644-4-RESOURCE-TYPES",
    "GET /ResourceTypes lists Users",
    "RFC 7644 §4; RFC 7643 §6",
    RESOURCE_TYPES_DEFINED.level,
    RFC_ONLY,
    RESOURCE_TYPES_HINT,
    _resource_types,
    clauses=(RESOURCE_TYPES_DEFINED,),
)


__all__ = [
    "RESOURCE_TYPES",
    "SCHEMAS",
    "SERVICE_PROVIDER_CONFIG",
    "list_response_problem",
    "require_supported",
]
