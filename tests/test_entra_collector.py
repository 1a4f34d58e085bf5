"""bulk_allocation: the collector's thresholds raised while cycles run, restored after.

That a cycle runs inside it is tested in test_entra_engine.py; here, overlapping blocks
(cycles of several jobs in threads) and thresholds the host already raised.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from fake_entra.collector import bulk_allocation


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_overlapping_cycles_restore_the_thresholds_once_the_last_ends() -> None:
    with bulk_allocation((50_000, 20, 100)):
        with bulk_allocation((50_000, 20, 100)):
            assert gc.get_threshold() == (50_000, 20, 100)
        assert gc.get_threshold() == (50_000, 20, 100)
    assert gc.get_threshold() == (700, 10, 10)
    gc.set_threshold(90_000, 5, 500)  # thresholds of the host's own that are higher are kept
    with bulk_allocation((50_000, 20, 100)):
        assert gc.get_threshold() == (90_000, 20, 500)
    assert gc.get_threshold() == (90_000, 5, 500)


def test_none_leaves_the_thresholds_alone_and_an_error_restores_them() -> None:
    with bulk_allocation(None):
        assert gc.get_threshold() == (700, 10, 10)
    with pytest.raises(RuntimeError), bulk_allocation((50_000, 20, 100)):
        raise RuntimeError("the cycle broke")
    assert gc.get_threshold() == (700, 10, 10)


def test_what_exists_when_a_cycle_starts_is_frozen_until_the_last_cycle_ends() -> None:
    assert gc.get_freeze_count() == 0
    with bulk_allocation((50_000, 20, 100)):
        frozen = gc.get_freeze_count()
        assert frozen > 0  # a collection during the cycle walks only what the cycle built
        built = [[index] for index in range(10_000)]  # built by the cycle: not frozen
        with bulk_allocation((50_000, 20, 100)):
            assert gc.get_freeze_count() <= frozen  # the inner cycle froze nothing more
        assert len(built) == 10_000
    assert gc.get_freeze_count() == 0
    with bulk_allocation(None):
        assert gc.get_freeze_count() == 0


class _Node:
    def __init__(self) -> None:
        self.itself = self  # a reference cycle: only the cyclic collector frees it


def test_what_survives_a_collection_during_a_cycle_is_frozen_until_the_cycle_ends() -> None:
    with bulk_allocation((50_000, 20, 100)):
        frozen = gc.get_freeze_count()
        built = [[index] for index in range(1_000)]
        node = _Node()
        gone = weakref.ref(node)
        gc.collect(0)
        # The survivors were frozen: no later collection during the cycle walks them again.
        assert gc.get_freeze_count() >= frozen + 1_000
        del node
        gc.collect()
        assert gone() is not None  # garbage that outlived a collection waits for the end
        assert len(built) == 1_000
    assert gc.get_freeze_count() == 0
    assert not any("_freeze_survivors" in repr(callback) for callback in gc.callbacks)
    gc.collect()
    assert gone() is None


def test_objects_the_host_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        built = [[index] for index in range(10_000)]  # after the host's freeze: not frozen
        with bulk_allocation((50_000, 20, 100)):
            assert gc.get_freeze_count() <= frozen
        assert 0 < gc.get_freeze_count() <= frozen
        assert len(built) == 10_000
    finally:
        gc.unfreeze()
