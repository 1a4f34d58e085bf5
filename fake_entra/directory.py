"""The Entra directory: users, groups, the recycle bin and a change journal.

Users and groups live in dicts keyed by object id, so every lookup is O(1) at
100,000 users; records are ``slots`` dataclasses to keep the resident size low.

A user is deleted in two steps, as in Entra: a *soft delete* moves the user to
"Deleted users" (the recycle bin), where it can be restored, and the directory
purges it for good 30 days later; a *hard delete* ("Delete permanently") purges
at once. The provisioning service disables a soft-deleted user in the target and
sends ``DELETE`` only for a hard-deleted one (entra-provisioning-service.md §1
"Delete", §2 "Incremental cycle").

Every change appends a :class:`ChangeRecord` to the :class:`ChangeJournal`, so an
incremental cycle can ask what changed since its watermark, the way Entra reads
Graph deltas (§2 "Incremental cycle").
"""

from __future__ import annotations

import bisect
import operator
import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from fake_entra.clock import TimerHandle, VirtualClock

#: Entra keeps a soft-deleted user in the recycle bin this long, then purges it
#: (entra-provisioning-service.md §1 "Delete": "30 days after a soft delete").
SOFT_DELETE_RETENTION = timedelta(days=30)


def random_uuid4(rng: random.Random) -> str:
    """The text of ``uuid.UUID(int=rng.getrandbits(128), version=4)``, built directly.

    The same 128 random bits with the same variant and version bits set (RFC 4122
    §4.4), in the same lower-case 8-4-4-4-12 form, without a ``UUID`` object: a
    directory draws one per user and per assignment.
    """
    value = rng.getrandbits(128) & _UUID4_KEEP | _UUID4_SET
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


# What uuid.UUID(..., version=4) clears and sets: the variant (two bits at 62-63) and
# the version (four bits at 76-79).
_UUID4_KEEP = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


class PortalError(ValueError):
    """An action the Entra admin center refuses.

    ``notification`` is the text the portal shows, written so the admin can act
    on it. It lives in the lowest module because every module of ``fake_entra``
    models a portal action and raises it.
    """

    def __init__(self, notification: str) -> None:
        super().__init__(notification)
        self.notification = notification


class ObjectType(StrEnum):
    USER = "User"
    GROUP = "Group"


class ChangeKind(StrEnum):
    CREATED = "Created"
    UPDATED = "Updated"
    SOFT_DELETED = "SoftDeleted"
    RESTORED = "Restored"
    HARD_DELETED = "HardDeleted"
    MEMBER_ADDED = "MemberAdded"
    MEMBER_REMOVED = "MemberRemoved"
    # Written by enterprise applications: an assignment changes who is in scope.
    ASSIGNED = "Assigned"
    UNASSIGNED = "Unassigned"


class ChangeRecord(NamedTuple):
    """One change. ``related_id`` names the other side of a link change: the
    member for ``MemberAdded``/``MemberRemoved``, the application for
    ``Assigned``/``Unassigned``. A named tuple: cheap to build and to hold, as a
    100,000-user directory starts with as many records."""

    sequence: int
    object_id: str
    object_type: ObjectType
    kind: ChangeKind
    at: datetime
    related_id: str | None = None


class ChangeJournal:
    """An append-only list of changes; the sequence number is the watermark.

    A 100,000-user directory starts with a few hundred thousand records, so the
    journal keeps them in columns (the object id, the related id and the time as
    shared references, the object type and kind as one byte) and builds a
    :class:`ChangeRecord` only when one is read: about 20 bytes a change instead
    of about 150 for a held record and its sequence number.
    """

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._object_ids: list[str] = []
        self._related_ids: list[str | None] = []
        # (object type, kind) as one byte: an index into _CHANGE_CODES.
        self._codes = bytearray()
        # The clock's time changes far less often than the journal grows: the times
        # are kept as runs, the record index where each run starts and its time.
        self._time_starts: list[int] = []
        self._times: list[datetime] = []
        self._listeners: list[Callable[[ChangeRecord], None]] = []

    @property
    def watermark(self) -> int:
        """The sequence number of the latest change (0 before any change)."""
        return len(self._codes)

    def append(
        self,
        object_id: str,
        object_type: ObjectType,
        kind: ChangeKind,
        related_id: str | None = None,
    ) -> ChangeRecord:
        at = self._now()
        index = len(self._codes)
        self._codes.append(_CHANGE_CODE[object_type, kind])
        self._object_ids.append(object_id)
        self._related_ids.append(related_id)
        times = self._times
        # The same time object as the previous record's: the time is unchanged (an
        # equal time in another object could be another time zone, so it starts a run).
        if not times or times[-1] is not at:
            self._time_starts.append(index)
            times.append(at)
        record = ChangeRecord(index + 1, object_id, object_type, kind, at, related_id)
        for listener in self._listeners:
            listener(record)
        return record

    def since(self, watermark: int) -> list[ChangeRecord]:
        """Every change after ``watermark``, oldest first."""
        count = len(self._codes)
        if watermark < 0 or watermark > count:
            raise ValueError(f"watermark {watermark} is outside 0..{count}")
        # Sequence n sits at index n - 1, so the changes after n start at index n.
        records: list[ChangeRecord] = []
        if watermark == count:
            return records
        starts, times = self._time_starts, self._times
        run = bisect.bisect_right(starts, watermark) - 1
        next_start = starts[run + 1] if run + 1 < len(starts) else count
        object_ids, related_ids, codes = self._object_ids, self._related_ids, self._codes
        for index in range(watermark, count):
            if index == next_start:
                run += 1
                next_start = starts[run + 1] if run + 1 < len(starts) else count
            object_type, kind = _CHANGE_CODES[codes[index]]
            records.append(
                ChangeRecord(
                    index + 1,
                    object_ids[index],
                    object_type,
                    kind,
                    times[run],
                    related_ids[index],
                )
            )
        return records

    def subscribe(self, listener: Callable[[ChangeRecord], None]) -> None:
        """Call ``listener`` with each new record, after it is appended."""
        self._listeners.append(listener)

    def __len__(self) -> int:
        return len(self._codes)


#: Every (object type, kind) pair, by the one-byte code the journal stores.
_CHANGE_CODES: tuple[tuple[ObjectType, ChangeKind], ...] = tuple(
    (object_type, kind) for object_type in ObjectType for kind in ChangeKind
)
_CHANGE_CODE: dict[tuple[ObjectType, ChangeKind], int] = {
    pair: code for code, pair in enumerate(_CHANGE_CODES)
}


@dataclass(slots=True)
class DirectoryUser:
    """A member user of the tenant, with the attributes provisioning reads."""

    object_id: str
    user_principal_name: str
    display_name: str
    mail_nickname: str
    given_name: str | None = None
    surname: str | None = None
    mail: str | None = None
    job_title: str | None = None
    department: str | None = None
    employee_id: str | None = None
    manager_id: str | None = None
    account_enabled: bool = True
    preferred_language: str | None = None
    street_address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    physical_delivery_office_name: str | None = None
    telephone_number: str | None = None
    mobile: str | None = None
    facsimile_telephone_number: str | None = None
    proxy_addresses: tuple[str, ...] = ()
    created_at: datetime | None = None
    deleted_at: datetime | None = None

    @property
    def is_soft_deleted(self) -> bool:
        return self.deleted_at is not None

    def source_attributes(
        self,
        *,
        is_soft_deleted: bool | None = None,
        app_role_assignments: Iterable[Any] = (),
    ) -> dict[str, Any]:
        """The user as the provisioning service's source object, keyed by Entra name.

        ``IsSoftDeleted`` depends on the application (unassigned, out of a scoping
        filter, soft-deleted or disabled: entra-provisioning-service.md §2
        "Deprovisioning"), so the caller passes it; without it, only the user's
        own state counts.
        """
        if is_soft_deleted is None:
            is_soft_deleted = self.is_soft_deleted or not self.account_enabled
        # One attrgetter call for all the fields: a cycle builds this for every user.
        attributes: dict[str, Any] = dict(
            zip(_USER_ENTRA_NAMES, _USER_FIELD_VALUES(self), strict=True)
        )
        attributes["proxyAddresses"] = list(self.proxy_addresses)
        attributes["IsSoftDeleted"] = is_soft_deleted
        attributes["appRoleAssignments"] = list(app_role_assignments)
        return attributes


@dataclass(slots=True)
class DirectoryGroup:
    """A security group with its *direct* members (users or nested groups)."""

    object_id: str
    display_name: str
    mail_nickname: str
    description: str | None = None
    members: set[str] = field(default_factory=set)
    created_at: datetime | None = None

    def source_attributes(self) -> dict[str, Any]:
        return {
            "objectId": self.object_id,
            "displayName": self.display_name,
            "mailNickname": self.mail_nickname,
            "description": self.description,
            # Sorted so that two runs send members in the same order.
            "members": sorted(self.members),
        }


#: Entra attribute name -> DirectoryUser field, for every single-valued attribute.
USER_ATTRIBUTE_FIELDS: dict[str, str] = {
    "objectId": "object_id",
    "userPrincipalName": "user_principal_name",
    "displayName": "display_name",
    "mailNickname": "mail_nickname",
    "givenName": "given_name",
    "surname": "surname",
    "mail": "mail",
    "jobTitle": "job_title",
    "department": "department",
    "employeeId": "employee_id",
    "manager": "manager_id",
    "accountEnabled": "account_enabled",
    "preferredLanguage": "preferred_language",
    "streetAddress": "street_address",
    "city": "city",
    "state": "state",
    "postalCode": "postal_code",
    "country": "country",
    "physicalDeliveryOfficeName": "physical_delivery_office_name",
    "telephoneNumber": "telephone_number",
    "mobile": "mobile",
    "facsimileTelephoneNumber": "facsimile_telephone_number",
}
_USER_ENTRA_NAMES: tuple[str, ...] = tuple(USER_ATTRIBUTE_FIELDS)
_USER_FIELD_VALUES: Callable[[DirectoryUser], tuple[Any, ...]] = operator.attrgetter(
    *USER_ATTRIBUTE_FIELDS.values()
)

#: Every source attribute a user mapping may read (the "Source attribute" list).
USER_SOURCE_ATTRIBUTES: frozenset[str] = frozenset(
    {*USER_ATTRIBUTE_FIELDS, "proxyAddresses", "IsSoftDeleted", "appRoleAssignments"}
)
#: Every source attribute a group mapping may read.
GROUP_SOURCE_ATTRIBUTES: frozenset[str] = frozenset(
    {"objectId", "displayName", "mailNickname", "description", "members"}
)

# Fields an admin edits; identity, timestamps and links have their own actions.
_EDITABLE_USER_FIELDS: frozenset[str] = frozenset(f.name for f in fields(DirectoryUser)) - {
    "object_id",
    "created_at",
    "deleted_at",
    "manager_id",
}

# Graph: the userPrincipalName local part allows letters, digits and ' . - _ ! # ^ ~.
_UPN_LOCAL = re.compile(r"^[A-Za-z0-9'._!#^~+-]+$")


class Directory:
    """The users and groups of one Entra tenant."""

    def __init__(
        self,
        clock: VirtualClock,
        rng: random.Random,
        *,
        initial_domain: str = "contoso.onmicrosoft.com",
        verified_domains: Iterable[str] = ("contoso.com",),
    ) -> None:
        self._clock = clock
        self._rng = rng
        self.initial_domain = initial_domain.lower()
        self._verified_domains: list[str] = [self.initial_domain]
        for domain in verified_domains:
            self.add_verified_domain(domain)
        self.journal = ChangeJournal(clock.now)
        self._users: dict[str, DirectoryUser] = {}
        self._active_by_upn: dict[str, str] = {}
        self._groups: dict[str, DirectoryGroup] = {}
        # Reverse indexes, kept only for objects that have an entry, so that
        # "which groups is this user directly in" and "who reports to this
        # manager" stay O(1) without a set per user. A user is in few groups and
        # a manager has few reports: up to _SMALL_LINKS of them are a tuple (one
        # item is a fifth of an empty set's size), more a set (see _link).
        self._member_of: dict[str, _Links] = {}
        self._reports: dict[str, _Links] = {}
        self._purge_timers: dict[str, TimerHandle] = {}

    # -- domains ---------------------------------------------------------

    @property
    def verified_domains(self) -> tuple[str, ...]:
        return tuple(self._verified_domains)

    @property
    def default_domain(self) -> str:
        """The first custom verified domain, else the initial onmicrosoft.com one."""
        return self._verified_domains[1] if len(self._verified_domains) > 1 else self.initial_domain

    def add_verified_domain(self, domain: str) -> None:
        domain = domain.strip().lower()
        if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
            raise PortalError(f"'{domain}' is not a valid domain name.")
        if domain not in self._verified_domains:
            self._verified_domains.append(domain)

    # -- ids -------------------------------------------------------------

    def new_object_id(self) -> str:
        """A fresh object id drawn from the directory's seeded generator."""
        return random_uuid4(self._rng)

    # -- users -----------------------------------------------------------

    def add_user(
        self,
        user_principal_name: str,
        display_name: str,
        *,
        object_id: str | None = None,
        mail_nickname: str | None = None,
        manager_id: str | None = None,
        **attributes: Any,
    ) -> DirectoryUser:
        """Create a user ("Users > New user"); other fields as DirectoryUser keywords."""
        unknown = attributes.keys() - _EDITABLE_USER_FIELDS
        if unknown:
            raise PortalError(f"Unknown user attribute(s): {', '.join(sorted(unknown))}.")
        if not display_name or not display_name.strip():
            raise PortalError("Display name is required.")
        upn = self._checked_upn(user_principal_name)
        if upn.lower() in self._active_by_upn:
            raise PortalError(
                f"Another object with the same value for property userPrincipalName already "
                f"exists: {upn}."
            )
        object_id = object_id or self.new_object_id()
        if object_id in self._users or object_id in self._groups:
            raise PortalError(f"An object with id {object_id} already exists.")
        user = DirectoryUser(
            object_id=object_id,
            user_principal_name=upn,
            display_name=display_name,
            # The portal derives mailNickname from the UPN's local part.
            mail_nickname=mail_nickname or upn.split("@", 1)[0],
            created_at=self._clock.now(),
            **attributes,
        )
        if manager_id is not None:
            self._check_manager(user.object_id, manager_id)
        self._users[object_id] = user
        self._active_by_upn[_upn_key(upn)] = object_id
        if manager_id is not None:
            self._link_manager(user, manager_id)
        self.journal.append(object_id, ObjectType.USER, ChangeKind.CREATED)
        return user

    def get_user(self, object_id: str) -> DirectoryUser:
        """A user, active or soft-deleted; a purged user is gone."""
        try:
            return self._users[object_id]
        except KeyError:
            raise PortalError(f"User {object_id} does not exist in the directory.") from None

    def find_user(self, object_id: str) -> DirectoryUser | None:
        return self._users.get(object_id)

    def find_user_by_upn(self, user_principal_name: str) -> DirectoryUser | None:
        """An active user by UPN (case-insensitive, as Entra compares it)."""
        object_id = self._active_by_upn.get(user_principal_name.lower())
        return self._users[object_id] if object_id is not None else None

    def users(self) -> Iterator[DirectoryUser]:
        """Active (not soft-deleted) users, in creation order."""
        return (user for user in self._users.values() if user.deleted_at is None)

    def deleted_users(self) -> Iterator[DirectoryUser]:
        """Users in the recycle bin ("Deleted users")."""
        return (user for user in self._users.values() if user.deleted_at is not None)

    def all_users(self) -> Iterator[DirectoryUser]:
        return iter(self._users.values())

    @property
    def user_count(self) -> int:
        return len(self._users)

    def update_user(self, object_id: str, /, **changes: Any) -> DirectoryUser:
        """Edit a user's properties; the manager is set with :meth:`set_manager`."""
        user = self._active_user(object_id, "edit")
        unknown = set(changes) - _EDITABLE_USER_FIELDS
        if unknown:
            raise PortalError(f"Unknown user attribute(s): {', '.join(sorted(unknown))}.")
        if "display_name" in changes and not (changes["display_name"] or "").strip():
            raise PortalError("Display name is required.")
        if "mail_nickname" in changes and not changes["mail_nickname"]:
            raise PortalError("Mail nickname is required.")
        if "user_principal_name" in changes:
            upn = self._checked_upn(changes["user_principal_name"])
            holder = self._active_by_upn.get(upn.lower())
            if holder is not None and holder != object_id:
                raise PortalError(
                    f"Another object with the same value for property userPrincipalName "
                    f"already exists: {upn}."
                )
            del self._active_by_upn[user.user_principal_name.lower()]
            self._active_by_upn[_upn_key(upn)] = object_id
            changes["user_principal_name"] = upn
        if "proxy_addresses" in changes:
            changes["proxy_addresses"] = tuple(changes["proxy_addresses"])
        changed = False
        for name, value in changes.items():
            if getattr(user, name) != value:
                setattr(user, name, value)
                changed = True
        if changed:
            self.journal.append(object_id, ObjectType.USER, ChangeKind.UPDATED)
        return user

    def set_manager(self, object_id: str, manager_id: str | None) -> None:
        user = self._active_user(object_id, "edit")
        if manager_id is not None:
            self._check_manager(object_id, manager_id)
        if user.manager_id == manager_id:
            return
        self._unlink_manager(user)
        if manager_id is not None:
            self._link_manager(user, manager_id)
        self.journal.append(object_id, ObjectType.USER, ChangeKind.UPDATED)

    def direct_reports(self, manager_id: str) -> frozenset[str]:
        return frozenset(self._reports.get(manager_id, ()))

    def delete_user(self, object_id: str) -> None:
        """Soft delete: into the recycle bin, purged 30 days later."""
        user = self._active_user(object_id, "delete")
        user.deleted_at = self._clock.now()
        del self._active_by_upn[user.user_principal_name.lower()]
        self._purge_timers[object_id] = self._clock.call_later(
            SOFT_DELETE_RETENTION, lambda: self._purge(object_id)
        )
        self.journal.append(object_id, ObjectType.USER, ChangeKind.SOFT_DELETED)

    def restore_user(self, object_id: str) -> DirectoryUser:
        """Restore a soft-deleted user with its memberships and manager link."""
        user = self.get_user(object_id)
        if user.deleted_at is None:
            raise PortalError(f"User {user.user_principal_name} is not deleted.")
        if user.user_principal_name.lower() in self._active_by_upn:
            # Entra refuses a restore whose UPN another user took meanwhile.
            raise PortalError(
                f"Unable to restore {user.user_principal_name}: another user now has that "
                "user principal name."
            )
        user.deleted_at = None
        self._active_by_upn[_upn_key(user.user_principal_name)] = object_id
        self._purge_timers.pop(object_id).cancel()
        self.journal.append(object_id, ObjectType.USER, ChangeKind.RESTORED)
        return user

    def permanently_delete_user(self, object_id: str) -> None:
        """Hard delete ("Delete permanently"): soft-deleted users only, as in the portal."""
        user = self.get_user(object_id)
        if user.deleted_at is None:
            raise PortalError(
                f"User {user.user_principal_name} must be deleted before it can be deleted "
                "permanently."
            )
        self._purge(object_id)

    def purge_date(self, object_id: str) -> datetime | None:
        """When a soft-deleted user will be purged (None if not soft-deleted)."""
        timer = self._purge_timers.get(object_id)
        return timer.due if timer is not None else None

    # -- groups ----------------------------------------------------------

    def add_group(
        self,
        display_name: str,
        *,
        object_id: str | None = None,
        mail_nickname: str | None = None,
        description: str | None = None,
        members: Iterable[str] = (),
    ) -> DirectoryGroup:
        if not display_name or not display_name.strip():
            raise PortalError("Group name is required.")
        object_id = object_id or self.new_object_id()
        if object_id in self._users or object_id in self._groups:
            raise PortalError(f"An object with id {object_id} already exists.")
        nickname = mail_nickname or re.sub(r"[^A-Za-z0-9]", "", display_name) or object_id[:8]
        group = DirectoryGroup(
            object_id, display_name, nickname, description, created_at=self._clock.now()
        )
        self._groups[object_id] = group
        self.journal.append(object_id, ObjectType.GROUP, ChangeKind.CREATED)
        for member_id in members:
            self.add_member(object_id, member_id)
        return group

    def get_group(self, object_id: str) -> DirectoryGroup:
        try:
            return self._groups[object_id]
        except KeyError:
            raise PortalError(f"Group {object_id} does not exist in the directory.") from None

    def find_group(self, object_id: str) -> DirectoryGroup | None:
        return self._groups.get(object_id)

    def groups(self) -> Iterator[DirectoryGroup]:
        return iter(self._groups.values())

    @property
    def group_count(self) -> int:
        return len(self._groups)

    def rename_group(self, object_id: str, display_name: str) -> None:
        group = self.get_group(object_id)
        if not display_name.strip():
            raise PortalError("Group name is required.")
        if group.display_name != display_name:
            group.display_name = display_name
            self.journal.append(object_id, ObjectType.GROUP, ChangeKind.UPDATED)

    def add_member(self, group_id: str, member_id: str) -> None:
        group = self.get_group(group_id)
        if member_id == group_id:
            raise PortalError("A group cannot be a member of itself.")
        if member_id in self._users:
            if self._users[member_id].deleted_at is not None:
                raise PortalError(f"User {member_id} is deleted and cannot be added to a group.")
        elif member_id not in self._groups:
            raise PortalError(f"No user or group with id {member_id} exists in the directory.")
        if member_id in group.members:
            raise PortalError(
                f"One or more added object references already exist: {member_id} is already "
                f"a member of {group.display_name}."
            )
        group.members.add(member_id)
        _link(self._member_of, member_id, group_id)
        self.journal.append(group_id, ObjectType.GROUP, ChangeKind.MEMBER_ADDED, member_id)

    def remove_member(self, group_id: str, member_id: str) -> None:
        group = self.get_group(group_id)
        if member_id not in group.members:
            raise PortalError(f"{member_id} is not a member of {group.display_name}.")
        self._drop_membership(group, member_id)

    def member_of(self, object_id: str) -> frozenset[str]:
        """The groups that hold ``object_id`` as a *direct* member."""
        return frozenset(self._member_of.get(object_id, ()))

    def delete_group(self, object_id: str) -> None:
        """Security groups are deleted permanently at once (no recycle bin)."""
        group = self.get_group(object_id)
        for member_id in sorted(group.members):
            self._drop_membership(group, member_id)
        for parent_id in sorted(self._member_of.get(object_id, ())):
            self._drop_membership(self._groups[parent_id], object_id)
        del self._groups[object_id]
        self.journal.append(object_id, ObjectType.GROUP, ChangeKind.HARD_DELETED)

    # -- internals -------------------------------------------------------

    def _checked_upn(self, user_principal_name: str) -> str:
        upn = (user_principal_name or "").strip()
        local, at, domain = upn.rpartition("@")
        if not at or not local or not _UPN_LOCAL.match(local) or local.startswith("."):
            raise PortalError(f"'{upn}' is not a valid user principal name.")
        if domain.lower() not in self._verified_domains:
            # Graph's wording for an unverified UPN suffix.
            raise PortalError(
                "The domain portion of the userPrincipalName property is invalid. You must use "
                f"one of the verified domain names in your organization: {domain}."
            )
        lowered = domain.lower()
        # The name as given when its domain is already lower case: one string, not a copy.
        return upn if lowered == domain else f"{local}@{lowered}"

    def _active_user(self, object_id: str, action: str) -> DirectoryUser:
        user = self.get_user(object_id)
        if user.deleted_at is not None:
            raise PortalError(
                f"Cannot {action} {user.user_principal_name}: the user is deleted; restore it first."
            )
        return user

    def _check_manager(self, object_id: str, manager_id: str) -> None:
        if manager_id == object_id:
            raise PortalError("A user cannot be their own manager.")
        if manager_id not in self._users:
            raise PortalError(f"Manager {manager_id} does not exist in the directory.")

    def _link_manager(self, user: DirectoryUser, manager_id: str) -> None:
        user.manager_id = manager_id
        _link(self._reports, manager_id, user.object_id)

    def _unlink_manager(self, user: DirectoryUser) -> None:
        if user.manager_id is None:
            return
        _unlink(self._reports, user.manager_id, user.object_id)
        user.manager_id = None

    def _drop_membership(self, group: DirectoryGroup, member_id: str) -> None:
        group.members.discard(member_id)
        _unlink(self._member_of, member_id, group.object_id)
        self.journal.append(group.object_id, ObjectType.GROUP, ChangeKind.MEMBER_REMOVED, member_id)

    def _purge(self, object_id: str) -> None:
        user = self._users.get(object_id)
        if user is None:
            return
        timer = self._purge_timers.pop(object_id, None)
        if timer is not None:
            timer.cancel()
        for group_id in sorted(self._member_of.get(object_id, ())):
            self._drop_membership(self._groups[group_id], object_id)
        self._unlink_manager(user)
        # A purged manager leaves its reports without a manager.
        for report_id in sorted(self._reports.pop(object_id, ())):
            self._users[report_id].manager_id = None
            self.journal.append(report_id, ObjectType.USER, ChangeKind.UPDATED)
        del self._users[object_id]
        self.journal.append(object_id, ObjectType.USER, ChangeKind.HARD_DELETED)


def _upn_key(user_principal_name: str) -> str:
    """The key of ``_active_by_upn``: the lower-cased UPN, the UPN itself if already lower."""
    lowered = user_principal_name.lower()
    return user_principal_name if lowered == user_principal_name else lowered


#: The ids one object links to in a reverse index: a tuple while there are few (the
#: smallest container), a set beyond _SMALL_LINKS (so that a manager of thousands
#: still gains and loses a report in O(1)).
_Links = tuple[str, ...] | set[str]
_SMALL_LINKS = 64


def _link(index: dict[str, _Links], key: str, value: str) -> None:
    """Add ``value`` to ``key``'s entry of a reverse index (callers never add it twice)."""
    held = index.get(key)
    if held is None:
        index[key] = (value,)
    elif isinstance(held, set):
        held.add(value)
    elif len(held) < _SMALL_LINKS:
        index[key] = (*held, value)
    else:
        index[key] = {*held, value}


def _unlink(index: dict[str, _Links], key: str, value: str) -> None:
    """Remove ``value`` from ``key``'s entry; an entry left empty goes."""
    held = index.get(key)
    if held is None or value not in held:
        return
    if isinstance(held, set):
        held.discard(value)
        rest: _Links = held
    else:
        rest = tuple(item for item in held if item != value)
    if rest:
        index[key] = rest
    else:
        del index[key]
