"""bulk_allocation: the collector's thresholds raised while cycles run, restored after.

That a cycle runs inside it is tested in test_entra_engine.py; here, overlapping blocks
(cycles of several jobs in threads) and thresholds the host already raised.
"""

from __future__ import annotations

import gc
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
