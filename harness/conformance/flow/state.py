"""What the flow's phases share while it runs: the record, the seeded tenant, the
engine's job once started, and the window of the step being judged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fake_entra.dialects import Dialect
from fake_entra.engine import ProvisioningJob
from harness.conformance.exchanges import Exchange, ExchangeLog
from harness.conformance.flow.setup import SeededTenant
from harness.conformance.probe import ScimProbe
from harness.conformance.results import Unmet


@dataclass
class FlowState:
    """The flow's shared state; the step being judged moves ``since``, ``step_mark`` and
    ``carried`` before it starts."""

    log: ExchangeLog
    probe: ScimProbe
    dialect: Dialect
    seeded: SeededTenant
    #: The virtual time from which the current step judges the engine's log entries.
    since: datetime
    #: The engine's job, from the initial cycle on.
    job: ProvisioningJob | None = None
    #: Where the current step's exchanges start in the log.
    step_mark: int = 0
    #: The initial cycle's exchanges, carried by the steps that judge what it did.
    carried: list[Exchange] = field(default_factory=list)

    def started_job(self) -> ProvisioningJob:
        if self.job is None:
            raise Unmet("the provisioning job was never started")
        return self.job


__all__ = ["FlowState"]
