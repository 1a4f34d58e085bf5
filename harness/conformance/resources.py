"""The run's test resources: named with one prefix, registered when created, deleted at the end.

Every user and group the run creates in the target, whether the Entra engine or a check
created it, is named ``provisim-conformance-<run>-...`` so that a vendor can find
leftovers, and is registered in :class:`CreatedResources` so that :func:`clean_up` removes
it after the run (groups first), unless ``--keep``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from harness.conformance.probe import ScimProbe
from harness.conformance.report import CleanupJson, ResourceJson

#: Every test resource's name starts with this, so a vendor can find and remove leftovers.
RESOURCE_PREFIX: Final = "provisim-conformance-"


@dataclass
class CreatedResources:
    """Every resource a run created in the target, for the clean-up."""

    items: list[tuple[str, str, str]] = field(default_factory=list)  # (endpoint, id, name)

    def add(self, endpoint: str, resource_id: str, name: str) -> None:
        if (endpoint, resource_id) not in {(e, i) for e, i, _ in self.items}:
            self.items.append((endpoint, resource_id, name))


def clean_up(probe: ScimProbe, created: CreatedResources, *, keep: bool) -> CleanupJson:
    """Delete every resource in ``created`` (none with ``keep``), and say how it went."""
    resources: list[ResourceJson] = [
        {"endpoint": e, "id": i, "name": n} for e, i, n in created.items
    ]
    cleanup: CleanupJson = {"kept": keep, "deleted": 0, "failed": [], "resources": resources}
    if keep:
        return cleanup
    # Groups first: deleting a user a group still lists would change the group under us.
    for endpoint in ("Groups", "Users"):
        for kind, resource_id, name in created.items:
            if kind != endpoint:
                continue
            exchange = probe.delete(f"{endpoint}/{resource_id}")
            if exchange.status in (200, 204, 404):  # 404: already gone (the flow deleted it)
                cleanup["deleted"] += 1
            else:
                cleanup["failed"].append(
                    {
                        "endpoint": endpoint,
                        "id": resource_id,
                        "name": name,
                        "reason": exchange.describe(),
                    }
                )
    return cleanup


__all__ = ["RESOURCE_PREFIX", "CreatedResources", "clean_up"]
