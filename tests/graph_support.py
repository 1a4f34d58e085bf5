"""A tenant served through Fake Entra's Graph face, in-process, with Fake Elevate as target."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from fake_elevate.elevate import FakeElevate
from fake_entra.graph import GraphService, GraphSettings, create_app
from fake_entra.tenant import Tenant
from harness.schemas.graph import collection_violations, graph_violations
from harness.transport import AsgiTransport

TOKEN = "graph-test-token"
TENANT_URL = "https://api.linkedin.com"
ELEVATE = "LinkedIn Elevate"
#: The clock side channel, outside /v1.0.
ADMIN = "https://graph.microsoft.com/_provisim"


def checked(response: httpx.Response, schema: str, status: int = 200) -> dict[str, Any]:
    """The body, after checking the status and the body against a Graph schema."""
    assert response.status_code == status, (response.status_code, response.text)
    body: dict[str, Any] = response.json()
    assert graph_violations(schema, body) == []
    return body


def listed(response: httpx.Response, schema: str) -> list[dict[str, Any]]:
    assert response.status_code == 200, (response.status_code, response.text)
    body = response.json()
    assert collection_violations(schema, body) == []
    items: list[dict[str, Any]] = body["value"]
    return items


def graph_error(response: httpx.Response, status: int, code: str | None = None) -> str:
    """Checks the OData error shape and status; returns the message."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert graph_violations("odata-error", body) == []
    if code is not None:
        assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    return message


@dataclass
class GraphWorld:
    elevate: FakeElevate
    scim_token: str
    tenant: Tenant
    service: GraphService
    client: httpx.Client
    ids: dict[str, str] = field(default_factory=dict)

    # -- the tutorial, one Graph call each --------------------------------------------------

    def instantiate(self) -> dict[str, Any]:
        templates = listed(
            self.client.get(
                "/applicationTemplates", params={"$filter": f"displayName eq '{ELEVATE}'"}
            ),
            "application-template",
        )
        body = checked(
            self.client.post(
                f"/applicationTemplates/{templates[0]['id']}/instantiate",
                json={"displayName": ELEVATE},
            ),
            "application-service-principal",
            201,
        )
        sp = body["servicePrincipal"]
        self.ids["sp"] = sp["id"]
        self.ids["user_role"] = next(r["id"] for r in sp["appRoles"] if r["value"] == "User")
        return body

    @property
    def sp(self) -> str:
        return f"/servicePrincipals/{self.ids['sp']}"

    @property
    def job(self) -> str:
        return f"{self.sp}/synchronization/jobs/{self.ids['job']}"

    def create_job(self) -> dict[str, Any]:
        templates = listed(
            self.client.get(f"{self.sp}/synchronization/templates"), "synchronization-template"
        )
        body = checked(
            self.client.post(
                f"{self.sp}/synchronization/jobs", json={"templateId": templates[0]["id"]}
            ),
            "synchronization-job",
            201,
        )
        self.ids["job"] = body["id"]
        return body

    def credentials(self, token: str | None = None) -> list[dict[str, str]]:
        return [
            {"key": "BaseAddress", "value": TENANT_URL},
            {"key": "SecretToken", "value": token or self.scim_token},
        ]

    def save_secrets(self, email: str = "ops@contoso.com") -> httpx.Response:
        notification = json.dumps({"Enabled": True, "Recipients": email})
        return self.client.put(
            f"{self.sp}/synchronization/secrets",
            json={
                "value": [
                    *self.credentials(),
                    {"key": "SyncNotificationSettings", "value": notification},
                    {"key": "SyncAll", "value": "false"},
                ]
            },
        )

    def add_user(self, name: str, upn: str) -> str:
        body = checked(
            self.client.post(
                "/users",
                json={
                    "accountEnabled": True,
                    "displayName": name,
                    "mailNickname": upn.split("@")[0],
                    "userPrincipalName": upn,
                    "passwordProfile": {"password": "x-Passw0rd!"},
                },
            ),
            "user",
            201,
        )
        self.ids[name] = body["id"]
        return str(body["id"])

    def assign(self, name: str, role_id: str) -> httpx.Response:
        return self.client.post(
            f"{self.sp}/appRoleAssignedTo",
            json={
                "principalId": self.ids[name],
                "resourceId": self.ids["sp"],
                "appRoleId": role_id,
            },
        )

    def advance(self, duration: str) -> dict[str, Any]:
        response = self.client.post(ADMIN + "/clock/advance", json={"duration": duration})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def configured(self) -> None:
        """Instantiated, job created, secrets saved."""
        self.instantiate()
        self.create_job()
        assert self.save_secrets().status_code == 204


def graph_world(seed: int = 1, settings: GraphSettings | None = None) -> Iterator[GraphWorld]:
    elevate = FakeElevate(seed=seed)
    _, scim_token = elevate.quick_setup(seats=10)
    tenant = Tenant(seed=seed, scim_transport=AsgiTransport(elevate.asgi_app()))
    service = GraphService(tenant, settings or GraphSettings(token=TOKEN))
    client = httpx.Client(
        transport=AsgiTransport(create_app(service)),
        base_url="https://graph.microsoft.com/v1.0",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    with client:
        yield GraphWorld(elevate, scim_token, tenant, service, client)
