"""The portal's filters over provisioning log entries (S12: the provisioning logs' filters)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fake_entra.logs.records import (
    ProvisioningAction,
    ProvisioningObjectSummary,
    ProvisioningResult,
)


def filter_entries(
    entries: Iterable[ProvisioningObjectSummary],
    *,
    user: str | None = None,
    action: ProvisioningAction | str | None = None,
    status: ProvisioningResult | str | None = None,
    cycle_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    error_code: str | None = None,
) -> list[ProvisioningObjectSummary]:
    """The entries that pass every filter given, in their order.

    ``user`` matches the source or target identity's id, display name or any detail (UPN,
    userName), case-insensitively, as a substring; ``since`` is inclusive and ``until``
    exclusive; ``action``/``status`` take Graph or portal values; ``error_code`` is
    case-insensitive.
    """
    wanted_action = None if action is None else ProvisioningAction(str(action).lower())
    wanted_status = None if status is None else ProvisioningResult(str(status).lower())
    needle = None if user is None else user.lower()
    code = None if error_code is None else error_code.lower()
    result: list[ProvisioningObjectSummary] = []
    for entry in entries:
        if wanted_action is not None and entry.provisioning_action is not wanted_action:
            continue
        if wanted_status is not None and entry.status is not wanted_status:
            continue
        if cycle_id is not None and entry.cycle_id != cycle_id:
            continue
        if since is not None and entry.activity_date_time < since:
            continue
        if until is not None and entry.activity_date_time >= until:
            continue
        if code is not None and (entry.error is None or entry.error.error_code.lower() != code):
            continue
        if needle is not None and not (
            entry.source_identity.matches(needle) or entry.target_identity.matches(needle)
        ):
            continue
        result.append(entry)
    return result
