"""The Account Center admin API: SCIM configurations, tokens, licence pools and users as JSON.

The tutorial's Account Center steps (linkedin-scim.md §6) as calls a script can make,
under ``/account-center``; with an admin key set, each needs ``Authorization: Bearer <key>``.
Routes translate between HTTP and :class:`fake_elevate.account_center.AccountCenter`;
its refusals come back as SCIM Error JSON.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

from ..account import ElevateAccount
from ..account_center import AccountCenterError
from ..scim.errors import ScimError, invalid_syntax, invalid_value
from .json_body import decode_body
from .reply import Unauthorized, scim_response

_Model = TypeVar("_Model", bound=BaseModel)


def _body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads ``model`` itself (see read_body)."""
    schema = {"schema": model.model_json_schema()}
    return {"requestBody": {"required": True, "content": {"application/json": schema}}}


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


def account_center_router(elevate: ElevateAccount) -> APIRouter:
    """The admin API of ``elevate``'s Account Center, under ``/account-center``."""
    admin = APIRouter(prefix="/account-center", tags=["Account Center"])

    def require_admin(request: Request) -> None:
        if elevate.admin_key is None:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), elevate.admin_key.encode()
        ):
            raise Unauthorized("the Account Center admin API needs its admin key")

    async def read_body(request: Request, model: type[_Model]) -> _Model:
        """The body as ``model``, read only once the caller is known to be the admin.

        A body parameter would be read and validated by FastAPI before the route runs,
        so an unauthenticated caller with a bad body learnt 400 rather than 401
        (issue 21): routes call require_admin, then this.
        """
        limit = elevate.settings.max_payload_size
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ScimError(413, f"The request body is larger than the {limit} bytes allowed")
            chunks.append(chunk)
        data = decode_body(b"".join(chunks))
        if not isinstance(data, dict):
            raise invalid_syntax("The request body must be a JSON object")
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise invalid_value(f"{where}: {first.get('msg', 'invalid')}") from None

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

    @admin.post(
        "/scim-configurations",
        status_code=201,
        summary="+ Add new SCIM configuration",
        openapi_extra=_body_doc(NewScimConfiguration),
    )
    async def add_configuration(request: Request) -> Response:
        require_admin(request)
        body = await read_body(request, NewScimConfiguration)
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

    @admin.patch(
        "/scim-configurations/{config_id}",
        summary="Switch auto-assign licenses",
        openapi_extra=_body_doc(ScimConfigurationUpdate),
    )
    async def update_configuration(request: Request, config_id: str) -> Response:
        require_admin(request)
        body = await read_body(request, ScimConfigurationUpdate)
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

    @admin.put(
        "/license-pools",
        summary="Set the seats of a licence pool",
        openapi_extra=_body_doc(LicensePoolSeats),
    )
    async def set_pool(request: Request) -> Response:
        require_admin(request)
        body = await read_body(request, LicensePoolSeats)
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

    return admin
