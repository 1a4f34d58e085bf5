"""The FastAPI application: the SCIM 2.0 service provider and the Account Center admin API.

Every error, SCIM or admin, is answered as SCIM Error JSON (RFC 7644 §3.12)
with ``Content-Type: application/scim+json``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import URL
from starlette.exceptions import HTTPException as StarletteHTTPException

from .account import ElevateAccount
from .account_center import AccountCenterError, ScimConfiguration, TokenRefused
from .scim.errors import ScimError, invalid_syntax, invalid_value
from .scim.resource import parse_attribute_list, project
from .scim.schema import (
    LIST_RESPONSE_SCHEMA,
    RESOURCE_TYPES,
    SCHEMAS,
    SEARCH_REQUEST_SCHEMA,
    SERVICE_PROVIDER_CONFIG_SCHEMA,
    ResourceType,
)
from .store import MAX_RESULTS

SCIM_MEDIA_TYPE = "application/scim+json"
_ACCEPTED_MEDIA_TYPES = ("application/scim+json", "application/json")
_REALM = 'Bearer realm="LinkedIn SCIM"'


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON, as ``json.dumps(separators=(",", ":"), ensure_ascii=False)``.

    orjson writes the same bytes for everything a SCIM resource holds, many times
    faster; whatever it refuses (integers beyond 64 bits, lone surrogates, non-string
    keys) goes through the standard library, which either manages or raises as before.
    """
    try:
        return orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


#: Every digit read as "0", everything else as " ": a run of 19 zeros marks a number that
#: may not fit in 64 bits (or just a long digit string, which only costs a slower parse).
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER = b"0" * 19


def decode_body(raw: bytes) -> Any:
    """A request body's JSON value, exactly as the standard library reads it.

    orjson reads to the same value, many times faster, except that it turns integers
    beyond 64 bits (19 digits or more) into floats; bodies with such a run of digits,
    and whatever orjson refuses, are read by the standard library, which also words
    the errors (400 invalidSyntax).
    """
    if _LONG_NUMBER not in raw.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid_syntax(f"The request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise invalid_syntax(
            f"The request body is not valid JSON: {exc.msg} at position {exc.pos}"
        ) from None
    except RecursionError:
        raise invalid_syntax("The request body is nested too deeply") from None


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        encode_json(body), status_code=status, media_type=SCIM_MEDIA_TYPE, headers=headers
    )


def error_response(error: ScimError, headers: dict[str, str] | None = None) -> Response:
    return scim_response(error.to_json(), error.status, headers)


class ScimReply:
    """One answer of a resource handler: status, raw header pairs and body bytes.

    The headers are exactly those Starlette's ``Response`` would send for the same
    arguments (the caller's headers lower-cased first, then ``content-length`` and
    ``content-type``), so a reply reads the same on the wire whichever way it leaves.
    """

    __slots__ = ("body", "headers", "status")

    def __init__(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.status = status
        self.body = body
        raw = (
            [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            if headers
            else []
        )
        if not (status < 200 or status in (204, 304)):
            raw.append((b"content-length", str(len(body)).encode("latin-1")))
        if media_type is not None:
            raw.append((b"content-type", media_type.encode("latin-1")))
        self.headers = raw

    def to_starlette(self) -> Response:
        response = Response(self.body, status_code=self.status)
        response.raw_headers = list(self.headers)
        return response


def scim_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> ScimReply:
    return ScimReply(status, encode_json(body), headers, SCIM_MEDIA_TYPE)


class ScimRequest:
    """What a resource handler reads of one HTTP request: built from its ASGI scope and body.

    Starlette's ``Request`` does the same lazily but at several times the cost per
    request; this keeps its semantics where handlers rely on them: header lookup is
    case-insensitive and the first occurrence wins, query parameters are parsed from
    the latin-1 query string with blank values kept and the last occurrence wins, and
    the base URL is Starlette's own (Host header, else the server address).
    """

    __slots__ = ("_base_url", "_headers", "_query", "body", "body_too_large", "scope")

    #: (scheme, Host header, server, root path) -> base URL without the trailing slash.
    _base_urls: ClassVar[dict[tuple[Any, ...], str]] = {}

    def __init__(self, scope: dict[str, Any], body: bytes, *, body_too_large: bool) -> None:
        self.scope = scope
        self.body = body
        self.body_too_large = body_too_large
        self._headers: dict[str, str] | None = None
        self._query: dict[str, str] | None = None
        self._base_url: str | None = None

    @classmethod
    async def from_starlette(cls, request: Request, limit: int) -> ScimRequest:
        chunks: list[bytes] = []
        size = 0
        too_large = False
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                too_large = True
                break
            chunks.append(chunk)
        return cls(request.scope, b"".join(chunks), body_too_large=too_large)

    def header(self, name: str) -> str | None:
        """The first value of the header ``name`` (lower case), or None."""
        headers = self._headers
        if headers is None:
            headers = {}
            for key, value in self.scope["headers"]:
                text = key.decode("latin-1").lower()
                if text not in headers:
                    headers[text] = value.decode("latin-1")
            self._headers = headers
        return headers.get(name)

    def query(self, name: str) -> str | None:
        params = self._query
        if params is None:
            raw = self.scope.get("query_string", b"")
            params = self._query = (
                dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True)) if raw else {}
            )
        return params.get(name)

    def has_query(self, name: str) -> bool:
        return self.query(name) is not None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            self._base_url = self._find_base_url()
        return self._base_url

    def _find_base_url(self) -> str:
        scope = self.scope
        root_path = scope.get("app_root_path", scope.get("root_path", ""))
        server = scope.get("server")
        key = (
            scope.get("scheme", "http"),
            self.header("host"),
            tuple(server) if server else None,
            root_path,
        )
        base = self._base_urls.get(key)
        if base is None:
            # Exactly Starlette's Request.base_url, computed once per distinct origin.
            base_scope = dict(scope)
            base_scope["path"] = root_path if root_path.endswith("/") else root_path + "/"
            base_scope["query_string"] = b""
            base_scope["root_path"] = root_path
            base = str(URL(scope=base_scope)).rstrip("/")
            if len(self._base_urls) >= 256:  # the Host header is the client's to choose
                self._base_urls.clear()
            self._base_urls[key] = base
        return base


class _Unauthorized(ScimError):
    def __init__(self, reason: str) -> None:
        super().__init__(401, f"Authentication failed: {reason}")
        self.reason = reason


#: A resource handler: the request (and the resource id, for item routes) -> the reply.
Handler = Callable[..., ScimReply]


class NewScimConfiguration(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    autoAssignLicenses: bool = True
    applicationInstance: str = Field("LinkedIn Elevate", max_length=200)
    licenseType: str = Field("Elevate", max_length=200)


class ScimConfigurationUpdate(BaseModel):
    autoAssignLicenses: bool


class LicensePoolSeats(BaseModel):
    applicationInstance: str = Field(min_length=1, max_length=200)
    licenseType: str = Field(min_length=1, max_length=200)
    seats: int = Field(ge=0, le=10_000_000)


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
        return _error_with_challenge(exc)

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

    # --- request helpers -----------------------------------------------------------------------

    def authenticate(request: ScimRequest) -> ScimConfiguration:
        header = request.header("authorization")
        if not header:
            raise _Unauthorized("missing bearer token")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _Unauthorized("the Authorization header must be 'Bearer <token>'")
        try:
            return elevate.account_center.authenticate(token.strip())
        except TokenRefused as refused:
            raise _Unauthorized(refused.reason) from None

    def read_json(request: ScimRequest) -> Any:
        content_type = request.header("content-type") or ""
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in _ACCEPTED_MEDIA_TYPES:
            raise ScimError(
                415,
                f"Content-Type must be {SCIM_MEDIA_TYPE} (or application/json), not {media_type or 'missing'}",
            )
        limit = settings.max_payload_size
        declared = request.header("content-length")
        if (
            declared is not None and declared.isdigit() and int(declared) > limit
        ) or request.body_too_large:
            raise ScimError(413, f"The request body is larger than the {limit} bytes allowed")
        return decode_body(request.body)

    def int_param(request: ScimRequest, name: str) -> int | None:
        raw = request.query(name)
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            raise invalid_value(f"{name} must be an integer, not {raw!r}") from None

    def render(
        request: ScimRequest,
        prefix: str,
        resource_type: ResourceType,
        resource: dict[str, Any],
        attributes: list[tuple[str, str | None]] | None = None,
        excluded: list[tuple[str, str | None]] | None = None,
    ) -> dict[str, Any]:
        resource["meta"]["location"] = (
            f"{request.base_url}{prefix}{resource_type.endpoint}/{resource['id']}"
        )
        return project(resource, resource_type, attributes, excluded)

    def projection(request: ScimRequest, resource_type: ResourceType) -> tuple[Any, Any]:
        return (
            parse_attribute_list(request.query("attributes"), resource_type),
            parse_attribute_list(request.query("excludedAttributes"), resource_type),
        )

    def list_response(
        resources: list[dict[str, Any]], total: int, start_index: int
    ) -> dict[str, Any]:
        # RFC 7644 §3.4.2: an empty result is 200 with totalResults 0.
        return {
            "schemas": [LIST_RESPONSE_SCHEMA],
            "totalResults": total,
            "startIndex": start_index,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }

    def search(
        request: ScimRequest,
        prefix: str,
        resource_types: list[ResourceType],
        *,
        filter_text: str | None,
        start_index: int | None,
        count: int | None,
        sort_by: str | None,
        sort_order: str | None,
        attributes: str | None,
        excluded: str | None,
    ) -> ScimReply:
        if sort_order is not None and sort_order.lower() not in ("ascending", "descending"):
            raise invalid_value("sortOrder must be 'ascending' or 'descending'")
        descending = (sort_order or "").lower() == "descending"
        start = start_index if start_index is not None else 1
        size = count if count is not None else settings.default_page_size
        if len(resource_types) == 1:
            (resource_type,) = resource_types
            page = elevate.store.search(
                resource_type.name,
                filter_text,
                start_index=start,
                count=size,
                sort_by=sort_by,
                descending=descending,
            )
            wanted = parse_attribute_list(attributes, resource_type)
            dropped = parse_attribute_list(excluded, resource_type)
            items = [
                render(request, prefix, resource_type, r, wanted, dropped) for r in page.resources
            ]
            return scim_reply(list_response(items, page.total, page.start_index))
        # RFC 7644 §3.4.3: a search at the root spans every resource type. A filter
        # or attribute that one type does not know simply matches none of it.
        collected: list[dict[str, Any]] = []
        total = 0
        refusals: list[ScimError] = []
        for resource_type in resource_types:
            try:
                page = elevate.store.search(
                    resource_type.name,
                    filter_text,
                    count=MAX_RESULTS,
                    sort_by=sort_by,
                    descending=descending,
                )
            except ScimError as refused:
                refusals.append(refused)
                continue
            wanted = parse_attribute_list(attributes, resource_type, strict=False)
            dropped = parse_attribute_list(excluded, resource_type, strict=False)
            total += page.total
            collected.extend(
                render(request, prefix, resource_type, r, wanted, dropped) for r in page.resources
            )
        if len(refusals) == len(resource_types):
            raise refusals[0]
        first = max(start, 1)
        window = collected[first - 1 : first - 1 + max(min(size, MAX_RESULTS), 0)]
        return scim_reply(list_response(window, total, first))

    def read_search_request(body: Any) -> dict[str, Any]:
        """Check a SearchRequest body (RFC 7644 §3.4.3) and return its parameters."""
        if not isinstance(body, dict) or SEARCH_REQUEST_SCHEMA not in (body.get("schemas") or []):
            raise invalid_syntax(f"A search request must list the schema {SEARCH_REQUEST_SCHEMA}")

        def opt(key: str, kind: type) -> Any:
            value = body.get(key)
            if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
                raise invalid_value(f"'{key}' has the wrong type")
            return value

        def names(key: str) -> str | None:
            value = body.get(key)
            if value is None:
                return None
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise invalid_value(f"'{key}' must be an array of attribute names")
            return ",".join(value)

        return {
            "filter_text": opt("filter", str),
            "start_index": opt("startIndex", int),
            "count": opt("count", int),
            "sort_by": opt("sortBy", str),
            "sort_order": opt("sortOrder", str),
            "attributes": names("attributes"),
            "excluded": names("excludedAttributes"),
        }

    # --- SCIM routes, mounted under each base path ----------------------------------------------

    #: (base path, method, route path) -> handler: the resource routes, dispatched without
    #: FastAPI's router (see ScimFastPath). FastAPI registers the same handlers, wrapped, so
    #: they are documented in /openapi.json and answer the same if reached through it.
    fast_routes: dict[tuple[str, str, str], Handler] = {}

    def scim_router(prefix: str) -> APIRouter:
        router = APIRouter(tags=["SCIM 2.0"])

        def discovery_guard(request: Request) -> None:
            # RFC 7644 §4: filtering discovery endpoints is not supported; 403 says so.
            if "filter" in request.query_params:
                raise ScimError(403, "Filtering is not supported on discovery endpoints")

        @router.get(
            "/ServiceProviderConfig", summary="Service provider configuration (RFC 7643 §5)"
        )
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

        for resource_type in RESOURCE_TYPES.values():
            add_resource_routes(router, prefix, resource_type)

        @router.post(
            "/.search",
            summary="Search every resource type (RFC 7644 §3.4.3)",
            include_in_schema=prefix == settings.base_paths[0],
            name=f"search_root{prefix.replace('/', '_')}",
            openapi_extra=_openapi_body("POST", "/.search", RESOURCE_TYPES["User"]),
        )
        async def search_everything(request: Request) -> Response:
            scim_request = await ScimRequest.from_starlette(request, settings.max_payload_size)
            authenticate(scim_request)
            params = read_search_request(read_json(scim_request))
            return search(
                scim_request, prefix, list(RESOURCE_TYPES.values()), **params
            ).to_starlette()

        return router

    def add_resource_routes(router: APIRouter, prefix: str, resource_type: ResourceType) -> None:
        endpoint = resource_type.endpoint
        name = resource_type.name

        def list_resources(request: ScimRequest) -> ScimReply:
            authenticate(request)
            return search(
                request,
                prefix,
                [resource_type],
                filter_text=request.query("filter"),
                start_index=int_param(request, "startIndex"),
                count=int_param(request, "count"),
                sort_by=request.query("sortBy"),
                sort_order=request.query("sortOrder"),
                attributes=request.query("attributes"),
                excluded=request.query("excludedAttributes"),
            )

        def search_resources(request: ScimRequest) -> ScimReply:
            authenticate(request)
            params = read_search_request(read_json(request))
            return search(request, prefix, [resource_type], **params)

        def create_resource(request: ScimRequest) -> ScimReply:
            config = authenticate(request)
            body = read_json(request)
            created = elevate.store.create(name, body, config)
            wanted, dropped = projection(request, resource_type)
            rendered = render(request, prefix, resource_type, created, wanted, dropped)
            return scim_reply(
                rendered,
                201,
                {"Location": rendered["meta"]["location"], "ETag": created["meta"]["version"]},
            )

        def get_resource(request: ScimRequest, resource_id: str) -> ScimReply:
            authenticate(request)
            found = elevate.store.get(name, resource_id)
            wanted, dropped = projection(request, resource_type)
            return scim_reply(
                render(request, prefix, resource_type, found, wanted, dropped),
                headers={"ETag": found["meta"]["version"]},
            )

        def replace_resource(request: ScimRequest, resource_id: str) -> ScimReply:
            config = authenticate(request)
            body = read_json(request)
            replaced = elevate.store.replace(name, resource_id, body, config)
            wanted, dropped = projection(request, resource_type)
            return scim_reply(
                render(request, prefix, resource_type, replaced, wanted, dropped),
                headers={"ETag": replaced["meta"]["version"]},
            )

        def patch_resource(request: ScimRequest, resource_id: str) -> ScimReply:
            config = authenticate(request)
            body = read_json(request)
            patched = elevate.store.patch(name, resource_id, body, config)
            wanted, dropped = projection(request, resource_type)
            # entra §1: group PATCH should answer 204 (returning members is discouraged);
            # users get 200 with the resource, as RFC 7644 §3.5.2 allows.
            if name == "Group" and not (wanted or dropped):
                return ScimReply(204, headers={"ETag": patched["meta"]["version"]})
            return scim_reply(
                render(request, prefix, resource_type, patched, wanted, dropped),
                headers={"ETag": patched["meta"]["version"]},
            )

        def delete_resource(request: ScimRequest, resource_id: str) -> ScimReply:
            authenticate(request)
            elevate.store.delete(name, resource_id)
            return ScimReply(204)

        include = prefix == settings.base_paths[0]
        routes: list[tuple[str, str, Handler, str]] = [
            ("GET", endpoint, list_resources, f"List or filter {name}s"),
            ("POST", f"{endpoint}/.search", search_resources, f"Search {name}s (RFC 7644 §3.4.3)"),
            ("POST", endpoint, create_resource, f"Create a {name}"),
            ("GET", f"{endpoint}/{{resource_id}}", get_resource, f"Get a {name}"),
            ("PUT", f"{endpoint}/{{resource_id}}", replace_resource, f"Replace a {name}"),
            ("PATCH", f"{endpoint}/{{resource_id}}", patch_resource, f"Modify a {name}"),
            ("DELETE", f"{endpoint}/{{resource_id}}", delete_resource, f"Delete a {name}"),
        ]
        for method, path, handler, summary in routes:
            fast_routes[(prefix, method, path)] = handler
            router.add_api_route(
                path,
                _starlette_endpoint(
                    handler, item="{resource_id}" in path, limit=settings.max_payload_size
                ),
                methods=[method],
                summary=summary,
                include_in_schema=include,
                name=f"{method.lower()}_{name.lower()}{'' if path == endpoint else '_item'}{prefix.replace('/', '_')}",
                openapi_extra=_openapi_body(method, path, resource_type),
            )

    # --- Account Center admin API -------------------------------------------------------------

    admin = APIRouter(prefix="/account-center", tags=["Account Center"])

    def require_admin(request: Request) -> None:
        if elevate.admin_key is None:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), elevate.admin_key.encode()
        ):
            raise _Unauthorized("the Account Center admin API needs its admin key")

    def account_center_call(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except AccountCenterError as exc:
            raise ScimError(
                exc.status, str(exc), "invalidValue" if exc.status == 400 else None
            ) from None

    @admin.get("/scim-configurations", summary="List SCIM configurations")
    async def list_configurations(request: Request) -> Response:
        require_admin(request)
        items = [c.to_json() for c in elevate.account_center.scim_configurations()]
        return scim_response({"configurations": items})

    @admin.post("/scim-configurations", status_code=201, summary="+ Add new SCIM configuration")
    async def add_configuration(request: Request, body: NewScimConfiguration) -> Response:
        require_admin(request)
        config = account_center_call(
            lambda: elevate.account_center.add_scim_configuration(
                body.name,
                auto_assign_licenses=body.autoAssignLicenses,
                application_instance=body.applicationInstance,
                license_type=body.licenseType,
            )
        )
        return scim_response(config.to_json(), 201)

    @admin.get("/scim-configurations/{config_id}", summary="One SCIM configuration")
    async def get_configuration(request: Request, config_id: str) -> Response:
        require_admin(request)
        config = account_center_call(lambda: elevate.account_center.scim_configuration(config_id))
        return scim_response(config.to_json())

    @admin.patch("/scim-configurations/{config_id}", summary="Switch auto-assign licenses")
    async def update_configuration(
        request: Request, config_id: str, body: ScimConfigurationUpdate
    ) -> Response:
        require_admin(request)
        config = account_center_call(
            lambda: elevate.account_center.update_scim_configuration(
                config_id, auto_assign_licenses=body.autoAssignLicenses
            )
        )
        return scim_response(config.to_json())

    @admin.delete(
        "/scim-configurations/{config_id}", status_code=204, summary="Remove a SCIM configuration"
    )
    async def remove_configuration(request: Request, config_id: str) -> Response:
        require_admin(request)
        account_center_call(lambda: elevate.account_center.remove_scim_configuration(config_id))
        return Response(status_code=204)

    @admin.post("/scim-configurations/{config_id}/token", status_code=201, summary="Generate token")
    async def generate_token(request: Request, config_id: str) -> Response:
        require_admin(request)
        token = account_center_call(lambda: elevate.account_center.generate_token(config_id))
        config = elevate.account_center.scim_configuration(config_id)
        # The access token is shown once; only its hash is kept.
        return scim_response(
            {"accessToken": token, "expires": config.to_json()["tokenExpires"]},
            201,
            {"Cache-Control": "no-store"},
        )

    @admin.get("/license-pools", summary="Seat usage per licence pool")
    async def list_pools(request: Request) -> Response:
        require_admin(request)
        return scim_response(
            {"pools": [p.to_json() for p in elevate.account_center.license_pools()]}
        )

    @admin.put("/license-pools", summary="Set the seats of a licence pool")
    async def set_pool(request: Request, body: LicensePoolSeats) -> Response:
        require_admin(request)
        pool = account_center_call(
            lambda: elevate.account_center.set_license_pool(
                body.applicationInstance, body.licenseType, body.seats
            )
        )
        return scim_response(pool.to_json())

    @admin.get("/users", summary="Users with their licence state and source")
    async def list_licensed_users(request: Request) -> Response:
        require_admin(request)
        return scim_response({"users": [u.to_json() for u in elevate.account_center.users()]})

    for prefix in settings.base_paths:
        app.include_router(scim_router(prefix), prefix=prefix)
    app.include_router(admin)
    return ScimFastPath(app, fast_routes, settings.base_paths, settings.max_payload_size)


class ScimFastPath:
    """The ASGI app: resource requests go straight to their handlers, the rest to FastAPI.

    FastAPI's router tries every route in turn and solves dependencies for each
    request, which dominated the cost of a provisioning cycle in profiles. The
    Users/Groups routes are looked up here in a dict and answered by plain functions
    (the same ones FastAPI registers, wrapped, and documents in /openapi.json) from a
    :class:`ScimRequest`; discovery, Account Center, /docs and anything unknown fall
    through to FastAPI.

    Besides ASGI, the app answers an in-process caller directly:
    :meth:`answer_in_process` takes the ASGI scope and the whole request body and
    returns what the ASGI messages would have carried, through the same handler code,
    without the receive/send protocol an in-process call does not need.
    """

    def __init__(
        self,
        fastapi: FastAPI,
        routes: dict[tuple[str, str, str], Handler],
        base_paths: tuple[str, ...],
        max_payload_size: int,
    ) -> None:
        self.fastapi = fastapi
        self.state = fastapi.state
        self._routes = routes
        self._limit = max_payload_size
        # Longest first, so "/scim/v2/Users" is not read as "/scim" + "/v2/Users".
        self._prefixes = sorted(base_paths, key=len, reverse=True)
        self._endpoints = {path.split("/")[1] for _, _, path in routes}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            handler, kwargs = self._route(scope["method"], scope["path"])
            if handler is not None:
                body, too_large = await _read_body(receive, self._limit)
                reply = _answer(handler, ScimRequest(scope, body, body_too_large=too_large), kwargs)
                await send(
                    {
                        "type": "http.response.start",
                        "status": reply.status,
                        "headers": reply.headers,
                    }
                )
                await send({"type": "http.response.body", "body": reply.body})
                return
        await self.fastapi(scope, receive, send)

    def answer_in_process(
        self, scope: dict[str, Any], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        """Answer a resource request given its scope and whole body; None for other routes."""
        handler, kwargs = self._route(scope["method"], scope["path"])
        if handler is None:
            return None
        request = ScimRequest(scope, body, body_too_large=len(body) > self._limit)
        reply = _answer(handler, request, kwargs)
        return reply.status, reply.headers, reply.body

    def handles_without_suspending(self, scope: Any) -> bool:
        """Whether this request is answered without ever yielding to an event loop.

        The resource handlers are synchronous and the adapter awaits only ``receive``
        and ``send``; when the caller's ``receive``/``send`` complete at once (an
        in-process transport), the whole ASGI call finishes on its first step.
        """
        return (
            scope["type"] == "http" and self._route(scope["method"], scope["path"])[0] is not None
        )

    def _route(self, method: str, path: str) -> tuple[Handler | None, dict[str, str]]:
        for prefix in self._prefixes:
            if not path.startswith(prefix + "/"):
                continue
            parts = path[len(prefix) + 1 :].split("/")
            if parts[0] not in self._endpoints:
                return None, {}
            if len(parts) == 1:
                return self._routes.get((prefix, method, "/" + parts[0])), {}
            if len(parts) == 2 and parts[1]:
                if parts[1] == ".search":
                    return self._routes.get((prefix, method, f"/{parts[0]}/.search")), {}
                handler = self._routes.get((prefix, method, f"/{parts[0]}/{{resource_id}}"))
                return handler, {"resource_id": parts[1]}
            return None, {}
        return None, {}


def _answer(handler: Handler, request: ScimRequest, kwargs: dict[str, str]) -> ScimReply:
    try:
        return handler(request, **kwargs)
    except ScimError as exc:
        return _error_reply(exc)
    except Exception as exc:  # never a stack trace on the wire
        return _error_reply(ScimError(500, f"Internal error: {type(exc).__name__}"))


async def _read_body(receive: Any, limit: int) -> tuple[bytes, bool]:
    """The request body from ASGI ``http.request`` messages; stops reading past ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # http.disconnect: whatever arrived is all there is
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


def _starlette_endpoint(handler: Handler, *, item: bool, limit: int) -> Callable[..., Any]:
    """The FastAPI endpoint for a resource handler (its signature documents the path)."""
    if item:

        async def item_endpoint(request: Request, resource_id: str) -> Response:
            scim_request = await ScimRequest.from_starlette(request, limit)
            return handler(scim_request, resource_id=resource_id).to_starlette()

        return item_endpoint

    async def collection_endpoint(request: Request) -> Response:
        scim_request = await ScimRequest.from_starlette(request, limit)
        return handler(scim_request).to_starlette()

    return collection_endpoint


def _error_reply(exc: ScimError) -> ScimReply:
    headers = None
    if exc.status == 401:
        # RFC 6750 §3: a refused bearer token comes with a WWW-Authenticate challenge.
        headers = {"WWW-Authenticate": f'{_REALM}, error="invalid_token"'}
    return scim_reply(exc.to_json(), exc.status, headers)


def _error_with_challenge(exc: ScimError) -> Response:
    return _error_reply(exc).to_starlette()


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
