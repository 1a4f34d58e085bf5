"""The flow's first phase: the tenant as an admin leaves it before Test Connection.

A small tenant is seeded with four users and a group, all named with the run's
``provisim-conformance-`` prefix; "LinkedIn Elevate" is added from the gallery, the users
and the group are assigned, Provisioning Mode is Automatic with the endpoint as Tenant URL
(plus ``?aadOptscim062020`` for that dialect: entra-provisioning-service.md §5.3) and the
token as Secret Token. One user, dave, is created in the target beforehand, so that Entra
must match him instead of creating him.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from fake_entra.applications import EnterpriseApplication
from fake_entra.dialects import AAD_OPT_SCIM_062020_FLAG, CORE_USER_SCHEMA, Dialect
from fake_entra.directory import DirectoryGroup, DirectoryUser
from fake_entra.scim_client import FLAG_COMPLIANT_PATCH, FLAG_PATCH_2017
from fake_entra.tenant import Tenant
from harness.conformance.exchanges import Exchange
from harness.conformance.probe import ScimProbe
from harness.conformance.resources import CreatedResources

#: The gallery app the flow configures (the tutorial's: linkedin-scim.md §6).
GALLERY_APP: Final = "LinkedIn Elevate"
#: Short dialect names for resource names (a UPN's local part allows letters, digits, "-").
DIALECT_TAGS: Final = {Dialect.DEFAULT: "default", Dialect.AAD_OPT_SCIM_062020: "aadopt"}


def tenant_url_for(url: str, dialect: Dialect) -> str:
    """The Tenant URL an admin enters for ``dialect``: the endpoint, flags removed, plus
    ``aadOptscim062020`` for the compliant dialect (S2: ``https://host/scim/?aadOptscim062020``)."""
    parts = urlsplit(url.strip())
    flags = {FLAG_COMPLIANT_PATCH, FLAG_PATCH_2017}
    items = [
        item
        for item in parts.query.split("&")
        if item and item.split("=", 1)[0].strip().lower() not in flags
    ]
    if dialect is Dialect.AAD_OPT_SCIM_062020:
        items.append(AAD_OPT_SCIM_062020_FLAG)
    return urlunsplit(parts._replace(query="&".join(items)))


@dataclass(frozen=True)
class _Person:
    key: str
    given_name: str
    job_title: str


_PEOPLE: Final = (
    _Person("alice", "Alice", "Engineer"),
    _Person("bob", "Bob", "Analyst"),
    _Person("carol", "Carol", "Designer"),
    # dave exists in the target before the first cycle: Entra must match him.
    _Person("dave", "Dave", "Manager"),
)


@dataclass
class SeededTenant:
    """What the seeding left in the tenant: the users by key, the group, the app, and
    every name each source object went by (to tell which exchanges are about it)."""

    users: dict[str, DirectoryUser]
    group: DirectoryGroup
    app: EnterpriseApplication
    names: dict[str, set[str]]


def seed_tenant(
    tenant: Tenant, *, prefix: str, dialect: Dialect, tenant_url: str, token: str
) -> SeededTenant:
    """The tenant as an admin leaves it before Test Connection (no request sent yet)."""
    tenant.sign_in()
    directory = tenant.directory
    domain = directory.verified_domains[0]
    users: dict[str, DirectoryUser] = {}
    for person in _PEOPLE:
        local = f"{prefix}{person.key}"
        users[person.key] = directory.add_user(
            f"{local}@{domain}",
            f"{person.given_name} Conformance",
            given_name=person.given_name,
            surname="Conformance",
            mail=f"{local}@{domain}",
            job_title=person.job_title,
            department="SCIM conformance",
        )
    group = directory.add_group(
        f"{prefix}group",
        members=[users["alice"].object_id, users["bob"].object_id],
    )
    names: dict[str, set[str]] = {}
    for user in users.values():
        names[user.object_id] = {user.object_id, user.user_principal_name}
    names[group.object_id] = {group.object_id, group.display_name}
    app = tenant.add_from_gallery(GALLERY_APP, f"provisim conformance ({dialect})")
    # Users are assigned directly as well, so that a membership change never takes a
    # user out of scope (S3: group membership only counts for direct members).
    for user in users.values():
        app.assign(user.object_id, "User")
    app.assign(group.object_id, "User")
    app.provisioning.set_provisioning_mode("Automatic")
    app.provisioning.set_admin_credentials(tenant_url, token)
    return SeededTenant(users, group, app, names)


def precreate_matched_user(
    probe: ScimProbe, created: CreatedResources, dave: DirectoryUser
) -> tuple[str | None, Exchange]:
    """Create dave in the target before the first cycle; his id there (None when the
    endpoint did not create him) and the exchange that tried."""
    body = {
        "schemas": [CORE_USER_SCHEMA],
        "userName": dave.user_principal_name,
        "displayName": "Dave (created before Entra)",
        "name": {"givenName": "Dave", "familyName": "Before"},
        "active": True,
    }
    exchange = probe.post("Users", body)
    found = exchange.json()
    matched_id: str | None = None
    if exchange.status in (200, 201) and isinstance(found, dict) and found.get("id"):
        matched_id = str(found["id"])
        created.add("Users", matched_id, dave.user_principal_name)
    return matched_id, exchange


__all__ = [
    "DIALECT_TAGS",
    "GALLERY_APP",
    "SeededTenant",
    "precreate_matched_user",
    "seed_tenant",
    "tenant_url_for",
]
