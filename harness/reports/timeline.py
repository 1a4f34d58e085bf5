"""The timeline picture: a scenario's sync cycles as an inline SVG on the virtual clock.

Each cycle is a bar at its virtual time, as tall as its request count and coloured by its
outcomes; provisions on demand and Test Connections are drawn apart from the cycles, and
quarantine periods are shaded with their reason.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from harness.reports.artifacts import (
    SENDER_CYCLE,
    SENDER_ON_DEMAND,
    SENDER_TEST_CONNECTION,
    sender_of,
    virtual_seconds,
)
from harness.reports.redaction import esc

if TYPE_CHECKING:
    from harness.recorder import CycleRecord as Cycle
    from harness.recorder import Exchange

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
OUTCOME_COLOURS: Final[tuple[tuple[str, str], ...]] = (
    ("created", "#009E73"),
    ("updated", "#0072B2"),
    ("disabled", "#E69F00"),
    ("deleted", "#555555"),
    ("skipped", "#B8B8B8"),
    ("failed", "#D55E00"),
)
NO_CHANGE_COLOUR: Final = "#9DB4C0"
QUARANTINE_COLOUR: Final = "#CC79A7"
#: A Test Connection's bar (one probe, no outcome), Okabe–Ito sky blue.
TEST_CONNECTION_COLOUR: Final = "#56B4E9"
#: A provision on demand is drawn like a cycle, outlined with this dashed stroke.
ON_DEMAND_OUTLINE: Final = "#000000"

_SVG_WIDTH: Final = 760
_SVG_HEIGHT: Final = 252
_PLOT_LEFT: Final = 40
_PLOT_RIGHT: Final = _SVG_WIDTH - 20
_PLOT_TOP: Final = 40
_AXIS_Y: Final = 170
_CHAR_WIDTH: Final = 6.6  # generous average glyph width of 11 px sans-serif, for fitting labels
# Tick steps in seconds. Past ten minutes they divide 40 minutes or are whole hours: a cycle
# runs every 40 minutes by default (entra-provisioning-service.md), so cycles sit on ticks.
_TICK_STEPS: Final = (
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 2400, 3600, 7200, 14400, 28800, 86400,
    172800, 345600, 604800,
)  # fmt: skip


FAILED_COLOUR: Final = "#D55E00"


def response_statuses(exchanges: Sequence[Exchange]) -> dict[int, int | None]:
    """``seq`` -> the response status of each exchange (None: no response came back)."""
    found: dict[int, int | None] = {}
    for exchange in exchanges:
        response: Mapping[str, Any] = exchange.get("response") or {}
        status = response.get("status")
        found[exchange.get("seq", 0)] = status if isinstance(status, int) else None
    return found


def scenario_origin(*times: object) -> float | None:
    """Midnight (UTC) of the day of the earliest of ``times``: "day 0" of a scenario."""
    seconds = [value for time in times if (value := virtual_seconds(time)) is not None]
    if not seconds:
        return None
    return math.floor(min(seconds) / 86400) * 86400


def format_day_time(value: object, origin: float | None, *, seconds: bool = True) -> str:
    """A virtual time as ``day 30 09:40:00``: the day counted from ``origin`` (day 0, the
    scenario's first day), then the time of day; the text as it is when it is no time."""
    moment = virtual_seconds(value)
    if moment is None:
        return "" if value is None else str(value)
    base = origin if origin is not None else math.floor(moment / 86400) * 86400
    day = math.floor((moment - base) / 86400)
    clock = datetime.fromtimestamp(moment, UTC).strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"day {day} {clock}"


def day_time(cycle: Cycle, cycles: Sequence[Cycle]) -> str:
    """A timeline entry's virtual time as ``day N HH:MM:SS`` within its scenario."""
    origin = scenario_origin(*(entry.get("virtual_time") for entry in cycles))
    return format_day_time(cycle.get("virtual_time"), origin)


def _failed_statuses(cycle: Cycle, statuses: Mapping[int, Any]) -> list[str]:
    """The failed requests of an entry, as their statuses ("401", "no response")."""
    found = []
    for seq in cycle.get("exchanges") or []:
        if isinstance(seq, int) and seq in statuses:
            status = statuses[seq]
            if status is None:
                found.append("no response")
            elif isinstance(status, int) and status >= 400:
                found.append(str(status))
    return found


def cycle_outcome(cycle: Cycle, statuses: Mapping[Any, Any] | None = None) -> tuple[str, str]:
    """What a timeline entry came to, as ``(kind, words)``: kind is "quarantined", "failed"
    (an object failed, or a request got an error status or no response: a cycle whose PATCH
    got 401 is no "no changes"), "changes", "no-changes" or "test-connection". ``statuses``
    maps an exchange's ``seq`` to its response status (None: no response)."""
    failed_requests = _failed_statuses(cycle, statuses or {})
    counts = ", ".join(
        f"{_count(cycle, key)} {key}" for key, _ in OUTCOME_COLOURS if _count(cycle, key)
    )
    errors = ""
    if failed_requests:
        shown = ", ".join(sorted(set(failed_requests)))
        errors = f"{len(failed_requests)} failed request{'s' if len(failed_requests) != 1 else ''} ({shown})"
    words = "; ".join(part for part in (counts, errors) if part)
    if sender_of(cycle) == SENDER_TEST_CONNECTION:
        return ("failed" if failed_requests else "test-connection"), words or "Test Connection"
    if cycle.get("quarantine_reason"):
        return "quarantined", "; ".join(
            part for part in (f"quarantine: {cycle.get('quarantine_reason')}", words) if part
        )
    if failed_requests or _count(cycle, "failed"):
        return "failed", words
    if counts:
        return "changes", words
    return "no-changes", "no changes"


def format_offset(seconds: float) -> str:
    """A virtual-time offset for axis labels: ``0``, ``30s``, ``40m``, ``1h20m``, ``2d 4h``."""
    if seconds % 60:
        whole = int(seconds // 60)
        return f"{whole}m{seconds % 60:g}s" if whole else f"{seconds:g}s"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    day = f"{days}d" if days else ""
    clock = (f"{hours}h" if hours else "") + (f"{mins}m" if mins else "")
    return " ".join(part for part in (day, clock) if part) or "0"


def _count(cycle: Cycle, key: str) -> int:
    value = cycle.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _fit(text: str, width: float) -> str:
    room = max(int(width / _CHAR_WIDTH + 1e-6), 1)  # + 1e-6: n * w / w can fall below n
    return text if len(text) <= room else text[: max(room - 1, 0)] + "…"


@dataclass(frozen=True)
class _Axis:
    start: float  # domain start (seconds or cycle ordinal)
    end: float
    origin: float  # the first cycle: offsets are measured from here
    ordinal: bool  # no usable virtual times: cycles are placed in order

    def x(self, value: float) -> float:
        return _PLOT_LEFT + (value - self.start) / (self.end - self.start) * (
            _PLOT_RIGHT - _PLOT_LEFT
        )

    def ticks(self) -> Iterator[tuple[float, str]]:
        if self.ordinal:
            count = int(self.end - self.start)
            step = max(1, math.ceil(count / 10))
            for ordinal in range(0, count + 1, step):
                if self.start <= ordinal <= self.end:
                    yield float(ordinal), f"#{ordinal + 1}"
            return
        span = self.end - self.start
        fitting = next((s for s in _TICK_STEPS if span / s <= 8), None)
        step = fitting if fitting is not None else math.ceil(span / 8 / 86400) * 86400
        first = math.ceil((self.start - self.origin) / step)
        offset = first * step
        while self.origin + offset <= self.end:
            if offset >= 0:
                yield self.origin + offset, "0" if offset == 0 else f"+{format_offset(offset)}"
            offset += step


def _axis(positions: Sequence[float], ordinal: bool) -> _Axis:
    low, high = min(positions), max(positions)
    if ordinal:
        pad = max((high - low) * 0.05, 0.5)
        return _Axis(start=low - pad, end=high + pad, origin=low, ordinal=True)
    if high == low:
        # One cycle: show the 40 minutes until the next would run (entra-provisioning-service.md:
        # a cycle about every 40 min).
        return _Axis(start=low - 300, end=low + 2700, origin=low, ordinal=False)
    # Room on both sides so the first and last bars are not cut in half.
    pad = (high - low) * 0.05
    return _Axis(start=low - pad, end=high + pad, origin=low, ordinal=False)


def _cycle_tooltip(cycle: Cycle, ordinal: int, words: str, origin: float | None) -> str:
    sender = sender_of(cycle)
    if sender == SENDER_TEST_CONNECTION:
        title = f"Test Connection (probe {cycle.get('cycle_id', '?')})"
    elif sender == SENDER_ON_DEMAND:
        title = f"Provision on demand {cycle.get('cycle_id', ordinal + 1)}"
    else:
        title = f"Cycle {cycle.get('cycle_id', ordinal + 1)} ({cycle.get('kind', 'cycle')})"
    when = cycle.get("virtual_time", "?")
    shown = format_day_time(when, origin) if origin is not None else str(when)
    parts = [title, f"at {shown}", f"{_count(cycle, 'requests')} requests"]
    if sender != SENDER_TEST_CONNECTION or words != "Test Connection":
        parts.append(words)
    if cycle.get("quarantine_reason") and "quarantine:" not in words:
        parts.append(f"quarantine: {cycle.get('quarantine_reason')}")
    return "; ".join(parts)


def _place_bars(xs: Sequence[float], order: Sequence[int]) -> tuple[list[float], float]:
    """Bars share the plot width; cycles closer than a bar (an on-demand provisioning in the
    same virtual second as a cycle) are nudged apart so each stays visible."""
    bar = max(3.0, min(22.0, (_PLOT_RIGHT - _PLOT_LEFT) / (2.2 * len(xs))))
    placed = list(xs)
    previous = -math.inf
    for index in order:
        placed[index] = max(xs[index], previous + bar + 1.5)
        previous = placed[index]
    return placed, bar


def _quarantine_periods(
    order: Sequence[int],
    cycles: Sequence[Cycle],
    xs: Sequence[float],
    half_bar: float,
    edge: float = _PLOT_RIGHT,
) -> list[tuple[float, float, str]]:
    """Shaded spans: from the first cycle run in quarantine (with a given reason) until the
    next cycle that is not, or the right edge when the run ends in quarantine. Only sync
    cycles say: a Test Connection or a provision on demand meanwhile changes nothing."""
    periods: list[tuple[float, float, str]] = []
    open_start: float | None = None
    open_reason = ""
    for index in order:
        if sender_of(cycles[index]) != SENDER_CYCLE:
            continue
        reason = str(cycles[index].get("quarantine_reason") or "")
        left = xs[index] - half_bar
        if open_start is not None and reason != open_reason:
            periods.append((open_start, left, open_reason))
            open_start = None
        if reason and open_start is None:
            open_start, open_reason = left, reason
    if open_start is not None:
        periods.append((open_start, float(edge), open_reason))
    return periods


def _quarantine_label(text: str, start: float, limit: float, free_from: float) -> tuple[str, float]:
    """The label of a shaded period and where it ends: from the period's left edge when it
    fits before ``limit`` (the next period, or the picture's edge), else ending at ``limit``
    and reaching back no further than ``free_from`` (the end of the previous label)."""
    width = len(text) * _CHAR_WIDTH
    if start + width <= limit:
        x, anchor, end = start, "start", start + width
    else:
        text = _fit(text, limit - max(free_from, min(start, limit - width)))
        x, anchor, end = limit, "end", limit
    return (
        f'<text x="{x:.1f}" y="{_PLOT_TOP - 9}" text-anchor="{anchor}" fill="#7a2f5e">'
        f"{esc(text)}</text>",
        end,
    )


def _svg_open(height: int, width: int = _SVG_WIDTH) -> str:
    wide = " pv-wide" if width > _SVG_WIDTH else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pv-timeline{wide}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">'
    )


#: A compressed axis gives each cycle at least this many pixels, so none hides another.
_MIN_SLOT: Final = 5.0
#: A gap this many times the usual one (and over two hours) is idle time: drawn as a break.
_IDLE_FACTOR: Final = 6.0
_IDLE_SECONDS: Final = 7200.0


@dataclass(frozen=True)
class _Layout:
    xs: list[float]
    bar: float
    right: float  # the plot's right edge
    width: int  # the picture's width
    ticks: list[tuple[float, str]]
    breaks: list[tuple[float, float, str]]  # left, right, label of an idle span
    caption: str
    #: Runs of idle cycles drawn as one band: left, right, the indexes of the cycles.
    folds: list[tuple[float, float, list[int]]] = field(default_factory=list)


def _linear_layout(positions: Sequence[float], order: Sequence[int], ordinal: bool) -> _Layout:
    axis = _axis(positions, ordinal)
    xs, bar = _place_bars([axis.x(value) for value in positions], order)
    caption = "cycle order" if ordinal else "virtual time since the first cycle"
    return _Layout(
        xs, bar, float(_PLOT_RIGHT), _SVG_WIDTH, [(axis.x(v), t) for v, t in axis.ticks()], [],
        caption,
    )  # fmt: skip


def _needs_compressing(times: Sequence[float]) -> bool:
    """Too many cycles for the width, or idle spans that would squeeze the rest together."""
    if len(times) < 2:
        return False
    if (_PLOT_RIGHT - _PLOT_LEFT) / len(times) < _MIN_SLOT * 1.5:
        return True
    gaps = [b - a for a, b in itertools.pairwise(times) if b > a]
    if not gaps:
        return False
    usual = sorted(gaps)[len(gaps) // 2]
    return max(gaps) > max(_IDLE_FACTOR * usual, _IDLE_SECONDS)


def _idle(cycle: Cycle, statuses: Mapping[Any, Any]) -> bool:
    """A sync cycle that sent nothing and changed nothing, outside quarantine."""
    return (
        sender_of(cycle) == SENDER_CYCLE
        and not _count(cycle, "requests")
        and cycle_outcome(cycle, statuses)[0] == "no-changes"
    )


#: Runs of at least this many idle cycles fold into one band.
_FOLD_AT: Final = 4
_FOLD_WIDTH: Final = 150.0


def _compressed_layout(
    seconds: Sequence[float],
    order: Sequence[int],
    cycles: Sequence[Cycle],
    statuses: Mapping[Any, Any],
) -> _Layout:
    """A layout for any number of cycles over any span: a run of idle cycles (nothing sent,
    nothing changed, no quarantine) folds into one labelled band, every other cycle gets a
    slot of its own, gaps keep their proportions up to a point, and idle spans between
    cycles shrink to a labelled break. The ticks read ``day N HH:MM``; a picture that still
    outgrows the width gets wider (and scrolls)."""
    # Units in time order: a cycle of its own, or a run of idle cycles.
    units: list[list[int]] = []
    run: list[int] = []
    for index in order:
        if _idle(cycles[index], statuses):
            run.append(index)
            continue
        units += [run] if len(run) >= _FOLD_AT else [[i] for i in run]
        run = []
        units.append([index])
    units += [run] if len(run) >= _FOLD_AT else [[i] for i in run]
    singles = [seconds[unit[0]] for unit in units if len(unit) == 1]
    gaps = [b - a for a, b in itertools.pairwise(singles) if b > a]
    usual = sorted(gaps)[len(gaps) // 2] if gaps else 2400.0
    slot = max(_MIN_SLOT, min(40.0, (_PLOT_RIGHT - _PLOT_LEFT) / max(len(units), 1)))
    bar = max(3.0, min(22.0, slot / 2.2))
    scale = slot / usual
    xs = [0.0] * len(cycles)
    breaks: list[tuple[float, float, str]] = []
    folds: list[tuple[float, float, list[int]]] = []
    x = float(_PLOT_LEFT) + bar
    previous: float | None = None
    for unit in units:
        start, end = seconds[unit[0]], seconds[unit[-1]]
        if previous is not None:
            gap = start - previous
            if gap > max(_IDLE_FACTOR * usual, _IDLE_SECONDS):
                label = f"{format_offset(round(gap / 60) * 60)} idle"
                width = len(label) * _CHAR_WIDTH + 16
                breaks.append((x + bar, x + bar + width, label))
                x += width + 2 * bar
            else:
                x += max(min(gap * scale, 4 * slot), bar + 1.5)
        if len(unit) == 1:
            xs[unit[0]] = x
        else:
            folds.append((x - bar / 2, x - bar / 2 + _FOLD_WIDTH, unit))
            for index in unit:
                xs[index] = x + _FOLD_WIDTH / 2
            x += _FOLD_WIDTH - bar
        previous = end
    right = x + bar + 10
    if right < _PLOT_RIGHT:  # few units: spread them over the width
        stretch = (_PLOT_RIGHT - _PLOT_LEFT - bar - 10) / max(right - _PLOT_LEFT - bar - 10, 1)

        def spread(value: float) -> float:
            return _PLOT_LEFT + bar + (value - _PLOT_LEFT - bar) * stretch

        xs = [spread(value) for value in xs]
        breaks = [(spread(a), spread(a) + (b - a), t) for a, b, t in breaks]
        folds = [(spread(a + _FOLD_WIDTH / 2) - _FOLD_WIDTH / 2,
                  spread(a + _FOLD_WIDTH / 2) + _FOLD_WIDTH / 2, u) for a, b, u in folds]  # fmt: skip
        right = float(_PLOT_RIGHT)
    origin = scenario_origin(*seconds)
    ticks: list[tuple[float, str]] = []
    label_end = -math.inf
    previous_day: str | None = None
    folded = {index for _, _, unit in folds for index in unit}
    after_fold = False
    for position, index in enumerate(order):
        text = format_day_time(seconds[index], origin, seconds=False)
        day = text.split(" ")[1] if text.startswith("day ") else text
        edge = position in (0, len(order) - 1) or after_fold
        wanted = index not in folded and (edge or day != previous_day)
        previous_day, after_fold = day, index in folded
        half = len(text) * _CHAR_WIDTH / 2
        if wanted and xs[index] - half >= label_end + 6:
            ticks.append((xs[index], text))
            label_end = xs[index] + half
    return _Layout(
        xs, bar, right, max(_SVG_WIDTH, math.ceil(right + 20)), ticks, breaks,
        "virtual time: day and time of day (idle spans compressed)", folds,
    )  # fmt: skip


def _fold_band(left: float, right: float, unit: Sequence[int], cycles: Sequence[Cycle],
               origin: float | None) -> str:  # fmt: skip
    first = format_day_time(cycles[unit[0]].get("virtual_time"), origin, seconds=False)
    last = format_day_time(cycles[unit[-1]].get("virtual_time"), origin, seconds=False)
    label = f"{len(unit)} idle cycles"
    title = f"{len(unit)} cycles from {first} to {last}: nothing to send, no changes"
    return (
        f'<g class="pv-fold" data-cycles="{len(unit)}"><title>{esc(title)}</title>'
        f'<rect x="{left:.1f}" y="{_AXIS_Y - 8}" width="{right - left:.1f}" height="8" '
        f'fill="{NO_CHANGE_COLOUR}"/>'
        f'<text x="{(left + right) / 2:.1f}" y="{_AXIS_Y - 12}" text-anchor="middle" '
        f'fill="#333">{esc(label)}</text>'
        f'<text x="{(left + right) / 2:.1f}" y="{_AXIS_Y - 24}" text-anchor="middle" '
        f'fill="#333">{esc(f"{first} – {last}")}</text></g>'
    )


def render_timeline_svg(cycles: Sequence[Cycle], exchanges: Sequence[Exchange] = ()) -> str:
    """The sync cycles of one scenario as an inline SVG on the virtual clock.

    x is virtual time from the first cycle; each cycle is a bar whose height is its request
    count and whose stacked colours are its outcomes (created, updated, disabled, deleted,
    skipped, failed). A cycle that changed nothing is grey-blue, unless it ran in quarantine
    (the quarantine colour) or one of its requests failed (``exchanges`` tell: a PATCH that
    got 401 is a failure, not "no changes"). A provision on demand is drawn the same way
    with a dashed outline, a Test Connection as a sky-blue bar of its own: neither is a
    cycle. Quarantine periods are shaded and labelled with their reason. Every bar has a
    tooltip with the full figures and its day and time.

    When the cycles are too many for the width, or idle spans would squeeze them together
    (a 31-day scenario has 1,117 cycles), the axis is compressed: every cycle keeps a slot of
    its own, idle spans become labelled breaks, the ticks read ``day N HH:MM`` and the
    picture grows wider (class ``pv-wide``) to scroll.
    """
    if not cycles:
        return (
            _svg_open(40) + "<title>No sync cycles</title>"
            '<text x="8" y="24" fill="#555">No sync cycles ran in this scenario.</text></svg>'
        )
    statuses = response_statuses(exchanges)
    seconds = [virtual_seconds(cycle.get("virtual_time")) for cycle in cycles]
    ordinal = any(value is None for value in seconds)
    positions = (
        [float(index) for index in range(len(cycles))]
        if ordinal
        else [value for value in seconds if value is not None]
    )
    order = sorted(range(len(cycles)), key=lambda index: (positions[index], index))
    if not ordinal and _needs_compressing([positions[index] for index in order]):
        layout = _compressed_layout(positions, order, cycles, statuses)
    else:
        layout = _linear_layout(positions, order, ordinal)
    xs, bar, width = layout.xs, layout.bar, layout.width
    origin = None if ordinal else scenario_origin(*positions)
    folded = {index for _, _, unit in layout.folds for index in unit}
    drawn = [index for index in order if index not in folded]
    spacing = min(
        (xs[b] - xs[a] for a, b in itertools.pairwise(drawn)), default=_PLOT_RIGHT - _PLOT_LEFT
    )
    tallest = max((_count(cycle, "requests") for cycle in cycles), default=0)
    usable = _AXIS_Y - _PLOT_TOP - 16  # room for the count above the tallest bar
    # Request counts above the bars only when every one of them fits: all or none reads better.
    counts_fit = len(cycles) == 1 or spacing >= len(str(tallest)) * _CHAR_WIDTH + 2

    parts: list[str] = [
        _svg_open(_SVG_HEIGHT, width),
        f"<title>{esc(count_text(cycles) + ' on the virtual clock')}</title>",
        f'<rect x="0" y="0" width="{width}" height="{_SVG_HEIGHT}" fill="#ffffff"/>',
    ]
    periods = _quarantine_periods(order, cycles, xs, bar / 2, layout.right)
    label_end = 0.0
    for number, (left, right, reason) in enumerate(periods):
        label, label_end = _quarantine_label(
            f"Quarantine: {reason}",
            left + 4,
            (periods[number + 1][0] if number + 1 < len(periods) else width) - 6,
            label_end + 8,
        )
        parts.append(
            f'<g class="pv-quarantine"><title>{esc(f"Quarantine: {reason}")}</title>'
            f'<rect x="{left:.1f}" y="{_PLOT_TOP - 22}" width="{max(right - left, 2):.1f}" '
            f'height="{_AXIS_Y - _PLOT_TOP + 22}" fill="{QUARANTINE_COLOUR}" fill-opacity="0.16" '
            f'stroke="{QUARANTINE_COLOUR}" stroke-dasharray="4 3"/>'
            f"{label}</g>"
        )
    parts.append(
        f'<line x1="{_PLOT_LEFT}" y1="{_AXIS_Y}" x2="{layout.right:.1f}" y2="{_AXIS_Y}" '
        'stroke="#333"/>'
    )
    for left, right, text in layout.breaks:
        middle = (left + right) / 2
        parts.append(
            f'<g class="pv-idle"><title>{esc(text)}: no cycle ran</title>'
            f'<rect x="{left:.1f}" y="{_AXIS_Y - 3}" width="{right - left:.1f}" height="6" '
            'fill="#ffffff"/>'
            f'<path d="M{left:.1f} {_AXIS_Y + 5} l4 -10 M{right - 4:.1f} {_AXIS_Y + 5} l4 -10" '
            'stroke="#333"/>'
            f'<text x="{middle:.1f}" y="{_AXIS_Y - 8}" text-anchor="middle" fill="#333">'
            f"{esc(text)}</text></g>"
        )
    for x, label in layout.ticks:
        parts.append(
            f'<line x1="{x:.1f}" y1="{_AXIS_Y}" x2="{x:.1f}" y2="{_AXIS_Y + 4}" stroke="#333"/>'
            f'<text x="{x:.1f}" y="{_AXIS_Y + 16}" text-anchor="middle" fill="#333">'
            f"{esc(label)}</text>"
        )
    parts.append(
        f'<text x="{max(layout.right, _PLOT_RIGHT):.1f}" y="{_AXIS_Y + 30}" text-anchor="end" '
        'fill="#555">'
        f"{esc(layout.caption)}</text>"
    )
    for left, right, unit in layout.folds:
        parts.append(_fold_band(left, right, unit, cycles, origin))
    for index, cycle in enumerate(cycles):
        if index not in folded:
            parts.append(
                _bar(cycle, index, xs[index], bar, tallest, usable, counts_fit, statuses, origin)
            )
    parts.append(_legend(tallest, {sender_of(cycle) for cycle in cycles}))
    parts.append("</svg>")
    return "".join(parts)


def _bar(
    cycle: Cycle,
    index: int,
    centre: float,
    bar: float,
    tallest: int,
    usable: float,
    counts_fit: bool,
    statuses: Mapping[Any, Any],
    origin: float | None,
) -> str:
    requests = _count(cycle, "requests")
    height = 4.0 + (usable - 4.0) * requests / tallest if tallest else 4.0
    x = centre - bar / 2
    sender = sender_of(cycle)
    outcome, words = cycle_outcome(cycle, statuses)
    segments = [(key, colour, _count(cycle, key)) for key, colour in OUTCOME_COLOURS]
    total = sum(count for _, _, count in segments)
    if sender == SENDER_TEST_CONNECTION:
        colour = FAILED_COLOUR if outcome == "failed" else TEST_CONNECTION_COLOUR
        segments, total = [("test connection", colour, 1)], 1
    elif total == 0:
        name, colour = {
            "quarantined": ("quarantined", QUARANTINE_COLOUR),
            "failed": ("failed-requests", FAILED_COLOUR),
        }.get(outcome, ("no changes", NO_CHANGE_COLOUR))
        segments, total = [(name, colour, 1)], 1
    group = [
        f'<g class="pv-cycle" data-kind="{esc(cycle.get("kind", ""))}" '
        f'data-sender="{esc(sender)}" data-outcome="{esc(outcome)}">'
        f"<title>{esc(_cycle_tooltip(cycle, index, words, origin))}</title>"
    ]
    top = _AXIS_Y - height
    for key, colour, count in segments:
        if not count:
            continue
        piece = height * count / total
        group.append(
            f'<rect class="pv-{key.replace(" ", "-")}" x="{x:.1f}" y="{top:.1f}" '
            f'width="{bar:.1f}" height="{piece:.1f}" fill="{colour}"/>'
        )
        top += piece
    if _count(cycle, "failed") or outcome == "failed":
        group.append(
            f'<rect x="{x:.1f}" y="{_AXIS_Y - height:.1f}" width="{bar:.1f}" '
            f'height="{height:.1f}" fill="none" stroke="{FAILED_COLOUR}" stroke-width="1.5"/>'
        )
    if sender == SENDER_ON_DEMAND:
        group.append(
            f'<rect class="pv-on-demand" x="{x - 1.5:.1f}" y="{_AXIS_Y - height - 1.5:.1f}" '
            f'width="{bar + 3:.1f}" height="{height + 1.5:.1f}" fill="none" '
            f'stroke="{ON_DEMAND_OUTLINE}" stroke-width="1" stroke-dasharray="3 2"/>'
        )
    if counts_fit:
        group.append(
            f'<text x="{centre:.1f}" y="{_AXIS_Y - height - 4:.1f}" '
            f'text-anchor="middle" fill="#333">{esc(requests)}</text>'
        )
    group.append("</g>")
    return "".join(group)


def _legend(tallest: int, senders: set[str]) -> str:
    x = float(_PLOT_LEFT)
    y = _SVG_HEIGHT - 30
    items: list[str] = []
    for name, colour in [*OUTCOME_COLOURS, ("no changes", NO_CHANGE_COLOUR)]:
        x = _legend_item(items, x, y, name, f'fill="{colour}"')
    _legend_item(
        items,
        x,
        y,
        "quarantine",
        f'fill="{QUARANTINE_COLOUR}" fill-opacity="0.16" stroke="{QUARANTINE_COLOUR}" '
        'stroke-dasharray="3 2"',
    )
    caption = f"Bar height: requests in the cycle (tallest {tallest}); colours: outcomes"
    items.append(f'<text x="{_PLOT_LEFT}" y="{y + 18}" fill="#555">{esc(caption)}</text>')
    # What else sent requests, after the caption and only when the picture has it: most
    # scenarios have cycles alone.
    x = _PLOT_LEFT + len(caption) * _CHAR_WIDTH + 14
    x = _legend_item(items, x, y + 18, "cycle in quarantine", f'fill="{QUARANTINE_COLOUR}"')
    if SENDER_ON_DEMAND in senders:
        x = _legend_item(
            items,
            x,
            y + 18,
            "on demand",
            f'fill="none" stroke="{ON_DEMAND_OUTLINE}" stroke-dasharray="3 2"',
        )
    if SENDER_TEST_CONNECTION in senders:
        _legend_item(items, x, y + 18, "Test Connection", f'fill="{TEST_CONNECTION_COLOUR}"')
    return f'<g class="pv-legend">{"".join(items)}</g>'


def _legend_item(items: list[str], x: float, y: float, name: str, paint: str) -> float:
    """A swatch and its name at ``x``; returns where the next one goes."""
    items.append(
        f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" {paint}/>'
        f'<text x="{x + 14:.1f}" y="{y}" fill="#333">{esc(name)}</text>'
    )
    return x + 14 + len(name) * _CHAR_WIDTH + 14


def count_text(cycles: Sequence[Cycle], noun: str = "sync cycle") -> str:
    """ "3 sync cycles", and the provisions on demand and Test Connections when there are any."""
    senders = [sender_of(cycle) for cycle in cycles]

    def counted(count: int, singular: str, plural: str) -> str:
        return f"{count} {singular if count == 1 else plural}"

    parts = [counted(senders.count(SENDER_CYCLE), noun, f"{noun}s")]
    if on_demand := senders.count(SENDER_ON_DEMAND):
        parts.append(counted(on_demand, "provision on demand", "provisions on demand"))
    if tests := senders.count(SENDER_TEST_CONNECTION):
        parts.append(counted(tests, "Test Connection", "Test Connections"))
    return ", ".join(parts)
