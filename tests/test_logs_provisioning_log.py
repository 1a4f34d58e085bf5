"""fake_entra.logs.provisioning_log: entries begun, built, written, heard and kept."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from logs_support import create_user, new_log, user

from fake_entra.clock import VirtualClock
from fake_entra.logs import (
    ProvisioningAction,
    ProvisioningLog,
    ProvisioningObjectSummary,
    ProvisioningResult,
    synchronization_skip_step,
)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def log(clock: VirtualClock) -> ProvisioningLog:
    return new_log(clock)


def test_entry_fields_come_from_the_log_the_clock_and_the_builder(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    entry = create_user(log, clock, "Bill Bob")
    data = entry.to_json()
    assert data["activityDateTime"] == "2026-01-05T09:00:00.000Z"
    assert data["durationInMilliseconds"] == 2000
    assert (data["tenantId"], data["jobId"], data["cycleId"]) == (
        "tenant-1",
        "scim.0123",
        "cycle-1",
    )
    assert data["changeId"] == "id-0001"
    assert data["id"] == "id-0002"
    assert data["initiatedBy"] == {
        "id": "",
        # Graph's provisioningObjectSummary list example.
        "displayName": "Azure AD Provisioning Service",
        "initiatorType": "system",
    }
    assert data["sourceSystem"]["displayName"] == "Azure Active Directory"
    assert data["targetSystem"]["details"] == {"ApplicationId": "app-1"}
    assert data["targetIdentity"]["id"] == "scim-bill.bob@contoso.com"
    assert data["modifiedProperties"] == [
        {"displayName": "userName", "oldValue": None, "newValue": "bill.bob@contoso.com"},
        {"displayName": "active", "oldValue": None, "newValue": "True"},
    ]
    assert data["provisioningStatusInfo"] == {"status": "success", "errorInformation": None}
    # S12 concept-provisioning-logs: a matching step goes before the scoping step, even
    # when the engine adds it after.
    assert [s["provisioningStepType"] for s in data["provisioningSteps"]] == [
        "import",
        "matching",
        "scoping",
        "export",
    ]


def test_skip_records_the_skip_reason_as_the_error_code(log: ProvisioningLog) -> None:
    identity = user("Bill Bob")
    entry = (
        log.begin(cycle_id="c", source_identity=identity)
        .step(synchronization_skip_step("User", "Bill Bob"))
        .skip("RedundantExport")
    )
    assert entry.status is ProvisioningResult.SKIPPED
    assert entry.provisioning_action is ProvisioningAction.OTHER
    error = entry.to_json()["provisioningStatusInfo"]["errorInformation"]
    assert error is not None
    assert error["errorCode"] == "RedundantExport"
    assert error["errorCategory"] is None
    assert error["reason"] == (
        "The state of the user in both the source and target systems already match. No change "
        "to the User 'Bill Bob' currently needs to be made."
    )
    custom = log.begin(cycle_id="c", source_identity=identity).skip(
        "ScopingFilter", 'Filtered by {"department": "Sales"}'
    )
    assert custom.error is not None
    assert (custom.error.error_code, custom.error.reason) == (
        "OutOfScope",
        'Filtered by {"department": "Sales"}',
    )
    with pytest.raises(ValueError, match="not a skip reason"):
        log.begin(cycle_id="c", source_identity=identity).skip("Timeout")


def test_builder_commits_once_and_validates_steps(log: ProvisioningLog) -> None:
    builder = log.begin(cycle_id="c", source_identity=user("A"))
    with pytest.raises(ValueError, match="provisioningStepType"):
        builder.step("EntryImport")
    builder.step("EntryImport", "import", "success", "Retrieved User 'a' from x", {"k": "v"})
    entry = builder.warn(action=ProvisioningAction.UPDATE)
    assert entry.status is ProvisioningResult.WARNING
    assert entry.provisioning_steps[0].details == {"k": "v"}
    with pytest.raises(RuntimeError, match="already written"):
        builder.succeed()
    assert len(log) == 1


def test_created_records_every_property_with_a_null_old_value(log: ProvisioningLog) -> None:
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    builder.modified("title", "Old", "New")
    returned = builder.created({"userName": "ada@contoso.com", "active": True, "manager": None})
    assert returned is builder
    entry = builder.succeed("create")
    assert [p.to_json() for p in entry.modified_properties] == [
        {"displayName": "title", "oldValue": "Old", "newValue": "New"},
        {"displayName": "userName", "oldValue": None, "newValue": "ada@contoso.com"},
        {"displayName": "active", "oldValue": None, "newValue": "True"},
        {"displayName": "manager", "oldValue": None, "newValue": None},
    ]
    # The same as one modified() call per property.
    other = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    other.modified("title", "Old", "New")
    for name, value in {"userName": "ada@contoso.com", "active": True, "manager": None}.items():
        other.modified(name, None, value)
    assert other.succeed().modified_properties == entry.modified_properties


def test_actions_are_taken_as_members_or_graph_values(log: ProvisioningLog) -> None:
    identity = user("Ada Lovelace")
    assert log.begin(cycle_id="c", source_identity=identity, action="update").succeed()
    entries = list(log)
    assert entries[-1].provisioning_action is ProvisioningAction.UPDATE
    entry = log.begin(cycle_id="c", source_identity=identity).succeed("stageddelete")
    assert entry.provisioning_action is ProvisioningAction.STAGED_DELETE
    entry = log.begin(cycle_id="c", source_identity=identity).succeed(ProvisioningAction.DELETE)
    assert entry.provisioning_action is ProvisioningAction.DELETE
    with pytest.raises(ValueError):
        log.begin(cycle_id="c", source_identity=identity).succeed("Nope")


def test_listeners_hear_every_written_entry_until_they_unsubscribe(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    heard: list[str] = []
    unsubscribe = log.subscribe(lambda entry: heard.append(entry.change_id))
    first = create_user(log, clock, "A")
    unsubscribe()
    unsubscribe()  # a second call is harmless
    create_user(log, clock, "B")
    assert heard == [first.change_id]


def test_many_entries_share_their_constant_parts(log: ProvisioningLog, clock: VirtualClock) -> None:
    first = create_user(log, clock, "A")
    second = create_user(log, clock, "B")
    assert first.initiated_by is second.initiated_by
    assert first.source_system is second.source_system
    assert first.provisioning_steps[2] is second.provisioning_steps[2]  # the scoping step (S12)
    assert first.provisioning_steps[0].details is second.provisioning_steps[0].details


def test_retention_prunes_on_the_injected_clock(clock: VirtualClock) -> None:
    counter = itertools.count()
    log = ProvisioningLog(
        now=clock.now,
        tenant_id="t",
        job_id="j",
        ids=lambda: str(next(counter)),
        retention=timedelta(days=7),
    )
    old = create_user(log, clock, "Old")
    clock.advance(days=6)
    middle = create_user(log, clock, "Middle")
    assert log.prune() == 0
    clock.advance(days=1, seconds=1)
    assert log.prune() == 1
    assert list(log) == [middle]
    assert old not in log.query()
    clock.advance(days=30)
    assert log.prune() == 1
    assert len(log) == 0


def test_retention_applies_as_the_clock_moves(log: ProvisioningLog, clock: VirtualClock) -> None:
    # S13: 30 days; no one has to prune: reading the log after the clock moved shows what
    # a tenant would still see.
    create_user(log, clock, "A")
    clock.advance(days=20)
    kept = create_user(log, clock, "B")
    clock.advance(days=10, seconds=1)
    assert list(log) == [kept] and len(log) == 1
    assert log.query() == [kept]
    assert '"A"' not in log.to_json()
    clock.advance(days=20)
    assert len(log) == 0 and log.to_csv() == log.to_csv([])


def test_a_cycle_longer_than_the_retention_keeps_exactly_the_unexpired_entries(
    clock: VirtualClock,
) -> None:
    # S5's pace puts a 1,000,000-user initial cycle at weeks of virtual time, so entries
    # expire while the cycle still writes: each read shows exactly those written within
    # the retention period (checked against the definition after every write).
    log = new_log(clock)
    log.retention = timedelta(minutes=4)
    written: list[ProvisioningObjectSummary] = []
    for index in range(120):
        written.append(create_user(log, clock, f"U{index}"))  # two seconds each
        clock.advance(seconds=3)
        cutoff = clock.now() - log.retention
        assert list(log) == [e for e in written if e.activity_date_time >= cutoff]
    assert 0 < len(log) < len(written)


def test_retention_drops_an_expired_entry_written_after_a_newer_one(
    clock: VirtualClock,
) -> None:
    # An entry's activityDateTime is when it began: one begun first and committed after
    # another is written out of order, and still expires on time.
    log = new_log(clock)
    log.retention = timedelta(days=1)
    first = create_user(log, clock, "First")
    slow = log.begin(cycle_id="cycle-1", source_identity=user("Slow"), action="create")
    clock.advance(hours=12)
    middle = create_user(log, clock, "Middle")
    late = slow.target("scim-slow", "slow@contoso.com").succeed()
    assert list(log) == [first, middle, late]
    clock.advance(hours=13)  # first and late (begun 25 h ago) expired, middle not
    assert list(log) == [middle]
    clock.advance(hours=12)
    third = create_user(log, clock, "Third")
    assert list(log) == [third]


def test_default_retention_is_thirty_days(log: ProvisioningLog, clock: VirtualClock) -> None:
    create_user(log, clock, "A")
    clock.advance(days=29)
    assert log.prune() == 0
    clock.advance(days=1, seconds=1)
    assert log.prune() == 1


def test_retention_must_be_positive(clock: VirtualClock) -> None:
    with pytest.raises(ValueError, match="positive"):
        ProvisioningLog(now=clock.now, tenant_id="t", job_id="j", ids=str, retention=timedelta(0))
