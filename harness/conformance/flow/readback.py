"""The flow's judging phase: every outcome is read back with GET and compared with what
the engine exported, never taken from a status code. A disagreement raises
:class:`Mismatch`, which fails the step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from fake_entra.dialects import (
    DEFAULT_USER_TARGET_TYPES,
    ENTERPRISE_USER_SCHEMA,
    target_type_of,
)
from fake_entra.target_values import normalize, read_value
from harness.conformance.exchanges import Exchange
from harness.conformance.flow.explain import refused_in_step
from harness.conformance.flow.state import FlowState
from harness.conformance.results import Unmet

#: The user attributes read back and compared with what the engine exported.
_COMPARED: Final[tuple[str, ...]] = (
    "userName",
    "active",
    "displayName",
    "title",
    "externalId",
    "name.givenName",
    "name.familyName",
    'emails[type eq "work"].value',
)


class Mismatch(Exception):
    """A flow step's read-back disagrees with what Entra sent: the step fails."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        evidence: Sequence[Exchange] | None = None,
        *,
        about: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.evidence = evidence
        #: The source object (Entra object id) the mismatch is about, to quote its log.
        self.about = about


def exported(state: FlowState, source_id: str, name: str) -> None:
    """The engine's last word on the object in this step must not be a failure: a
    failed export leaves the target as it was, which a read-back alone would miss."""
    if state.job is None:
        return
    entries = [
        e for e in state.job.log.query(since=state.since) if e.source_identity.id == source_id
    ]
    if entries and entries[-1].error is not None and entries[-1].status_display == "Failure":
        raise Mismatch(f"Entra could not export the changes to {name}", about=source_id)


def target_id_of(state: FlowState, source_id: str, name: str) -> str:
    entry = state.started_job().connector.get(source_id)
    if entry is None:
        raise Mismatch(f"Entra did not provision {name}", about=source_id)
    return entry.target_id


def read(state: FlowState, endpoint: str, target_id: str) -> dict[str, Any]:
    exchange = state.probe.get(f"{endpoint}/{target_id}")
    body = exchange.json()
    if exchange.status != 200 or not isinstance(body, dict):
        raise Mismatch(f"reading back: {exchange.describe()}, expected 200", None, [exchange])
    return body


def expect_values(resource: dict[str, Any], wanted: dict[str, Any], what: str, about: str) -> None:
    wrong = []
    for path, sent in wanted.items():
        kind = target_type_of(path, DEFAULT_USER_TARGET_TYPES, sent)
        stored = read_value(resource, path)
        expected, actual = normalize(sent, kind), normalize(stored, kind)
        if path == "userName" and isinstance(expected, str) and isinstance(actual, str):
            # RFC 7643 §4.1.1: userName is caseExact false.
            expected, actual = expected.lower(), actual.lower()
        if expected != actual:
            wrong.append(f"{path}: sent {sent!r}, read back {stored!r}")
    if wrong:
        raise Mismatch(
            f"{what} does not read back as Entra sent it: " + "; ".join(wrong),
            "Store what Entra sends and return it on GET.",
            about=about,
        )


def compare_user(state: FlowState, key: str) -> dict[str, Any]:
    user = state.seeded.users[key]
    name = user.user_principal_name
    exported(state, user.object_id, name)
    entry = state.started_job().connector.get(user.object_id)
    if entry is None:
        raise Mismatch(f"Entra did not provision {name}", about=user.object_id)
    resource = read(state, "Users", entry.target_id)
    wanted = {path: entry.exported[path] for path in _COMPARED if path in entry.exported}
    expect_values(resource, wanted, name, user.object_id)
    return resource


def compare_group(state: FlowState, wanted: dict[str, Any]) -> None:
    group = state.seeded.group
    exported(state, group.object_id, group.display_name)
    target_id = target_id_of(state, group.object_id, group.display_name)
    resource = read(state, "Groups", target_id)
    expect_values(resource, wanted, "the group", group.object_id)


def expect_active(state: FlowState, key: str, active: bool) -> None:
    user = state.seeded.users[key]
    exported(state, user.object_id, user.user_principal_name)
    target_id = target_id_of(state, user.object_id, user.user_principal_name)
    resource = read(state, "Users", target_id)
    stored = resource.get("active")
    if normalize(stored, "boolean") is not active:
        raise Mismatch(
            f"{user.user_principal_name} reads active={stored!r} after Entra set it to {active}",
            about=user.object_id,
            hint=None
            if refused_in_step(state)
            else (
                "The PATCH of active was acknowledged but not applied (Cogtrix#122): apply "
                "it, so deprovisioning does deprovision."
            ),
        )


def manager_of(resource: dict[str, Any]) -> str | None:
    """The enterprise manager's id of a user as read back (RFC 7643 §4.3: manager.value);
    a bare string is taken as the id too."""
    extension = resource.get(ENTERPRISE_USER_SCHEMA)
    manager = extension.get("manager") if isinstance(extension, dict) else None
    value = manager.get("value") if isinstance(manager, dict) else manager
    return str(value) if isinstance(value, str | int) and str(value) else None


def _manager_wanted(state: FlowState, manager_key: str | None) -> str | None:
    if manager_key is None:
        return None
    manager = state.seeded.users[manager_key]
    return target_id_of(state, manager.object_id, manager.user_principal_name)


def expect_manager(state: FlowState, key: str, manager_key: str | None) -> None:
    """The user's manager reads back as the target id of ``manager_key`` (None: none)."""
    user = state.seeded.users[key]
    exported(state, user.object_id, user.user_principal_name)
    wanted = _manager_wanted(state, manager_key)
    target_id = target_id_of(state, user.object_id, user.user_principal_name)
    found = manager_of(read(state, "Users", target_id))
    if found != wanted:
        expected = f"{wanted} ({manager_key})" if wanted else "no manager"
        raise Mismatch(
            f"{user.user_principal_name} reads manager {found!r}; Entra set {expected}",
            about=user.object_id,
        )


def require_manager(state: FlowState, key: str, manager_key: str, step: str) -> None:
    """A precondition: the user has that manager now; else the step is not established,
    blocked by ``step`` (the step that was to set it)."""
    user = state.seeded.users[key]
    entry = state.started_job().connector.get(user.object_id)
    manager = state.seeded.users[manager_key]
    manager_entry = state.started_job().connector.get(manager.object_id)
    if entry is None or manager_entry is None:
        raise Unmet(f"needs {key} and {manager_key} provisioned, but they are not", blocked_by=step)
    exchange = state.probe.get(f"Users/{entry.target_id}")
    body = exchange.json()
    found = manager_of(body) if exchange.status == 200 and isinstance(body, dict) else None
    if found != manager_entry.target_id:
        raise Unmet(
            f"needs {user.user_principal_name} with manager {manager_key}, but it reads "
            f"manager {found!r} ({exchange.describe()})",
            [exchange],
            blocked_by=step,
        )


def expect_members(state: FlowState, keys: set[str]) -> None:
    group = state.seeded.group
    exported(state, group.object_id, group.display_name)
    target_id = target_id_of(state, group.object_id, group.display_name)
    resource = read(state, "Groups", target_id)
    members = resource.get("members") or []
    found = {str(m.get("value")) for m in members if isinstance(m, dict)}
    wanted: dict[str, str] = {}
    for key in keys:
        user = state.seeded.users[key]
        wanted[target_id_of(state, user.object_id, user.user_principal_name)] = key
    missing = sorted(wanted[i] for i in set(wanted) - found)
    ours = {
        state.started_job().connector[u.object_id].target_id: k
        for k, u in state.seeded.users.items()
        if u.object_id in state.started_job().connector
    }
    extra = sorted(ours[i] for i in found - set(wanted) if i in ours)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"still holding {', '.join(extra)}")
        raise Mismatch(f"the group's members are wrong: {'; '.join(parts)}", about=group.object_id)


def expect_gone(state: FlowState, endpoint: str, target_id: str, name: str) -> None:
    deletes = [
        e
        for e in state.log.all()
        if e.method == "DELETE" and e.url.split("?", 1)[0].endswith(f"/{endpoint}/{target_id}")
    ]
    if not deletes:
        raise Mismatch(f"Entra never sent DELETE for {name}")
    exchange = state.probe.get(f"{endpoint}/{target_id}")
    if exchange.status != 404:
        raise Mismatch(
            f"after DELETE, GET {endpoint}/{{id}} answers {exchange.status}, expected 404",
            "Delete the resource on DELETE and answer 404 for it afterwards (RFC 7644 §3.6).",
            [*deletes[-1:], exchange],
        )


__all__ = [
    "Mismatch",
    "compare_group",
    "compare_user",
    "expect_active",
    "expect_gone",
    "expect_manager",
    "expect_members",
    "expect_values",
    "exported",
    "manager_of",
    "read",
    "require_manager",
    "target_id_of",
]
