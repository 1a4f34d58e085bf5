"""The cyclic garbage collector's thresholds while provisioning cycles run.

A cycle builds long-lived objects in bulk (the connector data store, log entries; the
target's store when it is in-process). At CPython's default thresholds every few hundred
of them set off a collection, and each full one walks everything built so far, so the
engine raises the thresholds while a cycle runs (``EngineSettings.collector_thresholds_
during_cycles`` says how far) and puts them back when it ends.

It also freezes what exists when the first cycle starts (``gc.freeze()``: the directory,
the configuration, whatever the host built before): a collection during the cycle, full or
not, then walks only what the cycle built, and the frozen objects go back to the collector
(``gc.unfreeze()``) when the last cycle ends. A host that froze objects itself keeps them
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
            self._running += 1

    def leave(self) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                gc.set_threshold(*self._saved)
                if self._froze:
                    self._froze = False
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
