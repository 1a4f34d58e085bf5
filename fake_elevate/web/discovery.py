"""The discovery endpoints: ServiceProviderConfig, Schemas and ResourceTypes (RFC 7644 §4).

They answer without a token and describe only what the service implements.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..account import ElevateSettings
from ..scim.errors import ScimError
from ..scim.schema import RESOURCE_TYPES, SCHEMAS, SERVICE_PROVIDER_CONFIG_SCHEMA
from ..store import MAX_RESULTS
from .reply import scim_response
from .resources import list_response


def add_discovery_routes(router: APIRouter, prefix: str, settings: ElevateSettings) -> None:
    """Register the discovery routes on ``router``, mounted under the base path ``prefix``."""

    def discovery_guard(request: Request) -> None:
        # RFC 7644 §4: filtering discovery endpoints is not supported; 403 says so.
        if "filter" in request.query_params:
            raise ScimError(403, "Filtering is not supported on discovery endpoints")

    @router.get("/ServiceProviderConfig", summary="Service provider configuration (RFC 7643 §5)")
    async def service_provider_config(request: Request) -> Response:
        discovery_guard(request)
        base = str(request.base_url).rstrip("/") + prefix
        return scim_response(
            {
                "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
                "documentationUri": "https://github.com/provisim/provisim#fake-elevate",
                "patch": {"supported": True},
                "bulk": {
                    "supported": False,
                    "maxOperations": 0,
                    "maxPayloadSize": settings.max_payload_size,
                },
                "filter": {"supported": True, "maxResults": MAX_RESULTS},
                "changePassword": {"supported": False},
                "sort": {"supported": True},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "OAuth Bearer Token",
                        "description": "The access token generated in Account Center "
                        "(Advanced Integrations > SCIM configuration > Generate token).",
                        "specUri": "https://www.rfc-editor.org/info/rfc6750",
                        "primary": True,
                    }
                ],
                "meta": {
                    "resourceType": "ServiceProviderConfig",
                    "location": f"{base}/ServiceProviderConfig",
                },
            }
        )

    @router.get("/Schemas", summary="Schemas (RFC 7643 §7)")
    async def list_schemas(request: Request) -> Response:
        discovery_guard(request)
        base = str(request.base_url).rstrip("/") + prefix
        items = [s.to_json(f"{base}/Schemas/{s.id}") for s in SCHEMAS.values()]
        return scim_response(list_response(items, len(items), 1))

    @router.get("/Schemas/{schema_id:path}", summary="One schema")
    async def get_schema(request: Request, schema_id: str) -> Response:
        base = str(request.base_url).rstrip("/") + prefix
        for schema in SCHEMAS.values():
            if schema.id.lower() == schema_id.lower():
                return scim_response(schema.to_json(f"{base}/Schemas/{schema.id}"))
        raise ScimError(404, f"Schema {schema_id!r} not found")

    @router.get("/ResourceTypes", summary="Resource types (RFC 7643 §6)")
    async def list_resource_types(request: Request) -> Response:
        discovery_guard(request)
        base = str(request.base_url).rstrip("/") + prefix
        items = [t.to_json(f"{base}/ResourceTypes/{t.name}") for t in RESOURCE_TYPES.values()]
        return scim_response(list_response(items, len(items), 1))

    @router.get("/ResourceTypes/{name}", summary="One resource type")
    async def get_resource_type(request: Request, name: str) -> Response:
        base = str(request.base_url).rstrip("/") + prefix
        for resource_type in RESOURCE_TYPES.values():
            if resource_type.name.lower() == name.lower():
                return scim_response(
                    resource_type.to_json(f"{base}/ResourceTypes/{resource_type.name}")
                )
        raise ScimError(404, f"ResourceType {name!r} not found")
