"""The table of a scenario's SCIM exchanges, for its block in the HTML report.

One row per recorded exchange: its number, what sent it (cycle #n, on demand or Test
Connection, from the timeline), the virtual time, method, path, status, wall time and
schema verdict, rows with violations or no response highlighted; the request and response,
headers and bodies, one click away underneath.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from harness.reports.artifacts import (
    SENDER_CYCLE,
    SENDER_ON_DEMAND,
    SENDER_TEST_CONNECTION,
    sender_of,
)
from harness.reports.redaction import esc, header_pairs, redact, redact_text, redacted_query
from harness.reports.timeline import format_day_time, scenario_origin

if TYPE_CHECKING:
    from harness.recorder import CycleRecord as Cycle
    from harness.recorder import Exchange

MAX_EXCHANGE_ROWS: Final = 500
MAX_BODY_CHARS: Final = 20_000


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
    rendered = redacted_query(query)
    return redact_text(f"{path}?{rendered}" if rendered else str(path))


def _status_class(status: Any) -> str:
    return f"pv-s{str(status)[:1]}xx" if isinstance(status, int) else "pv-s0xx"


def _clock_time(value: Any, origin: float | None) -> str:
    """``2025-01-01T00:40:00+00:00`` as ``day 0 00:40:00``: the day counted from the
    scenario's first (``origin``), so the rows of a 28-day quarantine do not all read alike."""
    return format_day_time(value, origin)


def _message_block(title: str, headers: Any, body: Any, max_body_chars: int) -> str:
    header_lines = "\n".join(f"{name}: {value}" for name, value in header_pairs(headers))
    return (
        f'<div class="pv-message"><h5>{esc(title)}</h5>'
        f"<pre>{esc(header_lines or '(no headers)')}</pre>"
        f"<pre>{esc(_body_text(body, max_body_chars))}</pre></div>"
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
    origin: float | None = None,
) -> str:
    """The recorded SCIM exchanges as an HTML table: one row per exchange (violating rows
    highlighted, with the cycle, provision on demand or Test Connection that sent it when the
    timeline says), and the request and response collapsible underneath. Virtual times read
    ``day N HH:MM:SS``, day 0 being ``origin``'s (by default the day of the first exchange or
    cycle given)."""
    if not exchanges:
        return '<p class="pv-empty">No HTTP exchanges were recorded in this scenario.</p>'
    sent_by = _sender_of_exchange(cycles)
    if origin is None:
        origin = scenario_origin(
            *(e.get("virtual_time") for e in exchanges), *(c.get("virtual_time") for c in cycles)
        )
    rows: list[str] = []
    for index, exchange in enumerate(exchanges[:max_rows]):
        request: Mapping[str, Any] = exchange.get("request") or {}
        response: Mapping[str, Any] = exchange.get("response") or {}
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
            f"<td>{esc(seq)}</td>"
            f"<td>{esc(sent_by.get(seq, '') if isinstance(seq, int) else '')}</td>"
            f"<td>{esc(_clock_time(exchange.get('virtual_time'), origin))}</td>"
            f"<td>{esc(exchange.get('method', ''))}</td>"
            f'<td class="pv-target">{esc(_target(exchange))}</td>'
            f'<td class="{_status_class(status)}">'
            f"{esc('no response' if status is None else status)}</td>"
            f'<td class="pv-num">{esc(elapsed_text)}</td>'
            f"<td>{verdict}</td></tr>"
        )
        listed = "".join(f"<li>{esc(_violation_text(v))}</li>" for v in violations)
        if failure:
            listed = f"<li>{esc(failure)}</li>{listed}"
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
