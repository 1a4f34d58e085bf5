"""Users and groups as Graph ``user`` and ``group`` resources, over the tenant's directory.

Sources: [G user-post-users.md, user-update.md, user-delete.md, group-post-groups.md,
group-post-members.md, group-delete-members.md]. The directory keeps only security
groups, so a Microsoft 365 group (``groupTypes: ["Unified"]``) is refused with a message
saying so. A password is required on create, as Graph requires it, and never stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fake_entra.directory import Directory, DirectoryGroup, DirectoryUser, PortalError
from fake_entra.graph.bodies import boolean, properties, string, unknown_property
from fake_entra.graph.errors import GraphError, bad_request, not_found
from fake_entra.graph.odata import CollectionOptions
from fake_entra.logs import graph_datetime

#: Graph user property -> DirectoryUser field, for the single-valued text properties.
_USER_TEXT: dict[str, str] = {
    "displayName": "display_name",
    "userPrincipalName": "user_principal_name",
    "mailNickname": "mail_nickname",
    "givenName": "given_name",
    "surname": "surname",
    "mail": "mail",
    "jobTitle": "job_title",
    "department": "department",
    "employeeId": "employee_id",
    "preferredLanguage": "preferred_language",
    "streetAddress": "street_address",
    "city": "city",
    "state": "state",
    "postalCode": "postal_code",
    "country": "country",
    "officeLocation": "physical_delivery_office_name",
    "mobilePhone": "mobile",
    "faxNumber": "facsimile_telephone_number",
}
_USER_WRITABLE = frozenset({*_USER_TEXT, "accountEnabled", "businessPhones", "passwordProfile"})
#: [G resources/user.md]: the properties a GET returns without $select.
_USER_DEFAULT = (
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
)

USER_COLLECTION = CollectionOptions(
    # [G user-list.md]: $filter on these (eq, startswith), case-insensitive.
    filterable=frozenset(
        {
            "id",
            "displayName",
            "userPrincipalName",
            "mail",
            "mailNickname",
            "givenName",
            "surname",
            "jobTitle",
            "department",
            "employeeId",
            "accountEnabled",
        }
    ),
    selectable=frozenset(
        {"id", "accountEnabled", "createdDateTime", *_USER_TEXT, "businessPhones"}
    ),
)
GROUP_COLLECTION = CollectionOptions(
    filterable=frozenset({"id", "displayName", "mailNickname", "securityEnabled", "mailEnabled"}),
    selectable=frozenset(
        {
            "id",
            "displayName",
            "description",
            "mailNickname",
            "mailEnabled",
            "securityEnabled",
            "groupTypes",
            "createdDateTime",
        }
    ),
)
MEMBER_COLLECTION = CollectionOptions(selectable=frozenset({"id", "displayName"}))

#: ``members@odata.bind`` takes at most 20 references per request [G group-post-groups.md].
MAX_MEMBER_BINDS = 20

_REFERENCE = re.compile(r"/(?:directoryObjects|users|groups)/(?P<id>[0-9a-fA-F-]{36})/?$")


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else graph_datetime(moment)


def user_json(user: DirectoryUser, *, full: bool = False) -> dict[str, Any]:
    """The Graph ``user``: the default property set, or every property this fake keeps."""
    everything: dict[str, Any] = {"id": user.object_id}
    for name, field_name in _USER_TEXT.items():
        everything[name] = getattr(user, field_name)
    everything["businessPhones"] = [user.telephone_number] if user.telephone_number else []
    everything["accountEnabled"] = user.account_enabled
    everything["createdDateTime"] = _time(user.created_at)
    if full:
        return everything
    return {name: everything[name] for name in _USER_DEFAULT}


def group_json(group: DirectoryGroup) -> dict[str, Any]:
    return {
        "id": group.object_id,
        "displayName": group.display_name,
        "description": group.description,
        "mailEnabled": False,
        "mailNickname": group.mail_nickname,
        "securityEnabled": True,
        "groupTypes": [],
        "createdDateTime": _time(group.created_at),
    }


def reference_id(url: Any) -> str:
    """The object id of an ``@odata.id`` / ``@odata.bind`` URL."""
    if not isinstance(url, str):
        raise bad_request(
            "The reference must be a URL such as "
            "https://graph.microsoft.com/v1.0/directoryObjects/{id}."
        )
    match = _REFERENCE.search(url)
    if match is None:
        raise bad_request(f"Invalid object identifier '{url}'.")
    return match.group("id").lower()


def _user_changes(body: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in body:
        if name not in _USER_WRITABLE:
            raise unknown_property(name, "user")
    for name, field_name in _USER_TEXT.items():
        if name in body:
            changes[field_name] = string(dict(body), name)
    enabled = boolean(dict(body), "accountEnabled")
    if enabled is not None:
        changes["account_enabled"] = enabled
    if "businessPhones" in body:
        phones = body["businessPhones"]
        if not isinstance(phones, list) or not all(isinstance(p, str) for p in phones):
            raise bad_request("Invalid value specified for property 'businessPhones'.")
        if len(phones) > 1:
            # [G resources/user.md]: "Only one number can be set for this property."
            raise bad_request("Only one number can be set for property 'businessPhones'.")
        changes["telephone_number"] = phones[0] if phones else None
    return changes


class DirectoryObjects:
    """``/users``, ``/groups`` and group membership over one directory."""

    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    # -- users -------------------------------------------------------------------------------

    def user(self, user_id: str) -> DirectoryUser:
        user = self._directory.find_user(user_id.lower())
        if user is None or user.is_soft_deleted:
            raise not_found("user", user_id)
        return user

    def users(self) -> list[dict[str, Any]]:
        return [user_json(user, full=True) for user in self._directory.users()]

    def create_user(self, raw: dict[str, Any]) -> DirectoryUser:
        body = properties(raw)
        # [G user-post-users.md]: these five are required.
        for name in ("displayName", "mailNickname", "userPrincipalName"):
            string(body, name, required=True)
        boolean(body, "accountEnabled", required=True)
        profile = body.get("passwordProfile")
        if not isinstance(profile, dict) or not isinstance(profile.get("password"), str):
            raise bad_request(
                "Invalid value specified for property 'passwordProfile': a password is required."
            )
        changes = _user_changes(body)
        upn = changes.pop("user_principal_name")
        display_name = changes.pop("display_name")
        try:
            return self._directory.add_user(upn, display_name, **changes)
        except PortalError as error:
            raise bad_request(error.notification) from None

    def update_user(self, user_id: str, raw: dict[str, Any]) -> None:
        user = self.user(user_id)
        changes = _user_changes(properties(raw))
        changes.pop("password_profile", None)
        try:
            self._directory.update_user(user.object_id, **changes)
        except PortalError as error:
            raise bad_request(error.notification) from None

    def delete_user(self, user_id: str) -> None:
        """[G user-delete.md]: into "Deleted users" for 30 days (a soft delete)."""
        self._directory.delete_user(self.user(user_id).object_id)

    # -- groups ------------------------------------------------------------------------------

    def group(self, group_id: str) -> DirectoryGroup:
        group = self._directory.find_group(group_id.lower())
        if group is None:
            raise not_found("group", group_id)
        return group

    def groups(self) -> list[dict[str, Any]]:
        return [group_json(group) for group in self._directory.groups()]

    def create_group(self, raw: dict[str, Any]) -> DirectoryGroup:
        allowed = {
            "displayName",
            "description",
            "mailEnabled",
            "mailNickname",
            "securityEnabled",
            "groupTypes",
            "members@odata.bind",
        }
        body = {k: v for k, v in raw.items() if not k.startswith("@odata.")}
        for name in body:
            if name not in allowed:
                raise unknown_property(name, "group")
        display_name = string(body, "displayName", required=True) or ""
        nickname = string(body, "mailNickname", required=True)
        mail_enabled = boolean(body, "mailEnabled", required=True)
        security_enabled = boolean(body, "securityEnabled", required=True)
        group_types = body.get("groupTypes") or []
        if mail_enabled or not security_enabled or group_types:
            raise bad_request(
                "This directory keeps security groups only: send mailEnabled false, "
                "securityEnabled true and no groupTypes (Microsoft 365 groups are not simulated)."
            )
        members = [reference_id(url) for url in self._binds(body)]
        for member_id in members:
            self._existing_object(member_id)
        try:
            return self._directory.add_group(
                display_name,
                mail_nickname=nickname,
                description=string(body, "description"),
                members=members,
            )
        except PortalError as error:
            raise bad_request(error.notification) from None

    def update_group(self, group_id: str, raw: dict[str, Any]) -> None:
        """[G group-update.md]: displayName, and members@odata.bind (at most 20) to add
        members; all references are checked before anything changes."""
        group = self.group(group_id)
        body = {k: v for k, v in raw.items() if not k.startswith("@odata.")}
        for name in body:
            if name not in ("displayName", "members@odata.bind"):
                raise bad_request(
                    f"Property '{name}' can't be changed here: this directory updates a "
                    "group's displayName and members only."
                )
        display_name = string(body, "displayName")
        if display_name is not None and not display_name.strip():
            raise bad_request("Invalid value specified for property 'displayName'.")
        members = [reference_id(url) for url in self._binds(body)]
        for member_id in members:
            self._existing_object(member_id)
            if member_id in group.members:
                raise bad_request(
                    "One or more added object references already exist for the following "
                    "modified properties: 'members'."
                )
        if display_name is not None:
            self._directory.rename_group(group.object_id, display_name)
        for member_id in members:
            self._directory.add_member(group.object_id, member_id)

    def delete_group(self, group_id: str) -> None:
        self._directory.delete_group(self.group(group_id).object_id)

    def members(self, group_id: str) -> list[dict[str, Any]]:
        group = self.group(group_id)
        result: list[dict[str, Any]] = []
        for member_id in sorted(group.members):
            user = self._directory.find_user(member_id)
            if user is not None:
                result.append({"@odata.type": "#microsoft.graph.user", **user_json(user)})
                continue
            nested = self._directory.find_group(member_id)
            if nested is not None:
                result.append({"@odata.type": "#microsoft.graph.group", **group_json(nested)})
        return result

    def add_member(self, group_id: str, raw: dict[str, Any]) -> None:
        """[G group-post-members.md]: 204; 400 when already a member; 404 when missing."""
        group = self.group(group_id)
        member_id = reference_id(raw.get("@odata.id"))
        self._existing_object(member_id)
        if member_id in group.members:
            raise bad_request(
                "One or more added object references already exist for the following "
                "modified properties: 'members'."
            )
        try:
            self._directory.add_member(group.object_id, member_id)
        except PortalError as error:
            raise bad_request(error.notification) from None

    def remove_member(self, group_id: str, member_id: str) -> None:
        group = self.group(group_id)
        if member_id.lower() not in group.members:
            raise not_found("member", member_id)
        self._directory.remove_member(group.object_id, member_id.lower())

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _binds(body: Mapping[str, Any]) -> list[Any]:
        binds = body.get("members@odata.bind") or []
        if not isinstance(binds, list):
            raise bad_request("members@odata.bind must be an array of URLs.")
        if len(binds) > MAX_MEMBER_BINDS:
            raise bad_request(f"At most {MAX_MEMBER_BINDS} members can be added in one request.")
        return binds

    def _existing_object(self, object_id: str) -> None:
        user = self._directory.find_user(object_id)
        if user is not None and not user.is_soft_deleted:
            return
        if self._directory.find_group(object_id) is not None:
            return
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{object_id}' does not exist or one of its queried reference-property "
            "objects are not present.",
        )
