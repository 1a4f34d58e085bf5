"""ProvisioningJob, as the admin sees it: scheduling, pause, restart, quarantine and its
emails, throttling, provision on demand, logs and Synchronization Details.

Every scenario runs against Fake Elevate in-process on the tenant's virtual clock; the
per-object requests of a cycle are tested in test_entra_cycle_*.py, one file per module
of fake_entra.cycle.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import random
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from engine_support import FLAGGED_TENANT_URL, Scenario, build_scenario

from fake_entra.directory import PortalError
from fake_entra.engine import EngineSettings, ProvisioningJob
from fake_entra.logs import CSV_MODIFIED_PROPERTIES, CSV_STEPS, CSV_SUMMARY, ProvisioningAction
from fake_entra.mappings import AttributeMapping
from fake_entra.outbox import Outbox
from fake_entra.scim_client import ORIGIN_EXTENSION, OriginKind, RequestOrigin
from fake_entra.status import CycleKind, SynchronizationStatusCode

HOUR = timedelta(hours=1)


def people(scenario: Scenario, count: int, prefix: str = "p") -> list[Any]:
    users = [
        scenario.add_user(f"{prefix}{i}", f"{prefix.upper()}{i}", "Person") for i in range(count)
    ]
    scenario.assign(*[u.object_id for u in users])
    return users


def revoke_token(scenario: Scenario) -> str:
    """Account Center > Generate token: the old token stops working at once."""
    return scenario.elevate.account_center.generate_token(scenario.config.id)


def save_token(scenario: Scenario, token: str) -> None:
    """Paste the new token, Test Connection (Save needs it to pass), Save."""
    scenario.provisioning.set_admin_credentials("https://api.linkedin.com", token)
    assert scenario.provisioning.test_connection().succeeded
    scenario.provisioning.save()


# --- scheduling ----------------------------------------------------------------------------


def test_status_on_and_save_starts_the_initial_cycle_and_not_before() -> None:
    scenario = build_scenario()
    people(scenario, 2)
    scenario.configure()
    scenario.provisioning.save()
    job = scenario.new_job()
    scenario.clock.advance(hours=3)
    assert len(scenario.recorder) == 0 and job.cycles_run == 0
    assert job.status.code is SynchronizationStatusCode.NOT_RUN
    scenario.provisioning.set_provisioning_status("On")
    assert job.cycles_run == 0  # the form is not saved yet
    scenario.provisioning.save()
    assert job.cycles_run == 1 and scenario.elevate.store.count("User") == 2
    assert job.status.code is SynchronizationStatusCode.ACTIVE
    assert job.status.last_cycle_kind is CycleKind.INITIAL


def test_incremental_cycles_run_every_40_minutes_of_virtual_time() -> None:
    scenario = build_scenario()
    people(scenario, 1)
    job = scenario.start()
    started: list[tuple[Any, str]] = []
    job.cycle_listeners.append(lambda outcome: started.append((scenario.clock.now(), outcome.kind)))
    t0 = scenario.clock.now()
    scenario.clock.advance(minutes=39)
    assert started == []
    scenario.clock.advance(minutes=1)
    scenario.clock.advance(hours=2)
    assert [when - t0 for when, _ in started] == [timedelta(minutes=40 * k) for k in (1, 2, 3, 4)]
    assert {kind for _, kind in started} == {CycleKind.INCREMENTAL}
    assert job.cycles_run == 5


def test_status_off_pauses_and_on_resumes_with_what_changed_meanwhile() -> None:
    scenario = build_scenario()
    (ulla,) = people(scenario, 1, "u")
    job = scenario.start()
    scenario.provisioning.set_provisioning_status("Off")
    scenario.provisioning.save()
    assert job.status.code is SynchronizationStatusCode.PAUSED
    scenario.directory.update_user(ulla.object_id, job_title="Analyst")
    mark = scenario.recorder.mark()
    scenario.clock.advance(hours=5)
    assert scenario.recorder.since(mark) == [] and job.cycles_run == 1
    scenario.provisioning.set_provisioning_status("On")
    scenario.provisioning.save()
    (patch,) = scenario.recorder.since(mark)
    assert patch.body["Operations"] == [{"op": "Add", "path": "title", "value": "Analyst"}]
    assert job.status.code is SynchronizationStatusCode.ACTIVE and job.cycles_run == 2
    assert scenario.clock.next_due() == scenario.clock.now() + timedelta(minutes=40)


def test_restart_clears_watermark_escrows_and_quarantine_but_keeps_the_links() -> None:
    scenario = build_scenario(
        faults=["5xx-burst"], fault_options={"burst_start": 2, "burst_count": 1}
    )
    crew = people(scenario, 3)
    job = scenario.start()
    assert len(job.escrows) == 1 and job.watermark is not None
    new_token = revoke_token(scenario)
    scenario.directory.update_user(crew[0].object_id, job_title="Lead")
    scenario.clock.advance(minutes=40)
    assert job.quarantine_reason() == "EncounteredQuarantineException"
    save_token(scenario, new_token)
    links = {k: v.target_id for k, v in job.connector.items()}
    mark = scenario.recorder.mark()
    job.restart()
    assert job.quarantine_reason() is None and not job.escrows
    assert job.status.last_cycle_kind is CycleKind.INITIAL
    # Linked users are not looked up or created again; only real work is sent.
    sent = [(e.method, e.resource) for e in scenario.recorder.since(mark)]
    assert sent.count(("POST", "Users")) == 1  # the one that failed with 500
    assert ("PATCH", "Users") in sent  # the title
    assert scenario.elevate.store.count("User") == 3
    assert all(job.connector[k].target_id == v for k, v in links.items())
    assert job.status.code is SynchronizationStatusCode.ACTIVE


def test_restart_needs_an_application_admin() -> None:
    scenario = build_scenario()
    job = scenario.start()
    scenario.tenant.sign_in("Global Reader")
    with pytest.raises(PortalError, match="Restart provisioning"):
        job.restart()


# --- quarantine ----------------------------------------------------------------------------


def test_a_token_revoked_between_cycles_quarantines_and_emails_once() -> None:
    scenario = build_scenario()
    (vic,) = people(scenario, 1, "v")
    job = scenario.start()
    new_token = revoke_token(scenario)
    scenario.directory.update_user(vic.object_id, job_title="Nurse")
    scenario.clock.advance(minutes=40)
    assert scenario.recorder.exchanges[-1].status == 401
    quarantine = job.status.quarantine
    assert quarantine is not None and quarantine.reason == "EncounteredQuarantineException"
    assert job.status.code is SynchronizationStatusCode.QUARANTINE
    began = quarantine.series_began
    # §2: retries 6 h, 12 h and 24 h after the first failure, then every 24 h.
    attempts = []
    for _ in range(5):
        due = job.status.quarantine.next_attempt  # type: ignore[union-attr]
        attempts.append(due - began)
        scenario.clock.advance_to(due)
    assert attempts == [6 * HOUR, 12 * HOUR, 24 * HOUR, 48 * HOUR, 72 * HOUR]
    assert job.status.quarantine.series_count == 5  # type: ignore[union-attr]
    (email,) = job.outbox.emails()
    assert email.to == ("admin@contoso.com",) and email.sender == "azure-noreply@microsoft.com"
    assert email.reason == "EncounteredQuarantineException"
    assert "LinkedIn Elevate" in email.subject and job.job_id in email.body
    # The admin pastes the new token: the next attempt succeeds and lifts the quarantine.
    save_token(scenario, new_token)
    scenario.clock.advance_to(job.status.quarantine.next_attempt)  # type: ignore[union-attr]
    assert job.quarantine_reason() is None
    assert job.status.code is SynchronizationStatusCode.ACTIVE
    assert scenario.target(vic.object_id)["title"] == "Nurse"
    assert len(job.outbox) == 1
    # Back to the 40-minute cadence.
    assert scenario.clock.next_due() == scenario.clock.now() + timedelta(minutes=40)


def test_no_email_without_the_failure_checkbox() -> None:
    scenario = build_scenario()
    people(scenario, 1)
    job = scenario.start(send_email=False)
    revoke_token(scenario)
    scenario.directory.update_user(scenario.users["p0"].object_id, job_title="Any")
    scenario.clock.advance(minutes=40)
    assert job.quarantine_reason() == "EncounteredQuarantineException"
    assert len(job.outbox) == 0


def test_a_new_quarantine_or_a_new_reason_sends_a_new_email() -> None:
    scenario = build_scenario()
    crew = people(scenario, 4)
    scenario.provisioning.set_accidental_deletion_prevention(True, 2)
    job = scenario.start()
    for person in crew[:3]:
        scenario.app.unassign(person.object_id)
    scenario.clock.advance(minutes=40)
    assert job.quarantine_reason() == "TooManyDeletes"
    new_token = revoke_token(scenario)
    scenario.directory.update_user(crew[3].object_id, job_title="Y")
    scenario.clock.advance(hours=6)  # the retry meets the revoked token: the reason changes
    assert job.quarantine_reason() == "EncounteredQuarantineException"
    save_token(scenario, new_token)
    job.allow_deletes()
    assert job.quarantine_reason() is None
    revoke_token(scenario)
    scenario.directory.update_user(crew[3].object_id, job_title="X")
    scenario.clock.advance(minutes=40)
    assert [e.reason for e in job.outbox] == [
        "TooManyDeletes",
        "EncounteredQuarantineException",
        "EncounteredQuarantineException",
    ]


def test_a_job_quarantined_for_28_days_is_disabled() -> None:
    scenario = build_scenario()
    people(scenario, 1)
    job = scenario.start()
    revoke_token(scenario)
    scenario.directory.update_user(scenario.users["p0"].object_id, job_title="Any")
    scenario.clock.advance(minutes=40)
    began = job.status.quarantine.series_began  # type: ignore[union-attr]
    scenario.clock.advance(days=27, hours=23)
    assert not job.disabled and job.is_running
    scenario.clock.advance(hours=2)
    assert job.disabled and not job.is_running
    assert scenario.clock.now() - began >= timedelta(days=28)
    assert job.status.code is SynchronizationStatusCode.PAUSED
    mark = scenario.recorder.mark()
    scenario.clock.advance(days=10)
    assert scenario.recorder.since(mark) == []
    # Restart brings it back (with whatever credentials are saved).
    job.restart()
    assert not job.disabled


def test_a_404_to_a_query_is_the_scim_compliance_quarantine() -> None:
    scenario = build_scenario(faults=["empty-search-404"])
    people(scenario, 2)
    job = scenario.start()
    assert len(scenario.recorder) == 1 and scenario.recorder.exchanges[0].status == 404
    quarantine = job.status.quarantine
    assert quarantine is not None and quarantine.reason == "EncounteredQuarantineException"
    (email,) = job.outbox.emails()
    assert "SCIM Compliance issue" in email.body
    assert job.watermark is None  # the initial cycle did not finish; it is redone


@pytest.mark.parametrize(
    ("scale", "failures", "reason"),
    [
        (0.001, 8, "EncounteredEscrowProportionThreshold"),
        (0.0001, 5, "EncounteredBaseEscrowThreshold"),
        (0.0001, 8, "EncounteredTotalEscrowThreshold"),
    ],
)
def test_escrow_thresholds_scaled_down_quarantine_an_incremental_cycle(
    scale: float, failures: int, reason: str
) -> None:
    # Created in the initial cycle (16 requests), then every update of the next cycle fails.
    scenario = build_scenario(
        faults=["5xx-burst"], fault_options={"burst_start": 16, "burst_count": failures}
    )
    crew = people(scenario, 8)
    job = scenario.start(settings=EngineSettings(escrow_scale=scale))
    for person in crew:
        scenario.directory.update_user(person.object_id, job_title="Updated")
    scenario.clock.advance(minutes=40)
    assert len(job.escrows) == failures
    assert job.quarantine_reason() == reason
    assert [e.reason for e in job.outbox] == [reason]


def test_escrow_threshold_in_the_initial_cycle_prunes_escrows_and_pauses() -> None:
    scenario = build_scenario(faults=["5xx-burst"], fault_options={"burst_count": 6})
    people(scenario, 8)
    job = scenario.start(settings=EngineSettings(escrow_scale=0.001))
    assert job.status.escrows_pruned and not job.escrows
    assert job.status.code is SynchronizationStatusCode.PAUSED
    assert job.quarantine_reason() is None and scenario.clock.next_due() is None
    assert scenario.elevate.store.count("User") == 2
    assert json.loads(json.dumps(job.status.to_graph_json()))["escrowsPruned"] is True


def test_the_default_thresholds_tolerate_a_few_failures() -> None:
    scenario = build_scenario(faults=["5xx-burst"], fault_options={"burst_count": 6})
    people(scenario, 8)
    job = scenario.start()
    assert len(job.escrows) == 6 and not job.status.escrows_pruned
    assert job.quarantine_reason() is None and job.status.code is SynchronizationStatusCode.ACTIVE


# --- throttling and timeouts ---------------------------------------------------------------


def test_a_detached_job_ignores_saves_and_its_timers_never_fire() -> None:
    scenario = build_scenario()
    people(scenario, 2)
    job = scenario.start()
    assert job.cycles_run == 1 and scenario.clock.next_due() is not None
    job.detach()
    assert scenario.clock.next_due() is None
    scenario.clock.advance(hours=3)
    # The Provisioning page's Save no longer reaches it: no cycle, no status change.
    scenario.provisioning.set_notification_email("ops@contoso.com", send_email_on_failure=True)
    scenario.provisioning.save()
    assert job.cycles_run == 1 and job.is_running is False


def test_detaching_drops_a_cycle_waiting_out_retry_after() -> None:
    scenario = build_scenario(
        faults=["429-storm"],
        fault_options={"storm_start": 3, "storm_count": 4, "storm_retry_after": 120},
    )
    people(scenario, 5)
    job = scenario.start()
    ended: list[Any] = []
    job.cycle_listeners.append(ended.append)
    assert job.cycle_suspended
    job.detach()
    assert not job.cycle_suspended and len(ended) == 1
    scenario.clock.advance(hours=1)
    assert job.cycles_run == 0 and scenario.elevate.store.count("User") < 5


def test_a_job_named_by_its_creator_carries_the_name_in_its_logs_and_details() -> None:
    scenario = build_scenario()
    people(scenario, 1)
    scenario.configure()
    tenant_id = "74beb175-0000-4000-8000-00000000b16a"
    job_id = (
        "linkedInElevate.74beb175000040008000000000000b16a.10a7a801-0000-4000-8000-0000000000aa"
    )
    job = ProvisioningJob(
        scenario.app, scenario.clock, seed=scenario.tenant.seed, tenant_id=tenant_id, job_id=job_id
    )
    assert job.job_id == job_id
    scenario.provisioning.set_provisioning_status("On")
    scenario.provisioning.save()
    entries = job.log.query()
    assert entries and {e.to_json()["jobId"] for e in entries} == {job_id}
    assert {e.to_json()["tenantId"] for e in entries} == {tenant_id}
    assert job.synchronization_details()["jobId"] == job_id


def test_a_429_storm_pauses_the_cycle_for_retry_after_and_resumes_it() -> None:
    scenario = build_scenario(
        faults=["429-storm"],
        fault_options={"storm_start": 3, "storm_count": 4, "storm_retry_after": 120},
    )
    crew = people(scenario, 5)
    job = scenario.start()
    # Throttled on the fourth request: the cycle is in progress, waiting out Retry-After.
    assert job.cycle_suspended and job.cycles_run == 0
    details = job.synchronization_details()
    assert details["cycleInProgress"] and details["currentCycle"] == "Initial"
    assert scenario.clock.next_due() == scenario.clock.now() + timedelta(seconds=120)
    for _ in range(3):
        scenario.clock.advance(seconds=119)
        assert job.cycle_suspended
        scenario.clock.advance(seconds=1)
    assert job.cycle_suspended
    scenario.clock.advance(seconds=120)
    assert not job.cycle_suspended and job.cycles_run == 1
    # Nothing lost, nothing twice: one POST per user, one log entry per user, one cycle.
    posts = [e.body["userName"] for e in scenario.recorder.of("POST", "Users") if e.status == 201]
    assert sorted(posts) == sorted(u.user_principal_name for u in crew)
    assert scenario.elevate.store.count("User") == 5
    creates = list(job.log)
    assert len(creates) == 5 and len({e.cycle_id for e in creates}) == 1
    assert {e.provisioning_action for e in creates} == {ProvisioningAction.CREATE}
    # Only the throttled requests were retried: each one later went through.
    exchanges = scenario.recorder.exchanges
    throttled = [i for i, e in enumerate(exchanges) if e.status == 429]
    assert len(throttled) == 4
    for index in throttled:
        retry = exchanges[index].short(), exchanges[index].body
        assert any((e.short(), e.body) == retry and e.status < 300 for e in exchanges[index:])
    assert scenario.asgi.injected == {"429-storm": 4}
    assert job.status.synchronization_details()["statisticsToDate"]["created"] == 5
    assert scenario.clock.next_due() == scenario.clock.now() + timedelta(minutes=40)


def throttled_initial_cycle() -> tuple[Scenario, ProvisioningJob]:
    """Three users; the third request is answered 429, so the initial cycle is suspended."""
    scenario = build_scenario(
        faults=["429-storm"], fault_options={"storm_start": 2, "storm_count": 1}
    )
    people(scenario, 3)
    job = scenario.start()
    assert job.cycle_suspended
    return scenario, job


def test_status_off_during_a_throttled_cycle_lets_the_cycle_finish() -> None:
    scenario, job = throttled_initial_cycle()
    scenario.provisioning.set_provisioning_status("Off")
    scenario.provisioning.save()
    scenario.clock.advance(minutes=1)
    assert not job.cycle_suspended and scenario.elevate.store.count("User") == 3
    assert scenario.clock.next_due() is None
    assert job.status.code is SynchronizationStatusCode.PAUSED


def test_restart_during_a_throttled_cycle_drops_it_and_starts_again() -> None:
    scenario, job = throttled_initial_cycle()
    finished: list[Any] = []
    job.cycle_listeners.append(finished.append)
    job.restart()
    assert not job.cycle_suspended and job.cycles_run == 1
    assert scenario.elevate.store.count("User") == 3
    assert not job.status.cycle_in_progress
    # "Cycle finished" hears of the dropped cycle too: it sent three requests, as its own.
    dropped, restarted = finished
    assert (dropped.kind, restarted.kind) == (CycleKind.INITIAL, CycleKind.INITIAL)
    assert dropped.cycle_id != restarted.cycle_id
    assert dropped.requests == 3 and dropped.statistics.created == 1
    sent_by = [e.origin.run_id for e in scenario.recorder]
    assert sent_by == [dropped.cycle_id] * 3 + [restarted.cycle_id] * restarted.requests


def test_a_timeout_is_escrowed_and_retried_in_the_next_cycle() -> None:
    scenario = build_scenario(
        faults=["slow"],
        fault_options={
            "slow_delay": 45.0,
            "slow_timeout_after": 30.0,
            "slow_start": 1,
            "slow_count": 1,
        },
    )
    (wes,) = people(scenario, 1, "w")
    job = scenario.start()
    (entry,) = job.log.query(status="failure")
    assert entry.error_code == "Timeout" and wes.object_id in job.escrows
    scenario.clock.advance(minutes=40)
    assert not job.escrows and scenario.elevate.store.count("User") == 1


# --- provision on demand -------------------------------------------------------------------


def test_provision_on_demand_one_user_shows_the_steps_and_ignores_the_flag() -> None:
    scenario = build_scenario()
    (yan,) = people(scenario, 1, "y")
    scenario.configure(tenant_url=FLAGGED_TENANT_URL)
    scenario.provisioning.save()
    job = scenario.new_job()
    finished: list[Any] = []
    job.on_demand_listeners.append(finished.append)
    result = job.provision_on_demand(yan.object_id)
    assert result.succeeded
    assert [(s.name, s.status) for s in result.steps] == [
        ("Import user", "Success"),
        ("Determine if user is in scope", "Success"),
        ("Match user between source and target system", "Success"),
        ("Perform action", "Success"),
    ]
    (entry,) = result.entries
    assert entry.initiated_by.display_name == "Provision on demand"
    assert entry.initiated_by.initiator_type == "user"
    # Every request, its own Test connection probe included, says provision on demand sent
    # it, under the cycleId its log entry carries; "on demand finished" is told the same.
    assert {e.origin for e in scenario.recorder} == {
        RequestOrigin(OriginKind.ON_DEMAND, entry.cycle_id)
    }
    assert [(o.cycle_id, o.requests, o.statistics.created) for o in finished] == [
        (entry.cycle_id, 3, 1)
    ]
    # A change, then on demand again: the PATCH is in the default dialect (S2).
    scenario.directory.update_user(yan.object_id, job_title="Chef")
    scenario.tenant.clock.advance(seconds=1)
    job.provision_on_demand(yan.object_id)
    (patch,) = scenario.recorder.of("PATCH", "Users")
    assert patch.body["Operations"] == [{"op": "Add", "path": "title", "value": "Chef"}]
    assert job.cycles_run == 0  # on demand is not a cycle


def test_provision_on_demand_picks_up_to_five_members_of_a_larger_group() -> None:
    # S10: "you can search for a group and pick up to five users".
    scenario = build_scenario()
    crew = people(scenario, 7)
    small = scenario.directory.add_group("Small", members=[u.object_id for u in crew[:2]])
    large = scenario.directory.add_group("Large", members=[u.object_id for u in crew])
    unassigned = scenario.directory.add_group("Unassigned")
    scenario.assign(small.object_id, large.object_id)
    scenario.configure()
    scenario.provisioning.save()
    job = scenario.new_job()
    with pytest.raises(PortalError, match="pick up to 5 of the 7 members of 'Large'"):
        job.provision_on_demand(large.object_id)
    with pytest.raises(PortalError, match="up to 5 members of a group; 6 were picked"):
        job.provision_on_demand(large.object_id, [u.object_id for u in crew[:6]])
    picked = job.provision_on_demand(large.object_id, [crew[6].object_id, crew[3].object_id])
    assert picked.succeeded
    assert [s.name for s in picked.steps].count("Import user") == 2
    members = sorted(m["value"] for m in scenario.target(large.object_id, "Group")["members"])
    assert members == sorted(scenario.target_id(u.object_id) for u in (crew[3], crew[6]))
    assert crew[0].object_id not in job.connector
    result = job.provision_on_demand(small.object_id)
    assert result.succeeded
    names = [s.name for s in result.steps]
    assert names.count("Import user") == 2 and "Import group" in names
    assert "Match group between source and target system" in names
    group = scenario.target(small.object_id, "Group")
    assert len(group["members"]) == 2
    # A group outside the scope is shown as skipped, and nothing is sent for it.
    mark = scenario.recorder.mark()
    skipped = job.provision_on_demand(unassigned.object_id)
    assert ("Determine if group is in scope", "Skipped") in [
        (s.name, s.status) for s in skipped.steps
    ]
    assert [e.method for e in scenario.recorder.since(mark)] == ["GET"]  # the connection test


def test_provision_on_demand_cannot_find_users_deleted_or_disabled_in_entra() -> None:
    # S10: "it doesn't support disabling or deleting users that have been disabled or
    # deleted from Microsoft Entra ID. Those users don't appear when you search for a user."
    scenario = build_scenario()
    gone, off, on = people(scenario, 3)
    team = scenario.directory.add_group("Team", members=[u.object_id for u in (gone, off, on)])
    scenario.assign(team.object_id)
    scenario.configure()
    scenario.provisioning.save()
    job = scenario.new_job()
    scenario.directory.delete_user(gone.object_id)
    scenario.directory.update_user(off.object_id, account_enabled=False)
    for user in (gone, off):
        with pytest.raises(PortalError, match="disabled or deleted in Microsoft Entra ID"):
            job.provision_on_demand(user.object_id)
        with pytest.raises(PortalError, match="No member of 'Team'"):
            job.provision_on_demand(team.object_id, [user.object_id])
    result = job.provision_on_demand(team.object_id)
    assert [s.name for s in result.steps].count("Import user") == 1
    assert set(job.connector) == {on.object_id, team.object_id}
    assert scenario.recorder.of("PATCH", "Users") == []


def test_roles_are_not_provisioned_on_demand() -> None:
    # S10: "On-demand provisioning of roles isn't supported." (roles: the generic template)
    scenario = build_scenario(linkedin_connector_template=False)
    draft = scenario.provisioning.open_attribute_mapping("User")
    draft.add_mapping(
        AttributeMapping.of_expression("AppRoleAssignmentsComplex([appRoleAssignments])", "roles")
    )
    scenario.provisioning.save_attribute_mapping(draft)
    (ann, bob) = people(scenario, 2)
    scenario.configure()
    scenario.provisioning.save()
    job = scenario.new_job()
    assert job.provision_on_demand(ann.object_id).succeeded
    (on_demand,) = scenario.recorder.of("POST", "Users")
    # §1: a POST carries "roles": [] when no role is mapped.
    assert on_demand.body["roles"] == []
    scenario.provisioning.set_provisioning_status("On")
    scenario.provisioning.save()
    (in_a_cycle,) = [
        e
        for e in scenario.recorder.of("POST", "Users")
        if e.body["userName"] == bob.user_principal_name
    ]
    assert in_a_cycle.body["roles"]


def test_provision_on_demand_is_limited_to_five_requests_per_ten_seconds() -> None:
    scenario = build_scenario()
    (zoe,) = people(scenario, 1, "z")
    scenario.configure()
    scenario.provisioning.save()
    job = scenario.new_job()
    for _ in range(5):
        job.provision_on_demand(zoe.object_id)
    with pytest.raises(PortalError, match="5 requests per 10 seconds"):
        job.provision_on_demand(zoe.object_id)
    scenario.clock.advance(seconds=10)
    assert job.provision_on_demand(zoe.object_id).succeeded
    with pytest.raises(PortalError, match="No user or group"):
        scenario.clock.advance(seconds=10)
        job.provision_on_demand("00000000-0000-4000-8000-000000000000")


def test_provision_on_demand_shows_test_connection_only_when_it_fails() -> None:
    scenario = build_scenario()
    (abe,) = people(scenario, 1, "a")
    scenario.configure()
    scenario.provisioning.save()
    job = scenario.new_job()
    revoke_token(scenario)
    result = job.provision_on_demand(abe.object_id)
    assert not result.succeeded
    (step,) = result.steps
    assert step.name == "Test connection" and step.status == "Failure" and "401" in step.description
    assert scenario.elevate.store.count("User") == 0


# --- logs and Synchronization Details ------------------------------------------------------


def test_logs_are_queryable_and_export_as_graph_json_and_three_csv_files() -> None:
    scenario = build_scenario(
        faults=["5xx-burst"], fault_options={"burst_start": 4, "burst_count": 1}
    )
    crew = people(scenario, 3)
    job = scenario.start()
    assert len(job.log) == 3
    failed = job.log.query(status="Failure")
    assert [e.error_code for e in failed] == ["InternalServerError"]
    # Graph's failed-create example logs the attempted action: the failure is a "create" too.
    assert len(job.log.query(action="create")) == 3
    assert len(job.log.query(action="create", status="Success")) == 2
    assert job.log.query(user=crew[0].user_principal_name.upper())
    assert job.log.query(error_code="internalservererror") == failed
    exported = json.loads(job.log.to_json())
    assert len(exported) == 3
    first = exported[0]
    assert set(first) >= {
        "id",
        "activityDateTime",
        "jobId",
        "cycleId",
        "changeId",
        "sourceIdentity",
        "targetIdentity",
        "provisioningSteps",
        "provisioningStatusInfo",
        "provisioningAction",
        "modifiedProperties",
    }
    assert first["jobId"] == job.job_id and first["activityDateTime"].endswith("Z")
    assert len({e["cycleId"] for e in exported}) == 1  # one initial cycle
    assert {e["provisioningStatusInfo"]["status"] for e in exported} == {"success", "failure"}
    files = job.log.to_csv()
    assert set(files) == {CSV_SUMMARY, CSV_STEPS, CSV_MODIFIED_PROPERTIES}
    summary = list(csv.DictReader(io.StringIO(files[CSV_SUMMARY])))
    steps = list(csv.DictReader(io.StringIO(files[CSV_STEPS])))
    assert {r["changeId"] for r in steps} == {r["changeId"] for r in summary}
    assert [r["errorInformation.errorCode"] for r in summary].count("InternalServerError") == 1


def test_synchronization_details_count_what_the_cycles_did() -> None:
    scenario = build_scenario()
    crew = people(scenario, 3)
    group = scenario.directory.add_group("Team", members=[u.object_id for u in crew[:2]])
    scenario.assign(group.object_id)
    job = scenario.start()
    details = job.synchronization_details()
    assert details["users"] == 3 and details["groups"] == 1
    assert details["statisticsToDate"] == {
        "created": 4,
        "updated": 1,  # the membership PATCHes of the group, as one update
        "deleted": 0,
        "disabled": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert details["currentCycle"] == "Initial" and not details["cycleInProgress"]
    assert details["percentComplete"] == 100 and details["jobId"] == job.job_id
    scenario.directory.delete_user(crew[2].object_id)
    scenario.clock.advance(minutes=40)
    scenario.clock.advance(days=30)
    scenario.clock.advance(minutes=40)  # the cycle after the DELETE has nothing to do
    details = job.synchronization_details()
    assert details["statisticsToDate"]["disabled"] == 1
    assert details["statisticsToDate"]["deleted"] == 1
    # S5: the connector data store count never goes down.
    assert details["users"] == 3
    assert details["steadyState"] and details["currentCycle"] == "Incremental"
    text = job.status.render_text()
    assert "Users: 3" in text and f"Job ID: {job.job_id}" in text
    graph = job.status.to_graph_json()
    assert graph["code"] == "Active" and graph["lastExecution"]["state"] == "Succeeded"


def test_a_thousand_user_tenant_reaches_steady_state_and_then_sends_nothing() -> None:
    started = time.perf_counter()
    scenario = build_scenario(seats=1200)
    scenario.tenant.build_directory(users=1000, groups=20)
    scenario.provisioning.set_scope("Sync all users and groups")
    job = scenario.start()
    initial_seconds = time.perf_counter() - started
    # Sync all: every enabled user is created; disabled ones are skipped (§2 "Scope").
    enabled = [u.object_id for u in scenario.directory.users() if u.account_enabled]
    assert scenario.elevate.store.count("User") == len(enabled) > 900
    skipped = {e.source_identity.id for e in job.log.query(status="skipped")}
    assert len(skipped) == 1000 - len(enabled)
    assert scenario.elevate.store.count("Group") == 20
    assert not job.escrows and job.synchronization_details()["steadyState"] is False
    # The next cycle finds nothing to do: steady state, and not one request.
    mark = scenario.recorder.mark()
    scenario.clock.advance(minutes=40)
    assert scenario.recorder.since(mark) == []
    assert job.synchronization_details()["steadyState"]
    # One change costs one request.
    scenario.directory.update_user(enabled[0], job_title="Changed in HR")
    scenario.clock.advance(minutes=40)
    assert len(scenario.recorder.since(mark)) == 1
    print(
        f"\n1,000-user initial cycle with 20 groups: {initial_seconds:.2f} s wall, "
        f"{len(scenario.recorder)} requests"
    )
    assert initial_seconds < 20


def test_a_given_outbox_is_used_even_while_it_is_empty() -> None:
    scenario = build_scenario()
    mine = Outbox(now=scenario.clock.now)
    assert scenario.new_job(outbox=mine).outbox is mine


def test_job_ids_are_version_4_uuids_drawn_from_the_seeded_stream() -> None:
    scenario = build_scenario()
    job = scenario.new_job()
    twin = random.Random()
    twin.setstate(job.rng.getstate())
    for _ in range(2000):
        drawn = job.new_uuid()
        assert drawn == str(uuid.UUID(int=twin.getrandbits(128), version=4))
        assert uuid.UUID(drawn).version == 4


# --- the garbage collector during a cycle -------------------------------------------------


class _ThresholdSpy(httpx.BaseTransport):
    """Notes the collector's thresholds as each request of a cycle goes out (Test Connection,
    clicked before Save, is no cycle's)."""

    def __init__(self, inner: httpx.BaseTransport, *, fail: bool = False) -> None:
        self.inner = inner
        self.fail = fail
        self.seen: list[tuple[int, int, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        origin = request.extensions.get(ORIGIN_EXTENSION)
        if origin is not None and origin.kind is OriginKind.TEST_CONNECTION:
            return self.inner.handle_request(request)
        self.seen.append(gc.get_threshold())
        if self.fail:
            raise RuntimeError("the transport broke")
        return self.inner.handle_request(request)


@pytest.fixture
def default_thresholds() -> Any:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("default_thresholds")
def test_a_cycle_collects_young_objects_less_often_and_restores_the_thresholds() -> None:
    scenario = build_scenario()
    people(scenario, 3)
    spy = _ThresholdSpy(scenario.recorder)
    scenario.provisioning.transport = spy
    scenario.start()
    assert spy.seen and set(spy.seen) == {(50_000, 20, 1_000)}
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("default_thresholds")
def test_the_thresholds_come_back_when_a_cycle_fails_and_none_leaves_them_alone() -> None:
    scenario = build_scenario()
    people(scenario, 1)
    scenario.provisioning.transport = _ThresholdSpy(scenario.recorder, fail=True)
    with pytest.raises(RuntimeError, match="transport broke"):
        scenario.start()
    assert gc.get_threshold() == (700, 10, 10)

    untouched = build_scenario()
    people(untouched, 1)
    spy = _ThresholdSpy(untouched.recorder)
    untouched.provisioning.transport = spy
    untouched.start(settings=EngineSettings(collector_thresholds_during_cycles=None))
    assert set(spy.seen) == {(700, 10, 10)}


class RefusingGroupPatches(httpx.BaseTransport):
    """Fake Elevate, except that every PATCH to a group answers 500: member updates fail."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and "/Groups/" in request.url.path:
            return httpx.Response(500)
        return self.inner.handle_request(request)


def member_failures(groups: int) -> tuple[Scenario, ProvisioningJob]:
    """``groups`` assigned groups of one member each, whose member PATCHes all fail."""
    scenario = build_scenario()
    scenario.recorder.inner = RefusingGroupPatches(scenario.recorder.inner)
    for i in range(groups):
        member = scenario.add_user(f"m{i}", f"M{i}", "Member")
        scenario.assign(scenario.add_group(f"Team {i}", member).object_id)
    # Scaled down: escrows evaluated from 1 failure; 40,000 becomes 4 and 60,000 becomes 6.
    job = scenario.start(settings=EngineSettings(escrow_scale=0.0001))
    return scenario, job


def test_reference_failures_do_not_count_toward_the_40_percent_and_40000_thresholds() -> None:
    scenario, job = member_failures(5)
    # S4: "Reference failures won't be counted as part of the 40% threshold or 40,000
    # threshold ... failure to update ... a group member is a reference failure."
    assert len(job.escrows) == 5 and all(held.reference for held in job.escrows.values())
    assert not job.status.escrows_pruned
    assert job.status.code is SynchronizationStatusCode.ACTIVE
    scenario.clock.advance(minutes=40)  # an incremental cycle retries them, and fails again
    assert len(job.escrows) == 5 and job.quarantine_reason() is None
    # They still count toward the absolute 60,000 ("both reference and non-reference
    # failures"); in the initial cycle a threshold prunes the escrows and pauses the job.
    _, capped = member_failures(7)
    assert capped.status.escrows_pruned and not capped.escrows
    assert capped.status.code is SynchronizationStatusCode.PAUSED


def _initial_cycle(seed: int, settings: EngineSettings | None = None) -> ProvisioningJob:
    scenario = build_scenario(seed=seed)
    people(scenario, 20)
    return scenario.start(settings=settings)


def test_a_cycle_takes_virtual_time_per_object_and_the_next_starts_40_minutes_after() -> None:
    # S5 "How long will it take to provision users": 0.01 to 0.08 minutes per object.
    job = _initial_cycle(seed=1)
    execution = job.status.last_execution
    assert execution is not None
    minutes = execution.duration.total_seconds() / 60
    assert 0.01 * 20 <= minutes <= 0.08 * 20
    assert job.clock.now() == execution.time_ended
    assert job.next_cycle_due == execution.time_ended + timedelta(minutes=40)
    logged = job.log.query(since=execution.time_began)
    assert len(logged) == 20
    # Each entry lasts the cycle's pace; the entries follow one another.
    (pace,) = {entry.duration_in_milliseconds for entry in logged}
    assert pace == round(minutes * 60_000 / 20)
    times = sorted(entry.activity_date_time for entry in logged)
    assert times[0] == execution.time_began and len(set(times)) == 20
    # Deterministic for a seed; another seed draws another pace.
    again = _initial_cycle(seed=1).status.last_execution
    other = _initial_cycle(seed=2).status.last_execution
    assert again is not None and other is not None
    assert again.duration == execution.duration != other.duration


def test_cycles_take_no_time_when_minutes_per_object_is_zero() -> None:
    job = _initial_cycle(seed=1, settings=EngineSettings(minutes_per_object=(0, 0)))
    execution = job.status.last_execution
    assert execution is not None and execution.duration == timedelta(0)
