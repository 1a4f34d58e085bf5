"""The flow's driving phase: letting the engine's cycles retry on the virtual clock.

After each directory change the flow moves the clock to the next incremental cycle, 40
virtual minutes later (entra-provisioning-service.md §2 "Cadence"). Retries are the
engine's own (escrow, §2 "Errors and retries"): after a failure the flow lets a few more
cycles run. After a 429 the engine pauses for Retry-After in virtual time; the flow also
waits that long for real (capped), so the endpoint sees a client with manners.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from fake_entra.clock import VirtualClock
from fake_entra.engine import ProvisioningJob
from harness.conformance.exchanges import Exchange
from harness.conformance.probe import retry_after_seconds


def settle(
    job: ProvisioningJob, clock: VirtualClock, *, retry_cycles: int, pause: Callable[[], None]
) -> None:
    """Let the engine retry what failed: after Retry-After (``pause`` waits it out for
    real), or in the next cycles."""
    # Each Retry-After pause and each escrow retry cycle counts as one round. Escrow
    # retries go on only while they help: a 400 that comes back every cycle is no
    # transient failure, and retrying it would only load the endpoint.
    escrowed: int | None = None
    for _ in range(2 * retry_cycles):
        if job.status.quarantine is not None:
            return
        suspended = job.cycle_suspended
        if not suspended:
            if not job.escrows or (escrowed is not None and len(job.escrows) >= escrowed):
                return
            escrowed = len(job.escrows)
        due = clock.next_due()
        if due is None or due - clock.now() > job.settings.cycle_interval + timedelta(hours=1):
            return  # nothing of the job's is due (a purge timer is not a retry)
        if suspended:
            # Entra pauses for Retry-After (§2) on the virtual clock; the run also waits
            # for real, as long as the endpoint asked (within reason).
            pause()
        clock.advance_to(due)


def last_retry_after(exchanges: Sequence[Exchange]) -> float:
    """The Retry-After of the engine's last throttled request among ``exchanges``, in
    seconds."""
    for exchange in reversed(exchanges):
        if exchange.origin == "entra" and exchange.status == 429:
            return retry_after_seconds(exchange.header("retry-after"), exchange.header("date"))
    return 1.0


__all__ = ["last_retry_after", "settle"]
