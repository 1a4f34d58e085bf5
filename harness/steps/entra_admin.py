"""The Microsoft Entra admin center: the directory, the gallery app and its assignments.

Tutorial step 7 (sign in as at least Cloud Application Administrator), steps 8-10 (find or
add LinkedIn Elevate from the gallery) and the preamble's advice: assign one test user with
the User role first, then groups; Default Access does not provision (linkedin-scim.md §4).
Directory changes (a new job title, a deleted user) stand in for HR and other admins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_bdd import given, then

from fake_entra.provisioning import DefaultAccessRule
from harness.steps.wording import action, pairs, pattern, quoted

if TYPE_CHECKING:
    from harness.world import World


# -- signing in and the gallery ---------------------------------------------------------------


@action(
    "the admin signs in to the Microsoft Entra admin center as a {role:Role}",
    "the admin signs in to the Microsoft Entra admin center as an {role:Role}",
)
def sign_in(world: World, role: str) -> None:
    """Step 7: sign in with a directory role; adding and configuring the app needs at least
    Cloud Application Administrator."""
    world.sign_in(role)


@action('the admin adds "{app}" from the gallery')
def add_from_gallery(world: World, app: str) -> None:
    """Step 9: Enterprise applications > + New application > the gallery app > Create."""
    world.add_application(app)


@action('the admin adds "{app}" from the gallery as "{display_name}"')
def add_named_instance(world: World, app: str, display_name: str) -> None:
    """A second, renamed instance, e.g. "LinkedIn Elevate (Provisioning)" (S17 workaround)."""
    world.add_application(app, display_name)


@action('the admin adds "{app}" from the gallery with the LinkedIn connector template as "{name}"')
def add_with_linkedin_template(world: World, app: str, name: str) -> None:
    """Gallery(linkedin_connector_template=True): LinkedIn's attributes and externalId
    matching (LinkedIn Learning provisioning tutorial); LinkedIn's apps start with it by
    default (``DEFAULT_LINKEDIN_CONNECTOR_TEMPLATE``)."""
    world.tenant.use_linkedin_connector_template()
    world.add_application(app, name)


@action('the admin adds "{app}" from the gallery with the generic SCIM template as "{name}"')
def add_with_generic_template(world: World, app: str, name: str) -> None:
    """Gallery(linkedin_connector_template=False): the portal's non-gallery SCIM template
    (userName matching, S1's attributes), as a non-gallery app or ``provisim conformance``
    gets it."""
    world.tenant.use_linkedin_connector_template(False)
    world.add_application(app, name)


@action('the admin tries to add "{app}" from the gallery')
def try_add_from_gallery(world: World, app: str) -> None:
    """Add the app, keeping the portal's refusal for a Then step."""
    world.attempt(f'Add "{app}" from the gallery', lambda: world.add_application(app))


@then(pattern('the portal refuses with "{message}"'))
def portal_refuses(world: World, message: str) -> None:
    """The last "tries to" action was refused with a message containing ``message``."""
    world.expect_refusal(message)


# -- the directory ----------------------------------------------------------------------------


@given(pattern('the directory has the user "{name}"'))
def directory_user(world: World, name: str) -> None:
    """A user named "Given Surname"; the user principal name is derived from the name."""
    world.add_user(name)


@given(pattern("the directory has the users {names}"))
def directory_users(world: World, names: str) -> None:
    """Several users: ``"Britta Simon", "Carl Jones" and "Dana Lee"``."""
    for name in quoted(names):
        world.add_user(name)


@given(pattern('the directory has the user "{name}" with:'))
def directory_user_with(world: World, name: str, datatable: list[list[str]]) -> None:
    """A user with attributes, one per row: ``| job title | Product Tester |``."""
    world.add_user(name)
    for attribute, value in pairs(datatable).items():
        world.change_user(name, attribute, value)


@given(pattern('the directory has the group "{group}" with the members {names}'))
def directory_group(world: World, group: str, names: str) -> None:
    """A security group whose direct members are the named users."""
    world.add_group(group, quoted(names))


@given(pattern('the directory has the group "{group}" with the group "{member}" as its member'))
def nested_group(world: World, group: str, member: str) -> None:
    """A group holding another group: only direct members are provisioned."""
    object_id = world.tenant.directory.add_group(world.group_name(group)).object_id
    world.groups[group] = object_id
    world.tenant.directory.add_member(object_id, world.group_id(member))


@given(pattern('the manager of "{name}" is "{manager}"'))
def directory_manager(world: World, name: str, manager: str) -> None:
    """Set the user's manager in the directory."""
    world.tenant.directory.set_manager(world.users[name], world.users[manager])


# -- assignments ------------------------------------------------------------------------------


@action('the admin assigns the user "{name}" with the role "{role}"')
def assign_user(world: World, name: str, role: str) -> None:
    """Users and groups > + Add user/group: one user with a role ("User", "Default Access")."""
    world.application.assign(world.users[name], role)


@action('the admin assigns the users {names} with the role "{role}"')
def assign_users(world: World, names: str, role: str) -> None:
    """Several users, each with the role."""
    for name in quoted(names):
        world.application.assign(world.users[name], role)


@action('the admin assigns the group "{group}" with the role "{role}"')
def assign_group(world: World, group: str, role: str) -> None:
    """A group: its direct user members are in scope."""
    world.application.assign(world.group_id(group), role)


@action('the admin removes the assignment of "{name}"')
def unassign(world: World, name: str) -> None:
    """Remove every role the user or group holds on the application."""
    world.application.unassign(world.principal_id(name))


@given("Default Access is evaluated like any role, as in configurations created since 2020")
def default_access_like_any_role(world: World) -> None:
    """Microsoft's current rule (D application-provisioning-config-problem-no-users-provisioned:
    "Users assigned to the default access role will be evaluated the same as all other
    roles", since 04/16/2020); the setting DefaultAccessRule.LIKE_ANY_ROLE."""
    world.evaluate_default_access_like_any_role()


@then("the saved settings evaluate Default Access by the tutorial's rule")
def tutorial_rule_in_force(world: World) -> None:
    """The scenario runs under the LinkedIn Elevate tutorial's rule, provisim's default:
    "The 'Default Access' role does not work for provisioning" (not effectively entitled)."""
    _expect_rule(world, DefaultAccessRule.NOT_EFFECTIVELY_ENTITLED)


@then("the saved settings evaluate Default Access by Microsoft's current rule")
def current_rule_in_force(world: World) -> None:
    """The scenario runs under Microsoft's rule since 2020: Default Access is evaluated like
    any other role."""
    _expect_rule(world, DefaultAccessRule.LIKE_ANY_ROLE)


def _expect_rule(world: World, wanted: DefaultAccessRule) -> None:
    saved = world.provisioning.saved
    assert saved is not None, "Nothing was saved."
    actual = saved.settings.default_access_rule
    assert actual is wanted, f"The saved rule is: {actual}."


@action('the admin removes the role "{role}" from "{name}"')
def unassign_role(world: World, role: str, name: str) -> None:
    """Remove one role assignment of the user or group, keeping any other role it holds."""
    world.application.unassign(world.principal_id(name), role)


@given(
    pattern(
        'SAML single sign-on is configured for "{app}" with a signing certificate of {size:d} bytes'
    )
)
def saml_single_sign_on(world: World, app: str, size: int) -> None:
    """The signing certificate takes room in the app's 1024-byte credential storage (S17)."""
    world.open_application(app).configure_saml_single_sign_on(
        "https://www.linkedin.com/checkpoint/enterprise/saml",
        "https://www.linkedin.com/checkpoint/enterprise/login",
        signing_certificate_bytes=size,
    )


# -- changes in the directory -------------------------------------------------------------------


@action('the {attribute} of "{name}" changes to "{value}" in Microsoft Entra ID')
def change_attribute(world: World, attribute: str, name: str, value: str) -> None:
    """HR changes an attribute: "job title", "department", "display name", "surname", ..."""
    world.change_user(name, attribute, value)


@action('"{name}" is disabled in Microsoft Entra ID')
def disable_account(world: World, name: str) -> None:
    """Block sign-in: accountEnabled becomes false."""
    world.tenant.directory.update_user(world.users[name], account_enabled=False)


@action('"{name}" is enabled again in Microsoft Entra ID')
def enable_account(world: World, name: str) -> None:
    """Allow sign-in again."""
    world.tenant.directory.update_user(world.users[name], account_enabled=True)


@action('"{name}" is deleted in Microsoft Entra ID')
def soft_delete(world: World, name: str) -> None:
    """Delete the user: into Deleted users, purged after 30 days."""
    world.tenant.directory.delete_user(world.users[name])


@action('"{name}" is restored from Deleted users')
def restore(world: World, name: str) -> None:
    """Restore a soft-deleted user."""
    world.tenant.directory.restore_user(world.users[name])


@action('"{name}" is permanently deleted')
def hard_delete(world: World, name: str) -> None:
    """Delete permanently from Deleted users (a hard delete)."""
    world.tenant.directory.permanently_delete_user(world.users[name])


@action('"{name}" is added to the group "{group}"')
def add_member(world: World, name: str, group: str) -> None:
    """A direct member joins the group."""
    world.tenant.directory.add_member(world.group_id(group), world.users[name])


@action('"{name}" is removed from the group "{group}"')
def remove_member(world: World, name: str, group: str) -> None:
    """A direct member leaves the group."""
    world.tenant.directory.remove_member(world.group_id(group), world.users[name])


@action('the group "{group}" is renamed to "{new_name}"')
def rename_group(world: World, group: str, new_name: str) -> None:
    """Rename the group; the scenario keeps calling it by its old name."""
    world.tenant.directory.rename_group(world.group_id(group), world.group_name(new_name))
    world.groups[new_name] = world.groups[group]


@action('the group "{group}" is deleted in Microsoft Entra ID')
def delete_group(world: World, group: str) -> None:
    """Security groups are deleted at once (no recycle bin)."""
    world.tenant.directory.delete_group(world.group_id(group))


@then(pattern('"{app}" is listed under Enterprise applications'))
def listed(world: World, app: str) -> None:
    """Enterprise applications > All applications shows the instance."""
    names = [found.display_name for found in world.tenant.enterprise_applications]
    assert app in names, f"Enterprise applications lists {names}."
