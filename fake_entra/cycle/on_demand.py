"""What "Provision on demand" shows: its steps, named as the portal names them.

S10 (provision-on-demand): Test connection (shown only when it fails), Import user,
Determine if user is in scope, Match user between source and target system, Perform
action (entra-provisioning-service.md §2 "Provision on demand"). The steps come from the
log entries the run wrote; the run itself is a :class:`~fake_entra.cycle.SyncCycle` built
for one object.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from fake_entra.cycle.requests import CycleAborted, CycleRequests
from fake_entra.error_codes import CATALOGUE
from fake_entra.logs import (
    ProvisioningObjectSummary,
    ProvisioningResult,
    ProvisioningStep,
    ProvisioningStepType,
)

#: Who the log entries of a provision on demand say started them.
ON_DEMAND_INITIATOR = "Provision on demand"

_STEP_NAMES: dict[ProvisioningStepType, str] = {
    ProvisioningStepType.IMPORT: "Import {noun}",
    ProvisioningStepType.SCOPING: "Determine if {noun} is in scope",
    ProvisioningStepType.MATCHING: "Match {noun} between source and target system",
    ProvisioningStepType.PROCESSING: "Perform action",
    ProvisioningStepType.REFERENCE_RESOLUTION: "Perform action",
    ProvisioningStepType.EXPORT: "Perform action",
}


@dataclass(frozen=True)
class OnDemandStep:
    name: str
    status: str
    description: str
    details: dict[str, str]


@dataclass(frozen=True)
class OnDemandResult:
    """What "Provision on demand" shows: the steps and the log entries written."""

    object_id: str
    steps: list[OnDemandStep]
    entries: list[ProvisioningObjectSummary]

    @property
    def succeeded(self) -> bool:
        return all(step.status != "Failure" for step in self.steps)


def connection_test_steps(scim: CycleRequests) -> list[OnDemandStep]:
    """The "Test connection" step, shown only when it fails: empty when the target answers
    the probe with 200."""
    try:
        probe = scim.probe()
    except httpx.HTTPError as exc:
        return [OnDemandStep("Test connection", "Failure", f"The connection failed: {exc}", {})]
    if probe.status_code != 200:
        return [
            OnDemandStep(
                "Test connection",
                "Failure",
                f"The target answered HTTP {probe.status_code} to the empty query.",
                {},
            )
        ]
    return []


def aborted_step(abort: CycleAborted) -> OnDemandStep:
    """The action failed as a whole: the target refused the credentials or throttled."""
    error = abort.error or CATALOGUE["TooManyRequests"].info()
    return OnDemandStep("Perform action", "Failure", error.reason, {"ErrorCode": error.error_code})


def _s10_rank(step: ProvisioningStep) -> int:
    return _S10_ORDER.get(step.step_type, len(_S10_ORDER))


_S10_ORDER: dict[ProvisioningStepType, int] = {
    ProvisioningStepType.IMPORT: 0,
    ProvisioningStepType.SCOPING: 1,
    ProvisioningStepType.MATCHING: 2,
}


def entry_steps(entries: list[ProvisioningObjectSummary]) -> list[OnDemandStep]:
    """The steps of the log entries the provision on demand wrote, in the portal's words."""
    steps: list[OnDemandStep] = []
    for entry in entries:
        noun = str(entry.source_identity.identity_type).lower() or "user"
        # S10 lists "Determine if user is in scope" before "Match user between source and
        # target system"; the log entry keeps S12's order (match, then scope).
        for step in sorted(entry.provisioning_steps, key=_s10_rank):
            # S10: the portal names the steps after the object ("Import user", "Match
            # group between source and target system"); exports are "Perform action".
            template = _STEP_NAMES.get(step.step_type, "Perform action")
            steps.append(
                OnDemandStep(
                    template.format(noun=noun),
                    step.status.display,
                    step.description,
                    dict(step.details),
                )
            )
        error = entry.error
        if (
            entry.status is ProvisioningResult.FAILURE
            and error is not None
            and all(s.status is not ProvisioningResult.FAILURE for s in entry.provisioning_steps)
        ):
            # The failure happened in a request, not in a step: show it as the action's.
            steps.append(
                OnDemandStep(
                    "Perform action", "Failure", error.reason, {"ErrorCode": error.error_code}
                )
            )
    return steps
