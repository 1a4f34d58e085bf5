"""The real Microsoft Graph Python SDK (msgraph-sdk) walks the whole tutorial against Fake
Entra's Graph face over a loopback port, provisioning into Fake Elevate on another one.

Nothing is mocked: two uvicorn servers, real sockets, the SDK's own serializers. The SDK
is pointed at the local base URL with a static bearer token [reference A.4].
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    AnonymousAuthenticationProvider,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.application_templates.application_templates_request_builder import (
    ApplicationTemplatesRequestBuilder,
)
from msgraph.generated.application_templates.item.instantiate.instantiate_post_request_body import (
    InstantiatePostRequestBody,
)
from msgraph.generated.audit_logs.directory_audits.directory_audits_request_builder import (
    DirectoryAuditsRequestBuilder,
)
from msgraph.generated.audit_logs.provisioning.provisioning_request_builder import (
    ProvisioningRequestBuilder,
)
from msgraph.generated.models.app_role_assignment import AppRoleAssignment
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.synchronization_job import SynchronizationJob
from msgraph.generated.models.synchronization_job_application_parameters import (
    SynchronizationJobApplicationParameters,
)
from msgraph.generated.models.synchronization_job_restart_criteria import (
    SynchronizationJobRestartCriteria,
)
from msgraph.generated.models.synchronization_job_restart_scope import (
    SynchronizationJobRestartScope,
)
from msgraph.generated.models.synchronization_job_subject import SynchronizationJobSubject
from msgraph.generated.models.synchronization_secret import SynchronizationSecret
from msgraph.generated.models.synchronization_secret_key_string_value_pair import (
    SynchronizationSecretKeyStringValuePair,
)
from msgraph.generated.models.synchronization_status_code import SynchronizationStatusCode
from msgraph.generated.models.user import User
from msgraph.generated.service_principals.item.synchronization.jobs.item.provision_on_demand.provision_on_demand_post_request_body import (
    ProvisionOnDemandPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.restart.restart_post_request_body import (
    RestartPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.validate_credentials.validate_credentials_post_request_body import (
    ValidateCredentialsPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.secrets.secrets_put_request_body import (
    SecretsPutRequestBody,
)
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient

from fake_elevate.elevate import FakeElevate
from fake_entra.graph import GraphService, GraphSettings, create_app
from fake_entra.tenant import Tenant
from harness.serving import serve_in_thread

TOKEN = "sdk-static-token"
DEFAULT_ACCESS = uuid.UUID("00000000-0000-0000-0000-000000000000")


class StaticTokenProvider(AccessTokenProvider):
    """The same bearer token for every call, to loopback only."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._hosts = AllowedHostsValidator(["127.0.0.1"])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        return self._token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


@dataclass
class Servers:
    graph: str
    scim_base: str
    scim_token: str
    elevate: FakeElevate


@pytest.fixture
def servers() -> Iterator[Servers]:
    elevate = FakeElevate(seed=3)
    _, scim_token = elevate.quick_setup(seats=10)
    tenant = Tenant(seed=3)  # no transport: Fake Entra reaches Fake Elevate over the socket
    service = GraphService(tenant, GraphSettings(token=TOKEN))
    with (
        serve_in_thread(elevate.asgi_app()) as elevate_url,
        serve_in_thread(create_app(service)) as graph_url,
    ):
        yield Servers(graph_url, f"{elevate_url}/scim/v2", scim_token, elevate)


def sdk_client(base: str, token: str = TOKEN) -> GraphServiceClient:
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticTokenProvider(token)))
    adapter.base_url = f"{base}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


def secrets(
    servers: Servers, token: str | None = None
) -> list[SynchronizationSecretKeyStringValuePair]:
    return [
        SynchronizationSecretKeyStringValuePair(
            key=SynchronizationSecret.BaseAddress, value=servers.scim_base
        ),
        SynchronizationSecretKeyStringValuePair(
            key=SynchronizationSecret.SecretToken, value=token or servers.scim_token
        ),
    ]


async def tutorial(servers: Servers) -> dict[str, Any]:
    client = sdk_client(servers.graph)
    seen: dict[str, Any] = {}
    # Add LinkedIn Elevate from the gallery.
    query = ApplicationTemplatesRequestBuilder.ApplicationTemplatesRequestBuilderGetQueryParameters(
        filter="displayName eq 'LinkedIn Elevate'"
    )
    templates = await client.application_templates.get(RequestConfiguration(query_parameters=query))
    assert templates is not None and templates.value is not None and len(templates.value) == 1
    template_id = templates.value[0].id
    assert template_id is not None
    created = await client.application_templates.by_application_template_id(
        template_id
    ).instantiate.post(InstantiatePostRequestBody(display_name="LinkedIn Elevate"))
    assert created is not None and created.service_principal is not None
    sp_id = created.service_principal.id
    assert sp_id is not None
    sp = client.service_principals.by_service_principal_id(sp_id)
    principal = await sp.get()
    assert principal is not None and principal.app_roles is not None
    user_role = next(r.id for r in principal.app_roles if r.value == "User")
    # Test users, one with the User role, one with Default Access.
    ids: dict[str, str] = {}
    for name, upn in (("Britta Simon", "britta.simon"), ("Kai Li", "kai.li")):
        user = await client.users.post(
            User(
                account_enabled=True,
                display_name=name,
                mail_nickname=upn,
                user_principal_name=f"{upn}@contoso.com",
                password_profile=PasswordProfile(password="x-Passw0rd!"),
            )
        )
        assert user is not None and user.id is not None
        ids[name] = user.id
    for name, role in (("Britta Simon", user_role), ("Kai Li", DEFAULT_ACCESS)):
        assignment = await sp.app_role_assigned_to.post(
            AppRoleAssignment(
                principal_id=uuid.UUID(ids[name]),
                resource_id=uuid.UUID(sp_id),
                app_role_id=role,
            )
        )
        assert assignment is not None and assignment.principal_display_name == name
    # Provisioning Mode Automatic: a job from the template.
    sync_templates = await sp.synchronization.templates.get()
    assert sync_templates is not None and sync_templates.value is not None
    job = await sp.synchronization.jobs.post(
        SynchronizationJob(template_id=sync_templates.value[0].id)
    )
    assert job is not None and job.id is not None
    job_builder = sp.synchronization.jobs.by_synchronization_job_id(job.id)
    # Test Connection, with a wrong token and then the right one.
    with pytest.raises(ODataError) as refused:
        await job_builder.validate_credentials.post(
            ValidateCredentialsPostRequestBody(
                use_saved_credentials=False,
                credentials=secrets(servers, "not-the-token"),
            )
        )
    seen["bad_token_status"] = refused.value.response_status_code
    # 204 No Content: the SDK returns None.
    await job_builder.validate_credentials.post(
        ValidateCredentialsPostRequestBody(
            use_saved_credentials=False,
            credentials=secrets(servers),
        )
    )
    # Notification Email and Save.
    notification = json.dumps({"Enabled": True, "Recipients": "ops@contoso.com"})
    await sp.synchronization.secrets.put(
        SecretsPutRequestBody(
            value=[
                *secrets(servers),
                SynchronizationSecretKeyStringValuePair(
                    key=SynchronizationSecret.SyncNotificationSettings, value=notification
                ),
            ]
        )
    )
    # Provisioning Status On: the initial cycle.
    await job_builder.start.post()
    running = await job_builder.get()
    assert running is not None and running.status is not None and running.schedule is not None
    seen["code"] = running.status.code
    seen["interval"] = running.schedule.interval
    first = running.status.last_execution
    assert first is not None
    seen["first_state"] = first.state
    # Forty virtual minutes: the next cycle.
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        advanced = await http.post(
            f"{servers.graph}/_provisim/clock/advance", json={"duration": "PT40M"}
        )
    assert advanced.status_code == 200
    later = await job_builder.get()
    assert later is not None and later.status is not None and later.status.last_execution
    began, first_began = later.status.last_execution.time_began, first.time_began
    assert began is not None and first_began is not None
    seen["cycles_moved"] = began > first_began
    # Provisioning logs, filtered and paged.
    logs_query = ProvisioningRequestBuilder.ProvisioningRequestBuilderGetQueryParameters(
        filter="provisioningAction eq 'create'", top=1
    )
    logs = await client.audit_logs.provisioning.get(
        RequestConfiguration(query_parameters=logs_query)
    )
    assert logs is not None and logs.value is not None
    seen["created"] = [
        entry.source_identity.display_name
        for entry in logs.value
        if entry.source_identity is not None
    ]
    every = await client.audit_logs.provisioning.get()
    assert every is not None and every.value is not None
    seen["log_entries"] = len(every.value)
    # Provision on demand, with the rule id from the job's schema.
    schema = await job_builder.schema.get()
    assert schema is not None and schema.synchronization_rules
    rule_id = schema.synchronization_rules[0].id
    pair = await job_builder.provision_on_demand.post(
        ProvisionOnDemandPostRequestBody(
            parameters=[
                SynchronizationJobApplicationParameters(
                    rule_id=rule_id,
                    subjects=[
                        SynchronizationJobSubject(
                            object_id=ids["Britta Simon"], object_type_name="User"
                        ),
                    ],
                ),
            ]
        )
    )
    assert pair is not None and pair.key is not None and pair.value is not None
    seen["on_demand"] = json.loads(pair.key)["result"]
    seen["on_demand_action"] = json.loads(pair.value)["action"]
    # Restart, the SDK's way (a single enum value).
    await job_builder.restart.post(
        RestartPostRequestBody(
            criteria=SynchronizationJobRestartCriteria(
                reset_scope=SynchronizationJobRestartScope.Full
            )
        )
    )
    restarted = await job_builder.get()
    assert restarted is not None and restarted.status is not None
    seen["after_restart"] = restarted.status.code
    # The audit log: every configuration change, then one activity, oldest first, paged.
    audits = await client.audit_logs.directory_audits.get()
    assert audits is not None and audits.value is not None
    seen["audits"] = [a.activity_display_name for a in audits.value]
    seen["audit_services"] = {(a.logged_by_service, a.category) for a in audits.value}
    audit_query = DirectoryAuditsRequestBuilder.DirectoryAuditsRequestBuilderGetQueryParameters(
        filter="startswith(activityDisplayName,'Enable/')",
        orderby=["activityDateTime asc"],
        top=1,
    )
    page = await client.audit_logs.directory_audits.get(
        RequestConfiguration(query_parameters=audit_query)
    )
    assert page is not None and page.value is not None and page.odata_next_link is not None
    seen["first_enable"] = [a.activity_display_name for a in page.value]
    first_id = page.value[0].id
    assert first_id is not None
    one = await client.audit_logs.directory_audits.by_directory_audit_id(first_id).get()
    assert one is not None and one.initiated_by is not None and one.initiated_by.user
    seen["audit_initiator"] = one.initiated_by.user.user_principal_name
    seen["audit_target"] = [t.id for t in one.target_resources or []] == [sp_id]
    return seen


def test_the_sdk_walks_the_tutorial(servers: Servers) -> None:
    seen = asyncio.run(tutorial(servers))
    assert seen["bad_token_status"] == 400
    assert seen["code"] is SynchronizationStatusCode.Active
    assert seen["interval"] == timedelta(minutes=40)
    assert str(seen["first_state"].value) == "Succeeded"
    assert seen["cycles_moved"] is True
    assert seen["created"] == ["Britta Simon"]
    assert seen["log_entries"] >= 2  # Britta created, Kai skipped (Default Access)
    assert seen["on_demand"] == "Skipped" and seen["on_demand_action"] == "Other"
    assert seen["after_restart"] is SynchronizationStatusCode.Active
    assert seen["audits"] == [
        "Enable/restart provisioning configuration",
        "Enable/start provisioning configuration",
        "Update provisioning setting or credentials",
    ]
    assert seen["audit_services"] == {("Account Provisioning", "ProvisioningManagement")}
    assert seen["first_enable"] == ["Enable/start provisioning configuration"]
    assert seen["audit_initiator"] == "graph-client@contoso.com"
    assert seen["audit_target"] is True
    users = servers.elevate.account_center.users()
    assert [u.user_name for u in users] == ["britta.simon@contoso.com"]


def test_the_sdk_gets_an_odata_error_without_the_right_token(servers: Servers) -> None:
    async def call() -> ODataError:
        with pytest.raises(ODataError) as caught:
            await sdk_client(servers.graph, "wrong").users.get()
        return caught.value

    error = asyncio.run(call())
    assert error.response_status_code == 401
    assert error.error is not None and error.error.code == "InvalidAuthenticationToken"


def test_the_sdk_without_credentials_reaches_a_server_that_allows_anonymous_calls() -> None:
    """[reference A.4]: AnonymousAuthenticationProvider sends no Authorization header."""
    service = GraphService(Tenant(seed=3), GraphSettings(token=TOKEN, allow_anonymous=True))

    async def call(base: str) -> list[str]:
        adapter = GraphRequestAdapter(AnonymousAuthenticationProvider())
        adapter.base_url = f"{base}/v1.0"
        templates = await GraphServiceClient(request_adapter=adapter).application_templates.get()
        assert templates is not None and templates.value is not None
        return [t.display_name or "" for t in templates.value]

    with serve_in_thread(create_app(service)) as graph_url:
        assert "LinkedIn Elevate" in asyncio.run(call(graph_url))


def test_the_sdk_is_configured_with_the_generic_request_configuration_only() -> None:
    """msgraph-sdk deprecates its per-builder ``…RequestBuilderGetRequestConfiguration``
    classes for kiota's generic ``RequestConfiguration``; this module and the README's SDK
    example use only the generic one. (The SDK still warns on import, from its own class
    bodies: msgraph-sdk-python#965; pyproject.toml silences exactly those.)"""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("## Automating with Microsoft Graph") :].split("\n## ", 1)[0]
    for name, text in (
        ("this module", Path(__file__).read_text(encoding="utf-8")),
        ("README", example),
    ):
        deprecated = re.findall(r"\b\w+RequestBuilder\w*RequestConfiguration\b", text)
        assert deprecated == [], (name, deprecated)
        assert "RequestConfiguration(query_parameters=" in text, name
