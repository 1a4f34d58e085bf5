"""The SCIM target: what arrived there, what was sent, and how it can misbehave.

These steps look at the target through SCIM (or Fake Elevate's store, in-process), so they
hold for any SCIM endpoint given with ``--scim-url``. The recorded traffic shows the
dialect Entra spoke (entra §5), and schema validation of every exchange runs on its own;
a scenario about a broken endpoint says which violation it expects.

Misbehaviour is set up two ways: canned answers on the network (any target), or one of
Fake Elevate's fault profiles (:mod:`fake_elevate.faults`, in-process only).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pytest_bdd import given, then

from harness.steps.wording import pairs, pattern, quoted

if TYPE_CHECKING:
    from harness.recorder import Exchange
    from harness.world import World


# -- what arrived -------------------------------------------------------------------------------


def _user(world: World, name: str) -> dict[str, Any]:
    found = world.target_user(name)
    assert found is not None, f"The SCIM target has no user {world.upn(name)}."
    return found


@then(pattern('the SCIM target has the user "{name}"'))
def has_user(world: World, name: str) -> None:
    """A user whose userName is the Entra user's principal name."""
    _user(world, name)


@then(pattern("the SCIM target has the users {names}"))
def has_users(world: World, names: str) -> None:
    """Several users, by name."""
    for name in quoted(names):
        _user(world, name)


@then(pattern('the SCIM target has no user "{name}"'))
def has_no_user(world: World, name: str) -> None:
    """No such user (never provisioned, or deleted)."""
    assert world.target_user(name) is None, f"The SCIM target has {world.upn(name)}."


@then(pattern('the SCIM target\'s user "{name}" is active'))
def is_active(world: World, name: str) -> None:
    """``active`` is true."""
    assert _user(world, name).get("active") is True, _user(world, name).get("active")


@then(pattern('the SCIM target\'s user "{name}" is inactive'))
def is_inactive(world: World, name: str) -> None:
    """``active`` is false: deprovisioned, but still there (entra §1)."""
    assert _user(world, name).get("active") is False, _user(world, name).get("active")


@then(pattern('the SCIM target\'s user "{name}" has "{attribute}" set to "{value}"'))
def has_value(world: World, name: str, attribute: str, value: str) -> None:
    """The value at a mapping's target path: ``title``, ``name.givenName``,
    ``emails[type eq "work"].value``, an enterprise extension attribute's full URN."""
    actual = world.read_target_value(_user(world, name), attribute)
    assert actual == value, f"{attribute} is {actual!r}, not {value!r}."


@then(pattern('the SCIM target\'s user "{name}" has the userName of "{other}"'))
def has_user_name_of(world: World, name: str, other: str) -> None:
    """The target user found by ``name`` carries ``other``'s user principal name."""
    actual = _user(world, name).get("userName")
    assert actual == world.upn(other), f"userName is {actual!r}."


@then(pattern('the SCIM target\'s user "{name}" has the manager "{manager}"'))
def has_manager(world: World, name: str, manager: str) -> None:
    """The enterprise ``manager`` references the manager's id in the target."""
    path = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
    assert world.read_target_value(_user(world, name), path) == _user(world, manager)["id"]


@then(pattern('the SCIM target has the group "{group}" with the members {names}'))
def group_members(world: World, group: str, names: str) -> None:
    """The group's ``members`` are exactly the named users."""
    _members_are(world, group, sorted(str(_user(world, name)["id"]) for name in quoted(names)))


@then(pattern('the SCIM target has the group "{group}" with no members'))
def group_without_members(world: World, group: str) -> None:
    """The group exists and has no members."""
    _members_are(world, group, [])


def _members_are(world: World, group: str, wanted: list[str]) -> None:
    found = world.target_group(group)
    assert found is not None, f"The SCIM target has no group {world.group_name(group)}."
    actual = sorted(str(m.get("value")) for m in found.get("members") or [])
    assert actual == wanted, "The members are " + ", ".join(
        world.name_of_target_id(i) for i in actual
    )


@then(pattern('the SCIM target has no group "{group}"'))
def has_no_group(world: World, group: str) -> None:
    """No group of that name."""
    assert world.target_group(group) is None


# -- what was sent: the PATCH dialects ----------------------------------------------------------


def _last_patch(world: World, endpoint: str, name: str) -> Exchange:
    target_id = str(
        (_user(world, name) if endpoint == "Users" else world.target_group(name) or {}).get("id")
    )
    # Declared: mypy infers Any from reversed() over a TypedDict with an Any-typed field.
    exchange: Exchange
    for exchange in reversed(world.recorder.exchanges):
        if exchange["method"] == "PATCH" and exchange["path"].endswith(f"/{endpoint}/{target_id}"):
            return exchange
    raise AssertionError(f"No PATCH to /{endpoint}/{name} was sent.")


def _operations(exchange: Exchange) -> list[dict[str, Any]]:
    body = exchange["request"]["body"]
    return list(body.get("Operations") or []) if isinstance(body, dict) else []


@then(pattern('the last PATCH to "{name}" set "{attribute}" to {value} with the op "{op}"'))
def patch_sets(world: World, name: str, attribute: str, value: str, op: str) -> None:
    """The operation changing ``attribute``: its ``op`` as sent ("Replace" or "replace") and
    its value as JSON (``"False"`` is the default dialect's string, ``false`` a boolean)."""
    wanted = json.loads(value)
    for operation in _operations(_last_patch(world, "Users", name)):
        path = str(operation.get("path") or "")
        if path.lower() == attribute.lower():
            sent = operation.get("value")
        elif not path and isinstance(operation.get("value"), dict):
            sent = operation["value"].get(attribute)
        else:
            continue
        assert (operation.get("op"), json.dumps(sent)) == (op, json.dumps(wanted)), (
            f"It sent {json.dumps(operation)}."
        )
        return
    raise AssertionError(f"The last PATCH to {name} did not change {attribute}.")


@then(pattern('the last PATCH to "{name}" held {count:d} operation'))
@then(pattern('the last PATCH to "{name}" held {count:d} operations'))
def patch_operation_count(world: World, name: str, count: int) -> None:
    """One op per attribute (default dialect) or a pathless replace of several."""
    operations = _operations(_last_patch(world, "Users", name))
    assert len(operations) == count, f"It held {json.dumps(operations)}."


@then(pattern('the last PATCH to the group "{group}" removed "{name}" with a value array'))
def member_removed_by_value(world: World, group: str, name: str) -> None:
    """Default dialect: ``{"op": "Remove", "path": "members", "value": [{"value": id}]}``."""
    member = str(_user(world, name)["id"])
    for operation in _operations(_last_patch(world, "Groups", group)):
        if str(operation.get("op")).lower() == "remove" and operation.get("path") == "members":
            assert [v.get("value") for v in operation.get("value") or []] == [member]
            return
    raise AssertionError(f"The last PATCH to {group} removed no member by value.")


@then(pattern('the last PATCH to the group "{group}" removed "{name}" with a filtered path'))
def member_removed_by_path(world: World, group: str, name: str) -> None:
    """aadOptscim062020: ``{"op": "remove", "path": "members[value eq \\"id\\"]"}``."""
    member = str(_user(world, name)["id"])
    for operation in _operations(_last_patch(world, "Groups", group)):
        if operation.get("path") == f'members[value eq "{member}"]':
            assert str(operation.get("op")).lower() == "remove" and "value" not in operation
            return
    raise AssertionError(f"The last PATCH to {group} removed no member by a filtered path.")


# -- schema validation --------------------------------------------------------------------------


@then(pattern('schema validation flags the {side:Side} at "{pointer}"'))
def schema_flags(world: World, side: str, pointer: str) -> None:
    """A violation was recorded at ``pointer`` ("(root)" for the whole body) of a request or
    response; the scenario expects it, so it doesn't fail the scenario."""
    found = world.recorder.expect_violation("" if pointer == "(root)" else pointer, side)
    assert found, f"No violation at {pointer} in a {side}; recorded: " + "; ".join(
        str(v) for v in world.recorder.violations()
    )


@then("every recorded exchange conforms to its schema")
def all_conform(world: World) -> None:
    """No unexpected schema violation so far (the plugin checks again at the end)."""
    report = world.recorder.violation_report()
    assert report is None, report


# -- a misbehaving endpoint ---------------------------------------------------------------------


@given(pattern('the SCIM endpoint answers "{method} {resource}" with HTTP {status:d}'))
def answers_always(world: World, method: str, resource: str, status: int) -> None:
    """Every such request gets ``status`` with a SCIM Error body; ``resource`` is below the
    Tenant URL: "/Users", "/Users/*", "/Groups/*"."""
    _http_status(status)
    world.answer(method, resource, status, _error(status))


@given(pattern('the SCIM endpoint answers the next "{method} {resource}" with HTTP {status:d}'))
def answers_once(world: World, method: str, resource: str, status: int) -> None:
    """Only the next such request fails; later ones reach the target."""
    _http_status(status)
    world.answer(method, resource, status, _error(status), times=1)


@given(
    pattern(
        'the SCIM endpoint answers the next "{method} {resource}" with HTTP 429 and '
        '"Retry-After: {seconds:d}"'
    )
)
def throttles_once(world: World, method: str, resource: str, seconds: int) -> None:
    """Throttling: 429 Too Many Requests with a Retry-After header, once."""
    world.answer(method, resource, 429, _error(429), headers={"Retry-After": str(seconds)}, times=1)


@given(pattern('the SCIM endpoint answers "{method} {resource}" with HTTP {status:d} and:'))
def answers_with_body(
    world: World, method: str, resource: str, status: int, docstring: str
) -> None:
    """Every such request gets ``status`` and the JSON body in the step's doc string."""
    _http_status(status)
    world.answer(method, resource, status, json.loads(docstring))


@given("the SCIM endpoint stops answering")
def stops_answering(world: World) -> None:
    """Every request times out on the network."""
    world.target.network.time_out()


@given(pattern('LinkedIn\'s SCIM service runs the fault profile "{profile}"'))
def fault_profile(world: World, profile: str) -> None:
    """One of Fake Elevate's fault profiles (``provisim serve elevate --fault``)."""
    world.run_fault_profile(profile, {})


@given(pattern('LinkedIn\'s SCIM service runs the fault profile "{profile}" with:'))
def fault_profile_with(world: World, profile: str, datatable: list[list[str]]) -> None:
    """A fault profile with options, one ``| name | value |`` row each."""
    world.run_fault_profile(profile, pairs(datatable))


@given(pattern('the SCIM target already has a user with the userName of "{name}"'))
def preexisting_user(world: World, name: str) -> None:
    """An account LinkedIn has before provisioning starts, with the user's userName."""
    world.seed_target_user(name, user_name=world.upn(name), external_id=None)


@given(
    pattern(
        'the SCIM target already has a user with the externalId of "{name}" and the userName '
        '"{user_name}"'
    )
)
def preexisting_by_external_id(world: World, name: str, user_name: str) -> None:
    """An account whose externalId is the user's mailNickname, under another userName."""
    world.seed_target_user(
        name, user_name=f"{world.prefix}{user_name}", external_id=world.user(name).mail_nickname
    )


def _http_status(status: int) -> None:
    # RFC 9110 §15: a status code is three digits, 100-599; anything else is a typo.
    if not 100 <= status <= 599:
        raise AssertionError(f"HTTP {status} is not an HTTP status code (100-599).")


def _error(status: int) -> dict[str, Any]:
    # RFC 7644 §3.12: errors are SCIM Error JSON with the status as a string.
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": str(status),
        "detail": f"Injected by the scenario: HTTP {status}.",
    }
