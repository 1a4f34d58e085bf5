"""Shared scaffolding for the provisioning log tests: a log on a virtual clock, and users.

:func:`create_user` writes the entry the engine writes for a created (or failed) user:
import, scoping, no match, export, with two changed properties and two seconds between.
"""

from __future__ import annotations

import itertools

from fake_entra.clock import VirtualClock
from fake_entra.http_errors import classify_http_failure
from fake_entra.logs import (
    ExportOperation,
    ProvisionedIdentity,
    ProvisioningLog,
    ProvisioningObjectSummary,
    ProvisioningServicePrincipal,
    ProvisioningSystem,
    export_step,
    import_step,
    no_match_step,
    scoping_step,
)


def new_log(clock: VirtualClock) -> ProvisioningLog:
    """A log of job ``scim.0123`` whose ids count up: ``id-0001``, ``id-0002``, ..."""
    counter = itertools.count(1)
    return ProvisioningLog(
        now=clock.now,
        tenant_id="tenant-1",
        job_id="scim.0123",
        ids=lambda: f"id-{next(counter):04d}",
        service_principal=ProvisioningServicePrincipal("sp-1", "LinkedIn Elevate"),
        target_system=ProvisioningSystem("app-1", "LinkedIn Elevate", {"ApplicationId": "app-1"}),
    )


def user(name: str, upn: str | None = None, object_id: str | None = None) -> ProvisionedIdentity:
    upn = upn or f"{name.lower().replace(' ', '.')}@contoso.com"
    return ProvisionedIdentity(object_id or f"obj-{upn}", name, "User", {"userPrincipalName": upn})


def create_user(
    log: ProvisioningLog,
    clock: VirtualClock,
    name: str,
    *,
    cycle: str = "cycle-1",
    fail: bool = False,
) -> ProvisioningObjectSummary:
    identity = user(name)
    upn = identity.details["userPrincipalName"]
    builder = log.begin(cycle_id=cycle, source_identity=identity, action="create")
    builder.step(import_step("User", upn))
    builder.step(
        scoping_step(
            "User", is_active=True, assigned=True, effectively_entitled=True, in_scope=True
        )
    )
    builder.step(no_match_step("User", upn, target="LinkedIn Elevate"))
    builder.modified("userName", None, upn).modified("active", None, True)
    clock.advance(seconds=2)
    builder.step(
        export_step(ExportOperation.ADD, "User", upn, succeeded=not fail, target="LinkedIn Elevate")
    )
    if fail:
        return builder.fail(classify_http_failure(409, target="LinkedIn Elevate"))
    return builder.target(f"scim-{upn}", upn).succeed()
