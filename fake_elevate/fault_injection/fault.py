"""What a fault profile is: the options every profile reads, and the base class it extends."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass

from .exchange import FaultRequest, FaultResponse, Forward


@dataclass(frozen=True)
class FaultOptions:
    """Every knob of every profile; ``with_faults(app, ..., **options)`` sets them by name.

    Windows count SCIM requests (0-based) as the profile sees them: ``*_start`` requests
    pass first, then ``*_count`` are faulted (None: every one after the start).
    """

    #: Served by a real server (uvicorn): ``slow`` really waits. In-process it never does.
    served: bool = False
    #: Seeds the generator of the random profiles (``flaky``).
    seed: int = 0
    #: ``429-storm``: how many requests get 429, and the Retry-After they carry (seconds).
    storm_start: int = 0
    storm_count: int = 5
    storm_retry_after: int = 60
    #: ``5xx-burst``: how many requests fail, cycling through these statuses.
    burst_start: int = 0
    burst_count: int = 3
    burst_statuses: tuple[int, ...] = (500, 503)
    #: ``flaky``: the probability that any one request fails with 503.
    flaky_rate: float = 0.1
    #: ``slow``: seconds each response is late; in-process a delay of at least
    #: ``slow_timeout_after`` (the client's timeout) raises httpx.ReadTimeout.
    slow_delay: float = 0.25
    slow_timeout_after: float | None = None
    slow_start: int = 0
    slow_count: int | None = None
    #: ``revoked-token``: requests accepted before the token counts as revoked.
    revoke_after: int = 0

    def __post_init__(self) -> None:
        for name in (
            "storm_start",
            "storm_count",
            "burst_start",
            "burst_count",
            "slow_start",
            "revoke_after",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        if self.slow_count is not None and self.slow_count < 0:
            raise ValueError("slow_count cannot be negative")
        if self.storm_retry_after < 0:
            raise ValueError("storm_retry_after cannot be negative")
        if not self.burst_statuses or any(s < 500 or s > 599 for s in self.burst_statuses):
            raise ValueError("burst_statuses must be 5xx statuses")
        if not 0.0 <= self.flaky_rate <= 1.0:
            raise ValueError("flaky_rate must be between 0 and 1")
        if self.slow_delay < 0:
            raise ValueError("slow_delay cannot be negative")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))


def in_window(index: int, start: int, count: int | None) -> bool:
    """Whether the ``index``-th request is among the ``count`` faulted from ``start`` on."""
    return index >= start and (count is None or index < start + count)


class Fault:
    """One active profile: inspects a request and forwards it, or answers in its place."""

    name = ""

    @property
    def may_suspend(self) -> bool:
        """Whether this fault may wait on the event loop (only a real delay does)."""
        return False

    def __init__(self, options: FaultOptions) -> None:
        self.options = options
        #: How many exchanges this fault changed; tests read it.
        self.injected = 0
        self._lock = threading.Lock()
        self._seen = 0

    def _next_index(self) -> int:
        """The 0-based number of this SCIM request, counted per fault."""
        with self._lock:
            index = self._seen
            self._seen += 1
            return index

    def _hit(self) -> None:
        with self._lock:
            self.injected += 1

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        """The base fault deviates from nothing: it forwards. Profiles override this."""
        return await forward(request)
