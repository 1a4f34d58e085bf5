"""The portals' clients (fake_entra.portal.graph_client, fake_elevate.portal.client): an
OData or SCIM error becomes the message a page shows, and an answer over the size limit is
refused, read no further than the limit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fake_elevate.portal import client as account_center_client
from fake_elevate.portal.client import AccountCenterCallError, AccountCenterClient
from fake_entra.portal import graph_client
from fake_entra.portal.graph_client import GraphCallError, GraphClient


async def big(_request: Any) -> Response:
    return Response(b"x" * 2048, media_type="application/json")


async def refused(_request: Any) -> Response:
    return JSONResponse({"error": {"code": "Request_BadRequest", "message": "No."}}, 400)


async def scim_refused(_request: Any) -> Response:
    return JSONResponse({"status": "404", "detail": "No SCIM configuration 'x'"}, 404)


APP = Starlette(
    routes=[
        Route("/v1.0/big", big),
        Route("/v1.0/refused", refused),
        Route("/account-center/big", big),
        Route("/account-center/missing", scim_refused),
    ]
)


def test_graph_errors_and_oversized_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_client, "MAX_RESPONSE_BYTES", 1024)

    async def run() -> tuple[GraphCallError, GraphCallError]:
        client = GraphClient("t", app=APP)
        try:
            with pytest.raises(GraphCallError) as first:
                await client.get("/refused")
            with pytest.raises(GraphCallError) as second:
                await client.get("/big")
            return first.value, second.value
        finally:
            await client.aclose()

    error, too_big = asyncio.run(run())
    assert (error.status, error.code, error.message) == (400, "Request_BadRequest", "No.")
    assert too_big.code == "ResponseTooLarge"


def test_account_center_errors_and_oversized_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(account_center_client, "MAX_RESPONSE_BYTES", 1024)

    async def run() -> tuple[AccountCenterCallError, AccountCenterCallError]:
        client = AccountCenterClient("k", app=APP)
        try:
            with pytest.raises(AccountCenterCallError) as first:
                await client.call("GET", "/missing")
            with pytest.raises(AccountCenterCallError) as second:
                await client.call("GET", "/big")
            return first.value, second.value
        finally:
            await client.aclose()

    missing, too_big = asyncio.run(run())
    assert (missing.status, missing.detail) == (404, "No SCIM configuration 'x'")
    assert too_big.status == 502


def test_a_client_needs_an_app_or_a_url_not_both() -> None:
    with pytest.raises(ValueError):
        GraphClient("t")
    with pytest.raises(ValueError):
        AccountCenterClient("k", app=APP, base_url="http://x")
