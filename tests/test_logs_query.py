"""fake_entra.logs.query: the portal's filters over log entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from logs_support import create_user, new_log, user

from fake_entra.clock import EPOCH, VirtualClock
from fake_entra.logs import ProvisioningLog, ProvisioningResult
from fake_entra.logs.query import filter_entries


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def log(clock: VirtualClock) -> ProvisioningLog:
    return new_log(clock)


def test_query_filters(log: ProvisioningLog, clock: VirtualClock) -> None:
    bill = create_user(log, clock, "Bill Bob", cycle="cycle-1")
    clock.advance(hours=1)
    ann = create_user(log, clock, "Ann Lee", cycle="cycle-2", fail=True)
    clock.advance(hours=1)
    skipped = log.begin(cycle_id="cycle-2", source_identity=user("Carl Day")).skip("OutOfScope")

    assert log.query(user="BILL") == [bill]
    assert log.query(user="ann.lee@CONTOSO.com") == [ann]  # UPN in the identity details
    assert log.query(user="scim-bill.bob") == [bill]  # the target identity's id
    assert log.query(user="nobody") == []
    assert log.query(action="create") == [bill, ann]
    assert log.query(action="Other") == [skipped]  # the portal's value works too
    assert log.query(status="Failure") == [ann]
    assert log.query(status=ProvisioningResult.SKIPPED) == [skipped]
    assert log.query(cycle_id="cycle-2") == [ann, skipped]
    assert log.query(since=EPOCH + timedelta(hours=1)) == [ann, skipped]
    assert log.query(until=EPOCH + timedelta(hours=1)) == [bill]
    assert log.query(error_code="entryconflict") == [ann]
    assert log.query(error_code="OutOfScope") == [skipped]
    assert log.query(cycle_id="cycle-2", status="failure", user="ann") == [ann]
    with pytest.raises(ValueError):
        log.query(status="exploded")


def test_filter_entries_reads_any_iterable_and_keeps_its_order(clock: VirtualClock) -> None:
    first, second = new_log(clock), new_log(clock)
    ann = create_user(first, clock, "Ann Lee")
    bob = create_user(second, clock, "Bob Ray", fail=True)
    cid = create_user(first, clock, "Cid Moe")
    merged = [bob, ann, cid]
    assert filter_entries(iter(merged)) == merged
    assert filter_entries(entry for entry in merged if entry is not cid) == [bob, ann]
    assert filter_entries(merged, status="success") == [ann, cid]
    assert filter_entries(merged, user="RAY") == [bob]
    assert filter_entries(merged, action="create", error_code="EntryConflict") == [bob]
    assert filter_entries([], user="anyone") == []
