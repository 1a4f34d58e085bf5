from datetime import UTC, datetime, timedelta

import pytest

from fake_entra.clock import EPOCH, VirtualClock


def test_starts_at_a_fixed_epoch_and_moves_only_on_advance() -> None:
    clock = VirtualClock()
    assert clock.now() == EPOCH
    assert clock.now() == EPOCH
    clock.advance(minutes=40)
    assert clock.now() == EPOCH + timedelta(minutes=40)


def test_timers_fire_in_due_order_with_the_clock_at_their_due_time() -> None:
    clock = VirtualClock()
    seen: list[tuple[str, datetime]] = []
    clock.call_later(timedelta(minutes=80), lambda: seen.append(("b", clock.now())))
    clock.call_later(timedelta(minutes=40), lambda: seen.append(("a", clock.now())))
    fired = clock.advance(hours=2)
    assert fired == 2
    assert seen == [("a", EPOCH + timedelta(minutes=40)), ("b", EPOCH + timedelta(minutes=80))]
    assert clock.now() == EPOCH + timedelta(hours=2)


def test_a_timer_scheduled_inside_the_window_fires_in_the_same_advance() -> None:
    clock = VirtualClock()
    ticks: list[datetime] = []

    def every_40_minutes() -> None:
        ticks.append(clock.now())
        clock.call_later(timedelta(minutes=40), every_40_minutes)

    clock.call_later(timedelta(minutes=40), every_40_minutes)
    clock.advance(hours=4)
    assert len(ticks) == 6
    assert ticks[-1] == EPOCH + timedelta(hours=4)


def test_cancelled_timers_do_not_fire_and_do_not_count() -> None:
    clock = VirtualClock()
    fired: list[int] = []
    handle = clock.call_later(timedelta(minutes=1), lambda: fired.append(1))
    handle.cancel()
    assert handle.cancelled
    assert clock.next_due() is None
    assert clock.advance(minutes=5) == 0
    assert fired == []


def test_timers_due_beyond_the_window_wait() -> None:
    clock = VirtualClock()
    fired: list[int] = []
    handle = clock.call_later(timedelta(days=30), lambda: fired.append(1))
    clock.advance(days=29)
    assert fired == [] and clock.next_due() == handle.due
    clock.advance_to(EPOCH + timedelta(days=30))
    assert fired == [1]


def test_refuses_to_go_backwards_or_to_start_naive() -> None:
    clock = VirtualClock()
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(minutes=-1)
    with pytest.raises(ValueError, match="timezone"):
        VirtualClock(datetime(2026, 1, 1))


def test_same_start_same_timeline() -> None:
    start = datetime(2030, 5, 1, tzinfo=UTC)
    a, b = VirtualClock(start), VirtualClock(start)
    a.advance(hours=3)
    b.advance(minutes=180)
    assert a.now() == b.now()
