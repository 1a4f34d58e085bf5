"""Monitoring: Synchronization Details, provisioning logs, quarantine, Restart, on demand.

The tutorial's closing outcomes (linkedin-scim.md §6): Synchronization Details show the
progress and link to the provisioning activity logs; a job whose calls keep failing is
quarantined and its Notification Email gets one email from azure-noreply@microsoft.com;
Restart starts a new initial cycle; accidental deletions prevention holds mass deletes
back; provision on demand runs one user now (entra §2-3).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pytest_bdd import given, then

from harness.steps.wording import action, pairs, pattern, quoted, rows

if TYPE_CHECKING:
    from harness.world import World

#: The portal's labels for the fields of Synchronization Details (Current Status).
_DETAILS: dict[str, tuple[str, ...]] = {
    "Status": ("status",),
    "Current cycle": ("currentCycle",),
    "Percent complete": ("percentComplete",),
    "Users": ("users",),
    "Groups": ("groups",),
    "Created": ("statisticsToDate", "created"),
    "Updated": ("statisticsToDate", "updated"),
    "Deleted": ("statisticsToDate", "deleted"),
    "Disabled": ("statisticsToDate", "disabled"),
    "Skipped": ("statisticsToDate", "skipped"),
    "Failed": ("statisticsToDate", "failed"),
    "Steady state": ("steadyState",),
    "Quarantine reason": ("quarantineReason",),
    "Last cycle completed": ("lastCycleCompleted",),
}


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


# -- Synchronization Details ------------------------------------------------------------------


@then("Synchronization Details show:")
def synchronization_details(world: World, datatable: list[list[str]]) -> None:
    """``| field | value |`` rows: Status, Current cycle, Percent complete, Users, Groups,
    Created, Updated, Deleted, Disabled, Skipped, Failed, Steady state, Quarantine reason,
    Last cycle completed. Absent values read "(none)", booleans "Yes"/"No"."""
    details: Any = world.job.synchronization_details()
    for label, wanted in pairs(datatable).items():
        if label not in _DETAILS:
            raise AssertionError(f"Synchronization Details has no field {label!r}.")
        value = details
        for key in _DETAILS[label]:
            value = value[key]
        assert _shown(value) == wanted, f"{label} is {_shown(value)}, not {wanted}."


@then(pattern("the last cycle took between {low} and {high} minutes per object"))
def cycle_took(world: World, low: str, high: str) -> None:
    """S5: a cycle takes 0.01 to 0.08 minutes per object; here, per log entry it wrote."""
    bounds = []
    for text in (low, high):
        try:
            bounds.append(float(text))
        except ValueError:
            raise AssertionError(f"{text!r} is no number of minutes, as in 0.08.") from None
    execution = world.job.status.last_execution
    assert execution is not None, "No cycle has run."
    objects = sum(
        entry.activity_date_time < execution.time_ended
        for entry in world.job.log.query(since=execution.time_began)
    )
    minutes = execution.duration.total_seconds() / 60
    assert objects and bounds[0] * objects <= minutes <= bounds[1] * objects, (
        f"The last cycle took {minutes:.3f} minutes for {objects} objects."
    )


@then(pattern("the next cycle is due {minutes:d} minutes after the last one ended"))
def next_cycle_due(world: World, minutes: int) -> None:
    """§2 "Cadence": the next cycle starts about 40 minutes after the last one ends."""
    execution = world.job.status.last_execution
    assert execution is not None, "No cycle has run."
    due = world.job.next_cycle_due
    assert due == execution.time_ended + timedelta(minutes=minutes), (
        f"The next cycle is due at {due}; the last one ended at {execution.time_ended}."
    )


@then(pattern('the Current Status reads "{line}"'))
def current_status_line(world: World, line: str) -> None:
    """A line of the Current Status section as the portal renders it."""
    text = world.job.status.render_text()
    assert line in text.splitlines(), f"The Current Status reads:\n{text}"


# -- provisioning logs ------------------------------------------------------------------------


@then(
    pattern(
        'the provisioning logs show a "{action:Action}" entry for "{name}" with status "{status:Status}"'
    )
)
@then(
    pattern(
        'the provisioning logs show an "{action:Action}" entry for "{name}" with status "{status:Status}"'
    )
)
def log_entry(world: World, action: str, name: str, status: str) -> None:
    """An entry with that action (Create, Update, Disable, Delete, StagedDelete, Other) and
    status (Success, Failure, Skipped, Warning)."""
    _entry(world, action, name, status)


@then(
    pattern(
        'the provisioning logs show a "{action:Action}" entry for "{name}" with status "{status:Status}" and '
        'the error code "{code}"'
    )
)
@then(
    pattern(
        'the provisioning logs show an "{action:Action}" entry for "{name}" with status "{status:Status}" and '
        'the error code "{code}"'
    )
)
def log_entry_with_code(world: World, action: str, name: str, status: str, code: str) -> None:
    """The same, with the entry's error or skip code (e.g. NotEffectivelyEntitled)."""
    entry = _entry(world, action, name, status)
    assert entry.error_code == code, f"The entry's error code is {entry.error_code}."


def _entry(world: World, action: str, name: str, status: str) -> Any:
    found = world.log_entries(name, action, status)
    if not found:
        seen = [
            f"{e.action_display}/{e.status_display}/{e.error_code}" for e in world.log_entries(name)
        ]
        raise AssertionError(f'No "{action}" entry with status "{status}" for {name}; {seen}.')
    return found[-1]


@then(pattern('the provisioning logs show a failure for "{name}" with the error code "{code}"'))
def log_failure(world: World, name: str, code: str) -> None:
    """A Failure entry with that error code (InternalServerError, DuplicateTargetEntries,
    ...); the entry's error information carries the reason and the recommended action."""
    found = [e for e in world.log_entries(name, status="Failure") if e.error_code == code]
    seen = [
        f"{e.action_display}/{e.status_display}/{e.error_code}" for e in world.log_entries(name)
    ]
    assert found, f"No failure with the error code {code} for {name}; {seen}."
    assert found[-1].error is not None and found[-1].error.recommended_action, (
        "The failure carries no recommended action."
    )


@then(pattern('the provisioning logs show {count:d} "{action:Action}" entries'))
def log_entry_count(world: World, count: int, action: str) -> None:
    """How many entries of one action the logs hold."""
    found = world.job.log.query(action=action)
    assert len(found) == count, f'The logs hold {len(found)} "{action}" entries.'


@then(pattern('the provisioning logs have no entry for "{name}"'))
def no_log_entry(world: World, name: str) -> None:
    """Nothing was logged about the object: it was never in scope."""
    found = world.log_entries(name)
    assert not found, f"{len(found)} entries for {name}: {[e.action_display for e in found]}."


@then(pattern('the provisioning log entry for "{name}" has the steps:'))
def log_steps(world: World, name: str, datatable: list[list[str]]) -> None:
    """The newest entry's steps: ``| step | status |`` (EntryImport, EntrySynchronizationScoping,
    EntrySynchronizationAdd, EntryExportAdd, ...)."""
    entries = world.log_entries(name)
    assert entries, f"No entry for {name}."
    steps = [
        {"step": step.name, "status": step.status.display}
        for step in entries[-1].provisioning_steps
    ]
    wanted = rows(datatable)
    steps = [{key: row[key] for key in wanted[0]} for row in steps]
    assert steps == wanted, f"The steps are {steps}."


@then(pattern('the provisioning log entry for "{name}" shows "{detail}" as "{value}"'))
def log_detail(world: World, name: str, detail: str, value: str) -> None:
    """A detail of the newest entry's steps, e.g. IsEffectivelyEntitledForProvisioning."""
    entries = world.log_entries(name)
    assert entries, f"No entry for {name}."
    details = {k: v for step in entries[-1].provisioning_steps for k, v in step.details.items()}
    assert details.get(detail) == value, f"{detail} is {details.get(detail)!r}; {details}"


def _newest_failure(world: World, name: str) -> Any:
    found = world.log_entries(name, status="Failure")
    assert found and found[-1].error is not None, f"No failure for {name}."
    return found[-1].error


@then(pattern('the failure for "{name}" reads "{text}"'))
def failure_reads(world: World, name: str, text: str) -> None:
    """The newest failure's reason holds ``text``: "StatusCode: BadRequest", "Web Response:",
    "This operation was retried 0 times", as tenants see them."""
    reason = _newest_failure(world, name).reason
    assert text in reason, f"The reason reads: {reason}"


@then(pattern('the failure for "{name}" recommends "{text}"'))
def failure_recommends(world: World, name: str, text: str) -> None:
    """The newest failure's recommended action, in full (it names the retry delay in force)."""
    action = _newest_failure(world, name).recommended_action
    assert action == text, f"The recommended action reads: {action}"


@then(pattern('the provisioning log entry for "{name}" was initiated by "{initiator}"'))
def log_initiator(world: World, name: str, initiator: str) -> None:
    """``initiatedBy``: "Azure AD Provisioning Service" for a cycle."""
    entries = world.log_entries(name)
    assert entries, f"No entry for {name}."
    shown = entries[-1].initiated_by.display_name
    assert shown == initiator, f"The entry was initiated by {shown!r}."


@then(pattern('the provisioning log entry for "{name}" names the service principal "{app}"'))
def log_service_principal(world: World, name: str, app: str) -> None:
    """``servicePrincipal`` and ``targetSystem.details`` name the application's service
    principal."""
    entries = world.log_entries(name)
    assert entries, f"No entry for {name}."
    data = entries[-1].to_json()
    principal = world.application.object_id
    assert data["servicePrincipal"] == {"id": principal, "displayName": app}, data
    details = data["targetSystem"]["details"]
    assert details.get("ServicePrincipalId") == principal, details
    assert details.get("ServicePrincipalDisplayName") == app, details
    assert details.get("ApplicationId") == world.application.app_id, details


@then(pattern('a step of the provisioning log entry for "{name}" reads "{text}"'))
def log_step_reads(world: World, name: str, text: str) -> None:
    """A step description of the newest entry holds ``text`` ("was created in LinkedIn
    Elevate")."""
    entries = world.log_entries(name)
    assert entries, f"No entry for {name}."
    descriptions = [step.description for step in entries[-1].provisioning_steps]
    assert any(text in d for d in descriptions), f"The steps read {descriptions}."


# -- quarantine and its email -----------------------------------------------------------------


@given(pattern("the escrow thresholds are scaled by {factor:f}"))
def escrow_scale(world: World, factor: float) -> None:
    """Multiply the 5,000 / 40% / 40,000 / 60,000 escrow thresholds by ``factor``, so that a
    scenario can reach them (EngineSettings.escrow_scale)."""
    world.job.settings = dataclasses.replace(world.job.settings, escrow_scale=factor)


@then(pattern('provisioning is quarantined with the reason "{reason}"'))
def quarantined(world: World, reason: str) -> None:
    """Graph ``synchronizationQuarantine.reason``: EncounteredQuarantineException,
    TooManyDeletes, EncounteredEscrowProportionThreshold, ..."""
    assert world.job.quarantine_reason() == reason, (
        f"The quarantine reason is {world.job.quarantine_reason()}."
    )


@then("provisioning is not quarantined")
def not_quarantined(world: World) -> None:
    """No quarantine, or it was lifted."""
    assert world.job.quarantine_reason() is None, world.job.quarantine_reason()


@then(pattern("the next attempt is {hours:d} hours after the quarantine began"))
def next_attempt(world: World, hours: int) -> None:
    """Quarantined jobs retry 6, 12 and 24 hours after the first failure, then daily."""
    quarantine = world.job.status.quarantine
    assert quarantine is not None, "Provisioning is not quarantined."
    gap = quarantine.next_attempt - quarantine.series_began
    assert gap == timedelta(hours=hours), f"The next attempt is {gap} after it began."


@then(pattern('"{address}" receives an email from "{sender}" with the subject "{subject}"'))
def email_received(world: World, address: str, sender: str, subject: str) -> None:
    """The quarantine notification, sent to the Notification Email."""
    emails = world.outbox.filter(to=address)
    assert emails, f"No email to {address}."
    assert any(e.sender == sender and e.subject == subject for e in emails), [
        (e.sender, e.subject) for e in emails
    ]


@then(pattern("{count:d} notification email has been sent"))
@then(pattern("{count:d} notification emails have been sent"))
def email_count(world: World, count: int) -> None:
    """One email per quarantine reason, however long the quarantine lasts."""
    assert len(world.outbox) == count, f"{len(world.outbox)} email(s) were sent."


@then("the provisioning job is disabled")
def job_disabled(world: World) -> None:
    """After four weeks in quarantine the job stops running."""
    assert world.job.disabled, "The job still runs."


@then("the audit log shows the activities:")
def audit_activities(world: World, datatable: list[list[str]]) -> None:
    """``| activity |`` rows, oldest first: the job's audit entries (Update provisioning
    setting or credentials, Enable/start, Disable/pause, Enable/restart provisioning
    configuration, Quarantine)."""
    wanted = [row["activity"] for row in rows(datatable)]
    shown = [str(entry.activity) for entry in world.job.audit]
    assert shown == wanted, f"The audit log shows {shown}."


# -- Restart, Allow deletes and provision on demand -------------------------------------------


@action("the admin restarts provisioning")
def restart(world: World) -> None:
    """Restart provisioning: a new initial cycle; watermark, escrows and quarantine cleared."""
    world.job.restart()


@action("the admin allows deletes")
def allow_deletes(world: World) -> None:
    """Accidental deletions: let the held-back deletes and disables go out."""
    world.job.allow_deletes()


@action('the admin provisions "{name}" on demand')
def provision_on_demand(world: World, name: str) -> None:
    """Provision on demand: one user, or a group with at most five members, now."""
    world.on_demand = world.job.provision_on_demand(world.principal_id(name))


@action('the admin tries to provision "{name}" on demand')
def try_provision_on_demand(world: World, name: str) -> None:
    """The same, keeping the portal's refusal for a Then step."""
    world.on_demand = world.attempt(
        "Provision on demand", lambda: world.job.provision_on_demand(world.principal_id(name))
    )


@action('the admin provisions "{name}" on demand, picking the members {names}')
def provision_on_demand_picking(world: World, name: str, names: str) -> None:
    """Provision on demand for a group: "search for a group and pick up to five users"."""
    picked = [world.users[member] for member in quoted(names)]
    world.on_demand = world.job.provision_on_demand(world.principal_id(name), picked)


@action('the admin tries to provision "{name}" on demand, picking the members {names}')
def try_provision_on_demand_picking(world: World, name: str, names: str) -> None:
    """The same, keeping the portal's refusal for a Then step."""
    picked = [world.users[member] for member in quoted(names)]
    world.on_demand = world.attempt(
        "Provision on demand",
        lambda: world.job.provision_on_demand(world.principal_id(name), picked),
    )


@then("provision on demand shows the steps:")
def on_demand_steps(world: World, datatable: list[list[str]]) -> None:
    """``| step | status |``: Import user, Determine if user is in scope, Match user between
    source and target system, Perform action."""
    result = world.on_demand
    assert result is not None, "Provision on demand was not run."
    wanted = rows(datatable)
    shown = [{"step": step.name, "status": step.status} for step in result.steps]
    shown = [{key: row[key] for key in wanted[0]} for row in shown]
    assert shown == wanted, f"Provision on demand shows {shown}."
