"""The throughput servers (harness/bench/servers.py): the bare Starlette app and the stack report."""

from __future__ import annotations

import asyncio
import json

import httpx
import uvicorn

from harness.bench import servers


def test_the_bare_starlette_app_answers_the_mix_with_fixed_scim_bodies() -> None:
    transport = httpx.ASGITransport(app=servers.starlette_app())

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return [
                await client.get("/scim/v2/Users", params={"filter": 'userName eq "a"'}),
                await client.post("/scim/v2/Users", content=b'{"userName": "a"}'),
                await client.patch("/scim/v2/Users/u1", content=b"{}"),
            ]

    listed, created, patched = asyncio.run(run())
    assert listed.status_code == 200 and listed.json()["totalResults"] == 1
    assert created.status_code == 201 and created.headers["location"].endswith(created.json()["id"])
    assert patched.status_code == 200 and patched.headers["etag"] == 'W/"1"'
    assert {r.headers["content-type"] for r in (listed, created, patched)} == {
        "application/scim+json"
    }
    # Its user is shaped like the one Fake Elevate answers the bench's POST with.
    assert set(created.json()) == {
        "schemas", "id", "externalId", "userName", "active", "displayName", "emails", "name",
        "meta",
    }  # fmt: skip


def test_the_http_stack_names_uvicorns_protocol_and_the_running_loop() -> None:
    async def stack(http: str) -> dict[str, str]:
        config = uvicorn.Config(servers.starlette_app(), http=http, lifespan="off")
        config.load()
        return servers.http_stack(config)

    # asyncio.run's loop is asyncio's own, whatever uvicorn would pick.
    assert asyncio.run(stack("h11")) == {"http": "h11", "loop": "asyncio"}
    assert json.dumps(asyncio.run(stack("auto")))
