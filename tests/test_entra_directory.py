from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from fake_entra.clock import VirtualClock
from fake_entra.directory import (
    SOFT_DELETE_RETENTION,
    USER_SOURCE_ATTRIBUTES,
    ChangeJournal,
    ChangeKind,
    ChangeRecord,
    Directory,
    ObjectType,
    PortalError,
    random_uuid4,
)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def directory(clock: VirtualClock) -> Directory:
    return Directory(clock, random.Random(1))


def add(directory: Directory, name: str, **attributes: object):
    return directory.add_user(f"{name}@contoso.com", name.title(), **attributes)


def kinds(directory: Directory, since: int = 0) -> list[tuple[str, ChangeKind, str | None]]:
    return [(r.object_id, r.kind, r.related_id) for r in directory.journal.since(since)]


# -- users ------------------------------------------------------------------


def test_add_user_derives_mail_nickname_and_stamps_creation(directory: Directory, clock) -> None:
    user = directory.add_user("B.Simon@Contoso.com", "B. Simon", given_name="B", surname="Simon")
    assert user.user_principal_name == "B.Simon@contoso.com"
    assert user.mail_nickname == "B.Simon"
    assert user.account_enabled is True
    assert user.created_at == clock.now()
    assert directory.get_user(user.object_id) is user
    assert directory.find_user_by_upn("b.simon@CONTOSO.com") is user


def test_object_ids_come_from_the_seeded_generator(clock: VirtualClock) -> None:
    first = Directory(clock, random.Random(7)).add_user("a@contoso.com", "A")
    second = Directory(clock, random.Random(7)).add_user("a@contoso.com", "A")
    assert first.object_id == second.object_id


def test_user_principal_name_is_unique_case_insensitively(directory: Directory) -> None:
    add(directory, "alice")
    with pytest.raises(PortalError, match="same value for property userPrincipalName"):
        directory.add_user("ALICE@contoso.com", "Alice 2")


@pytest.mark.parametrize("upn", ["alice", "@contoso.com", "al ice@contoso.com", ".a@contoso.com"])
def test_malformed_user_principal_names_are_refused(directory: Directory, upn: str) -> None:
    with pytest.raises(PortalError, match="not a valid user principal name"):
        directory.add_user(upn, "Alice")


def test_user_principal_name_needs_a_verified_domain(directory: Directory) -> None:
    with pytest.raises(PortalError, match="verified domain names"):
        directory.add_user("alice@fabrikam.com", "Alice")
    directory.add_verified_domain("fabrikam.com")
    assert directory.add_user("alice@fabrikam.com", "Alice").user_principal_name.endswith(
        "@fabrikam.com"
    )
    # The initial onmicrosoft.com domain is always verified.
    directory.add_user("bob@contoso.onmicrosoft.com", "Bob")


def test_display_name_is_required(directory: Directory) -> None:
    with pytest.raises(PortalError, match="Display name is required"):
        directory.add_user("a@contoso.com", "  ")


def test_unknown_attributes_are_refused(directory: Directory) -> None:
    with pytest.raises(PortalError, match="Unknown user attribute"):
        directory.add_user("a@contoso.com", "A", shoe_size=42)


def test_source_attributes_use_entra_names(directory: Directory) -> None:
    boss = add(directory, "boss")
    user = add(
        directory,
        "alice",
        manager_id=boss.object_id,
        job_title="Engineer",
        department="Engineering",
        employee_id="1001",
        preferred_language="en-US",
        street_address="1 Main St",
        city="Redmond",
        state="WA",
        postal_code="98052",
        country="United States",
        telephone_number="+1 425 555 0100",
        mobile="+1 425 555 0101",
        proxy_addresses=["SMTP:alice@contoso.com"],
    )
    source = user.source_attributes()
    assert set(source) == USER_SOURCE_ATTRIBUTES
    assert source["objectId"] == user.object_id
    assert source["userPrincipalName"] == "alice@contoso.com"
    assert source["manager"] == boss.object_id
    assert source["jobTitle"] == "Engineer"
    assert source["employeeId"] == "1001"
    assert source["city"] == "Redmond"
    assert source["proxyAddresses"] == ["SMTP:alice@contoso.com"]
    assert source["IsSoftDeleted"] is False
    assert source["appRoleAssignments"] == []


def test_is_soft_deleted_defaults_to_the_users_own_state(directory: Directory) -> None:
    user = add(directory, "alice", account_enabled=False)
    assert user.source_attributes()["IsSoftDeleted"] is True
    # The application decides when it knows more (unassigned, out of scope).
    assert user.source_attributes(is_soft_deleted=False)["IsSoftDeleted"] is False


def test_update_user_journals_only_real_changes(directory: Directory) -> None:
    user = add(directory, "alice", department="Sales")
    mark = directory.journal.watermark
    directory.update_user(user.object_id, department="Sales")
    assert directory.journal.since(mark) == []
    directory.update_user(user.object_id, department="Marketing", account_enabled=False)
    assert kinds(directory, mark) == [(user.object_id, ChangeKind.UPDATED, None)]
    assert user.department == "Marketing"
    assert user.account_enabled is False


def test_renaming_the_upn_moves_the_index(directory: Directory) -> None:
    user = add(directory, "alice")
    add(directory, "bob")
    with pytest.raises(PortalError, match="already exists"):
        directory.update_user(user.object_id, user_principal_name="bob@contoso.com")
    directory.update_user(user.object_id, user_principal_name="alice.smith@contoso.com")
    assert directory.find_user_by_upn("alice@contoso.com") is None
    assert directory.find_user_by_upn("alice.smith@contoso.com") is user


def test_update_refuses_unknown_fields_and_empty_required_ones(directory: Directory) -> None:
    user = add(directory, "alice")
    with pytest.raises(PortalError, match="Unknown user attribute"):
        directory.update_user(user.object_id, object_id="x")
    with pytest.raises(PortalError, match="Display name is required"):
        directory.update_user(user.object_id, display_name="")
    with pytest.raises(PortalError, match="Mail nickname is required"):
        directory.update_user(user.object_id, mail_nickname="")


def test_manager_links(directory: Directory) -> None:
    boss = add(directory, "boss")
    user = add(directory, "alice")
    with pytest.raises(PortalError, match="own manager"):
        directory.set_manager(user.object_id, user.object_id)
    with pytest.raises(PortalError, match="does not exist"):
        directory.set_manager(user.object_id, "missing")
    directory.set_manager(user.object_id, boss.object_id)
    assert user.manager_id == boss.object_id
    assert directory.direct_reports(boss.object_id) == {user.object_id}
    directory.set_manager(user.object_id, None)
    assert directory.direct_reports(boss.object_id) == frozenset()


# -- soft delete, restore, purge --------------------------------------------


def test_soft_delete_moves_the_user_to_the_recycle_bin(directory: Directory, clock) -> None:
    user = add(directory, "alice")
    directory.delete_user(user.object_id)
    assert user.is_soft_deleted
    assert user.deleted_at == clock.now()
    assert list(directory.users()) == []
    assert list(directory.deleted_users()) == [user]
    assert directory.find_user_by_upn("alice@contoso.com") is None
    assert directory.get_user(user.object_id) is user
    assert directory.purge_date(user.object_id) == clock.now() + timedelta(days=30)
    assert kinds(directory)[-1] == (user.object_id, ChangeKind.SOFT_DELETED, None)
    with pytest.raises(PortalError, match="restore it first"):
        directory.update_user(user.object_id, department="Sales")
    with pytest.raises(PortalError, match="restore it first"):
        directory.delete_user(user.object_id)


def test_soft_deleted_user_is_purged_after_thirty_days(directory: Directory, clock) -> None:
    boss = add(directory, "boss")
    user = add(directory, "alice", manager_id=boss.object_id)
    report = add(directory, "bob", manager_id=user.object_id)
    group = directory.add_group("Sales", members=[user.object_id])
    directory.delete_user(user.object_id)
    mark = directory.journal.watermark
    clock.advance(SOFT_DELETE_RETENTION - timedelta(seconds=1))
    assert directory.find_user(user.object_id) is user
    clock.advance(seconds=1)
    assert directory.find_user(user.object_id) is None
    assert group.members == set()
    assert report.manager_id is None
    assert directory.direct_reports(boss.object_id) == frozenset()
    assert kinds(directory, mark) == [
        (group.object_id, ChangeKind.MEMBER_REMOVED, user.object_id),
        (report.object_id, ChangeKind.UPDATED, None),
        (user.object_id, ChangeKind.HARD_DELETED, None),
    ]
    with pytest.raises(PortalError, match="does not exist"):
        directory.get_user(user.object_id)


def test_restore_brings_the_user_back_and_cancels_the_purge(directory: Directory, clock) -> None:
    user = add(directory, "alice")
    group = directory.add_group("Sales", members=[user.object_id])
    directory.delete_user(user.object_id)
    clock.advance(days=10)
    directory.restore_user(user.object_id)
    assert not user.is_soft_deleted
    assert directory.find_user_by_upn("alice@contoso.com") is user
    assert directory.purge_date(user.object_id) is None
    assert user.object_id in group.members
    assert kinds(directory)[-1] == (user.object_id, ChangeKind.RESTORED, None)
    clock.advance(days=40)
    assert directory.find_user(user.object_id) is user


def test_restore_refuses_a_taken_upn_and_an_active_user(directory: Directory) -> None:
    user = add(directory, "alice")
    with pytest.raises(PortalError, match="is not deleted"):
        directory.restore_user(user.object_id)
    directory.delete_user(user.object_id)
    add(directory, "alice")
    with pytest.raises(PortalError, match="another user now has that user principal name"):
        directory.restore_user(user.object_id)


def test_permanent_delete_needs_a_soft_delete_first(directory: Directory, clock) -> None:
    user = add(directory, "alice")
    with pytest.raises(PortalError, match="must be deleted before"):
        directory.permanently_delete_user(user.object_id)
    directory.delete_user(user.object_id)
    directory.permanently_delete_user(user.object_id)
    assert directory.find_user(user.object_id) is None
    assert kinds(directory)[-1] == (user.object_id, ChangeKind.HARD_DELETED, None)
    # The purge timer was cancelled with it: nothing fires 30 days later.
    assert clock.advance(days=31) == 0


# -- groups -----------------------------------------------------------------


def test_groups_hold_direct_members_only(directory: Directory) -> None:
    alice, bob = add(directory, "alice"), add(directory, "bob")
    inner = directory.add_group("Inner", members=[bob.object_id])
    outer = directory.add_group("Outer", members=[alice.object_id, inner.object_id])
    assert outer.members == {alice.object_id, inner.object_id}
    assert directory.member_of(alice.object_id) == {outer.object_id}
    # Bob is in Outer only through Inner: not a direct member.
    assert directory.member_of(bob.object_id) == {inner.object_id}
    assert outer.source_attributes()["members"] == sorted([alice.object_id, inner.object_id])


def test_membership_rules(directory: Directory) -> None:
    alice = add(directory, "alice")
    group = directory.add_group("Sales", members=[alice.object_id])
    with pytest.raises(PortalError, match="already exist"):
        directory.add_member(group.object_id, alice.object_id)
    with pytest.raises(PortalError, match="member of itself"):
        directory.add_member(group.object_id, group.object_id)
    with pytest.raises(PortalError, match="No user or group"):
        directory.add_member(group.object_id, "missing")
    with pytest.raises(PortalError, match="Group name is required"):
        directory.add_group(" ")
    bob = add(directory, "bob")
    directory.delete_user(bob.object_id)
    with pytest.raises(PortalError, match="is deleted"):
        directory.add_member(group.object_id, bob.object_id)
    with pytest.raises(PortalError, match="is not a member"):
        directory.remove_member(group.object_id, bob.object_id)


def test_membership_changes_are_journaled_with_the_member(directory: Directory) -> None:
    alice = add(directory, "alice")
    group = directory.add_group("Sales")
    mark = directory.journal.watermark
    directory.add_member(group.object_id, alice.object_id)
    directory.remove_member(group.object_id, alice.object_id)
    directory.rename_group(group.object_id, "Sales EMEA")
    assert kinds(directory, mark) == [
        (group.object_id, ChangeKind.MEMBER_ADDED, alice.object_id),
        (group.object_id, ChangeKind.MEMBER_REMOVED, alice.object_id),
        (group.object_id, ChangeKind.UPDATED, None),
    ]
    assert directory.member_of(alice.object_id) == frozenset()


def test_deleting_a_group_drops_its_links_both_ways(directory: Directory) -> None:
    alice = add(directory, "alice")
    inner = directory.add_group("Inner", members=[alice.object_id])
    outer = directory.add_group("Outer", members=[inner.object_id])
    directory.delete_group(inner.object_id)
    assert directory.find_group(inner.object_id) is None
    assert outer.members == set()
    assert directory.member_of(alice.object_id) == frozenset()
    assert kinds(directory)[-1] == (inner.object_id, ChangeKind.HARD_DELETED, None)


# -- the journal ------------------------------------------------------------


def test_journal_answers_what_changed_since_a_watermark(directory: Directory, clock) -> None:
    seen: list[ChangeRecord] = []
    directory.journal.subscribe(seen.append)
    alice = add(directory, "alice")
    mark = directory.journal.watermark
    clock.advance(minutes=5)
    bob = add(directory, "bob")
    changes = directory.journal.since(mark)
    assert [(c.sequence, c.object_id, c.object_type, c.kind) for c in changes] == [
        (mark + 1, bob.object_id, ObjectType.USER, ChangeKind.CREATED)
    ]
    assert changes[0].at == clock.now()
    assert [r.object_id for r in seen] == [alice.object_id, bob.object_id]
    assert directory.journal.since(directory.journal.watermark) == []
    with pytest.raises(ValueError, match="outside"):
        directory.journal.since(directory.journal.watermark + 1)


def test_journal_reads_back_every_record_as_appended(directory: Directory, clock) -> None:
    """The journal keeps its records in columns; what it reads back, from any watermark,
    is what its listeners were given: sequence, ids, type, kind and the time of each."""
    seen: list[ChangeRecord] = []
    directory.journal.subscribe(seen.append)
    alice = add(directory, "alice")
    bob = add(directory, "bob")
    clock.advance(minutes=1)
    group = directory.add_group("Team", members=[alice.object_id])
    directory.add_member(group.object_id, bob.object_id)
    clock.advance(minutes=2)
    clock.advance(minutes=3)
    directory.remove_member(group.object_id, alice.object_id)
    directory.update_user(bob.object_id, job_title="Boss")
    clock.advance(days=1)
    directory.delete_user(alice.object_id)
    assert len(seen) == directory.journal.watermark == len(directory.journal) == 8
    assert len({record.at for record in seen}) == 4
    for mark in range(len(seen) + 1):
        assert directory.journal.since(mark) == seen[mark:]
    assert seen[2].related_id is None and seen[3].related_id == alice.object_id
    assert [type(r.object_type) for r in seen] == [ObjectType] * 8
    assert [type(r.kind) for r in seen] == [ChangeKind] * 8


def test_journal_keeps_each_time_it_was_given() -> None:
    """Two equal instants in different time zones are different times to a reader."""
    times = iter(
        [
            datetime(2026, 1, 1, 12, tzinfo=UTC),
            datetime(2026, 1, 1, 13, tzinfo=UTC).astimezone(),
            datetime(2026, 1, 1, 13, tzinfo=UTC),
        ]
    )
    journal = ChangeJournal(lambda: next(times))
    for name in "abc":
        journal.append(name, ObjectType.USER, ChangeKind.CREATED)
    assert [(r.at, r.at.tzinfo) for r in journal.since(0)] == [
        (datetime(2026, 1, 1, 12, tzinfo=UTC), UTC),
        (
            datetime(2026, 1, 1, 13, tzinfo=UTC),
            datetime(2026, 1, 1, 13, tzinfo=UTC).astimezone().tzinfo,
        ),
        (datetime(2026, 1, 1, 13, tzinfo=UTC), UTC),
    ]


def test_random_uuid4_is_the_text_of_a_version_4_uuid_of_the_same_bits() -> None:
    for seed in range(200):
        expected = str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4))
        assert random_uuid4(random.Random(seed)) == expected
    for bits in (0, (1 << 128) - 1):
        rng = random.Random()
        rng.getrandbits = lambda _k, bits=bits: bits  # type: ignore[method-assign]
        assert random_uuid4(rng) == str(uuid.UUID(int=bits, version=4))


def test_reverse_indexes_follow_links_both_ways(directory: Directory) -> None:
    boss, alice, bob = add(directory, "boss"), add(directory, "alice"), add(directory, "bob")
    one, two = directory.add_group("One"), directory.add_group("Two")
    for group in (one, two):
        directory.add_member(group.object_id, alice.object_id)
    directory.add_member(one.object_id, bob.object_id)
    directory.set_manager(alice.object_id, boss.object_id)
    directory.set_manager(bob.object_id, boss.object_id)
    assert directory.member_of(alice.object_id) == {one.object_id, two.object_id}
    assert directory.direct_reports(boss.object_id) == {alice.object_id, bob.object_id}
    directory.remove_member(one.object_id, alice.object_id)
    directory.set_manager(alice.object_id, None)
    assert directory.member_of(alice.object_id) == {two.object_id}
    assert directory.direct_reports(boss.object_id) == {bob.object_id}
    directory.remove_member(two.object_id, alice.object_id)
    directory.set_manager(bob.object_id, alice.object_id)
    assert directory.member_of(alice.object_id) == frozenset()
    assert directory.direct_reports(boss.object_id) == frozenset()
    assert directory.direct_reports(alice.object_id) == {bob.object_id}


def test_reverse_indexes_hold_many_links(directory: Directory) -> None:
    """A manager of many reports and a user in many groups: past a few links the index
    changes form; what it answers does not."""
    boss, alice = add(directory, "boss"), add(directory, "alice")
    reports = [add(directory, f"user{n}") for n in range(70)]
    groups = [directory.add_group(f"Group {n}") for n in range(66)]
    for report in reports:
        directory.set_manager(report.object_id, boss.object_id)
    for group in groups:
        directory.add_member(group.object_id, alice.object_id)
    assert directory.direct_reports(boss.object_id) == {r.object_id for r in reports}
    assert directory.member_of(alice.object_id) == {g.object_id for g in groups}
    for report in reports[:69]:
        directory.set_manager(report.object_id, None)
    directory.delete_group(groups[0].object_id)
    assert directory.direct_reports(boss.object_id) == {reports[69].object_id}
    assert directory.member_of(alice.object_id) == {g.object_id for g in groups[1:]}
    directory.delete_user(boss.object_id)
    directory.permanently_delete_user(boss.object_id)
    assert reports[69].manager_id is None
    assert directory.direct_reports(boss.object_id) == frozenset()
    directory.delete_user(alice.object_id)
    directory.permanently_delete_user(alice.object_id)
    assert all(alice.object_id not in g.members for g in groups[1:])
    assert directory.member_of(alice.object_id) == frozenset()
