from __future__ import annotations

import httpx
import pytest

from fake_entra.clock import VirtualClock
from fake_entra.provisioning import NotificationLevel, ProvisioningMode, ProvisioningStatus
from fake_entra.tenant import APPLICATION_MANAGEMENT_ROLES, DirectoryRole, PortalError, Tenant

EMPTY_LIST = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    "totalResults": 0,
    "Resources": [],
}


def linkedin(requests: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.headers["Authorization"] != "Bearer elevate-token":
            return httpx.Response(401, json={"status": "401"})
        return httpx.Response(200, json=EMPTY_LIST)

    return httpx.MockTransport(handle)


def test_the_tutorial_from_sign_in_to_provisioning_on() -> None:
    """linkedin-scim.md §6 steps 7-17, as the portal enforces them."""
    requests: list[httpx.Request] = []
    tenant = Tenant(seed=11, scim_transport=linkedin(requests))
    people = tenant.build_directory(users=30, groups=4)
    # 7. Sign in as at least Cloud Application Administrator.
    tenant.sign_in(DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR)
    # 9. Add LinkedIn Elevate from the gallery, or find the existing instance.
    tenant.add_from_gallery("LinkedIn Elevate")
    app = tenant.find_application("LinkedIn Elevate")
    # Assign a test user with the User role, not Default Access.
    app.assign(people.user_ids[0], "User")
    app.assign(people.group_ids[0], "User")
    # 10-11. Provisioning tab, Provisioning Mode = Automatic.
    config = app.provisioning
    config.set_provisioning_mode(ProvisioningMode.AUTOMATIC)
    # 12. Admin Credentials and Test Connection.
    config.set_admin_credentials("https://api.linkedin.com", "wrong-token")
    assert not config.test_connection().succeeded
    config.set_admin_credentials("https://api.linkedin.com", "elevate-token")
    assert config.test_connection().succeeded
    assert requests[-1].url.path == "/Users"
    # 13. Notification Email and the failure checkbox.
    config.set_notification_email("it-admin@contoso.com", send_email_on_failure=True)
    # 14. Save.
    config.save()
    # 15. Review the Attribute Mappings and save them.
    draft = config.open_attribute_mapping("User")
    # The LinkedIn connector template matches on externalId (README "Fidelity").
    assert draft.matching_mappings()[0].target_attribute == "externalId"
    config.save_attribute_mapping(draft)
    # 16-17. Provisioning Status On, Save.
    config.set_provisioning_status(ProvisioningStatus.ON)
    saved = config.save()
    assert saved.is_running
    assert config.requires_full_sync
    assert [(n.level, n.title) for n in tenant.notifications] == [
        (NotificationLevel.ERROR, "Testing connection to LinkedIn Elevate"),
        (NotificationLevel.SUCCESS, "Testing connection to LinkedIn Elevate"),
        (NotificationLevel.SUCCESS, "Saved provisioning settings for LinkedIn Elevate"),
        (NotificationLevel.SUCCESS, "Saved Provision Microsoft Entra ID Users"),
        (NotificationLevel.SUCCESS, "Saved provisioning settings for LinkedIn Elevate"),
    ]
    assert people.user_ids[0] in app.effective_assignments()


# -- sign-in and roles ------------------------------------------------------


def test_sign_in_defaults_to_cloud_application_administrator() -> None:
    tenant = Tenant()
    session = tenant.sign_in()
    assert session.role is DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR
    assert session.user_principal_name == "admin@contoso.com"
    assert tenant.sign_in("Global Reader", "reader@contoso.com").role is DirectoryRole.GLOBAL_READER
    with pytest.raises(PortalError, match="not a directory role"):
        tenant.sign_in("Overlord")


def test_nothing_can_be_configured_without_signing_in() -> None:
    tenant = Tenant()
    with pytest.raises(PortalError, match="sign in to the Microsoft Entra admin center first"):
        tenant.add_from_gallery("LinkedIn Elevate")
    tenant.sign_in()
    app = tenant.add_from_gallery("LinkedIn Elevate")
    tenant.sign_out()
    with pytest.raises(PortalError, match="sign in"):
        app.provisioning.set_provisioning_mode("Automatic")


@pytest.mark.parametrize("role", sorted(APPLICATION_MANAGEMENT_ROLES))
def test_application_management_roles_qualify(role: DirectoryRole) -> None:
    tenant = Tenant(scim_transport=linkedin([]))
    tenant.sign_in(role)
    app = tenant.add_from_gallery("LinkedIn Elevate")
    alice = tenant.directory.add_user("alice@contoso.com", "Alice")
    app.assign(alice.object_id, "User")
    app.provisioning.set_provisioning_mode("Automatic")
    app.provisioning.set_admin_credentials("https://api.linkedin.com", "elevate-token")
    assert app.provisioning.test_connection().succeeded
    app.provisioning.save()


@pytest.mark.parametrize(
    "role",
    sorted(set(DirectoryRole) - APPLICATION_MANAGEMENT_ROLES),
)
def test_weaker_roles_are_refused_clearly(role: DirectoryRole) -> None:
    tenant = Tenant()
    tenant.sign_in(DirectoryRole.GLOBAL_ADMINISTRATOR)
    app = tenant.add_from_gallery("LinkedIn Elevate")
    alice = tenant.directory.add_user("alice@contoso.com", "Alice")
    tenant.sign_in(role, "helper@contoso.com")
    expected = (
        "needs at least the Cloud Application Administrator role (Application Administrator "
        f"and Global Administrator also qualify); helper@contoso.com is signed in as {role}"
    )
    for action in (
        lambda: tenant.add_from_gallery("LinkedIn Elevate"),
        lambda: app.assign(alice.object_id, "User"),
        lambda: app.configure_saml_single_sign_on("urn:x", "https://x.example.com"),
        lambda: app.provisioning.set_provisioning_mode("Automatic"),
        lambda: app.provisioning.save(),
    ):
        with pytest.raises(PortalError) as refused:
            action()
        assert expected in refused.value.notification
    with pytest.raises(PortalError, match=r"Save \(LinkedIn Elevate\) needs"):
        app.provisioning.save()


# -- determinism ------------------------------------------------------------


def build(seed: int) -> tuple[list[str], list[str]]:
    tenant = Tenant(seed=seed)
    tenant.sign_in()
    generated = tenant.build_directory(users=20, groups=2)
    app = tenant.add_from_gallery("LinkedIn Elevate")
    explicit = tenant.directory.add_user("b.simon@contoso.com", "B. Simon")
    ids = [*generated.user_ids, *generated.group_ids, explicit.object_id]
    return ids, [app.object_id, app.app_id, app.app_role("User").id]


def test_the_same_seed_builds_the_same_tenant() -> None:
    assert build(5) == build(5)
    assert build(5) != build(6)


def test_build_directory_can_take_its_own_seed() -> None:
    tenant = Tenant(seed=1)
    assert tenant.build_directory(users=3, groups=0, seed=9).seed == 9
    assert Tenant(seed=1).build_directory(users=3, groups=0).seed == 1


def test_the_tenant_shares_its_clock() -> None:
    clock = VirtualClock()
    tenant = Tenant(clock=clock)
    alice = tenant.directory.add_user("alice@contoso.com", "Alice")
    tenant.directory.delete_user(alice.object_id)
    clock.advance(days=30)
    assert tenant.directory.find_user(alice.object_id) is None


# -- finding applications ---------------------------------------------------


def test_find_application_by_search() -> None:
    tenant = Tenant()
    tenant.sign_in()
    first = tenant.add_from_gallery("LinkedIn Elevate")
    second = tenant.add_from_gallery("LinkedIn Elevate", "LinkedIn Elevate (Provisioning)")
    tenant.add_from_gallery("LinkedIn Sales Navigator")
    assert tenant.find_application("linkedin elevate") is first
    assert tenant.find_application("(Provisioning)") is second
    with pytest.raises(PortalError, match="matches several applications"):
        tenant.find_application("LinkedIn")
    with pytest.raises(PortalError, match="No enterprise application matches"):
        tenant.find_application("Workday")


def test_the_scim_transport_reaches_every_new_application() -> None:
    requests: list[httpx.Request] = []
    tenant = Tenant(scim_transport=linkedin(requests), scim_timeout=3.0)
    tenant.sign_in()
    app = tenant.add_from_gallery("LinkedIn Elevate")
    assert app.provisioning.timeout == 3.0
    app.provisioning.set_provisioning_mode("Automatic")
    app.provisioning.set_admin_credentials("https://api.linkedin.com", "elevate-token")
    app.provisioning.test_connection()
    assert len(requests) == 1
