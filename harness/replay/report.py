"""The replay report: one typed shape, written as JSON, JUnit XML and HTML, and the lines
printed at the end of a run.

Like ``conformance``'s report: every differing exchange carries its evidence (the
replayed requests and responses, in ``conformance``'s exchange shape from
:func:`harness.conformance.report.exchange_json`) next to what was recorded, the HTML page
is self-contained with every value escaped, and every secret (the replay's token, any
credential found in the capture) is masked by value everywhere. Exit codes: 0 when no
exchange differs, 1 when one does (2, with no report, for usage errors, an unreadable
capture, an endpoint that cannot be reached or a token refused on the first request).
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, TypedDict
from urllib.parse import urlsplit

from harness.conformance.exchanges import Exchange
from harness.conformance.report import ExchangeJson, exchange_json
from harness.redaction import MASK, Redactor
from harness.replay.capture import Capture, RecordedExchange
from harness.replay.compare import RULES, Difference
from harness.terminal import neutralise, neutralise_value

EXIT_SAME: Final = 0
EXIT_DIFFERENT: Final = 1
#: Recorded bodies longer than this are cut in reports (as conformance's BODY_LIMIT).
BODY_LIMIT: Final = 4000

Outcome = Literal["same", "different", "skipped"]


@dataclass(frozen=True)
class ReplayResult:
    """One recorded exchange, replayed (or not) and compared."""

    recorded: RecordedExchange
    outcome: Outcome
    message: str
    differences: tuple[Difference, ...]
    #: Every attempt sent for it (a 429 waited out and retried is two).
    sent: tuple[Exchange, ...]
    #: The numbers of failed creates whose recorded ids this request uses.
    pending: list[int]


class DifferenceJson(TypedDict):
    pointer: str
    kind: str
    recorded: Any
    replayed: Any


class RecordedJson(TypedDict):
    url: str
    status: int | None
    body: Any
    bodyKnown: bool
    bodyTruncated: bool
    error: str | None


class ResultJson(TypedDict):
    number: int
    method: str
    path: str
    outcome: str
    message: str
    differences: list[DifferenceJson]
    usesFailedCreates: list[int]
    recorded: RecordedJson
    evidence: list[ExchangeJson]


class SourceJson(TypedDict):
    file: str
    format: str
    recordedUrl: str
    exchanges: int
    ignored: int


class RunJson(TypedDict):
    startedAt: str
    durationSeconds: float
    rateLimit: float
    requests: int
    peakRequestsPerSecond: int
    timeoutSeconds: float


class VerdictJson(TypedDict):
    same: bool
    exitCode: int
    different: list[int]


class SummaryJson(TypedDict):
    same: int
    different: int
    skipped: int


class ReplayReportJson(TypedDict):
    tool: dict[str, str]
    source: SourceJson
    target: dict[str, str]
    run: RunJson
    compared: list[str]
    verdict: VerdictJson
    summary: SummaryJson
    results: list[ResultJson]


# --- building ---------------------------------------------------------------------------------


def build_report(
    *,
    results: Sequence[ReplayResult],
    capture: Capture,
    url: str,
    started_at: datetime,
    duration: float,
    rate: float,
    timeout: float,
    requests: int,
    peak_per_second: int,
    version: str,
    secrets: Iterable[str],
) -> ReplayReportJson:
    rows = [_result_json(r) for r in results]
    different = [r["number"] for r in rows if r["outcome"] == "different"]
    report: ReplayReportJson = {
        "tool": {"name": "provisim", "version": version},
        "source": {
            "file": str(capture.path),
            "format": capture.format,
            "recordedUrl": capture.base_url,
            "exchanges": len(capture.exchanges),
            "ignored": capture.ignored,
        },
        "target": {"url": url},
        "run": {
            "startedAt": started_at.isoformat(timespec="seconds"),
            "durationSeconds": round(duration, 3),
            "rateLimit": rate,
            "requests": requests,
            "peakRequestsPerSecond": peak_per_second,
            "timeoutSeconds": timeout,
        },
        "compared": list(RULES),
        "verdict": {
            "same": not different,
            "exitCode": EXIT_DIFFERENT if different else EXIT_SAME,
            "different": different,
        },
        "summary": {
            "same": sum(r["outcome"] == "same" for r in rows),
            "different": len(different),
            "skipped": sum(r["outcome"] == "skipped" for r in rows),
        },
        "results": rows,
    }
    # Secrets masked by value, then a server's control characters shown escaped: a report
    # keeps its words as evidence, never its escape codes (as conformance's report does).
    masked: ReplayReportJson = neutralise_value(Redactor(secrets).value(report))
    return masked


def _result_json(result: ReplayResult) -> ResultJson:
    recorded = result.recorded
    body, cut = _cut(recorded.response_body)
    parts = urlsplit(recorded.url)
    return {
        "number": recorded.number,
        "method": recorded.method,
        "path": parts.path + (f"?{parts.query}" if parts.query else ""),
        "outcome": result.outcome,
        "message": result.message,
        "differences": [
            {"pointer": d.pointer, "kind": d.kind, "recorded": d.recorded, "replayed": d.replayed}
            for d in result.differences
        ],
        "usesFailedCreates": list(result.pending),
        "recorded": {
            "url": recorded.url,
            "status": recorded.status,
            "body": body if result.outcome == "different" else None,
            "bodyKnown": recorded.response_body_known,
            "bodyTruncated": cut and result.outcome == "different",
            "error": recorded.error,
        },
        # The evidence of a difference: every attempt, as conformance shows its exchanges.
        "evidence": [exchange_json(e) for e in result.sent]
        if result.outcome == "different"
        else [],
    }


def _cut(body: Any) -> tuple[Any, bool]:
    if body is None:
        return None, False
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    if len(text) <= BODY_LIMIT:
        return body, False
    return text[:BODY_LIMIT], True


# --- the terminal -----------------------------------------------------------------------------


def summary_lines(report: ReplayReportJson) -> list[str]:
    """The end of a run: each difference with its place, then the verdict and the counts."""
    lines = []
    for row in report["results"]:
        if row["outcome"] != "different":
            continue
        lines.append(f"DIFF  #{row['number']} {row['method']} {row['path']}")
        for difference in row["differences"]:
            lines.append("      " + _difference_text(difference))
        if row["usesFailedCreates"]:
            creates = ", ".join(f"#{n}" for n in row["usesFailedCreates"])
            lines.append(
                f"      uses the id created by {creates}, which the replay could not create"
            )
    summary, run, source = report["summary"], report["run"], report["source"]
    verdict = (
        "no differences"
        if report["verdict"]["same"]
        else (f"{summary['different']} exchange(s) differ")
    )
    lines.append(
        f"Replay of {source['file']} ({source['format']}, recorded at {source['recordedUrl']}) "
        f"against {report['target']['url']}: {verdict}"
    )
    ignored = (
        f", {source['ignored']} not under the recorded URL ignored" if source["ignored"] else ""
    )
    lines.append(
        f"{summary['same']} same, {summary['different']} different, {summary['skipped']} "
        f"skipped{ignored}; {run['requests']} requests in {run['durationSeconds']:.1f} s "
        f"(peak {run['peakRequestsPerSecond']}/s, limit {run['rateLimit']:g}/s)"
    )
    return [neutralise(line) for line in lines]


def _difference_text(difference: DifferenceJson) -> str:
    return Difference(
        difference["pointer"], difference["kind"], difference["recorded"], difference["replayed"]
    ).describe()


# --- JSON -------------------------------------------------------------------------------------


def render_json(report: ReplayReportJson) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# --- JUnit XML --------------------------------------------------------------------------------


def _evidence_text(row: ResultJson) -> str:
    lines = [f"recorded: {row['recorded']['status'] or 'no response'}"]
    for exchange in row["evidence"]:
        request, response = exchange["request"], exchange["response"]
        lines.append(f"> {request['method']} {request['url']}")
        if request["body"] is not None:
            lines.append(f"> {_compact(request['body'])}")
        if response is None:
            lines.append(f"< no response: {exchange['error']}")
        else:
            lines.append(f"< {response['status']} {_compact(response['body'])}")
    return "\n".join(lines)


def _compact(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)


def render_junit(report: ReplayReportJson) -> str:
    """JUnit XML: one suite, one case per recorded exchange; a difference is a
    ``<failure>``, a recorded 429 not replayed is ``<skipped>``."""
    rows = report["results"]
    summary = report["summary"]
    root = ET.Element(
        "testsuites",
        name="provisim replay",
        tests=str(len(rows)),
        failures=str(summary["different"]),
        errors="0",
        skipped=str(summary["skipped"]),
        time=f"{report['run']['durationSeconds']:.3f}",
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        name=f"replay of {report['source']['file']}",
        tests=str(len(rows)),
        failures=str(summary["different"]),
        errors="0",
        skipped=str(summary["skipped"]),
        time=f"{report['run']['durationSeconds']:.3f}",
    )
    for row in rows:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="provisim.replay",
            name=f"#{row['number']} {row['method']} {row['path']}",
            time=f"{sum(e['elapsedMs'] for e in row['evidence']) / 1000:.3f}",
        )
        if row["outcome"] == "different":
            failure = ET.SubElement(case, "failure", message=row["message"], type="difference")
            details = [_difference_text(d) for d in row["differences"]]
            failure.text = "\n".join([*details, _evidence_text(row)])
        elif row["outcome"] == "skipped":
            ET.SubElement(case, "skipped", message=row["message"])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- HTML -------------------------------------------------------------------------------------

_STYLE: Final = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#1b1f24}h1{font-size:1.5rem;margin:0 0 .25rem}
.meta{color:#57606a}.verdict{border-radius:8px;padding:1rem;border:1px solid #d0d7de;margin:1rem 0}
.good{background:#dafbe1}.bad{background:#ffebe9}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}
th{background:#f6f8fa}.same{color:#1a7f37}.different{color:#cf222e}.skipped{color:#57606a}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pretty(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body, indent=2, ensure_ascii=False)


def _exchange_html(exchange: ExchangeJson) -> str:
    request, response = exchange["request"], exchange["response"]
    text = [f"{request['method']} {request['url']}"]
    text += [f"{name}: {value}" for name, value in request["headers"].items()]
    if request["body"] is not None:
        text += ["", _pretty(request["body"])]
    text.append("")
    if response is None:
        text.append(f"(no response: {exchange['error']})")
    else:
        text.append(f"HTTP {response['status']}")
        text += [f"{name}: {value}" for name, value in response["headers"].items()]
        if response["body"] is not None:
            text += ["", _pretty(response["body"])]
    summary = f"replayed: {request['method']} {request['url']} → " + (
        str(response["status"]) if response is not None else "no response"
    )
    return (
        f"<details><summary><code>{_e(summary)}</code></summary>"
        f"<pre>{_e(chr(10).join(text))}</pre></details>"
    )


def _row_html(row: ResultJson) -> str:
    detail = f"<div>{_e(row['message'])}</div>"
    if row["outcome"] == "different":
        items = "".join(
            f"<li><code>{_e(_difference_text(d))}</code></li>" for d in row["differences"]
        )
        detail += f"<ul>{items}</ul>"
        recorded = row["recorded"]
        shown = f"HTTP {recorded['status']}" if recorded["status"] is not None else "no response"
        if recorded["body"] is not None:
            shown += "\n\n" + _pretty(recorded["body"])
        detail += (
            f"<details><summary><code>recorded: {_e(row['method'])} {_e(recorded['url'])}"
            f"</code></summary><pre>{_e(shown)}</pre></details>"
        )
        detail += "".join(_exchange_html(e) for e in row["evidence"])
    return (
        f'<tr><td class="{_e(row["outcome"])}"><b>{_e(row["outcome"].upper())}</b></td>'
        f"<td>#{row['number']}</td><td><code>{_e(row['method'])} {_e(row['path'])}</code></td>"
        f"<td>{detail}</td></tr>"
    )


def render_html(report: ReplayReportJson) -> str:
    summary, run, source = report["summary"], report["run"], report["source"]
    same = report["verdict"]["same"]
    word = "No differences" if same else f"{summary['different']} exchange(s) differ"
    rules = "".join(f"<li>{_e(rule)}</li>" for rule in report["compared"])
    rows = "".join(_row_html(row) for row in report["results"])
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>provisim replay: {_e(report['target']['url'])}</title>"
        f"<style>{_STYLE}</style></head><body><h1>SCIM replay report</h1>"
        f'<div class="meta"><code>{_e(source["file"])}</code> ({_e(source["format"])}, recorded '
        f"at <code>{_e(source['recordedUrl'])}</code>) replayed against "
        f"<code>{_e(report['target']['url'])}</code> · {_e(run['startedAt'])} · "
        f"{run['durationSeconds']:.1f} s · {run['requests']} requests (peak "
        f"{run['peakRequestsPerSecond']}/s, limit {run['rateLimit']:g}/s) · provisim "
        f"{_e(report['tool']['version'])}</div>"
        f'<div class="verdict {"good" if same else "bad"}"><b>{_e(word)}</b><div>'
        f"{summary['same']} same · {summary['different']} different · {summary['skipped']} "
        f"skipped · {source['ignored']} not under the recorded URL ignored</div></div>"
        f"<details><summary>What is compared</summary><ul>{rules}</ul></details>"
        "<table><thead><tr><th>Result</th><th>#</th><th>Request</th><th>Details</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></body></html>\n"
    )


def write_report(
    report: ReplayReportJson,
    *,
    json_path: Path | None = None,
    junit_path: Path | None = None,
    html_path: Path | None = None,
) -> None:
    for path, render in (
        (json_path, render_json),
        (junit_path, render_junit),
        (html_path, render_html),
    ):
        if path is not None:
            path.write_text(render(report), encoding="utf-8")


__all__ = [
    "EXIT_DIFFERENT",
    "EXIT_SAME",
    "MASK",
    "ReplayReportJson",
    "ReplayResult",
    "build_report",
    "render_html",
    "render_json",
    "render_junit",
    "summary_lines",
    "write_report",
]
