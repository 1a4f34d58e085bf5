"""The timeline picture: a scenario's sync cycles as an inline SVG on the virtual clock.

Each cycle is a bar at its virtual time, as tall as its request count and coloured by its
outcomes; provisions on demand and Test Connections are drawn apart from the cycles, and
quarantine periods are shaded with their reason.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

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


def _cycle_tooltip(cycle: Cycle, ordinal: int) -> str:
    outcomes = ", ".join(
        f"{_count(cycle, key)} {key}" for key, _ in OUTCOME_COLOURS if _count(cycle, key)
    )
    sender = sender_of(cycle)
    if sender == SENDER_TEST_CONNECTION:
        title = f"Test Connection (probe {cycle.get('cycle_id', '?')})"
    elif sender == SENDER_ON_DEMAND:
        title = f"Provision on demand {cycle.get('cycle_id', ordinal + 1)}"
    else:
        title = f"Cycle {cycle.get('cycle_id', ordinal + 1)} ({cycle.get('kind', 'cycle')})"
    parts = [
        title,
        f"at {cycle.get('virtual_time', '?')}",
        f"{_count(cycle, 'requests')} requests",
    ]
    if sender != SENDER_TEST_CONNECTION:
        parts.append(outcomes or "no changes")
    if cycle.get("quarantine_reason"):
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
    order: Sequence[int], cycles: Sequence[Cycle], xs: Sequence[float], half_bar: float
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
        periods.append((open_start, float(_PLOT_RIGHT), open_reason))
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


def _svg_open(height: int) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="pv-timeline" role="img" '
        f'viewBox="0 0 {_SVG_WIDTH} {height}" width="{_SVG_WIDTH}" height="{height}" '
        'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">'
    )


def render_timeline_svg(cycles: Sequence[Cycle]) -> str:
    """The sync cycles of one scenario as an inline SVG on the virtual clock.

    x is virtual time from the first cycle; each cycle is a bar whose height is its request
    count and whose stacked colours are its outcomes (created, updated, disabled, deleted,
    skipped, failed; grey-blue when nothing changed). A provision on demand is drawn the
    same way with a dashed outline, a Test Connection as a sky-blue bar of its own: neither
    is a cycle. Quarantine periods are shaded and labelled with their reason. Every bar has
    a tooltip with the full figures.
    """
    if not cycles:
        return (
            _svg_open(40) + "<title>No sync cycles</title>"
            '<text x="8" y="24" fill="#555">No sync cycles ran in this scenario.</text></svg>'
        )
    seconds = [virtual_seconds(cycle.get("virtual_time")) for cycle in cycles]
    ordinal = any(value is None for value in seconds)
    positions = (
        [float(index) for index in range(len(cycles))]
        if ordinal
        else [value for value in seconds if value is not None]
    )
    axis = _axis(positions, ordinal)
    order = sorted(range(len(cycles)), key=lambda index: (positions[index], index))
    xs, bar = _place_bars([axis.x(value) for value in positions], order)
    spacing = min(
        (xs[b] - xs[a] for a, b in itertools.pairwise(order)), default=_PLOT_RIGHT - _PLOT_LEFT
    )
    tallest = max((_count(cycle, "requests") for cycle in cycles), default=0)
    usable = _AXIS_Y - _PLOT_TOP - 16  # room for the count above the tallest bar
    # Request counts above the bars only when every one of them fits: all or none reads better.
    counts_fit = len(cycles) == 1 or spacing >= len(str(tallest)) * _CHAR_WIDTH + 2

    parts: list[str] = [
        _svg_open(_SVG_HEIGHT),
        f"<title>{esc(count_text(cycles) + ' on the virtual clock')}</title>",
        f'<rect x="0" y="0" width="{_SVG_WIDTH}" height="{_SVG_HEIGHT}" fill="#ffffff"/>',
    ]
    periods = _quarantine_periods(order, cycles, xs, bar / 2)
    label_end = 0.0
    for number, (left, right, reason) in enumerate(periods):
        label, label_end = _quarantine_label(
            f"Quarantine: {reason}",
            left + 4,
            (periods[number + 1][0] if number + 1 < len(periods) else _SVG_WIDTH) - 6,
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
        f'<line x1="{_PLOT_LEFT}" y1="{_AXIS_Y}" x2="{_PLOT_RIGHT}" y2="{_AXIS_Y}" stroke="#333"/>'
    )
    for value, label in axis.ticks():
        x = axis.x(value)
        parts.append(
            f'<line x1="{x:.1f}" y1="{_AXIS_Y}" x2="{x:.1f}" y2="{_AXIS_Y + 4}" stroke="#333"/>'
            f'<text x="{x:.1f}" y="{_AXIS_Y + 16}" text-anchor="middle" fill="#333">'
            f"{esc(label)}</text>"
        )
    axis_caption = "cycle order" if ordinal else "virtual time since the first cycle"
    parts.append(
        f'<text x="{_PLOT_RIGHT}" y="{_AXIS_Y + 30}" text-anchor="end" fill="#555">'
        f"{esc(axis_caption)}</text>"
    )
    for index, cycle in enumerate(cycles):
        requests = _count(cycle, "requests")
        height = 4.0 + (usable - 4.0) * requests / tallest if tallest else 4.0
        x = xs[index] - bar / 2
        sender = sender_of(cycle)
        segments = [(key, colour, _count(cycle, key)) for key, colour in OUTCOME_COLOURS]
        total = sum(count for _, _, count in segments)
        if sender == SENDER_TEST_CONNECTION:
            segments = [("test connection", TEST_CONNECTION_COLOUR, 1)]
            total = 1
        elif total == 0:
            segments = [("no changes", NO_CHANGE_COLOUR, 1)]
            total = 1
        outline = "#D55E00" if _count(cycle, "failed") else "none"
        group = [
            f'<g class="pv-cycle" data-kind="{esc(cycle.get("kind", ""))}" '
            f'data-sender="{esc(sender)}">'
            f"<title>{esc(_cycle_tooltip(cycle, index))}</title>"
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
        if outline != "none":
            group.append(
                f'<rect x="{x:.1f}" y="{_AXIS_Y - height:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}" fill="none" stroke="{outline}" stroke-width="1.5"/>'
            )
        if sender == SENDER_ON_DEMAND:
            group.append(
                f'<rect class="pv-on-demand" x="{x - 1.5:.1f}" y="{_AXIS_Y - height - 1.5:.1f}" '
                f'width="{bar + 3:.1f}" height="{height + 1.5:.1f}" fill="none" '
                f'stroke="{ON_DEMAND_OUTLINE}" stroke-width="1" stroke-dasharray="3 2"/>'
            )
        if counts_fit:
            label = str(requests)
            group.append(
                f'<text x="{xs[index]:.1f}" y="{_AXIS_Y - height - 4:.1f}" '
                f'text-anchor="middle" fill="#333">{esc(label)}</text>'
            )
        group.append("</g>")
        parts.append("".join(group))
    parts.append(_legend(tallest, {sender_of(cycle) for cycle in cycles}))
    parts.append("</svg>")
    return "".join(parts)


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
