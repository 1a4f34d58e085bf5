"""Enterprise applications: the gallery, app roles, assignments and who is in scope.

Sources: linkedin-scim.md §4 ("Assignment role": pick **User**, not "Default
Access") and §6 (tutorial steps 9-10); entra-provisioning-service.md §2 "Scope"
(only direct members of assigned groups; disabled users aren't provisioned;
Default Access is "not effectively entitled" for configurations created before
16 Apr 2020) and "Deprovisioning" (IsSoftDeleted).

:meth:`EnterpriseApplication.evaluate_user` answers the question the engine asks
of every user: in scope and effectively entitled, and if not, why — with the
details Entra writes in the "Determine if user is in scope" step
(``EntrySynchronizationScoping``: Assigned, IsActive,
IsEffectivelyEntitledForProvisioning, IsInProvisioningScopeDisplayName,
ScopeEvaluationResult).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import httpx

from fake_entra.directory import (
    ChangeKind,
    ChangeRecord,
    Directory,
    DirectoryGroup,
    DirectoryUser,
    ObjectType,
    PortalError,
    random_uuid4,
)
from fake_entra.frozen import slot_init
from fake_entra.mappings import ConnectorTemplate, template_mappings
from fake_entra.provisioning import (
    DefaultAccessRule,
    PortalKnownIssues,
    PortalNotification,
    ProvisioningConfiguration,
    ProvisioningScope,
)
from fake_entra.scim_client import DEFAULT_TIMEOUT_SECONDS
from fake_entra.scoping import ScopingResult

#: Entra gives the implicit "Default Access" role the all-zero id.
DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"
DEFAULT_ACCESS = "Default Access"

#: S17: "a maximum storage capacity of 1024 bytes for all certificates, secret
#: tokens, credentials, and related configuration data" per application instance.
CREDENTIAL_STORAGE_LIMIT_BYTES = 1024
#: S17: the SAML signing certificate "often consumes over 50% percent of the
#: space". The exact size is ours: 700 bytes leaves 324 for provisioning.
SAML_SIGNING_CERTIFICATE_BYTES = 700


@dataclass(frozen=True, slots=True)
class AppRole:
    id: str
    display_name: str
    value: str | None
    description: str

    @property
    def is_default_access(self) -> bool:
        return self.id == DEFAULT_ACCESS_ROLE_ID


@dataclass(frozen=True, slots=True)
class AppRoleAssignment:
    """A user or group assigned to an application with one role."""

    id: str
    principal_id: str
    principal_type: ObjectType
    principal_display_name: str
    app_role: AppRole
    resource_id: str
    resource_display_name: str
    created_at: datetime

    @property
    def app_role_id(self) -> str:
        return self.app_role.id

    def as_source_value(self) -> dict[str, Any]:
        """The value of the ``appRoleAssignments`` source attribute.

        ``id``, ``value`` and ``displayName`` are the role's, as in the stringified
        role of S7's PATCH example; the rest are Graph appRoleAssignment fields.
        """
        return {
            "id": self.app_role.id,
            "value": self.app_role.value,
            "displayName": self.app_role.display_name,
            "assignmentId": self.id,
            "principalId": self.principal_id,
            "principalType": str(self.principal_type),
            "principalDisplayName": self.principal_display_name,
            "resourceId": self.resource_id,
            "resourceDisplayName": self.resource_display_name,
            "createdDateTime": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class GalleryApplication:
    """A gallery template ("Browse Microsoft Entra Gallery")."""

    name: str
    publisher: str
    description: str
    supports_provisioning: bool
    supports_saml_sso: bool
    # (display name, value, description) of the roles each instance gets,
    # besides Default Access.
    app_roles: tuple[tuple[str, str, str], ...] = ()
    #: The default mappings of a new instance's Provisioning page.
    connector_template: ConnectorTemplate = ConnectorTemplate.GENERIC_SCIM


#: linkedin-scim.md §4 (S16): Elevate has provisioning and SSO, Learning SSO only,
#: Sales Navigator both.
LINKEDIN_ELEVATE = GalleryApplication(
    "LinkedIn Elevate",
    "LinkedIn",
    "LinkedIn Elevate helps employees share company content on LinkedIn.",
    supports_provisioning=True,
    supports_saml_sso=True,
    app_roles=(("User", "User", "Users who share content with LinkedIn Elevate."),),
)
LINKEDIN_LEARNING = GalleryApplication(
    "LinkedIn Learning",
    "LinkedIn",
    "Online courses taught by industry experts.",
    supports_provisioning=False,
    supports_saml_sso=True,
    app_roles=(("User", "User", "Learners."),),
)
LINKEDIN_SALES_NAVIGATOR = GalleryApplication(
    "LinkedIn Sales Navigator",
    "LinkedIn",
    "Sales prospecting on LinkedIn.",
    supports_provisioning=True,
    supports_saml_sso=True,
    app_roles=(("User", "User", "Sales Navigator seat holders."),),
)


#: Whether LinkedIn's gallery apps start with the LinkedIn connector template (externalId
#: matching, LinkedIn's attributes) instead of the generic SCIM template (README "Fidelity").
#: On: MicrosoftDocs/azure-docs saas-apps/linkedin-learning-provisioning-tutorial.md (2020)
#: lists LinkedIn's SCIM attributes with externalId the only one "Supported for filtering",
#: and S1's Test Connection probes "the matching property" (azure-docs#21660 shows it on
#: externalId). Inferred (entra-fidelity-audit.md #2, "probable"): that Elevate's gallery
#: app uses the same connector, and the Entra sources of each attribute. Non-gallery apps
#: and ``provisim conformance`` keep the generic template (``Tenant(...=False)``).
DEFAULT_LINKEDIN_CONNECTOR_TEMPLATE = True


class Gallery:
    """The Microsoft Entra application gallery."""

    def __init__(
        self,
        templates: tuple[GalleryApplication, ...] = (
            LINKEDIN_ELEVATE,
            LINKEDIN_LEARNING,
            LINKEDIN_SALES_NAVIGATOR,
        ),
        *,
        linkedin_connector_template: bool = DEFAULT_LINKEDIN_CONNECTOR_TEMPLATE,
    ) -> None:
        if linkedin_connector_template:
            templates = tuple(
                dataclasses.replace(t, connector_template=ConnectorTemplate.LINKEDIN)
                if t.publisher == "LinkedIn"
                else t
                for t in templates
            )
        self._templates = {template.name.lower(): template for template in templates}

    def search(self, text: str) -> list[GalleryApplication]:
        """The gallery search box: case-insensitive, on name and publisher."""
        needle = text.strip().lower()
        return [
            template
            for template in self._templates.values()
            if needle in template.name.lower() or needle in template.publisher.lower()
        ]

    def get(self, name: str) -> GalleryApplication:
        try:
            return self._templates[name.strip().lower()]
        except KeyError:
            raise PortalError(f"No application named '{name}' in the gallery.") from None


class SkipReason(StrEnum):
    # linkedin-scim.md §4 (S3): Default Access users are "not effectively entitled";
    # an unassigned user under "Sync only assigned" is skipped the same way.
    NOT_EFFECTIVELY_ENTITLED = "NotEffectivelyEntitled"
    # §2 "Scope": users disabled in Entra can't be provisioned; soft-deleted ones
    # are deprovisioned. The names of these two values are ours.
    NOT_ACTIVE = "NotActive"
    OUT_OF_SCOPE = "OutOfScope"
    OBJECT_MAPPING_DISABLED = "ObjectMappingDisabled"


@slot_init
@dataclass(frozen=True, slots=True)
class ScopeEvaluation:
    """Is one user or group in scope for one application, and if not, why."""

    object_id: str
    object_type: ObjectType
    assigned: bool
    is_effectively_entitled: bool
    is_active: bool
    scoping: ScopingResult
    skip_reason: SkipReason | None
    reason: str
    app_role_assignments: tuple[AppRoleAssignment, ...]
    source_attributes: dict[str, Any]

    @property
    def in_scope(self) -> bool:
        return self.skip_reason is None

    @property
    def is_soft_deleted(self) -> bool:
        """The ``IsSoftDeleted`` source attribute (§2 "Deprovisioning")."""
        return not self.in_scope

    def details(self) -> dict[str, str]:
        """The details of the log's ``EntrySynchronizationScoping`` step."""
        return {
            "Assigned": str(self.assigned),
            "IsActive": str(self.is_active),
            "IsEffectivelyEntitledForProvisioning": str(self.is_effectively_entitled),
            "IsInProvisioningScopeDisplayName": "Yes" if self.in_scope else "No",
            "ScopeEvaluationResult": self.scoping.describe(),
        }


@dataclass(frozen=True, slots=True)
class SamlSingleSignOn:
    identifier: str
    reply_url: str
    signing_certificate_bytes: int


class EnterpriseApplication:
    """One instance of a gallery application in the tenant (a service principal)."""

    def __init__(
        self,
        template: GalleryApplication,
        display_name: str,
        *,
        directory: Directory,
        now: Callable[[], datetime],
        rng: random.Random,
        notifications: list[PortalNotification],
        authorize: Callable[[str], None],
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        known_issues: PortalKnownIssues | None = None,
    ) -> None:
        self.template = template
        self.display_name = display_name
        self._directory = directory
        self._now = now
        self._rng = rng
        self._authorize = authorize
        self.object_id = self._new_id()
        self.app_id = self._new_id()
        self.app_roles: tuple[AppRole, ...] = (
            *(
                AppRole(self._new_id(), name, value, text)
                for name, value, text in template.app_roles
            ),
            AppRole(
                DEFAULT_ACCESS_ROLE_ID, DEFAULT_ACCESS, None, "Default access to the application."
            ),
        )
        self.single_sign_on: SamlSingleSignOn | None = None
        # Assignments by principal, in assignment order: O(1) for "what does this
        # user or group hold" however many users the directory has. Most principals
        # hold one role: that assignment is the entry itself, more are a tuple
        # (read through _held and _first).
        self._assignments: dict[str, _Held] = {}
        user_mapping, group_mapping = template_mappings(template.connector_template)
        self.provisioning = ProvisioningConfiguration(
            self,
            now=now,
            rng=rng,
            notifications=notifications,
            authorize=lambda action: authorize(f"{action} ({self.display_name})"),
            transport=transport,
            timeout=timeout,
            known_issues=known_issues,
            user_mapping=user_mapping,
            group_mapping=group_mapping,
        )
        directory.journal.subscribe(self._on_directory_change)

    def __repr__(self) -> str:
        return f"EnterpriseApplication({self.display_name!r}, object_id={self.object_id!r})"

    @property
    def directory(self) -> Directory:
        """The tenant's directory, whose users and groups are assigned to the application."""
        return self._directory

    # -- roles -----------------------------------------------------------

    def app_role(self, role: str) -> AppRole:
        """A role by display name, value or id."""
        for app_role in self.app_roles:
            if role in (app_role.display_name, app_role.value, app_role.id):
                return app_role
        names = ", ".join(f'"{r.display_name}"' for r in self.app_roles)
        raise PortalError(f'"{role}" is not a role of {self.display_name}; choose one of {names}.')

    # -- Users and groups ------------------------------------------------

    def assign(self, principal_id: str, role: str) -> AppRoleAssignment:
        """ "Users and groups > Add user/group": assign a user or a group with a role."""
        self._authorize(f"Assign users and groups to {self.display_name}")
        app_role = self.app_role(role)
        principal = self._principal(principal_id)
        if isinstance(principal, DirectoryUser):
            if principal.is_soft_deleted:
                raise PortalError(
                    f"{principal.user_principal_name} is deleted and can't be assigned."
                )
            principal_type, name = ObjectType.USER, principal.display_name
        else:
            principal_type, name = ObjectType.GROUP, principal.display_name
        held = self._held(principal_id)
        if any(a.app_role.id == app_role.id for a in held):
            raise PortalError(
                f"{name} is already assigned to {self.display_name} with the role "
                f'"{app_role.display_name}".'
            )
        assignment = AppRoleAssignment(
            self._new_id(),
            principal_id,
            principal_type,
            name,
            app_role,
            self.object_id,
            self.display_name,
            self._now(),
        )
        self._assignments[principal_id] = (*held, assignment) if held else assignment
        self._directory.journal.append(
            principal_id, principal_type, ChangeKind.ASSIGNED, self.object_id
        )
        return assignment

    def unassign(self, principal_id: str, role: str | None = None) -> None:
        """ "Remove assignment": one role, or every role the principal holds."""
        self._authorize(f"Remove assignments from {self.display_name}")
        held = self._held(principal_id)
        if not held:
            raise PortalError(f"{principal_id} is not assigned to {self.display_name}.")
        if role is None:
            removed = list(held)
        else:
            app_role = self.app_role(role)
            removed = [a for a in held if a.app_role.id == app_role.id]
            if not removed:
                raise PortalError(
                    f'{held[0].principal_display_name} is not assigned with the role "{role}".'
                )
        remaining = tuple(a for a in held if a not in removed)
        if remaining:
            self._assignments[principal_id] = remaining if len(remaining) > 1 else remaining[0]
        else:
            del self._assignments[principal_id]
        self._directory.journal.append(
            principal_id, removed[0].principal_type, ChangeKind.UNASSIGNED, self.object_id
        )

    def assignments(self) -> list[AppRoleAssignment]:
        """Every assignment, in the order they were made per principal."""
        return [a for principal_id in self._assignments for a in self._held(principal_id)]

    def assignments_of(self, principal_id: str) -> tuple[AppRoleAssignment, ...]:
        """The principal's own (direct) assignments."""
        return self._held(principal_id)

    def user_assignments(self, user_id: str) -> tuple[AppRoleAssignment, ...]:
        """Direct assignments plus those of the groups the user is a *direct* member of.

        §2 "Scope": only direct members of assigned groups are in scope; nested
        group membership gives nothing.
        """
        direct = self._held(user_id)
        groups = self._directory.member_of(user_id)
        if not groups:
            return direct
        found = list(direct)
        for group_id in sorted(groups):
            found.extend(self._held(group_id))
        return tuple(found)

    def effective_assignments(self) -> dict[str, tuple[AppRoleAssignment, ...]]:
        """Every user that holds an assignment, directly or through a direct group."""
        result: dict[str, tuple[AppRoleAssignment, ...]] = {}
        for user_id in self._assigned_user_ids():
            result[user_id] = self.user_assignments(user_id)
        return result

    # -- scope -----------------------------------------------------------

    def users_to_evaluate(self) -> Iterator[DirectoryUser]:
        """The users an initial cycle reads: assigned ones, or all under "Sync all"."""
        if self.provisioning.saved_settings.scope is ProvisioningScope.SYNC_ALL:
            yield from self._directory.all_users()
            return
        for user_id in self._assigned_user_ids():
            user = self._directory.find_user(user_id)
            if user is not None:
                yield user

    def groups_to_evaluate(self) -> Iterator[DirectoryGroup]:
        if self.provisioning.saved_settings.scope is ProvisioningScope.SYNC_ALL:
            yield from self._directory.groups()
            return
        for principal_id, held in self._assignments.items():
            if _first(held).principal_type is ObjectType.GROUP:
                group = self._directory.find_group(principal_id)
                if group is not None:
                    yield group

    def evaluate_user(self, user: DirectoryUser | str) -> ScopeEvaluation:
        """Is this user in scope and effectively entitled, and if not, why."""
        if isinstance(user, str):
            user = self._directory.get_user(user)
        settings = self.provisioning.saved_settings
        assignments = self.user_assignments(user.object_id)
        assigned = bool(assignments)
        entitled, entitlement_reason = self._entitlement(
            assignments, settings.scope, settings.default_access_rule, "user"
        )
        is_active = user.account_enabled and not user.is_soft_deleted
        # Scoping filters can't read IsSoftDeleted (it is computed from scope),
        # so the source attributes are built once and the flag filled in after.
        source = user.source_attributes(
            is_soft_deleted=False,
            app_role_assignments=[a.as_source_value() for a in assignments],
        )
        scoping = self.provisioning.user_mapping.evaluate_scope(source)
        skip: SkipReason | None = None
        if not entitled:
            skip, reason = SkipReason.NOT_EFFECTIVELY_ENTITLED, entitlement_reason
        elif user.is_soft_deleted:
            skip, reason = SkipReason.NOT_ACTIVE, "The user is deleted in Microsoft Entra ID."
        elif not user.account_enabled:
            skip, reason = SkipReason.NOT_ACTIVE, "The user is disabled (accountEnabled is false)."
        elif not scoping.in_scope:
            skip, reason = SkipReason.OUT_OF_SCOPE, scoping.describe()
        else:
            reason = entitlement_reason
        source["IsSoftDeleted"] = skip is not None
        return ScopeEvaluation(
            user.object_id,
            ObjectType.USER,
            assigned,
            entitled,
            is_active,
            scoping,
            skip,
            reason,
            assignments,
            source,
        )

    def evaluate_group(self, group: DirectoryGroup | str) -> ScopeEvaluation:
        """The same question for a group: only directly assigned groups count."""
        if isinstance(group, str):
            group = self._directory.get_group(group)
        settings = self.provisioning.saved_settings
        mapping = self.provisioning.group_mapping
        assignments = self.assignments_of(group.object_id)
        entitled, reason = self._entitlement(
            assignments, settings.scope, settings.default_access_rule, "group"
        )
        source = group.source_attributes()
        scoping = mapping.evaluate_scope(source)
        skip: SkipReason | None = None
        if not mapping.enabled:
            skip, reason = (
                SkipReason.OBJECT_MAPPING_DISABLED,
                f"The mapping {mapping.name} is disabled; groups aren't provisioned.",
            )
        elif not entitled:
            skip = SkipReason.NOT_EFFECTIVELY_ENTITLED
        elif not scoping.in_scope:
            skip, reason = SkipReason.OUT_OF_SCOPE, scoping.describe()
        return ScopeEvaluation(
            group.object_id,
            ObjectType.GROUP,
            bool(assignments),
            entitled,
            True,
            scoping,
            skip,
            reason,
            assignments,
            source,
        )

    # -- single sign-on and the credential budget ------------------------

    def configure_saml_single_sign_on(
        self,
        identifier: str,
        reply_url: str,
        *,
        signing_certificate_bytes: int = SAML_SIGNING_CERTIFICATE_BYTES,
    ) -> SamlSingleSignOn:
        """ "Single sign-on > SAML": stores a signing certificate in the credential storage."""
        self._authorize(f"Configure single sign-on for {self.display_name}")
        if not self.template.supports_saml_sso:
            raise PortalError(f"{self.display_name} does not support SAML single sign-on.")
        if not identifier.strip() or not reply_url.strip():
            raise PortalError("Enter the Identifier (Entity ID) and the Reply URL.")
        self.single_sign_on = SamlSingleSignOn(identifier, reply_url, signing_certificate_bytes)
        return self.single_sign_on

    def credential_bytes_available(self) -> int:
        """What is left of the 1024-byte credential storage for provisioning (S17)."""
        used = self.single_sign_on.signing_certificate_bytes if self.single_sign_on else 0
        return CREDENTIAL_STORAGE_LIMIT_BYTES - used

    # -- internals -------------------------------------------------------

    def _new_id(self) -> str:
        return random_uuid4(self._rng)

    def _held(self, principal_id: str) -> tuple[AppRoleAssignment, ...]:
        """The principal's assignments, in assignment order (none if it holds none)."""
        held = self._assignments.get(principal_id, ())
        return (held,) if isinstance(held, AppRoleAssignment) else held

    def _principal(self, principal_id: str) -> DirectoryUser | DirectoryGroup:
        user = self._directory.find_user(principal_id)
        if user is not None:
            return user
        group = self._directory.find_group(principal_id)
        if group is not None:
            return group
        raise PortalError(f"No user or group with id {principal_id} exists in the directory.")

    def _assigned_user_ids(self) -> Iterator[str]:
        """Directly assigned users, then direct user members of assigned groups, once each."""
        seen: set[str] = set()
        for principal_id, held in self._assignments.items():
            if _first(held).principal_type is ObjectType.USER:
                if principal_id not in seen:
                    seen.add(principal_id)
                    yield principal_id
                continue
            group = self._directory.find_group(principal_id)
            if group is None:
                continue
            for member_id in sorted(group.members):
                if member_id not in seen and self._directory.find_user(member_id) is not None:
                    seen.add(member_id)
                    yield member_id

    def _entitlement(
        self,
        assignments: tuple[AppRoleAssignment, ...],
        scope: ProvisioningScope,
        rule: DefaultAccessRule,
        noun: str,
    ) -> tuple[bool, str]:
        if scope is ProvisioningScope.SYNC_ALL:
            return True, f'The scope is "{scope}", so every {noun} is entitled.'
        if not assignments:
            return False, f"The {noun} is not assigned to {self.display_name}."
        if rule is DefaultAccessRule.LIKE_ANY_ROLE:
            return True, f"The {noun} is assigned to {self.display_name}."
        roles = [a for a in assignments if not a.app_role.is_default_access]
        if not roles:
            return False, (
                f"The {noun} is assigned to {self.display_name} only with the Default Access "
                "role, which is not effectively entitled for provisioning; assign the User role."
            )
        return True, (
            f"The {noun} is assigned to {self.display_name} with the role "
            f'"{roles[0].app_role.display_name}".'
        )

    def _on_directory_change(self, record: ChangeRecord) -> None:
        # A purged user or a deleted group loses its assignments, as in Entra.
        if record.kind is ChangeKind.HARD_DELETED:
            self._assignments.pop(record.object_id, None)


#: What an application holds for one principal: its one assignment, or a tuple of two or more.
_Held = AppRoleAssignment | tuple[AppRoleAssignment, ...]


def _first(held: _Held) -> AppRoleAssignment:
    return held if isinstance(held, AppRoleAssignment) else held[0]


class EnterpriseApplications:
    """ "Enterprise applications > All applications"."""

    def __init__(
        self,
        gallery: Gallery,
        *,
        directory: Directory,
        now: Callable[[], datetime],
        rng: random.Random,
        notifications: list[PortalNotification],
        authorize: Callable[[str], None],
        transport: Callable[[], httpx.BaseTransport | None] = lambda: None,
        timeout: Callable[[], float] = lambda: DEFAULT_TIMEOUT_SECONDS,
        known_issues: PortalKnownIssues | None = None,
    ) -> None:
        self.gallery = gallery
        #: The portal's known issues every new instance's Provisioning page has.
        self.known_issues = known_issues or PortalKnownIssues()
        self._directory = directory
        self._now = now
        self._rng = rng
        self._notifications = notifications
        self._authorize = authorize
        self._transport = transport
        self._timeout = timeout
        self._apps: dict[str, EnterpriseApplication] = {}

    def add_from_gallery(self, name: str, display_name: str | None = None) -> EnterpriseApplication:
        """ "+ New application", pick a gallery app, optionally rename it, "Create"."""
        self._authorize("Add an application from the gallery")
        template = self.gallery.get(name)
        app = EnterpriseApplication(
            template,
            (display_name or template.name).strip(),
            directory=self._directory,
            now=self._now,
            rng=self._rng,
            notifications=self._notifications,
            authorize=self._authorize,
            transport=self._transport(),
            timeout=self._timeout(),
            known_issues=self.known_issues,
        )
        if not app.display_name:
            raise PortalError("Enter a name for the application.")
        self._apps[app.object_id] = app
        return app

    def search(self, text: str) -> list[EnterpriseApplication]:
        """The "Search application" box over the tenant's instances."""
        needle = text.strip().lower()
        return [app for app in self._apps.values() if needle in app.display_name.lower()]

    def get(self, object_id: str) -> EnterpriseApplication:
        try:
            return self._apps[object_id]
        except KeyError:
            raise PortalError(f"No enterprise application with object id {object_id}.") from None

    def __iter__(self) -> Iterator[EnterpriseApplication]:
        return iter(self._apps.values())

    def __len__(self) -> int:
        return len(self._apps)
