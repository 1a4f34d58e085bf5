"""The Entra tenant: the facade a scenario starts from.

A :class:`Tenant` ties the directory, the signed-in admin, the gallery and the
enterprise applications to one virtual clock and one seed. Every random draw
(object ids, Test Connection GUIDs, generated people) comes from a generator
derived from that seed, so a scenario run twice builds the same tenant.

The signed-in admin's directory role matters: adding gallery apps, assigning
users and configuring provisioning need at least Cloud Application
Administrator (linkedin-scim.md §6 step 7); Application Administrator and
Global Administrator also qualify. Directory edits are not role-checked here:
scenarios use them to stand in for HR and other admins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from fake_entra.applications import (
    DEFAULT_LINKEDIN_CONNECTOR_TEMPLATE,
    EnterpriseApplication,
    EnterpriseApplications,
    Gallery,
)
from fake_entra.clock import VirtualClock
from fake_entra.directory import Directory, PortalError
from fake_entra.generator import GeneratedDirectory, build_directory
from fake_entra.provisioning import PortalKnownIssues, PortalNotification
from fake_entra.scim_client import DEFAULT_TIMEOUT_SECONDS

__all__ = [
    "APPLICATION_MANAGEMENT_ROLES",
    "AdminSession",
    "DirectoryRole",
    "PortalError",
    "PortalKnownIssues",
    "PortalNotification",
    "Tenant",
]


class DirectoryRole(StrEnum):
    """Built-in Microsoft Entra roles an admin may hold (or none: "User")."""

    GLOBAL_ADMINISTRATOR = "Global Administrator"
    APPLICATION_ADMINISTRATOR = "Application Administrator"
    CLOUD_APPLICATION_ADMINISTRATOR = "Cloud Application Administrator"
    USER_ADMINISTRATOR = "User Administrator"
    HELPDESK_ADMINISTRATOR = "Helpdesk Administrator"
    GLOBAL_READER = "Global Reader"
    USER = "User"


#: "At least Cloud Application Administrator" (tutorial step 7).
APPLICATION_MANAGEMENT_ROLES: frozenset[DirectoryRole] = frozenset(
    {
        DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR,
        DirectoryRole.APPLICATION_ADMINISTRATOR,
        DirectoryRole.GLOBAL_ADMINISTRATOR,
    }
)


@dataclass(frozen=True, slots=True)
class AdminSession:
    user_principal_name: str
    role: DirectoryRole


class Tenant:
    """One Microsoft Entra tenant, as its admin center sees it."""

    def __init__(
        self,
        seed: int = 0,
        *,
        clock: VirtualClock | None = None,
        organization: str = "Contoso",
        domain: str = "contoso.com",
        scim_transport: httpx.BaseTransport | None = None,
        scim_timeout: float = DEFAULT_TIMEOUT_SECONDS,
        known_issues: PortalKnownIssues | None = None,
        linkedin_connector_template: bool = DEFAULT_LINKEDIN_CONNECTOR_TEMPLATE,
    ) -> None:
        self.seed = seed
        self.organization = organization
        self.clock = clock or VirtualClock()
        # One stream per concern, so adding an app doesn't shift the ids of users.
        self.directory = Directory(
            self.clock,
            random.Random(f"{seed}:directory"),
            initial_domain=f"{organization.lower()}.onmicrosoft.com",
            verified_domains=(domain,),
        )
        #: Where every SCIM request of this tenant goes (None: the network).
        self.scim_transport = scim_transport
        self.scim_timeout = scim_timeout
        self.notifications: list[PortalNotification] = []
        self.session: AdminSession | None = None
        self.gallery = Gallery(linkedin_connector_template=linkedin_connector_template)
        self.enterprise_applications = EnterpriseApplications(
            self.gallery,
            directory=self.directory,
            now=self.clock.now,
            rng=random.Random(f"{seed}:applications"),
            notifications=self.notifications,
            authorize=self.require_application_admin,
            transport=lambda: self.scim_transport,
            timeout=lambda: self.scim_timeout,
            known_issues=known_issues,
        )

    # -- the admin center ------------------------------------------------

    def sign_in(
        self,
        role: DirectoryRole | str = DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR,
        user_principal_name: str | None = None,
    ) -> AdminSession:
        """Sign in to the Microsoft Entra admin center with a directory role."""
        try:
            directory_role = DirectoryRole(role)
        except ValueError:
            names = ", ".join(r.value for r in DirectoryRole)
            raise PortalError(f"'{role}' is not a directory role; use one of {names}.") from None
        upn = user_principal_name or f"admin@{self.directory.default_domain}"
        self.session = AdminSession(upn, directory_role)
        return self.session

    def sign_out(self) -> None:
        self.session = None

    def require_application_admin(self, action: str) -> None:
        """Refuse ``action`` unless the admin holds an application-management role."""
        if self.session is None:
            raise PortalError(f"{action}: sign in to the Microsoft Entra admin center first.")
        if self.session.role not in APPLICATION_MANAGEMENT_ROLES:
            raise PortalError(
                f"{action} needs at least the Cloud Application Administrator role "
                "(Application Administrator and Global Administrator also qualify); "
                f"{self.session.user_principal_name} is signed in as {self.session.role}."
            )

    # -- shortcuts for scenarios -----------------------------------------

    def build_directory(
        self, users: int = 100, groups: int = 10, seed: int | None = None, **options: Any
    ) -> GeneratedDirectory:
        """Fill the directory with generated people (seeded by the tenant's seed by default)."""
        return build_directory(
            self.directory,
            users=users,
            groups=groups,
            seed=self.seed if seed is None else seed,
            **options,
        )

    def add_from_gallery(self, name: str, display_name: str | None = None) -> EnterpriseApplication:
        """Enterprise applications > New application > (gallery app) > Create."""
        return self.enterprise_applications.add_from_gallery(name, display_name)

    def use_linkedin_connector_template(self, on: bool = True) -> None:
        """From now on, LinkedIn's gallery apps are added with the LinkedIn connector template
        (``Gallery.linkedin_connector_template``); instances already added keep theirs."""
        self.gallery = Gallery(linkedin_connector_template=on)
        self.enterprise_applications.gallery = self.gallery

    def find_application(self, text: str) -> EnterpriseApplication:
        """Find exactly one existing instance by the search box."""
        found = self.enterprise_applications.search(text)
        exact = [app for app in found if app.display_name.lower() == text.strip().lower()]
        if len(exact) == 1:
            return exact[0]
        if len(found) == 1:
            return found[0]
        if not found:
            raise PortalError(f"No enterprise application matches '{text}'.")
        names = ", ".join(app.display_name for app in found)
        raise PortalError(f"'{text}' matches several applications ({names}); be more specific.")
