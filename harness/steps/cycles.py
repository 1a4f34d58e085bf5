"""Syncing: virtual time passes and the provisioning job runs its cycles.

Provisioning Status On starts the initial cycle at once; incremental cycles follow about
every 40 minutes and send nothing when nothing changed (entra §2 "Cadence"). Time is the
scenario's virtual clock: forty minutes pass in a millisecond. "Since" in these steps means
since the last When step began.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from pytest_bdd import then

from harness.steps.wording import action, pattern, rows

if TYPE_CHECKING:
    from harness.recorder import CycleRecord
    from harness.world import World


# -- time -----------------------------------------------------------------------------------


@action("{minutes:d} minutes pass", "{minutes:d} minute passes")
def minutes_pass(world: World, minutes: int) -> None:
    """Advance the virtual clock; every cycle that falls due runs."""
    _let_pass(world, minutes, "minutes")


@action("{hours:d} hours pass", "{hours:d} hour passes")
def hours_pass(world: World, hours: int) -> None:
    """Advance the virtual clock by hours."""
    _let_pass(world, hours, "hours")


@action("{days:d} days pass", "{days:d} day passes")
def days_pass(world: World, days: int) -> None:
    """Advance the virtual clock by days (soft-deleted users are purged after 30)."""
    _let_pass(world, days, "days")


def _let_pass(world: World, amount: int, unit: str) -> None:
    # The step's number is any integer the wording parses ("-5", "10**30"): say which one
    # the clock cannot follow instead of failing deep inside datetime.
    if amount < 0:
        raise AssertionError(f"{amount} {unit}: time cannot pass backwards.")
    try:
        delta = timedelta(**{unit: amount})
        world.clock.now() + delta
    except OverflowError:
        raise AssertionError(
            f"{amount} {unit} is beyond the last date the virtual clock can show."
        ) from None
    world.advance(delta)


# -- which cycles ran -----------------------------------------------------------------------


def _cycles(world: World) -> list[CycleRecord]:
    return world.cycles_since_mark()


@then(pattern("an {kind:Kind} cycle ran"))
def cycle_ran(world: World, kind: str) -> None:
    """The newest cycle since the last When step is an initial or an incremental one."""
    cycles = _cycles(world)
    assert cycles, "No cycle ran."
    assert cycles[-1]["kind"].lower() == kind, f"The last cycle was {cycles[-1]['kind']}."


@then("no cycle ran")
def no_cycle_ran(world: World) -> None:
    """No cycle since the last When step."""
    cycles = _cycles(world)
    assert not cycles, f"{len(cycles)} cycle(s) ran, at {[c['virtual_time'] for c in cycles]}."


@then(pattern("{count:d} {kind:Kind} cycles ran"))
def cycles_ran(world: World, count: int, kind: str) -> None:
    """How many cycles of a kind ran since the last When step."""
    found = [c for c in _cycles(world) if c["kind"].lower() == kind]
    assert len(found) == count, f"{len(found)} {kind} cycle(s) ran, at " + ", ".join(
        c["virtual_time"] for c in found
    )


@then(pattern("the initial cycle provisions {users:d} user"))
@then(pattern("the initial cycle provisions {users:d} users"))
def initial_cycle_users(world: World, users: int) -> None:
    """The initial cycle created (or matched and updated) this many users."""
    _provisioned(world, users, None)


@then(pattern("the initial cycle provisions {users:d} users and {groups:d} group"))
@then(pattern("the initial cycle provisions {users:d} users and {groups:d} groups"))
def initial_cycle_users_and_groups(world: World, users: int, groups: int) -> None:
    """Users and groups the initial cycle created (or matched and updated)."""
    _provisioned(world, users, groups)


def _provisioned(world: World, users: int, groups: int | None) -> None:
    initial = [c for c in world.recorder.sync_cycles() if c["kind"] == "Initial"]
    assert initial, "No initial cycle ran."
    counted = world.provisioned_in(initial[-1])
    assert counted["User"] == users, f"The initial cycle provisioned {counted['User']} user(s)."
    if groups is not None:
        assert counted["Group"] == groups, (
            f"The initial cycle provisioned {counted['Group']} group(s)."
        )


@then("the last cycle counted:")
def last_cycle_counted(world: World, datatable: list[list[str]]) -> None:
    """The last cycle's counts: a header row (created, updated, disabled, deleted, skipped,
    failed, requests) and one row of numbers; columns left out are not checked."""
    (wanted,) = rows(datatable)
    cycle: dict[str, object] = dict(world.last_cycle())
    counts = ("created", "updated", "disabled", "deleted", "skipped", "failed", "requests")
    unknown = [name for name in wanted if name not in counts]
    assert not unknown, f"No such count: {unknown}; a cycle counts {', '.join(counts)}."
    actual = {name: str(cycle[name]) for name in wanted}
    assert actual == wanted, f"The last cycle counted {actual}."


# -- what was sent --------------------------------------------------------------------------


@then("no SCIM request was sent")
def nothing_sent(world: World) -> None:
    """Not one SCIM request since the last When step."""
    sent = world.exchanges_since_mark()
    assert not sent, "SCIM requests were sent: " + ", ".join(
        f"{e['method']} {world.resource_path(e)}" for e in sent
    )


@then("the last cycle sent no SCIM request")
def last_cycle_silent(world: World) -> None:
    """The newest cycle found nothing to do."""
    assert world.last_cycle()["requests"] == 0, f"It sent {world.last_cycle()['requests']}."


@then("the last cycle sent these SCIM requests:")
def last_cycle_requests(world: World, datatable: list[list[str]]) -> None:
    """``| method | resource | status |`` in order; resources are paths below the Tenant URL,
    with ids replaced by the scenario's names ("/Users/Britta Simon", "/Groups/Sales")."""
    wanted = rows(datatable)
    sent = world.cycle_exchanges(world.last_cycle())
    actual = [
        {
            "method": e["method"],
            "resource": world.resource_path(e),
            "status": "" if e["response"] is None else str(e["response"]["status"]),
        }
        for e in sent
    ]
    actual = [{key: row[key] for key in wanted[0]} for row in actual] if wanted else actual
    assert actual == wanted, "The last cycle sent:\n" + "\n".join(
        " ".join(row.values()) for row in actual
    )
