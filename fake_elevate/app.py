"""The FastAPI application: the SCIM 2.0 service provider and the Account Center admin API.

:func:`create_app` assembles the pieces of :mod:`fake_elevate.web`: the discovery and
resource routes under each base path, the admin API, and the exception handlers that
answer every error, SCIM or admin, as SCIM Error JSON (RFC 7644 §3.12) with
``Content-Type: application/scim+json``. The resource routes are then served by
:class:`~fake_elevate.web.asgi.ScimFastPath`, which wraps the FastAPI app.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .account import ElevateAccount
from .scim.errors import ScimError, invalid_value
from .scim.schema import RESOURCE_TYPES, SCIM_MEDIA_TYPE, ResourceType
from .web.account_center_api import account_center_router
from .web.asgi import ScimFastPath, starlette_endpoint
from .web.discovery import add_discovery_routes
from .web.reply import Handler, error_reply, error_response
from .web.request import LightCheck
from .web.resources import ResourceHandlers


def create_app(elevate: ElevateAccount) -> ScimFastPath:
    """Build the ASGI app serving ``elevate``; usable in-process or under uvicorn."""
    app = FastAPI(
        title="Fake LinkedIn Elevate",
        description="LinkedIn Account Center and SCIM 2.0 service provider, as seen by "
        "Microsoft Entra ID provisioning (provisim).",
        version="0.1.0",
    )
    app.state.elevate = elevate
    settings = elevate.settings

    @app.exception_handler(ScimError)
    async def _scim_error(_request: Request, exc: ScimError) -> Response:
        return error_reply(exc).to_starlette()

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error_response(invalid_value(f"{where or 'body'}: {first.get('msg', 'invalid')}"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        return error_response(ScimError(exc.status_code, detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> Response:
        # Never a stack trace on the wire; the status says it is ours.
        return error_response(ScimError(500, f"Internal error: {type(exc).__name__}"))

    handlers = ResourceHandlers(elevate)
    limit = settings.max_payload_size
    #: (base path, method, route path) -> handler: the resource routes, dispatched without
    #: FastAPI's router (see ScimFastPath). FastAPI registers the same handlers, wrapped, so
    #: they are documented in /openapi.json and answer the same if reached through it.
    fast_routes: dict[tuple[str, str, str], Handler] = {}
    light_routes: dict[tuple[str, str, str], LightCheck] = {}

    def scim_router(prefix: str) -> APIRouter:
        router = APIRouter(tags=["SCIM 2.0"])
        add_discovery_routes(router, prefix, settings)
        # Only the first base path is documented; the others answer the same.
        include = prefix == settings.base_paths[0]
        for resource_type in RESOURCE_TYPES.values():
            name = resource_type.name
            for route in handlers.routes(prefix, resource_type):
                fast_routes[(prefix, route.method, route.path)] = route.handler
                if route.light is not None:
                    light_routes[(prefix, route.method, route.path)] = route.light
                kind = "" if route.path == resource_type.endpoint else "_item"
                router.add_api_route(
                    route.path,
                    starlette_endpoint(
                        route.handler, item="{resource_id}" in route.path, limit=limit
                    ),
                    methods=[route.method],
                    summary=route.summary,
                    include_in_schema=include,
                    name=f"{route.method.lower()}_{name.lower()}{kind}{prefix.replace('/', '_')}",
                    openapi_extra=_openapi_body(route.method, route.path, resource_type),
                )
        router.add_api_route(
            "/.search",
            starlette_endpoint(handlers.search_everything(prefix), item=False, limit=limit),
            methods=["POST"],
            summary="Search every resource type (RFC 7644 §3.4.3)",
            include_in_schema=include,
            name=f"search_root{prefix.replace('/', '_')}",
            openapi_extra=_openapi_body("POST", "/.search", RESOURCE_TYPES["User"]),
        )
        return router

    for prefix in settings.base_paths:
        app.include_router(scim_router(prefix), prefix=prefix)
    app.include_router(account_center_router(elevate))
    return ScimFastPath(
        app,
        fast_routes,
        settings.base_paths,
        settings.max_payload_size,
        light=light_routes,
        # A persisting server commits every write to SQLite: never on the event loop.
        inline_lock=None if elevate.store.persistent else elevate.store.lock,
    )


def _openapi_body(method: str, path: str, resource_type: ResourceType) -> dict[str, Any] | None:
    """Describe the JSON body in the OpenAPI document, since handlers read it themselves."""
    if method not in ("POST", "PUT", "PATCH"):
        return None
    if path.endswith("/.search"):
        required = ["schemas"]
        schema: dict[str, Any] = {"type": "object", "required": required}
    elif method == "PATCH":
        schema = {
            "type": "object",
            "required": ["schemas", "Operations"],
            "properties": {
                "schemas": {"type": "array", "items": {"type": "string"}},
                "Operations": {"type": "array", "items": {"type": "object", "required": ["op"]}},
            },
        }
    else:
        required_attrs = [a.name for a in resource_type.schema.attributes if a.required]
        schema = {
            "type": "object",
            "required": ["schemas", *required_attrs],
            "properties": {"schemas": {"type": "array", "items": {"type": "string"}}},
        }
    return {
        "requestBody": {
            "required": True,
            "content": {
                SCIM_MEDIA_TYPE: {"schema": schema},
                "application/json": {"schema": schema},
            },
        }
    }
