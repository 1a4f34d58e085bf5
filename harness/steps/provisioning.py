"""The Provisioning page: Provisioning Mode, Admin Credentials, Test Connection, Save.

Tutorial steps 10-14 and 16-17 (linkedin-scim.md §6). Test Connection queries the SCIM
endpoint for a user that doesn't exist and expects 200 with an empty ListResponse; its
result appears as a notification on the upper-right side of the portal.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from pytest_bdd import given, then

from harness.steps.wording import action, is_on, pattern

if TYPE_CHECKING:
    from harness.world import World

#: Test Connection's probe: a filter on the matching attribute for a random GUID (entra §1).
_PROBE = re.compile(
    r'^(?P<attribute>\S+) eq "(?P<guid>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-'
    r'[0-9a-f]{12})"$'
)
_CHECKBOX = '"Send an email notification when a failure occurs"'


# -- the compact set-up ---------------------------------------------------------------------


@given(pattern('"{app}" is set up for automatic provisioning to the SCIM target'))
def set_up(world: World, app: str) -> None:
    """Steps 7-14 in one: sign in, add the app, Automatic mode, the SCIM target's Tenant URL
    and Secret Token, a passing Test Connection, a Notification Email, Save."""
    world.set_up_provisioning(app)


@given(
    pattern(
        '"{app}" is set up for automatic provisioning to the SCIM target in the '
        "{dialect:Dialect} dialect"
    )
)
def set_up_in_dialect(world: World, app: str, dialect: str) -> None:
    """The same, choosing Entra's PATCH dialect: "default", or "aadOptscim062020" added to the
    Tenant URL as a flag (entra §5.3)."""
    world.set_up_provisioning(app, flag=None if dialect == "default" else dialect)


# -- Provisioning Mode and Admin Credentials (steps 10-12) -------------------------------------


@action('the admin opens the Provisioning tab of "{app}"')
def open_provisioning(world: World, app: str) -> None:
    """Step 10: open the application, then its Provisioning tab."""
    world.open_application(app)


@action("the admin sets Provisioning Mode to {mode:Mode}")
def set_mode(world: World, mode: str) -> None:
    """Step 11: Automatic shows Admin Credentials; Manual provisions nothing."""
    world.provisioning.set_provisioning_mode(mode)


@action('the admin enters the Tenant URL "{url}" and the Secret Token')
def enter_credentials(world: World, url: str) -> None:
    """Step 12: the Tenant URL as written, and the newest token from Account Center."""
    world.enter_credentials(url, world.target_token())


@action("the admin enters the Tenant URL and Secret Token of the SCIM target")
def enter_target_credentials(world: World) -> None:
    """Step 12 for whichever SCIM target the run uses (Fake Elevate, or --scim-url)."""
    world.enter_credentials(world.tenant_url(), world.target_token())


@action('the admin enters the Tenant URL of the SCIM target and the Secret Token "{token}"')
def enter_wrong_token(world: World, token: str) -> None:
    """The SCIM target's Tenant URL with another token."""
    world.enter_credentials(world.tenant_url(), token)


@action('the admin enters the Tenant URL "{url}" without a Secret Token')
def enter_url_only(world: World, url: str) -> None:
    """Admin Credentials with the Secret Token left empty."""
    world.provisioning.set_admin_credentials(url, "")


@action("the admin tries to set Provisioning Mode to {mode:Mode}")
def try_set_mode(world: World, mode: str) -> None:
    """Provisioning Mode, keeping the portal's refusal: once Automatic is saved, Manual is
    refused (D known-issues, PortalKnownIssues.manual_mode_locked_once_saved)."""
    world.attempt(
        f"Set Provisioning Mode to {mode}", lambda: world.provisioning.set_provisioning_mode(mode)
    )


@given("Save accepts untested credentials, as Microsoft documents no such rule")
def save_accepts_untested_credentials(world: World) -> None:
    """PortalKnownIssues.save_requires_test_connection off: Microsoft's pages document no
    rule that Save needs a passing Test Connection (only vendors observe it), and Graph's
    PUT .../synchronization/secrets saves credentials untested either way."""
    world.provisioning.known_issues = dataclasses.replace(
        world.provisioning.known_issues, save_requires_test_connection=False
    )


@action("the admin clicks Test Connection")
def test_connection(world: World) -> None:
    """Step 12: Test Connection; the result appears as a notification."""
    world.test_connection()


@action("the admin tries to click Test Connection")
def try_test_connection(world: World) -> None:
    """Test Connection on a form the portal may refuse to test."""
    world.attempt("Test Connection", world.test_connection)


@then("a success notification appears on the upper-right side of the portal")
def success_notification(world: World) -> None:
    """Step 12's outcome."""
    notification = world.last_notification()
    assert notification.level == "Success", (
        f"The last notification is {notification.level}: {notification.title}: "
        f"{notification.message}"
    )


@then(pattern('a {level:Level} notification says "{text}"'))
@then(pattern('an {level:Level} notification says "{text}"'))
def notification_says(world: World, level: str, text: str) -> None:
    """The newest notification of that level (success, error, information) contains ``text``."""
    notification = world.last_notification(level.capitalize())
    assert text in f"{notification.title}: {notification.message}", (
        f'The last {level} notification says "{notification.title}: {notification.message}".'
    )


@then(pattern('Test Connection fails with "{failure}"'))
def connection_fails(world: World, failure: str) -> None:
    """Unauthorized, NotFound, UnexpectedStatus, Unreachable, Timeout, NotAListResponse or
    FilterIgnored."""
    result = world.connection_test
    assert result is not None, "Test Connection was not clicked."
    assert not result.succeeded, f"Test Connection succeeded: {result.message}"
    assert str(result.failure) == failure, f"Test Connection failed with {result.failure}."


@then(pattern('Test Connection shows the error code "{code}"'))
def connection_error_code(world: World, code: str) -> None:
    """The failure notification's "Error code" (Broadcom KB 430118: a refused token shows
    SystemForCrossDomainIdentityManagementCredentialValidationFailure; bitwarden/server#7309:
    no answer shows CredentialValidationUnavailable)."""
    result = world.connection_test
    assert result is not None, "Test Connection was not clicked."
    assert result.error_code == code, f"Test Connection showed the error code {result.error_code}."
    notification = world.last_notification("Error")
    assert f"Error code: {code}." in notification.message, notification.message


@then(pattern('Test Connection queried "{resource}" on "{attribute}" for a random GUID'))
def probe_sent(world: World, resource: str, attribute: str) -> None:
    """The probe: ``GET /Users?filter=userName eq "<random GUID>"`` (entra §1)."""
    probes = [e for e in world.exchanges_since_mark() if e["method"] == "GET"]
    assert probes, "Test Connection sent no GET request."
    probe = probes[-1]
    assert world.resource_path(probe) == resource, f"It queried {probe['path']}."
    filters = parse_qs(probe["query"]).get("filter", [])
    found = _PROBE.match(filters[0]) if filters else None
    assert found is not None, f"The probe's filter is {filters}, not a random GUID."
    assert found["attribute"] == attribute


# -- Notification Email and Save (steps 13-14, 17) ---------------------------------------------


@action(f'the admin enters the Notification Email "{{email}}" and ticks {_CHECKBOX}')
def notification_email(world: World, email: str) -> None:
    """Step 13: where provisioning failures (quarantine) are emailed."""
    world.provisioning.set_notification_email(email, send_email_on_failure=True)


@action(f"the admin ticks {_CHECKBOX} without a Notification Email")
def checkbox_only(world: World) -> None:
    """The checkbox ticked, the address left empty."""
    world.provisioning.set_notification_email("", send_email_on_failure=True)


@action("the admin clicks Save")
def save(world: World) -> None:
    """Steps 14 and 17: Save validates and stores the whole page."""
    world.provisioning.save()


@action("the admin tries to save")
def try_save(world: World) -> None:
    """Save, keeping the portal's refusal for a Then step."""
    world.attempt("Save", world.provisioning.save)


@then(pattern('the save fails with "{message}"'))
def save_fails(world: World, message: str) -> None:
    """Save was refused, and an error notification says why."""
    world.expect_refusal(message)
    notification = world.last_notification("Error")
    assert message in notification.message, notification.message


@then(pattern('the saved settings send failure emails to "{email}"'))
def saved_email(world: World, email: str) -> None:
    """What the last successful Save stored for step 13."""
    saved = world.provisioning.saved
    assert saved is not None, "Nothing was saved."
    assert saved.notification_email == email
    assert saved.send_email_on_failure


# -- Settings (step 16) -------------------------------------------------------------------------


@action("the admin sets Provisioning Status to {status:OnOff} and saves")
def set_status_and_save(world: World, status: str) -> None:
    """Steps 16-17: On starts the initial cycle at once; Off pauses the job."""
    world.set_provisioning_status("On" if is_on(status) else "Off")


@action("the admin sets Provisioning Status to {status:OnOff}")
def set_status(world: World, status: str) -> None:
    """Step 16 without saving yet."""
    world.provisioning.set_provisioning_status("On" if is_on(status) else "Off")


@action("the admin turns accidental deletions prevention on with a threshold of {threshold:d}")
def prevent_accidental_deletions(world: World, threshold: int) -> None:
    """Properties > Accidental deletions prevention: more deletes and disables than the
    threshold in one cycle are held back (entra §2), then Save."""
    world.provisioning.set_accidental_deletion_prevention(True, threshold)
    world.provisioning.save()


@action("the admin turns accidental deletions prevention off")
def allow_accidental_deletions(world: World) -> None:
    """Accidental deletions prevention off, then Save."""
    world.provisioning.set_accidental_deletion_prevention(False)
    world.provisioning.save()


@action('the admin sets the Scope to "{scope}"')
def set_scope(world: World, scope: str) -> None:
    """Settings > Scope ("Sync only assigned users and groups" or "Sync all users and
    groups"), then Save."""
    world.provisioning.set_scope(scope)
    world.provisioning.save()
