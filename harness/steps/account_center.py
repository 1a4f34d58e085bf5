"""LinkedIn Account Center: the SCIM configuration, its access token and the licences.

Tutorial steps 1-6 (linkedin-scim.md §6): Admin > Admin Settings > Advanced Integrations >
"+ Add new SCIM configuration" > "Generate token". These steps need the in-process Fake
Elevate; against a live SCIM target they fail with a message saying so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_bdd import given, then, when

from harness.steps.wording import action, is_on, pattern

if TYPE_CHECKING:
    from harness.world import World


@given(
    pattern(
        'an Account Center admin adds a SCIM configuration "{name}" with auto-assign licenses '
        "{switch:OnOff} for {seats:d} seats"
    )
)
@given(
    pattern(
        'an Account Center admin adds a SCIM configuration "{name}" with auto-assign licenses '
        "{switch:OnOff} for {seats:d} seat"
    )
)
def add_scim_configuration(world: World, name: str, switch: str, seats: int) -> None:
    """Steps 1-4: a SCIM configuration whose licence pool has ``seats`` seats.

    With auto-assign on, licences go first come, first served until all are taken; off,
    only user data syncs.
    """
    world.add_scim_configuration(name, auto_assign=is_on(switch), seats=seats)


@action("the admin selects Generate token")
def generate_token(world: World) -> None:
    """Step 5: Generate token. The token is shown once; generating again revokes the old one."""
    world.generate_token()


@when("the Account Center admin regenerates the token")
def regenerate_token(world: World) -> None:
    """Generate token again: the old token stops working at once."""
    world.generate_token()


@then(pattern('the token is shown under "Access token"'))
def token_shown(world: World) -> None:
    """The page shows the newly generated token."""
    assert world.shown_token, "No token is shown under Access token."
    assert world.shown_token == world.tokens[-1]


@then("Account Center keeps only a hash of the token")
def token_kept_as_hash(world: World) -> None:
    """The configuration stores the token's hash, never the token itself."""
    assert world.tokens, "No token was generated."
    assert world.token_stored_as_hash(world.tokens[-1])


@when("the admin leaves the page and opens the SCIM configuration again")
def reopen_configuration(world: World) -> None:
    """Step 6's warning: the token is shown only until the admin leaves the page."""
    world.reopen_scim_configuration()


@then("no access token is shown")
def no_token_shown(world: World) -> None:
    """Reopened, the configuration says it has a token but shows none."""
    assert world.shown_token is None
    shown = world.current_configuration().to_json()
    assert shown["hasToken"] is True
    assert all(token not in repr(shown) for token in world.tokens)


@when("the Account Center admin removes the SCIM configuration")
def remove_configuration(world: World) -> None:
    """Remove the configuration: its token stops working at once."""
    world.elevate.account_center.remove_scim_configuration(world.current_configuration().id)
    world.configuration = None


@action("the Account Center admin turns auto-assign licenses {switch:OnOff}")
def switch_auto_assign(world: World, switch: str) -> None:
    """Switch auto-assign licenses on the SCIM configuration."""
    config = world.current_configuration()
    world.elevate.account_center.update_scim_configuration(
        config.id, auto_assign_licenses=is_on(switch)
    )


@action("the Account Center admin sets the seats to {seats:d}")
def set_seats(world: World, seats: int) -> None:
    """Change how many seats the configuration's licence pool holds."""
    config = world.current_configuration()
    world.elevate.account_center.set_license_pool(
        config.application_instance, config.license_type, seats
    )


@then(pattern('Account Center shows "{name}" as "{state}"'))
def licence_state(world: World, name: str, state: str) -> None:
    """The user's licence state: Licensed, NoLicenseAvailable, Unlicensed or Revoked."""
    record = world.licensed_user(name)
    assert record.state == state, f"Account Center shows {name} as {record.state}, not {state}."


@then(pattern("{used:d} of {seats:d} seats are in use"))
def seats_in_use(world: World, used: int, seats: int) -> None:
    """Seat usage of the configuration's licence pool."""
    pool = world.license_pool()
    assert (pool.used, pool.seats) == (used, seats), (
        f"{pool.used} of {pool.seats} seats are in use, not {used} of {seats}."
    )


@then(pattern('Account Center labels "{name}" as provisioned by "{source}"'))
def provisioned_by(world: World, name: str, source: str) -> None:
    """SCIM users are labelled "IdP" in the admin centre (linkedin-scim.md §1)."""
    assert world.licensed_user(name).source == source
