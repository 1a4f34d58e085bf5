"""fake_entra.audit_log: configuration changes, start, stop, restart and quarantine, as
Graph ``directoryAudit`` entries (S5 "Audit logs"; MH reference-audit-activities)."""

from __future__ import annotations

from engine_support import build_scenario

from fake_entra.audit_log import AuditActivity, AuditUser
from fake_entra.engine import ProvisioningJob


def activities(job: ProvisioningJob) -> list[str]:
    return [str(e.activity) for e in job.audit]


def test_start_settings_stop_and_restart_are_audited() -> None:
    scenario = build_scenario()
    job = scenario.start()
    # The Save before the job existed is not the job's to log; Status On + Save starts it.
    assert activities(job) == ["Enable/start provisioning configuration"]
    scenario.provisioning.set_notification_email("ops@contoso.com", send_email_on_failure=True)
    scenario.provisioning.save()
    scenario.provisioning.set_provisioning_status("Off")
    scenario.provisioning.save()
    job.restart()
    assert activities(job) == [
        "Enable/start provisioning configuration",
        "Update provisioning setting or credentials",
        "Disable/pause provisioning configuration",
        "Enable/restart provisioning configuration",
    ]
    update = job.audit.query(AuditActivity.UPDATE_SETTINGS)[0].to_json()
    assert update["category"] == "ProvisioningManagement"
    assert update["loggedByService"] == "Account Provisioning"
    assert update["result"] == "success"
    (target,) = update["targetResources"]
    assert (target["id"], target["displayName"], target["type"]) == (
        scenario.app.object_id,
        "LinkedIn Elevate",
        "ServicePrincipal",
    )
    assert target["modifiedProperties"] == [
        {
            "displayName": "NotificationEmail",
            "oldValue": "admin@contoso.com",
            "newValue": "ops@contoso.com",
        }
    ]


def test_new_credentials_are_audited_without_their_value() -> None:
    scenario = build_scenario()
    job = scenario.start()
    saved = scenario.provisioning.saved
    assert saved is not None
    # Account Center > Generate token; the admin pastes it, tests it (Save needs that), saves.
    token = scenario.elevate.account_center.generate_token(scenario.config.id)
    scenario.provisioning.set_admin_credentials(saved.credentials.tenant_url, token)
    assert scenario.provisioning.test_connection().succeeded
    scenario.provisioning.save()
    (update,) = job.audit.query("Update provisioning setting or credentials")
    assert [(name, new) for name, _, new in update.modified] == [("SecretToken", "(changed)")]
    assert token not in str(update.to_json())


def test_a_quarantine_is_audited_once_by_the_service() -> None:
    scenario = build_scenario(faults=["revoked-token"], fault_options={"revoke_after": 0})
    person = scenario.add_user("dana", "Dana", "Ray")
    scenario.assign(person.object_id)
    job = scenario.start()
    scenario.clock.advance(hours=7)  # the 6-hour retry fails the same way: no new entry
    (quarantine,) = job.audit.query(AuditActivity.QUARANTINE)
    data = quarantine.to_json()
    assert data["initiatedBy"]["app"]["displayName"] == "Azure AD Provisioning Service"
    assert {"key": "QuarantineReason", "value": "EncounteredQuarantineException"} in data[
        "additionalDetails"
    ]


def test_audit_entries_are_kept_for_thirty_days() -> None:
    scenario = build_scenario()
    job = scenario.start()
    assert len(job.audit) == 1
    scenario.clock.advance(days=29)
    assert len(job.audit) == 1
    scenario.clock.advance(days=1, seconds=1)
    assert len(job.audit) == 0


def test_a_detached_job_audits_no_more_saves() -> None:
    scenario = build_scenario()
    job = scenario.start()
    job.detach()
    scenario.provisioning.set_provisioning_status("Off")
    scenario.provisioning.save()
    assert activities(job) == ["Enable/start provisioning configuration"]


def test_an_admins_entry_names_them_as_a_graph_user_identity() -> None:
    """[G directoryaudit-list.md example 2]: initiatedBy.user has id, displayName,
    userPrincipalName and ipAddress; app is null. A service entry's app is an appIdentity."""
    scenario = build_scenario()
    job = scenario.start()
    job.audit.initiator = lambda: AuditUser("5f0c…-id", "ada@contoso.com", "Ada")
    job.restart()
    entry = job.audit.query(AuditActivity.RESTART)[0]
    assert entry.to_json()["initiatedBy"] == {
        "user": {
            "id": "5f0c…-id",
            "displayName": "Ada",
            "userPrincipalName": "ada@contoso.com",
            "ipAddress": None,
        },
        "app": None,
    }
    assert job.audit.find(entry.id) == entry
    assert job.audit.find("no-such-entry") is None
    (start,) = job.audit.query(AuditActivity.START)
    assert set(start.to_json()["initiatedBy"]["app"]) == {
        "appId",
        "displayName",
        "servicePrincipalId",
        "servicePrincipalName",
    }
