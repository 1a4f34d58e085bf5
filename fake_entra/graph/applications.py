"""Application templates, their instances (application + service principal) and app role
assignments, over the tenant's gallery and enterprise applications.

Sources: [G applicationtemplate-list.md, applicationtemplate-instantiate.md,
serviceprincipal-get.md, serviceprincipal-post-approleassignedto.md,
serviceprincipal-delete-approleassignedto.md, resources/approleassignment.md];
reference A.3.1, A.3.2, A.3.8.

LinkedIn Elevate's template id is not published, so each gallery application gets a
GUID derived from its name (stable across runs). The implicit Default Access role
(``00000000-0000-0000-0000-000000000000``) is assignable but, as in Graph, is not listed
in ``appRoles``. An assignment id is a 43-character base64url string, as Graph's are.
"""

from __future__ import annotations

import base64
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fake_entra.applications import (
    DEFAULT_ACCESS_ROLE_ID,
    AppRole,
    AppRoleAssignment,
    EnterpriseApplication,
    GalleryApplication,
)
from fake_entra.directory import PortalError
from fake_entra.graph.bodies import properties, string
from fake_entra.graph.errors import GraphError, bad_request, not_found
from fake_entra.graph.odata import CollectionOptions
from fake_entra.logs import graph_datetime
from fake_entra.tenant import Tenant

#: The namespace of the template ids provisim mints (uuid5 of the gallery name).
TEMPLATE_NAMESPACE = uuid.UUID("0f3a6c1e-5b7d-4e29-9c84-2d1e6f7a8b90")
#: [G applicationtemplate-instantiate.md]: the non-gallery ("custom") application template.
NON_GALLERY_TEMPLATE_ID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"

TEMPLATE_COLLECTION = CollectionOptions(
    # [G applicationtemplate-list.md]: $filter on displayName and categories; "$orderby,
    # $top, and $skip ... in any GET request".
    orderable=frozenset({"id", "displayName", "publisher"}),
    skippable=True,
    filterable=frozenset({"displayName", "id", "categories", "publisher"}),
    selectable=frozenset(
        {
            "id",
            "displayName",
            "homePageUrl",
            "supportedSingleSignOnModes",
            "supportedProvisioningTypes",
            "logoUrl",
            "categories",
            "publisher",
            "description",
        }
    ),
)
SERVICE_PRINCIPAL_COLLECTION = CollectionOptions(
    filterable=frozenset({"id", "appId", "displayName", "applicationTemplateId"}),
    selectable=frozenset(
        {
            "id",
            "appId",
            "appDisplayName",
            "displayName",
            "accountEnabled",
            "appRoleAssignmentRequired",
            "applicationTemplateId",
            "servicePrincipalNames",
            "servicePrincipalType",
            "tags",
            "appRoles",
        }
    ),
)
ASSIGNMENT_COLLECTION = CollectionOptions(
    selectable=frozenset(
        {
            "id",
            "deletedDateTime",
            "appRoleId",
            "createdDateTime",
            "principalDisplayName",
            "principalId",
            "principalType",
            "resourceDisplayName",
            "resourceId",
        }
    ),
)


def template_id(template: GalleryApplication) -> str:
    return str(uuid.uuid5(TEMPLATE_NAMESPACE, template.name))


def template_json(template: GalleryApplication) -> dict[str, Any]:
    """A Graph ``applicationTemplate`` (reference A.3.1; homePageUrl, modes and categories are
    provisim's guesses)."""
    return {
        "id": template_id(template),
        "displayName": template.name,
        "homePageUrl": "https://www.linkedin.com/",
        "supportedSingleSignOnModes": ["saml", "external"]
        if template.supports_saml_sso
        else ["external"],
        # "sync" is the documented marker of a provisioning-capable template.
        "supportedProvisioningTypes": ["sync"] if template.supports_provisioning else [],
        "logoUrl": None,
        "categories": ["collaboration"],
        "publisher": template.publisher,
        "description": template.description,
    }


def app_role_json(role: AppRole) -> dict[str, Any]:
    return {
        "allowedMemberTypes": ["User"],
        "description": role.description,
        "displayName": role.display_name,
        "id": role.id,
        "isEnabled": True,
        "origin": "Application",
        "value": role.value,
    }


def assignment_id(assignment: AppRoleAssignment) -> str:
    """43 base64url characters, as Graph's: the principal's id then the assignment's."""
    raw = uuid.UUID(assignment.principal_id).bytes_le + uuid.UUID(assignment.id).bytes
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def assignment_json(assignment: AppRoleAssignment) -> dict[str, Any]:
    return {
        "id": assignment_id(assignment),
        "deletedDateTime": None,
        "appRoleId": assignment.app_role_id,
        "createdDateTime": graph_datetime(assignment.created_at),
        "principalDisplayName": assignment.principal_display_name,
        "principalId": assignment.principal_id,
        "principalType": str(assignment.principal_type),
        "resourceDisplayName": assignment.resource_display_name,
        "resourceId": assignment.resource_id,
    }


@dataclass(frozen=True)
class Instance:
    """What instantiate created besides the service principal: the application object."""

    application_id: str
    template_id: str
    created_at: datetime


class Applications:
    """``/applicationTemplates``, ``/servicePrincipals`` and ``appRoleAssignedTo``."""

    def __init__(
        self, tenant: Tenant, rng: random.Random, authorize: Callable[[str], None]
    ) -> None:
        self._tenant = tenant
        self._rng = rng
        self._authorize = authorize
        self._instances: dict[str, Instance] = {}

    # -- templates ---------------------------------------------------------------------------

    def templates(self) -> list[dict[str, Any]]:
        return [template_json(t) for t in self._tenant.gallery.search("")]

    def template(self, wanted: str) -> GalleryApplication:
        for template in self._tenant.gallery.search(""):
            if template_id(template) == wanted.lower():
                return template
        raise GraphError(
            404, "Request_ResourceNotFound", f"Application template '{wanted}' does not exist."
        )

    def instantiate(self, wanted: str, raw: dict[str, Any]) -> EnterpriseApplication:
        """[G applicationtemplate-instantiate.md]: 201 with the application and its
        service principal."""
        template = self.template(wanted)
        body = properties(raw)
        display_name = string(body, "displayName", required=True) or ""
        if not display_name.strip():
            raise bad_request("Invalid value specified for property 'displayName'.")
        self._authorize("Add an application from the gallery")
        try:
            app = self._tenant.add_from_gallery(template.name, display_name)
        except PortalError as error:
            raise bad_request(error.notification) from None
        self._instance(app)
        return app

    # -- service principals ------------------------------------------------------------------

    def service_principals(self) -> list[EnterpriseApplication]:
        return list(self._tenant.enterprise_applications)

    def service_principal(self, object_id: str) -> EnterpriseApplication:
        try:
            return self._tenant.enterprise_applications.get(object_id.lower())
        except PortalError:
            raise not_found("servicePrincipal", object_id) from None

    def by_app_id(self, app_id: str) -> EnterpriseApplication:
        for app in self._tenant.enterprise_applications:
            if app.app_id == app_id.lower():
                return app
        raise not_found("servicePrincipal", f"appId={app_id}")

    def by_application_id(self, object_id: str) -> EnterpriseApplication:
        """The instance whose application object (``/applications/{id}``) has this id."""
        wanted = object_id.lower()
        for sp_id, instance in self._instances.items():
            if instance.application_id == wanted:
                return self.service_principal(sp_id)
        raise not_found("application", object_id)

    def application_json(self, app: EnterpriseApplication) -> dict[str, Any]:
        instance = self._instance(app)
        return {
            "id": instance.application_id,
            "appId": app.app_id,
            "applicationTemplateId": instance.template_id,
            "displayName": app.display_name,
            "createdDateTime": graph_datetime(instance.created_at),
            "signInAudience": "AzureADMyOrg",
            "appRoles": [app_role_json(r) for r in app.app_roles if not r.is_default_access],
            "tags": [],
        }

    def service_principal_json(self, app: EnterpriseApplication) -> dict[str, Any]:
        instance = self._instance(app)
        return {
            "id": app.object_id,
            "appId": app.app_id,
            "appDisplayName": app.template.name,
            "displayName": app.display_name,
            "accountEnabled": True,
            # The AWS example of [G applicationtemplate-instantiate.md] shows true.
            "appRoleAssignmentRequired": True,
            "applicationTemplateId": instance.template_id,
            "servicePrincipalNames": [app.app_id],
            "servicePrincipalType": "Application",
            "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
            "appRoles": [app_role_json(r) for r in app.app_roles if not r.is_default_access],
        }

    # -- app role assignments ----------------------------------------------------------------

    def assignments(self, app: EnterpriseApplication) -> list[dict[str, Any]]:
        return [assignment_json(a) for a in app.assignments()]

    def assign(self, app: EnterpriseApplication, raw: dict[str, Any]) -> AppRoleAssignment:
        body = properties(raw)
        principal_id = (string(body, "principalId", required=True) or "").lower()
        resource_id = (string(body, "resourceId", required=True) or "").lower()
        role_id = (string(body, "appRoleId", required=True) or "").lower()
        if resource_id != app.object_id:
            raise bad_request(
                f"resourceId '{resource_id}' must be the service principal the assignment is "
                f"posted to ({app.object_id})."
            )
        if role_id != DEFAULT_ACCESS_ROLE_ID and all(r.id != role_id for r in app.app_roles):
            raise bad_request("Permission being assigned was not found on application")
        directory = self._tenant.directory
        user = directory.find_user(principal_id)
        if (user is None or user.is_soft_deleted) and directory.find_group(principal_id) is None:
            raise not_found("principal", principal_id)
        if any(a.app_role_id == role_id for a in app.assignments_of(principal_id)):
            raise bad_request("Permission being assigned already exists on the object")
        self._authorize(f"Assign users and groups to {app.display_name}")
        try:
            return app.assign(principal_id, role_id)
        except PortalError as error:
            raise bad_request(error.notification) from None

    def unassign(self, app: EnterpriseApplication, wanted: str) -> None:
        for assignment in app.assignments():
            if assignment_id(assignment) == wanted:
                self._authorize(f"Remove assignments from {app.display_name}")
                app.unassign(assignment.principal_id, assignment.app_role_id)
                return
        raise not_found("appRoleAssignment", wanted)

    # -- internals ---------------------------------------------------------------------------

    def _instance(self, app: EnterpriseApplication) -> Instance:
        """The application object of an instance, minted the first time Graph sees it."""
        instance = self._instances.get(app.object_id)
        if instance is None:
            instance = Instance(
                str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
                template_id(app.template),
                self._tenant.clock.now(),
            )
            self._instances[app.object_id] = instance
        return instance
