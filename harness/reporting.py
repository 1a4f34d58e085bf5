"""Reports for provisim runs: pytest-html pages people can look at, and live progress.

A pytest plugin module: ``provisim run`` loads it with ``-p harness.reporting``, and anyone can
do the same with plain pytest (``pytest -p harness.reporting --html=report.html features/``).
It

- lets pytest collect ``.feature`` files directly, one test per scenario, so node ids name the
  feature file (``features/licensing.feature::test_no_seat_left``);
- titles the pytest-html report and, for every scenario whose item carries the provisim
  artifacts (``("provisim_traffic", path)`` and ``("provisim_timeline", path)`` in
  ``item.user_properties``), adds the recorded SCIM exchanges as a table and the sync cycles as
  an inline SVG timeline on the virtual clock;
- carries pytest-bdd's scenario report across pytest-xdist, so ``--cucumberjson`` is complete
  under ``-n``.

Bodies in the artifacts are untrusted: everything is HTML-escaped, and bearer tokens and other
secrets are masked again here even though the recorder already redacts them.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import time
import types
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict
from urllib.parse import parse_qsl, urlsplit

import pytest
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

if TYPE_CHECKING:
    from harness.recorder import CycleRecord as Cycle
    from harness.recorder import Exchange

REPORT_TITLE: Final = "provisim — Entra ID → LinkedIn Elevate provisioning"
TRAFFIC_PROPERTY: Final = "provisim_traffic"
TIMELINE_PROPERTY: Final = "provisim_timeline"
SUMMARY_ATTRIBUTE: Final = "provisim_summary"
BDD_CONTEXT_ATTRIBUTE: Final = "provisim_bdd_context"

MAX_EXCHANGE_ROWS: Final = 500
MAX_BODY_CHARS: Final = 20_000
MASK: Final = "***"


# --- artifacts (written by harness.plugin after each scenario) ----------------------------------
# Their shapes are harness.recorder's Exchange and CycleRecord; reading tolerates older or
# hand-written files (a query given as a mapping, headers as pairs, missing counts).


class ScenarioSummary(TypedDict):
    """Per-scenario figures shown as columns of the pytest-html results table."""

    exchanges: int
    violations: int
    cycles: int


def load_traffic(path: Path) -> list[Exchange]:
    """The exchanges of a ``traffic.jsonl`` file, one JSON object per line."""
    exchanges: list[Exchange] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            exchanges.append(json.loads(line))
    return exchanges


#: The ``sender`` of a timeline entry: the values of ``fake_entra.scim_client.OriginKind``
#: (kept as text here: reading a report needs none of the engine). An entry without one is
#: a sync cycle, as every entry was before the others joined the timeline.
SENDER_CYCLE: Final = "cycle"
SENDER_ON_DEMAND: Final = "on-demand"
SENDER_TEST_CONNECTION: Final = "test-connection"


def sender_of(cycle: Mapping[str, Any]) -> str:
    """What sent a timeline entry's exchanges: a sync cycle, a provision on demand or a Test
    Connection."""
    sender = cycle.get("sender")
    return sender if isinstance(sender, str) else SENDER_CYCLE


def sync_cycles(cycles: Iterable[Cycle]) -> list[Cycle]:
    """The entries of a timeline that are sync cycles."""
    return [cycle for cycle in cycles if sender_of(cycle) == SENDER_CYCLE]


def load_timeline(path: Path) -> list[Cycle]:
    """The cycles of a ``timeline.json`` file."""
    cycles = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(cycles, list):
        raise ValueError(f"{path}: expected a JSON list of cycles")
    return cycles


# --- redaction -----------------------------------------------------------------------------------

# RFC 6750 §2.1: "Authorization: Bearer <b64token>". Whatever follows "Bearer " is shown as
# *** only, even where it is not a credential (a WWW-Authenticate challenge): safe beats pretty.
_BEARER: Final = re.compile(r"(?i)(bearer)(\s+)\S+")
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "proxy-authorization"})
_SECRET_HEADERS: Final = frozenset({"cookie", "set-cookie", "x-api-key"})
# Account Center answers with the generated token once; Entra's Admin Credentials hold it.
_SECRET_KEY_ENDINGS: Final = ("token", "secret", "password", "adminkey", "apikey")


def redact_text(text: str) -> str:
    """Mask every bearer credential in free text: ``Bearer abc`` becomes ``Bearer ***``."""
    return _BEARER.sub(lambda match: f"{match.group(1)}{match.group(2)}{MASK}", text)


def _is_secret_key(key: str) -> bool:
    squashed = re.sub(r"[^a-z]", "", key.lower())
    return squashed.endswith(_SECRET_KEY_ENDINGS)


def redact(value: Any) -> Any:
    """A copy of a JSON value with secrets masked: bearer tokens anywhere in strings, and
    string values under keys such as ``token``, ``secretToken``, ``password``, ``adminKey``."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: MASK
            if isinstance(item, str) and item and _is_secret_key(str(key))
            else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def redact_header(name: str, value: str) -> str:
    """Credentials keep only their scheme (``Bearer ***``, ``Basic ***``); cookies and API
    keys are masked whole."""
    if name.lower() in _CREDENTIAL_HEADERS:
        scheme, _, rest = value.strip().partition(" ")
        return f"{scheme} {MASK}" if rest else MASK
    if name.lower() in _SECRET_HEADERS:
        return MASK
    return redact_text(value)


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    if isinstance(headers, Mapping):
        pairs = [(str(k), str(v)) for k, v in headers.items()]
    elif isinstance(headers, list | tuple):
        pairs = [(str(pair[0]), str(pair[1])) for pair in headers if len(pair) == 2]
    else:
        pairs = []
    return [(name, redact_header(name, value)) for name, value in pairs]


def _redacted_query(query: Any) -> str:
    if isinstance(query, Mapping):
        pairs = [(str(k), str(v)) for k, v in query.items()]
    elif isinstance(query, str):
        pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    else:
        return ""
    # Shown decoded, as people read a query; the table escapes it for HTML.
    return "&".join(f"{k}={MASK if _is_secret_key(k) else redact_text(v)}" for k, v in pairs)


# --- the exchanges table -------------------------------------------------------------------------


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _body_text(body: Any, max_chars: int) -> str:
    if body is None or body == "":
        return "(no body)"
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            text = redact_text(body)
        else:
            text = json.dumps(redact(body), indent=2, ensure_ascii=False)
    else:
        text = json.dumps(redact(body), indent=2, ensure_ascii=False, default=str)
    if len(text) > max_chars:
        more = len(text) - max_chars
        text = f"{text[:max_chars]}\n… ({more} more characters in traffic.jsonl)"
    return text


def _violation_text(violation: Any) -> str:
    if isinstance(violation, Mapping):
        if "rule" in violation:  # harness.validation.Violation, as a dict
            place = violation.get("pointer") or "(root)"
            schema = f" [{violation['schema']}]" if violation.get("schema") else ""
            where = f"{violation['where']} " if violation.get("where") else ""
            return redact_text(f"{where}{place}: {violation['rule']}{schema}")
        if "message" in violation:
            return redact_text(str(violation["message"]))
        return redact_text(json.dumps(violation, sort_keys=True, default=str))
    return redact_text(str(violation))


def _target(exchange: Exchange) -> str:
    path = exchange.get("path")
    query: Any = exchange.get("query")
    if not path:
        parts = urlsplit(str(exchange.get("url", "")))
        path = parts.path or "/"
        query = query or parts.query
    rendered = _redacted_query(query)
    return redact_text(f"{path}?{rendered}" if rendered else str(path))


def _status_class(status: Any) -> str:
    return f"pv-s{str(status)[:1]}xx" if isinstance(status, int) else "pv-s0xx"


def _clock_time(value: Any) -> str:
    """``2025-01-01T00:40:00+00:00`` as ``00:40:00`` (the table is read within one scenario)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).strftime("%H:%M:%S")
        except ValueError:
            return value
    return "" if value is None else str(value)


def _message_block(title: str, headers: Any, body: Any, max_body_chars: int) -> str:
    header_lines = "\n".join(f"{name}: {value}" for name, value in _header_pairs(headers))
    return (
        f'<div class="pv-message"><h5>{_esc(title)}</h5>'
        f"<pre>{_esc(header_lines or '(no headers)')}</pre>"
        f"<pre>{_esc(_body_text(body, max_body_chars))}</pre></div>"
    )


#: How the exchanges table names what sent an exchange that no sync cycle sent.
_SENDER_LABELS: Final = {SENDER_ON_DEMAND: "on demand", SENDER_TEST_CONNECTION: "Test Connection"}


def _sender_of_exchange(cycles: Sequence[Cycle]) -> dict[int, str]:
    """``seq`` -> what sent the exchange: "#n" for the n-th sync cycle of the timeline,
    "on demand" or "Test Connection" for the others."""
    labels: dict[int, str] = {}
    number = 0
    for cycle in cycles:
        sender = sender_of(cycle)
        if sender == SENDER_CYCLE:
            number += 1
            label = f"#{number}"
        else:
            label = _SENDER_LABELS.get(sender, sender)
        for seq in cycle.get("exchanges") or []:
            if isinstance(seq, int):
                labels[seq] = label
    return labels


def render_exchanges_table(
    exchanges: Sequence[Exchange],
    cycles: Sequence[Cycle] = (),
    *,
    max_rows: int = MAX_EXCHANGE_ROWS,
    max_body_chars: int = MAX_BODY_CHARS,
) -> str:
    """The recorded SCIM exchanges as an HTML table: one row per exchange (violating rows
    highlighted, with the cycle, provision on demand or Test Connection that sent it when the
    timeline says), and the request and response collapsible underneath."""
    if not exchanges:
        return '<p class="pv-empty">No HTTP exchanges were recorded in this scenario.</p>'
    sent_by = _sender_of_exchange(cycles)
    rows: list[str] = []
    for index, exchange in enumerate(exchanges[:max_rows]):
        request = exchange.get("request") or {}
        response = exchange.get("response") or {}
        seq = exchange.get("seq", index + 1)
        status = response.get("status")
        # No response at all: the transport failed (timeout, refused connection).
        failure = redact_text(str(exchange.get("error") or "")) if status is None else ""
        violations = list(exchange.get("violations") or [])
        elapsed = exchange.get("elapsed_ms")
        elapsed_text = f"{elapsed:.1f}" if isinstance(elapsed, int | float) else ""
        verdict = (
            f'<span class="pv-bad">✗ {len(violations)}</span>'
            if violations
            else '<span class="pv-good">✓</span>'
        )
        row_class = "pv-violation" if violations or failure else ""
        rows.append(
            f'<tr class="pv-exchange {row_class}">'
            f"<td>{_esc(seq)}</td>"
            f"<td>{_esc(sent_by.get(seq, '') if isinstance(seq, int) else '')}</td>"
            f"<td>{_esc(_clock_time(exchange.get('virtual_time')))}</td>"
            f"<td>{_esc(exchange.get('method', ''))}</td>"
            f'<td class="pv-target">{_esc(_target(exchange))}</td>'
            f'<td class="{_status_class(status)}">'
            f"{_esc('no response' if status is None else status)}</td>"
            f'<td class="pv-num">{_esc(elapsed_text)}</td>'
            f"<td>{verdict}</td></tr>"
        )
        listed = "".join(f"<li>{_esc(_violation_text(v))}</li>" for v in violations)
        if failure:
            listed = f"<li>{_esc(failure)}</li>{listed}"
        rows.append(
            f'<tr class="pv-detail {row_class}"><td></td><td colspan="7">'
            + (f'<ul class="pv-violations">{listed}</ul>' if listed else "")
            + '<details><summary>Request and response</summary><div class="pv-io">'
            + _message_block("Request", request.get("headers"), request.get("body"), max_body_chars)
            + _message_block(
                "Response", response.get("headers"), response.get("body"), max_body_chars
            )
            + "</div></details></td></tr>"
        )
    omitted = len(exchanges) - max_rows
    note = (
        f'<p class="pv-note">{omitted} more exchanges are in traffic.jsonl.</p>'
        if omitted > 0
        else ""
    )
    return (
        '<table class="pv-exchanges"><thead><tr><th>#</th><th>Sent by</th><th>Virtual time</th>'
        "<th>Method</th><th>Path</th><th>Status</th><th>Elapsed ms</th><th>Schema</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>{note}"
    )


# --- the timeline picture ------------------------------------------------------------------------

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


def _virtual_seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return None


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
        step = next((s for s in _TICK_STEPS if span / s <= 8), None)
        if step is None:
            step = math.ceil(span / 8 / 86400) * 86400
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
        f"{_esc(text)}</text>",
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
    seconds = [_virtual_seconds(cycle.get("virtual_time")) for cycle in cycles]
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
        f"<title>{_esc(_count_text(cycles) + ' on the virtual clock')}</title>",
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
            f'<g class="pv-quarantine"><title>{_esc(f"Quarantine: {reason}")}</title>'
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
            f"{_esc(label)}</text>"
        )
    axis_caption = "cycle order" if ordinal else "virtual time since the first cycle"
    parts.append(
        f'<text x="{_PLOT_RIGHT}" y="{_AXIS_Y + 30}" text-anchor="end" fill="#555">'
        f"{_esc(axis_caption)}</text>"
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
            f'<g class="pv-cycle" data-kind="{_esc(cycle.get("kind", ""))}" '
            f'data-sender="{_esc(sender)}">'
            f"<title>{_esc(_cycle_tooltip(cycle, index))}</title>"
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
                f'text-anchor="middle" fill="#333">{_esc(label)}</text>'
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
    items.append(f'<text x="{_PLOT_LEFT}" y="{y + 18}" fill="#555">{_esc(caption)}</text>')
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
        f'<text x="{x + 14:.1f}" y="{y}" fill="#333">{_esc(name)}</text>'
    )
    return x + 14 + len(name) * _CHAR_WIDTH + 14


# --- the per-scenario block ----------------------------------------------------------------------

_STYLE: Final = """<style>
.pv-scenario{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:13px;margin:8px 0}
.pv-scenario h4{margin:12px 0 6px;font-size:14px}
.pv-scenario svg.pv-timeline{max-width:100%;height:auto;border:1px solid #ddd;border-radius:4px}
.pv-caption,.pv-note,.pv-empty{color:#555;margin:4px 0}
table.pv-exchanges{border-collapse:collapse;width:100%;margin-top:4px}
table.pv-exchanges th,table.pv-exchanges td{border-bottom:1px solid #e4e4e4;padding:3px 6px;
text-align:left;vertical-align:top}
table.pv-exchanges th{background:#f3f3f3}
table.pv-exchanges td.pv-target{font-family:ui-monospace,Menlo,Consolas,monospace;
word-break:break-all}
table.pv-exchanges td.pv-num{text-align:right}
tr.pv-violation{background:#fdecea}
tr.pv-violation td:first-child{border-left:3px solid #D55E00}
tr.pv-detail td{border-bottom:1px solid #cfcfcf}
.pv-s2xx{color:#006b4f;font-weight:600}.pv-s3xx{color:#0072B2;font-weight:600}
.pv-s4xx{color:#a15c00;font-weight:600}.pv-s5xx,.pv-s0xx{color:#b3261e;font-weight:600}
.pv-good{color:#006b4f}.pv-bad{color:#b3261e;font-weight:600}
ul.pv-violations{margin:2px 0 4px 18px;padding:0;color:#8c1d18}
.pv-io{display:flex;flex-wrap:wrap;gap:8px}
.pv-message{flex:1 1 340px;min-width:0}
.pv-message h5{margin:4px 0;font-size:12px}
.pv-message pre{background:#f7f7f7;border:1px solid #e4e4e4;padding:6px;margin:0 0 4px;
white-space:pre-wrap;word-break:break-word;max-height:360px;overflow:auto}
</style>"""


def _timeline_caption(cycles: Sequence[Cycle]) -> str:
    if not cycles:
        return ""
    timed = sorted(
        (seconds, str(cycle.get("virtual_time")))
        for cycle in cycles
        if (seconds := _virtual_seconds(cycle.get("virtual_time"))) is not None
    )
    quarantined = sorted(
        {str(c["quarantine_reason"]) for c in cycles if c.get("quarantine_reason")}
    )
    text = _count_text(cycles, "cycle")
    if timed:
        text += f", virtual time {timed[0][1]} to {timed[-1][1]}"
    if quarantined:
        text += f"; quarantine: {', '.join(quarantined)}"
    return f'<p class="pv-caption">{_esc(redact_text(text))}.</p>'


def _count_text(cycles: Sequence[Cycle], noun: str = "sync cycle") -> str:
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


def summarize(exchanges: Sequence[Exchange], cycles: Sequence[Cycle]) -> ScenarioSummary:
    return ScenarioSummary(
        exchanges=len(exchanges),
        violations=sum(len(exchange.get("violations") or []) for exchange in exchanges),
        cycles=len(sync_cycles(cycles)),
    )


def render_scenario(exchanges: Sequence[Exchange], cycles: Sequence[Cycle]) -> str:
    """The HTML added to a scenario's row in the pytest-html report."""
    figures = summarize(exchanges, cycles)
    return (
        f'<div class="pv-scenario">{_STYLE}'
        "<h4>Sync cycles on the virtual clock</h4>"
        f"{render_timeline_svg(cycles)}{_timeline_caption(cycles)}"
        f"<h4>SCIM exchanges ({figures['exchanges']}, "
        f"{figures['violations']} schema violation{'s' if figures['violations'] != 1 else ''})"
        f"</h4>{render_exchanges_table(exchanges, cycles)}</div>"
    )


def _artifact(properties: Iterable[tuple[str, object]], name: str) -> Path | None:
    for key, value in properties:
        if key == name and isinstance(value, str | Path):
            return Path(value)
    return None


# --- pytest hooks --------------------------------------------------------------------------------


class FeatureFile(pytest.Module):
    """A ``.feature`` file collected as a test module: one pytest-bdd scenario test per
    Gherkin scenario (outlines parametrized by their examples, tags applied as marks)."""

    def _getobj(self) -> types.ModuleType:
        from pytest_bdd import scenario
        from pytest_bdd.feature import get_features

        module = types.ModuleType(f"provisim_feature_{self.path.stem}")
        module.__file__ = str(self.path)
        used: set[str] = set()
        for feature in get_features([str(self.path)]):
            for name in feature.scenarios:
                test_name = _test_name(name, used)

                @scenario(feature.filename, name, features_base_dir=str(self.path.parent))
                def _scenario() -> None:
                    """The steps are the test."""

                setattr(module, test_name, _scenario)
        return module


def _test_name(scenario_name: str, used: set[str]) -> str:
    # pytest-bdd's scenarios() spelling (spaces to _, other non-word characters dropped, no
    # leading digits), so node ids and -k read the same as in a tests/ module's run.
    words = re.sub(r"\W", "", scenario_name.replace(" ", "_"))
    base = "test_" + re.sub(r"^\d+_*", "", words).lower()
    name, suffix = base, 1
    while name in used:
        name, suffix = f"{base}_{suffix}", suffix + 1
    used.add(name)
    return name


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".feature":
        return FeatureFile.from_parent(parent, path=file_path)
    return None


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("htmlpath", None) and not hasattr(config, "workerinput"):
        config.pluginmanager.register(ScenarioColumns(), "provisim-html-columns")


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report: Any) -> None:
    report.title = REPORT_TITLE


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # tryfirst puts this wrapper outside pytest-bdd's, so the scenario report it files under
    # the test report is there by the time the code after the yield runs.
    report: pytest.TestReport = yield
    if report.when == "call":
        _carry_bdd_context(report)
    elif report.when == "teardown" and item.config.getoption("htmlpath", None):
        _attach_scenario_views(item, report)
    return report


def _carry_bdd_context(report: pytest.TestReport) -> None:
    """pytest-bdd keys its scenario report by the report object (a WeakKeyDictionary), which
    does not survive pytest-xdist's serialization; a plain attribute does."""
    try:
        from pytest_bdd.reporting import test_report_context_registry
    except ImportError:
        return
    context = test_report_context_registry.get(report)
    if context is not None:
        setattr(
            report,
            BDD_CONTEXT_ATTRIBUTE,
            {"scenario": dict(context.scenario), "name": context.name},
        )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    carried = getattr(report, BDD_CONTEXT_ATTRIBUTE, None)
    if not carried or report.when != "call":
        return
    try:
        from pytest_bdd.reporting import ReportContext, test_report_context_registry
    except ImportError:
        return
    if report not in test_report_context_registry:  # arrived from an xdist worker
        test_report_context_registry[report] = ReportContext(
            scenario=carried["scenario"], name=carried["name"]
        )


def _attach_scenario_views(item: pytest.Item, report: pytest.TestReport) -> None:
    traffic_path = _artifact(item.user_properties, TRAFFIC_PROPERTY)
    timeline_path = _artifact(item.user_properties, TIMELINE_PROPERTY)
    if traffic_path is None and timeline_path is None:
        return
    try:
        exchanges = load_traffic(traffic_path) if traffic_path and traffic_path.exists() else []
        cycles = load_timeline(timeline_path) if timeline_path and timeline_path.exists() else []
    except (OSError, ValueError) as exc:
        block = f'<p class="pv-bad">provisim artifacts unreadable: {_esc(exc)}</p>'
        report.extras = [*getattr(report, "extras", []), _html_extra(block)]
        return
    report.extras = [
        *getattr(report, "extras", []),
        _html_extra(render_scenario(exchanges, cycles)),
    ]
    setattr(report, SUMMARY_ATTRIBUTE, dict(summarize(exchanges, cycles)))


def _html_extra(content: str) -> dict[str, str | None]:
    # The shape of pytest_html.extras.html(), without importing pytest-html on workers.
    return {
        "name": None,
        "format_type": "html",
        "content": content,
        "mime_type": None,
        "extension": None,
    }


class ScenarioColumns:
    """Adds "SCIM exchanges", "Schema violations" and "Sync cycles" to the results table.

    pytest-html builds a test's rows once its teardown report is in; the figures ride on that
    report (from this process or an xdist worker) and are looked up by node id.
    """

    def __init__(self) -> None:
        self._figures: dict[str, ScenarioSummary] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        figures = getattr(report, SUMMARY_ATTRIBUTE, None)
        if figures:
            self._figures[report.nodeid] = figures

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells[2:2] = [
            "<th>SCIM exchanges</th>",
            "<th>Schema violations</th>",
            "<th>Sync cycles</th>",
        ]

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        figures = self._figures.get(getattr(report, "nodeid", ""))
        if figures is None:
            values = ["", "", ""]
            violation_class = ""
        else:
            values = [str(figures["exchanges"]), str(figures["violations"]), str(figures["cycles"])]
            violation_class = " pv-bad" if figures["violations"] else ""
        cells[2:2] = [
            f'<td class="col-exchanges">{values[0]}</td>',
            f'<td class="col-violations{violation_class}">{values[1]}</td>',
            f'<td class="col-cycles">{values[2]}</td>',
        ]


# --- live progress for `provisim run` ------------------------------------------------------------

Outcome = Literal["passed", "failed", "error", "skipped", "xfailed", "xpassed"]
_OTHER_OUTCOMES: Final[tuple[Outcome, ...]] = ("failed", "error", "skipped", "xfailed", "xpassed")
_OUTCOME_STYLE: Final[Mapping[str, str]] = {
    "passed": "green",
    "failed": "bold red",
    "error": "bold red",
    "skipped": "yellow",
    "xfailed": "yellow",
    "xpassed": "yellow",
}


@dataclass
class _Finished:
    nodeid: str
    outcome: Outcome
    duration: float
    message: str
    details: str


@dataclass
class _Running:
    outcome: Outcome = "passed"
    duration: float = 0.0
    message: str = ""
    details: str = ""
    failed_step: str = ""


def _crash_message(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The one-line reason: the exception's message, else the last line of the report."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "") or "").strip()
    if message:
        return message.splitlines()[0]
    lines = report.longreprtext.strip().splitlines()
    return lines[-1].strip() if lines else ""


def _failed_step(report: pytest.TestReport) -> str:
    carried = getattr(report, BDD_CONTEXT_ATTRIBUTE, None)
    if not carried:
        return ""
    for step in carried["scenario"].get("steps", []):
        if step.get("failed"):
            return f"{step.get('keyword', '')} {step.get('name', '')}".strip()
    return ""


@dataclass(eq=False)  # pytest keeps plugin objects in sets: hash by identity
class ScenarioProgress:
    """A pytest plugin object showing scenarios as they finish.

    On a terminal: a rich progress bar of scenarios with passed/failed counts, failures
    printed above it as they happen. Elsewhere (CI logs, pipes): one plain line per scenario.
    Either way, failure details and a one-line summary follow at the end. Works under
    pytest-xdist: the controller sees every worker's reports.
    """

    console: Console
    live: bool
    now: Callable[[], float] = time.perf_counter
    finished: list[_Finished] = field(default_factory=list)
    collection_errors: list[tuple[str, str]] = field(default_factory=list)
    _running: dict[str, _Running] = field(default_factory=dict)
    _progress: Progress | None = None
    _task: TaskID | None = None
    _started: float = 0.0
    _total: int | None = None

    # counts ----------------------------------------------------------------------------
    def count(self, outcome: Outcome) -> int:
        return sum(1 for scenario in self.finished if scenario.outcome == outcome)

    @property
    def broken(self) -> list[_Finished]:
        return [s for s in self.finished if s.outcome in ("failed", "error")]

    # hooks -----------------------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._started = self.now()

    def _start(self) -> None:
        # Started once there is something to show, so a usage error draws no empty bar.
        if self.live and self._progress is None:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]Scenarios"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[green]{task.fields[passed]} passed"),
                TextColumn("[red]{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                console=self.console,
                redirect_stdout=False,
                redirect_stderr=False,
                transient=False,
            )
            self._task = self._progress.add_task("scenarios", total=self._total, passed=0, failed=0)
            self._progress.start()

    def _set_total(self, total: int) -> None:
        if self._total is None:
            self._total = total
            self._start()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._set_total(len(session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        self._set_total(len(ids))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append((report.nodeid or ".", report.longreprtext))
            self._say(
                Text.assemble(
                    ("ERROR   ", "bold red"),
                    report.nodeid or ".",
                    " — ",
                    _crash_message(report) or "collection failed",
                )
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        state = self._running.setdefault(report.nodeid, _Running())
        state.duration += report.duration
        if report.when == "call":
            state.failed_step = _failed_step(report) or state.failed_step
            if hasattr(report, "wasxfail"):
                state.outcome = "xfailed" if report.skipped else "xpassed"
            elif report.failed:
                state.outcome = "failed"
            elif report.skipped:
                state.outcome = "skipped"
        elif report.failed and state.outcome not in ("failed", "error"):
            state.outcome = "error"
        elif report.when == "setup" and report.skipped:
            state.outcome = "skipped"
        if report.failed and not state.message:
            state.message = _crash_message(report)
            state.details = report.longreprtext
        if report.when == "teardown":
            del self._running[report.nodeid]
            self._finish(
                _Finished(
                    report.nodeid,
                    state.outcome,
                    state.duration,
                    _with_step(state.message, state.failed_step),
                    state.details,
                )
            )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._stop()
        if exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        self._print_failures()
        self._print_summary()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._stop()

    # output ----------------------------------------------------------------------------
    def _finish(self, scenario: _Finished) -> None:
        self._start()
        self.finished.append(scenario)
        broken = scenario.outcome in ("failed", "error")
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task, advance=1, passed=self.count("passed"), failed=len(self.broken)
            )
            if broken:
                self._say(self._line(scenario))
        else:
            self._say(self._line(scenario))

    def _line(self, scenario: _Finished) -> Text:
        line = Text.assemble(
            (f"{scenario.outcome.upper():<8}", _OUTCOME_STYLE[scenario.outcome]),
            scenario.nodeid,
            (f" ({scenario.duration:.2f} s)", "dim"),
        )
        if scenario.message:
            line.append(f" — {scenario.message}")
        return line

    def _say(self, line: Text) -> None:
        target = self._progress.console if self._progress is not None else self.console
        target.print(line, soft_wrap=True, highlight=False)

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _print_failures(self) -> None:
        for nodeid, details in self.collection_errors:
            self.console.rule(Text(f"ERROR collecting {nodeid}", style="bold red"))
            self.console.print(Text(details), soft_wrap=True, highlight=False)
        for scenario in self.broken:
            self.console.rule(
                Text(f"{scenario.outcome.upper()} {scenario.nodeid}", style="bold red")
            )
            self.console.print(Text(scenario.details), soft_wrap=True, highlight=False)

    def _print_summary(self) -> None:
        seconds = self.now() - self._started
        total = len(self.finished)
        parts = [f"{self.count('passed')} passed"]
        parts += [f"{self.count(o)} {o}" for o in _OTHER_OUTCOMES if self.count(o)]
        if self.collection_errors:
            parts.append(f"{len(self.collection_errors)} collection error(s)")
        noun = "scenario" if total == 1 else "scenarios"
        style = "bold red" if self.broken or self.collection_errors else "bold green"
        self.console.print(
            Text(f"{total} {noun}: {', '.join(parts)} in {seconds:.2f} s", style=style),
            soft_wrap=True,
            highlight=False,
        )


def _with_step(message: str, step: str) -> str:
    if step and message:
        return f"{step}: {message}"
    return message or (f"failed at {step}" if step else "")
