"""The cyclic garbage collector's thresholds while provisioning cycles run.

A cycle builds long-lived objects in bulk (the connector data store, log entries; the
target's store when it is in-process). At CPython's default thresholds every few hundred
of them set off a collection, and each full one walks everything built so far, so the
engine raises the thresholds while a cycle runs (``EngineSettings.collector_thresholds_
during_cycles`` says how far) and puts them back when it ends.

It also freezes what exists when the first cycle starts (``gc.freeze()``: the directory,
the configuration, whatever the host built before), and again after each collection while
cycles run: what survived a collection is the cycle's long-lived state (store, connector,
logs), so the next collection walks only what was built since. Each object is walked
once, by the youngest generation's collection, instead of again by the middle one's every
million or so allocations; and what the cycle built reaches the oldest generation by
``gc.unfreeze()`` when the last cycle ends, not by promotion, so it does not count toward
CPython's trigger for the next full collection (long-lived objects pending, a quarter of
those the last full collection kept). Cyclic garbage that outlived one collection waits
for a full collection after the cycles. A host that froze objects itself keeps them
frozen: nothing is frozen or unfrozen then.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _CollectorThresholds:
    """The collector's thresholds while cycles run; the last cycle to end restores them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._saved: tuple[int, int, int] = (0, 0, 0)
        self._froze = False

    def enter(self, thresholds: tuple[int, int, int]) -> None:
        with self._lock:
            if self._running == 0:
                self._saved = gc.get_threshold()
                gc.set_threshold(
                    *(max(now, wanted) for now, wanted in zip(self._saved, thresholds, strict=True))
                )
                self._froze = gc.get_freeze_count() == 0
                if self._froze:
                    gc.freeze()
                    gc.callbacks.append(self._freeze_survivors)
            self._running += 1

    @staticmethod
    def _freeze_survivors(phase: str, _info: dict[str, int]) -> None:
        """After each collection while cycles run: freeze what survived it."""
        if phase == "stop":
            gc.freeze()

    def leave(self) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                gc.set_threshold(*self._saved)
                if self._froze:
                    self._froze = False
                    gc.callbacks.remove(self._freeze_survivors)
                    gc.unfreeze()


_collector = _CollectorThresholds()


@contextmanager
def bulk_allocation(thresholds: tuple[int, int, int] | None) -> Iterator[None]:
    """Raise the collector's thresholds to ``thresholds`` and freeze what exists while the
    block runs.

    Cycles of several jobs may overlap (threads); the first to start saves the
    thresholds and the last to end restores them. A threshold already higher is kept,
    and None changes nothing.
    """
    if thresholds is None:
        yield
        return
    _collector.enter(thresholds)
    try:
        yield
    finally:
        _collector.leave()
