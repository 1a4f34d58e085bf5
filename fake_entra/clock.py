"""The virtual clock: the only source of time in provisim.

Logic never sleeps and never reads the wall clock. Whoever needs time takes a
``now`` callable (``VirtualClock.now``) and whoever needs something to happen
later registers a timer; ``advance`` moves time forward and fires every timer
that falls due, in due-time order, so forty minutes pass in a millisecond and
the same inputs give the same run.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

#: Where every fresh clock starts unless told otherwise: a fixed instant, so
#: two runs with the same seed print the same timestamps.
EPOCH = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)


@dataclass(order=True)
class _Timer:
    due: datetime
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class TimerHandle:
    """Returned by :meth:`VirtualClock.call_at`; cancel it to drop the timer."""

    def __init__(self, timer: _Timer) -> None:
        self._timer = timer

    @property
    def due(self) -> datetime:
        return self._timer.due

    @property
    def cancelled(self) -> bool:
        return self._timer.cancelled

    def cancel(self) -> None:
        self._timer.cancelled = True


class VirtualClock:
    """A deterministic clock. Time moves only through :meth:`advance`."""

    def __init__(self, start: datetime = EPOCH) -> None:
        if start.tzinfo is None:
            raise ValueError("the virtual clock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._timers: list[_Timer] = []
        self._seq = itertools.count()

    def now(self) -> datetime:
        return self._now

    def call_at(self, due: datetime, callback: Callable[[], None]) -> TimerHandle:
        """Run ``callback`` when the clock reaches ``due`` (at once on the next advance if past)."""
        timer = _Timer(due.astimezone(UTC), next(self._seq), callback)
        heapq.heappush(self._timers, timer)
        return TimerHandle(timer)

    def call_later(self, delay: timedelta, callback: Callable[[], None]) -> TimerHandle:
        return self.call_at(self._now + delay, callback)

    def next_due(self) -> datetime | None:
        self._drop_cancelled()
        return self._timers[0].due if self._timers else None

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> int:
        """Move time forward, firing every timer that falls due on the way.

        Timers fire in due order with the clock set to their due time, so a
        callback that schedules another timer inside the window sees it fire
        too. Returns how many timers fired.
        """
        step = (delta or timedelta()) + timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds
        )
        if step < timedelta(0):
            raise ValueError("the virtual clock cannot go backwards")
        target = self._now + step
        fired = 0
        while True:
            self._drop_cancelled()
            if not self._timers or self._timers[0].due > target:
                break
            timer = heapq.heappop(self._timers)
            self._now = max(self._now, timer.due)
            fired += 1
            timer.callback()
        # A callback may move the clock on itself (a sync cycle takes time): never back.
        self._now = max(self._now, target)
        return fired

    def advance_to(self, when: datetime) -> int:
        return self.advance(max(when.astimezone(UTC) - self._now, timedelta(0)))

    def _drop_cancelled(self) -> None:
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
