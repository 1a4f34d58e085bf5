from __future__ import annotations

import random

import pytest

from fake_entra.applications import (
    CREDENTIAL_STORAGE_LIMIT_BYTES,
    DEFAULT_ACCESS_ROLE_ID,
    SAML_SIGNING_CERTIFICATE_BYTES,
    EnterpriseApplication,
    EnterpriseApplications,
    Gallery,
    GalleryApplication,
    SkipReason,
)
from fake_entra.directory import ChangeKind, DirectoryUser, ObjectType, PortalError
from fake_entra.expressions import EvaluationContext
from fake_entra.mappings import AttributeMapping
from fake_entra.provisioning import DefaultAccessRule, ProvisioningScope
from fake_entra.scoping import ScopingClause, ScopingFilter, ScopingOperator
from fake_entra.tenant import Tenant


@pytest.fixture
def tenant() -> Tenant:
    tenant = Tenant(seed=2)
    tenant.sign_in()
    return tenant


@pytest.fixture
def app(tenant: Tenant) -> EnterpriseApplication:
    return tenant.add_from_gallery("LinkedIn Elevate")


def user(tenant: Tenant, name: str, **attributes: object) -> DirectoryUser:
    return tenant.directory.add_user(f"{name}@contoso.com", name.title(), **attributes)


def save_scope(app: EnterpriseApplication, scope: ProvisioningScope) -> None:
    app.provisioning.set_scope(scope)
    app.provisioning.save()


# -- gallery ----------------------------------------------------------------


def test_gallery_search() -> None:
    gallery = Gallery()
    assert [t.name for t in gallery.search("linkedin")] == [
        "LinkedIn Elevate",
        "LinkedIn Learning",
        "LinkedIn Sales Navigator",
    ]
    assert [t.name for t in gallery.search("ELEVATE")] == ["LinkedIn Elevate"]
    assert gallery.get("linkedin elevate").supports_provisioning
    assert not gallery.get("LinkedIn Learning").supports_provisioning
    with pytest.raises(PortalError, match="No application named"):
        gallery.get("Workday")


def test_each_instance_has_user_and_default_access_roles(app: EnterpriseApplication) -> None:
    assert [role.display_name for role in app.app_roles] == ["User", "Default Access"]
    default_access = app.app_role("Default Access")
    assert default_access.id == DEFAULT_ACCESS_ROLE_ID
    assert default_access.is_default_access
    user_role = app.app_role("User")
    assert not user_role.is_default_access
    assert app.app_role(user_role.id) is user_role
    with pytest.raises(PortalError, match='"Admin" is not a role of LinkedIn Elevate'):
        app.app_role("Admin")


def test_instances_are_distinct_and_searchable(tenant: Tenant, app: EnterpriseApplication) -> None:
    second = tenant.add_from_gallery("LinkedIn Elevate", "LinkedIn Elevate (Provisioning)")
    assert second.object_id != app.object_id
    assert second.app_role("User").id != app.app_role("User").id
    assert tenant.enterprise_applications.search("elevate") == [app, second]
    assert tenant.enterprise_applications.search("provisioning") == [second]
    assert tenant.enterprise_applications.get(second.object_id) is second
    assert len(tenant.enterprise_applications) == 2
    with pytest.raises(PortalError, match="No enterprise application"):
        tenant.enterprise_applications.get("nope")
    with pytest.raises(PortalError, match="Enter a name"):
        tenant.add_from_gallery("LinkedIn Elevate", "   ")


# -- assignments ------------------------------------------------------------


def test_assign_and_unassign_users_and_groups(tenant: Tenant, app: EnterpriseApplication) -> None:
    alice = user(tenant, "alice")
    group = tenant.directory.add_group("Sales")
    mark = tenant.directory.journal.watermark
    assignment = app.assign(alice.object_id, "User")
    assert assignment.principal_type is ObjectType.USER
    assert assignment.app_role.display_name == "User"
    assert assignment.resource_id == app.object_id
    app.assign(alice.object_id, "Default Access")
    app.assign(group.object_id, "User")
    assert [a.principal_display_name for a in app.assignments()] == ["Alice", "Alice", "Sales"]
    with pytest.raises(PortalError, match="already assigned"):
        app.assign(alice.object_id, "User")
    app.unassign(alice.object_id, "Default Access")
    assert [a.app_role.display_name for a in app.assignments_of(alice.object_id)] == ["User"]
    app.unassign(alice.object_id)
    assert app.assignments_of(alice.object_id) == ()
    with pytest.raises(PortalError, match="is not assigned"):
        app.unassign(alice.object_id)
    with pytest.raises(PortalError, match='not assigned with the role "Default Access"'):
        app.unassign(group.object_id, "Default Access")
    assert [(r.object_id, r.kind, r.related_id) for r in tenant.directory.journal.since(mark)] == [
        (alice.object_id, ChangeKind.ASSIGNED, app.object_id),
        (alice.object_id, ChangeKind.ASSIGNED, app.object_id),
        (group.object_id, ChangeKind.ASSIGNED, app.object_id),
        (alice.object_id, ChangeKind.UNASSIGNED, app.object_id),
        (alice.object_id, ChangeKind.UNASSIGNED, app.object_id),
    ]


def test_assignments_keep_their_order_however_many_roles_a_principal_holds(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice, bob = user(tenant, "alice"), user(tenant, "bob")
    group = tenant.directory.add_group("Sales", members=[alice.object_id])
    app.assign(alice.object_id, "Default Access")
    app.assign(group.object_id, "User")
    app.assign(bob.object_id, "User")
    app.assign(group.object_id, "Default Access")
    app.assign(alice.object_id, "User")
    roles = [(a.principal_display_name, a.app_role.display_name) for a in app.assignments()]
    assert roles == [
        ("Alice", "Default Access"),
        ("Alice", "User"),
        ("Sales", "User"),
        ("Sales", "Default Access"),
        ("Bob", "User"),
    ]
    assert [a.app_role.display_name for a in app.user_assignments(alice.object_id)] == [
        "Default Access",
        "User",
        "User",
        "Default Access",
    ]
    app.unassign(group.object_id, "User")
    app.unassign(alice.object_id, "Default Access")
    assert [(a.principal_display_name, a.app_role.display_name) for a in app.assignments()] == [
        ("Alice", "User"),
        ("Sales", "Default Access"),
        ("Bob", "User"),
    ]
    assert app.user_assignments(bob.object_id) == app.assignments_of(bob.object_id)
    assert [g.object_id for g in app.groups_to_evaluate()] == [group.object_id]
    assert [u.object_id for u in app.users_to_evaluate()] == [alice.object_id, bob.object_id]


def test_assignment_refusals(tenant: Tenant, app: EnterpriseApplication) -> None:
    alice = user(tenant, "alice")
    with pytest.raises(PortalError, match="No user or group"):
        app.assign("missing", "User")
    with pytest.raises(PortalError, match="not a role"):
        app.assign(alice.object_id, "Owner")
    tenant.directory.delete_user(alice.object_id)
    with pytest.raises(PortalError, match="is deleted and can't be assigned"):
        app.assign(alice.object_id, "User")


def test_a_purged_principal_loses_its_assignments(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice = user(tenant, "alice")
    group = tenant.directory.add_group("Sales")
    app.assign(alice.object_id, "User")
    app.assign(group.object_id, "User")
    tenant.directory.delete_user(alice.object_id)
    assert app.assignments_of(alice.object_id)  # kept while in the recycle bin
    tenant.clock.advance(days=30)
    tenant.directory.delete_group(group.object_id)
    assert app.assignments() == []


# -- who is in scope --------------------------------------------------------


def test_a_user_assigned_with_user_is_in_scope(tenant: Tenant, app: EnterpriseApplication) -> None:
    alice = user(tenant, "alice")
    app.assign(alice.object_id, "User")
    result = app.evaluate_user(alice.object_id)
    assert result.in_scope
    assert result.skip_reason is None
    assert result.details() == {
        "Assigned": "True",
        "IsActive": "True",
        "IsEffectivelyEntitledForProvisioning": "True",
        "IsInProvisioningScopeDisplayName": "Yes",
        "ScopeEvaluationResult": "No scoping filters: in scope.",
    }
    assert result.source_attributes["IsSoftDeleted"] is False
    assert result.source_attributes["appRoleAssignments"][0]["displayName"] == "User"


def test_default_access_only_is_not_effectively_entitled_by_default(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice = user(tenant, "alice")
    app.assign(alice.object_id, "Default Access")
    result = app.evaluate_user(alice)
    assert result.assigned
    assert not result.is_effectively_entitled
    assert result.skip_reason is SkipReason.NOT_EFFECTIVELY_ENTITLED
    assert result.skip_reason == "NotEffectivelyEntitled"
    assert "Default Access" in result.reason
    assert result.is_soft_deleted
    assert result.source_attributes["IsSoftDeleted"] is True
    # Holding User as well entitles the user.
    app.assign(alice.object_id, "User")
    assert app.evaluate_user(alice).in_scope


def test_the_post_2020_rule_evaluates_default_access_like_any_role(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice = user(tenant, "alice")
    app.assign(alice.object_id, "Default Access")
    app.provisioning.set_default_access_rule(DefaultAccessRule.LIKE_ANY_ROLE)
    # A setting takes effect once saved.
    assert not app.evaluate_user(alice).in_scope
    app.provisioning.save()
    assert app.evaluate_user(alice).in_scope


def test_an_unassigned_user_is_not_entitled(tenant: Tenant, app: EnterpriseApplication) -> None:
    result = app.evaluate_user(user(tenant, "alice"))
    assert not result.assigned
    assert result.skip_reason is SkipReason.NOT_EFFECTIVELY_ENTITLED
    assert "not assigned" in result.reason


def test_only_direct_members_of_assigned_groups_are_in_scope(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice, bob = user(tenant, "alice"), user(tenant, "bob")
    inner = tenant.directory.add_group("Inner", members=[bob.object_id])
    outer = tenant.directory.add_group("Outer", members=[alice.object_id, inner.object_id])
    app.assign(outer.object_id, "User")
    assert app.evaluate_user(alice).in_scope
    assert app.evaluate_user(alice).app_role_assignments[0].principal_id == outer.object_id
    nested = app.evaluate_user(bob)
    assert nested.skip_reason is SkipReason.NOT_EFFECTIVELY_ENTITLED
    assert set(app.effective_assignments()) == {alice.object_id}
    assert [u.object_id for u in app.users_to_evaluate()] == [alice.object_id]


def test_a_group_assigned_with_default_access_does_not_entitle_its_members(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice = user(tenant, "alice")
    group = tenant.directory.add_group("Sales", members=[alice.object_id])
    app.assign(group.object_id, "Default Access")
    assert app.evaluate_user(alice).skip_reason is SkipReason.NOT_EFFECTIVELY_ENTITLED
    assert app.evaluate_group(group).skip_reason is SkipReason.NOT_EFFECTIVELY_ENTITLED


def test_disabled_and_deleted_users_are_not_active(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice = user(tenant, "alice", account_enabled=False)
    bob = user(tenant, "bob")
    app.assign(alice.object_id, "User")
    app.assign(bob.object_id, "User")
    tenant.directory.delete_user(bob.object_id)
    disabled = app.evaluate_user(alice)
    assert disabled.skip_reason is SkipReason.NOT_ACTIVE
    assert not disabled.is_active
    assert disabled.is_effectively_entitled
    assert "accountEnabled" in disabled.reason
    deleted = app.evaluate_user(bob)
    assert deleted.skip_reason is SkipReason.NOT_ACTIVE
    assert "deleted" in deleted.reason
    assert deleted.source_attributes["IsSoftDeleted"] is True
    # Still read by a cycle, which must disable them in the target.
    assert {u.object_id for u in app.users_to_evaluate()} == {alice.object_id, bob.object_id}


def test_a_scoping_filter_puts_users_out_of_scope(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice = user(tenant, "alice", department="Sales")
    bob = user(tenant, "bob", department="Legal")
    for person in (alice, bob):
        app.assign(person.object_id, "User")
    config = app.provisioning
    draft = config.open_attribute_mapping(ObjectType.USER)
    draft.add_scoping_filter(
        ScopingFilter("Sales only", [ScopingClause("department", ScopingOperator.EQUALS, "Sales")])
    )
    config.save_attribute_mapping(draft)
    assert app.evaluate_user(alice).in_scope
    out = app.evaluate_user(bob)
    assert out.skip_reason is SkipReason.OUT_OF_SCOPE
    assert out.details()["ScopeEvaluationResult"].startswith("Out of scope")
    assert out.details()["IsInProvisioningScopeDisplayName"] == "No"


def test_sync_all_puts_unassigned_users_in_scope(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    alice = user(tenant, "alice")
    bob = user(tenant, "bob", account_enabled=False)
    save_scope(app, ProvisioningScope.SYNC_ALL)
    result = app.evaluate_user(alice)
    assert result.in_scope
    assert not result.assigned
    assert app.evaluate_user(bob).skip_reason is SkipReason.NOT_ACTIVE
    assert [u.object_id for u in app.users_to_evaluate()] == [alice.object_id, bob.object_id]


def test_groups_in_scope(tenant: Tenant, app: EnterpriseApplication) -> None:
    assigned = tenant.directory.add_group("Sales")
    other = tenant.directory.add_group("Legal")
    app.assign(assigned.object_id, "User")
    assert app.evaluate_group(assigned.object_id).in_scope
    assert app.evaluate_group(other).skip_reason is SkipReason.NOT_EFFECTIVELY_ENTITLED
    assert list(app.groups_to_evaluate()) == [assigned]
    config = app.provisioning
    draft = config.open_attribute_mapping(ObjectType.GROUP)
    draft.enabled = False
    config.save_attribute_mapping(draft)
    assert app.evaluate_group(assigned).skip_reason is SkipReason.OBJECT_MAPPING_DISABLED
    save_scope(app, ProvisioningScope.SYNC_ALL)
    assert list(app.groups_to_evaluate()) == [assigned, other]


def test_the_role_reaches_expressions(tenant: Tenant, app: EnterpriseApplication) -> None:
    alice = user(tenant, "alice")
    app.assign(alice.object_id, "User")
    roles = AttributeMapping.of_expression("SingleAppRoleAssignment([appRoleAssignments])", "roles")
    source = app.evaluate_user(alice).source_attributes
    # S7: the role object; roles[primary eq "True"].value takes its value.
    assert roles.evaluate(source, EvaluationContext(), creating=True)["value"] == "User"


# -- single sign-on and the credential budget -------------------------------


def test_saml_sso_takes_most_of_the_credential_storage(
    tenant: Tenant, app: EnterpriseApplication
) -> None:
    assert app.credential_bytes_available() == CREDENTIAL_STORAGE_LIMIT_BYTES == 1024
    app.configure_saml_single_sign_on("urn:linkedin", "https://www.linkedin.com/saml")
    assert app.credential_bytes_available() == 1024 - SAML_SIGNING_CERTIFICATE_BYTES
    # S17: the certificate "often consumes over 50% percent of the space".
    assert SAML_SIGNING_CERTIFICATE_BYTES > 512
    with pytest.raises(PortalError, match="Identifier"):
        app.configure_saml_single_sign_on("", "https://www.linkedin.com/saml")
    learning = tenant.add_from_gallery("LinkedIn Learning")
    learning.configure_saml_single_sign_on("urn:learning", "https://www.linkedin.com/saml")
    elevate_provisioning = tenant.add_from_gallery(
        "LinkedIn Elevate", "LinkedIn Elevate (Provisioning)"
    )
    assert elevate_provisioning.credential_bytes_available() == 1024


def test_sso_needs_a_template_that_supports_it(tenant: Tenant) -> None:
    provisioning_only = GalleryApplication("SCIM only", "Contoso", "", True, False)
    apps = EnterpriseApplications(
        Gallery((provisioning_only,)),
        directory=tenant.directory,
        now=tenant.clock.now,
        rng=random.Random(0),
        notifications=[],
        authorize=tenant.require_application_admin,
    )
    app = apps.add_from_gallery("SCIM only")
    with pytest.raises(PortalError, match="does not support SAML single sign-on"):
        app.configure_saml_single_sign_on("urn:x", "https://x.example.com/saml")
