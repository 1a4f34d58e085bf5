"""The portal and a Microsoft Graph SDK script leave the same state (issue 24, "Done when").

Two simulations from the same seed: in one an admin clicks through the tutorial in the
portal (its forms, posted over HTTP), in the other msgraph-sdk makes the Graph calls a
script makes for the same steps. Both provision into their own Fake Elevate over loopback
HTTP. Afterwards Graph (service principal, assignments, job, saved settings, schema,
provisioning logs, audit log) and Fake Elevate (users and licences) read the same, ids and
times included, once each side's own port is masked.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from msgraph.generated.application_templates.item.instantiate.instantiate_post_request_body import (
    InstantiatePostRequestBody,
)
from msgraph.generated.models.app_role_assignment import AppRoleAssignment
from msgraph.generated.models.synchronization_job import SynchronizationJob
from msgraph.generated.models.synchronization_secret import SynchronizationSecret
from msgraph.generated.models.synchronization_secret_key_string_value_pair import (
    SynchronizationSecretKeyStringValuePair,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.validate_credentials.validate_credentials_post_request_body import (
    ValidateCredentialsPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.secrets.secrets_put_request_body import (
    SecretsPutRequestBody,
)
from test_graph_sdk import sdk_client
from test_portal_entra import ADMIN_KEY, GRAPH_TOKEN, PortalDriver

from harness.serving import Simulation, serve_in_thread

SEED = 11
#: What the portal's Save sends as SyncNotificationSettings for the form the test fills.
NOTIFICATION = json.dumps(
    {
        "Enabled": True,
        "Recipients": "admin@contoso.com",
        "DeleteThresholdEnabled": True,
        "DeleteThresholdValue": 500,
    }
)


@pytest.fixture
def two() -> Iterator[tuple[PortalDriver, PortalDriver]]:
    with ExitStack() as stack:
        drivers = []
        for _ in range(2):
            simulation = Simulation(seed=SEED, graph_token=GRAPH_TOKEN, admin_key=ADMIN_KEY)
            entra = stack.enter_context(serve_in_thread(simulation.entra_app))
            elevate = stack.enter_context(serve_in_thread(simulation.elevate_app))
            clients = [
                stack.enter_context(
                    httpx.Client(base_url=entra, follow_redirects=True, timeout=60)
                ),
                stack.enter_context(
                    httpx.Client(
                        base_url=entra,
                        headers={"Authorization": f"Bearer {GRAPH_TOKEN}"},
                        timeout=60,
                    )
                ),
                stack.enter_context(
                    httpx.Client(
                        base_url=elevate,
                        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                        timeout=60,
                    )
                ),
            ]
            drivers.append(PortalDriver(simulation, entra, elevate, *clients))
        yield drivers[0], drivers[1]


def by_portal(portal: PortalDriver) -> None:
    token = portal.token()
    portal.sign_in()
    portal.add_linkedin_elevate()
    assert "Assignment succeeded" in portal.assign("Britta Simon", "User").text
    portal.provisioning(provisioning_mode="Automatic", action="mode")
    tested = portal.provisioning(action="test", **portal.credentials(token))
    assert "authorized to enable provisioning" in tested.text
    saved = portal.provisioning(action="save", **portal.credentials("", provisioning_status="On"))
    assert "Your changes have been saved." in saved.text


async def by_sdk(side: PortalDriver, token: str) -> None:
    client = sdk_client(side.entra, GRAPH_TOKEN)
    templates = await client.application_templates.get()
    assert templates is not None and templates.value is not None
    (elevate,) = [t for t in templates.value if t.display_name == "LinkedIn Elevate"]
    assert elevate.id is not None
    created = await client.application_templates.by_application_template_id(
        elevate.id
    ).instantiate.post(InstantiatePostRequestBody(display_name="LinkedIn Elevate"))
    assert created is not None and created.service_principal is not None
    sp_id = created.service_principal.id
    assert sp_id is not None
    side.ids["sp"] = sp_id
    sp = client.service_principals.by_service_principal_id(sp_id)
    principal = await sp.get()
    assert principal is not None and principal.app_roles is not None
    role = next(r.id for r in principal.app_roles if r.display_name == "User")
    users = await client.users.get()
    assert users is not None and users.value is not None
    britta = next(u.id for u in users.value if u.display_name == "Britta Simon")
    assert britta is not None
    await sp.app_role_assigned_to.post(
        AppRoleAssignment(
            principal_id=uuid.UUID(britta), resource_id=uuid.UUID(sp_id), app_role_id=role
        )
    )
    sync_templates = await sp.synchronization.templates.get()
    assert sync_templates is not None and sync_templates.value
    job = await sp.synchronization.jobs.post(
        SynchronizationJob(template_id=sync_templates.value[0].id)
    )
    assert job is not None and job.id is not None
    job_builder = sp.synchronization.jobs.by_synchronization_job_id(job.id)

    def pair(key: SynchronizationSecret, value: str) -> SynchronizationSecretKeyStringValuePair:
        return SynchronizationSecretKeyStringValuePair(key=key, value=value)

    credentials = [
        pair(SynchronizationSecret.BaseAddress, side.scim_base),
        pair(SynchronizationSecret.SecretToken, token),
    ]
    await job_builder.validate_credentials.post(
        ValidateCredentialsPostRequestBody(use_saved_credentials=False, credentials=credentials)
    )
    await sp.synchronization.secrets.put(
        SecretsPutRequestBody(
            value=[
                *credentials,
                pair(SynchronizationSecret.SyncNotificationSettings, NOTIFICATION),
                pair(SynchronizationSecret.SyncAll, "false"),
            ]
        )
    )
    await job_builder.start.post()


def state(side: PortalDriver) -> dict[str, Any]:
    sp = side.ids["sp"]
    job = side.job()
    read = {
        "servicePrincipals": side.graph_json("/servicePrincipals"),
        "assignments": side.graph_json(f"/servicePrincipals/{sp}/appRoleAssignedTo"),
        "job": job,
        "secrets": side.secrets(),
        "schema": side.graph_json(
            f"/servicePrincipals/{sp}/synchronization/jobs/{job['id']}/schema"
        ),
        "provisioningLogs": side.graph_json("/auditLogs/provisioning"),
        "directoryAudits": side.graph_json("/auditLogs/directoryAudits"),
        "elevateUsers": side.admin.get("/account-center/users").json(),
        "licencePools": side.admin.get("/account-center/license-pools").json(),
    }
    # Each side's own Fake Elevate answers on its own port.
    return json.loads(json.dumps(read).replace(side.elevate, "<elevate>"))


def test_the_portal_and_an_sdk_script_leave_identical_state(
    two: tuple[PortalDriver, PortalDriver],
) -> None:
    portal, script = two
    by_portal(portal)
    asyncio.run(by_sdk(script, script.token()))
    clicked, scripted = state(portal), state(script)
    assert clicked["job"]["status"]["code"] == "Active"
    assert [u["licenseState"] for u in clicked["elevateUsers"]["users"]] == ["Licensed"]
    for key in clicked:
        assert clicked[key] == scripted[key], key
