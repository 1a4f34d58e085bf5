"""A request-rate limiter as an httpx transport wrapper.

``provisim conformance`` must never send more than ``--rate`` requests per second to the
endpoint under test, whoever sends them: the Entra engine's client and the RFC checks'
probe share one :class:`RateLimitedTransport`. The default, 25 per second, is the load
Entra asks every SCIM endpoint to sustain per tenant (entra-provisioning-service.md §6,
S1 gallery checklist), so a conformance run is no heavier than Entra itself.

The limiter is a leaky bucket in its GCRA form (ITU-T I.371's generic cell rate
algorithm) with no burst tolerance: each request reserves the next slot, one emission
interval (``1 / rate`` seconds) after the previous one, and waits for it. Even spacing
alone lets rounding (25 intervals of 0.04 s summing to 0.9999999) or a fractional rate
slip one request too many into a second, so a slot is also never earlier than one second
after the ``floor(rate)``-th slot before it. Hence the guarantee the tests check with an
injected clock: any half-open window of one second holds at most ``floor(rate)`` request
starts. Reservations are taken under a lock and the waiting happens outside it, so
concurrent callers queue in order without holding the lock while they sleep.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

import httpx

#: entra-provisioning-service.md §6: "Endpoints must handle ≥25 requests/s per tenant".
ENTRA_REQUESTS_PER_SECOND = 25.0


class LeakyBucket:
    """Admit at most ``rate`` events per second, evenly spaced (GCRA, no burst).

    ``clock`` is a monotonic clock in seconds and ``sleep`` waits that many seconds; both
    are injected so tests can drive time without waiting.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not math.isfinite(rate) or rate < 1:
            raise ValueError(f"the rate must be at least 1 request per second, not {rate}")
        self.rate = rate
        self.interval = 1.0 / rate
        self.per_second = math.floor(rate)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        # The theoretical arrival time of the next admitted event (GCRA's "TAT").
        self._next: float | None = None
        # The last floor(rate) slots: the next one waits a second after the oldest.
        self._window: deque[float] = deque(maxlen=self.per_second)
        #: When each admitted event was let through, in admission order.
        self.admitted: list[float] = []

    def acquire(self) -> float:
        """Wait for the next free slot; returns the clock time the event was admitted at."""
        with self._lock:
            now = self._clock()
            slot = now if self._next is None else max(now, self._next)
            if len(self._window) == self.per_second:
                slot = max(slot, self._window[0] + 1.0)
            self._next = slot + self.interval
            self._window.append(slot)
            self.admitted.append(slot)
        if slot > now:
            self._sleep(slot - now)
        return slot

    @property
    def count(self) -> int:
        return len(self.admitted)

    def peak_per_second(self) -> int:
        """The most events admitted in any half-open window of one second."""
        return peak_per_second(sorted(self.admitted))


def peak_per_second(times: Sequence[float]) -> int:
    """The largest number of ``times`` (sorted, in seconds) inside any window ``[t, t + 1)``."""
    peak = 0
    for index, start in enumerate(times):
        end = bisect.bisect_left(times, start + 1.0, lo=index)
        peak = max(peak, end - index)
    return peak


class RateLimitedTransport(httpx.BaseTransport):
    """Send every request through ``inner``, but no faster than ``bucket`` admits."""

    def __init__(self, inner: httpx.BaseTransport, bucket: LeakyBucket) -> None:
        self.inner = inner
        self.bucket = bucket

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.bucket.acquire()
        return self.inner.handle_request(request)

    def close(self) -> None:
        # Passed on: in a conformance run the inner one is the recorder, which leaves the
        # network transport for the run to close once (see RecordingTransport.close).
        self.inner.close()


__all__ = [
    "ENTRA_REQUESTS_PER_SECOND",
    "LeakyBucket",
    "RateLimitedTransport",
    "peak_per_second",
]
