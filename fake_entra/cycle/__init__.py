"""One synchronization cycle of a provisioning job (entra-provisioning-service.md §2).

Initial cycle: read every user and group in scope, evaluate scoping, match on the matching
attributes in precedence order with a filtered GET, create (POST) or update (PATCH only the
attributes that differ), users first, then groups (created empty), then memberships by
PATCH, then manager references; save the watermark. Incremental cycle: only what the
directory journal changed since the watermark, plus escrowed retries; nothing changed means
no request at all. Disables and deletes are collected and sent last, so accidental-deletions
prevention can hold them back as a whole.

This package only re-exports the public names of its modules, each of which holds one idea:

- :mod:`~fake_entra.cycle.job`: what a cycle needs from its job, and the job's state it
  works on (connector data store, escrows, staged deletions).
- :mod:`~fake_entra.cycle.counters`: what a cycle counted, and the outcome it reports.
- :mod:`~fake_entra.cycle.requests`: one SCIM request of a cycle, and what its failure means.
- :mod:`~fake_entra.cycle.context`: what the phases of one cycle share, and how each object's
  outcome is logged.
- :mod:`~fake_entra.cycle.plan`: import: which users and groups a cycle works through.
- :mod:`~fake_entra.cycle.evaluate`: scope, mapping evaluation and matching.
- :mod:`~fake_entra.cycle.export`: create, update, manager references.
- :mod:`~fake_entra.cycle.members`: group memberships by PATCH.
- :mod:`~fake_entra.cycle.deprovision`: disables and deletes, accidental deletions.
- :mod:`~fake_entra.cycle.on_demand`: the steps "Provision on demand" shows.
- :mod:`~fake_entra.cycle.sync_cycle`: the order of a cycle's work, resumable.
"""

from fake_entra.cycle.counters import CycleCounters, CycleOutcome
from fake_entra.cycle.job import (
    ConnectorEntry,
    CycleJob,
    CycleSettings,
    EscrowEntry,
    StagedDeletion,
)
from fake_entra.cycle.on_demand import ON_DEMAND_INITIATOR, OnDemandResult, OnDemandStep
from fake_entra.cycle.requests import CycleAborted, ObjectFailed
from fake_entra.cycle.sync_cycle import SyncCycle

__all__ = [
    "ON_DEMAND_INITIATOR",
    "ConnectorEntry",
    "CycleAborted",
    "CycleCounters",
    "CycleJob",
    "CycleOutcome",
    "CycleSettings",
    "EscrowEntry",
    "ObjectFailed",
    "OnDemandResult",
    "OnDemandStep",
    "StagedDeletion",
    "SyncCycle",
]
