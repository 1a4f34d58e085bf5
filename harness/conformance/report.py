"""The conformance report: one typed shape, written as JSON, JUnit XML and HTML.

The JSON shape is defined twice on purpose: here as TypedDicts (what the code builds)
and in ``harness/schemas/conformance-report.schema.json`` (what consumers may rely on,
published with the package); the tests validate every report against the schema.

Verdicts come in two scopes, side by side:

* "works with Entra": ``breaks`` when a MUST check in the ``entra`` scope failed,
  ``not-established`` when none failed but one was not established or in error,
  ``works-with-warnings`` when only SHOULD/MAY ones deviated, else ``works``;
* "RFC conformant": ``not-conformant``, ``not-established``,
  ``conformant-with-deviations`` or ``conformant``, the same way over the ``rfc`` scope.

A MUST failure is established whatever else could not run, so it decides its scope. Exit
codes: 2 when a scope is not established (the verdict's ``reason`` names the check and the
cause), else 1 when a MUST check failed, else 0; SHOULD and MAY deviations never fail the
run. The HTML page is self-contained (inline CSS, no script, no external resource) and
every value in it is escaped.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, TypedDict

from harness.conformance.causes import (
    CauseJson,
    ShapeJson,
    curl_command,
    request_shapes,
    root_causes,
)
from harness.conformance.exchanges import Exchange
from harness.conformance.results import SCOPES, CheckResult, Outcome, Scope
from harness.conformance.shapes import CatalogueShapeJson, catalogue_html, coverage, sent_html
from harness.conformance.sources import citations

SCHEMA_ID: Final = "https://provisim.dev/schemas/conformance-report.schema.json"
SCHEMA_NAME: Final = "conformance-report.schema.json"
#: Bodies longer than this are cut in reports.
BODY_LIMIT: Final = 4000

EntraVerdict = Literal["works", "works-with-warnings", "not-established", "breaks"]
RfcVerdict = Literal[
    "conformant", "conformant-with-deviations", "not-established", "not-conformant"
]

#: Exit codes: no MUST failure; a MUST failure; a verdict not established (and, from the
#: CLI, a usage error or an endpoint that cannot be reached).
EXIT_PASSED: Final = 0
EXIT_FAILED: Final = 1
EXIT_NOT_ESTABLISHED: Final = 2

#: Outcomes that found the endpoint wrong, and outcomes that establish nothing.
_FAILED: Final = frozenset({Outcome.FAILED.value, Outcome.DEVIATION.value})
_UNKNOWN: Final = frozenset({Outcome.ERROR.value, Outcome.NOT_ESTABLISHED.value})
_WHY: Final[Mapping[str, str]] = {
    Outcome.ERROR.value: "could not run",
    Outcome.NOT_ESTABLISHED.value: "was not established",
}

#: How each scope is named in a one-line reason.
_SCOPE_NAMES: Final[Mapping[Scope, str]] = {"entra": "works with Entra", "rfc": "RFC conformant"}


class MessageJson(TypedDict):
    headers: dict[str, str]
    body: Any
    bodyTruncated: bool


class RequestJson(MessageJson):
    method: str
    url: str


class ResponseJson(MessageJson):
    status: int


class ExchangeJson(TypedDict):
    index: int
    origin: str
    request: RequestJson
    response: ResponseJson | None
    error: str | None
    startedMs: float
    elapsedMs: float
    #: The request as a curl command, the token masked ($PROVISIM_SCIM_TOKEN).
    curl: str


class BlockedByJson(TypedDict):
    kind: str
    cause: str
    check: str | None


class NotApplicableJson(TypedDict):
    document: str
    attribute: str
    value: Any


class ClauseJson(TypedDict):
    rfc: int
    section: str
    keyword: str | None
    text: str
    context: str | None
    url: str


class MicrosoftJson(TypedDict):
    key: str
    says: str
    url: str


class ResultJson(TypedDict):
    id: str
    title: str
    source: str
    level: str
    #: The RFC sentences the level comes from, and the Microsoft pages Entra's scope rests on.
    clauses: list[ClauseJson]
    microsoft: list[MicrosoftJson]
    scopes: list[str]
    phase: str
    dialect: str | None
    outcome: str
    message: str
    hint: str | None
    durationMs: float
    requests: int
    evidence: list[ExchangeJson]
    blockedBy: BlockedByJson | None
    notApplicable: NotApplicableJson | None


class ScopeVerdictJson(TypedDict):
    verdict: str
    failed: list[str]
    deviations: list[str]
    #: Checks that could not run (an error) or whose precondition never happened.
    errors: list[str]


class VerdictJson(TypedDict):
    entra: ScopeVerdictJson
    rfc: ScopeVerdictJson
    passed: bool
    exitCode: int
    reason: str | None


class SummaryJson(TypedDict):
    passed: int
    failed: int
    deviations: int
    errors: int
    notEstablished: int
    skipped: int


class ResourceJson(TypedDict):
    endpoint: str
    id: str
    name: str


class CleanupFailureJson(ResourceJson):
    reason: str


class CleanupJson(TypedDict):
    kept: bool
    deleted: int
    failed: list[CleanupFailureJson]
    resources: list[ResourceJson]


class ToolJson(TypedDict):
    name: str
    version: str


class TargetJson(TypedDict):
    url: str
    dialects: list[str]


class RunJson(TypedDict):
    id: str
    startedAt: str
    durationSeconds: float
    rateLimit: float
    requests: int
    peakRequestsPerSecond: int
    timeoutSeconds: float


ReportJson = TypedDict(
    "ReportJson",
    {
        "$schema": str,
        "tool": ToolJson,
        "target": TargetJson,
        "run": RunJson,
        "verdict": VerdictJson,
        "summary": SummaryJson,
        "results": list[ResultJson],
        "causes": list[CauseJson],
        "requestShapes": list[ShapeJson],
        "shapeCatalogue": list[CatalogueShapeJson],
        "cleanup": CleanupJson,
    },
)


# --- building ---------------------------------------------------------------------------------


def exchange_json(exchange: Exchange) -> ExchangeJson:
    request_body, request_cut = _body(exchange.request_body)
    response: ResponseJson | None = None
    if exchange.status is not None:
        body, cut = _body(exchange.response_body)
        response = {
            "status": exchange.status,
            "headers": dict(exchange.response_headers),
            "body": body,
            "bodyTruncated": cut,
        }
    built: ExchangeJson = {
        "index": exchange.index,
        "origin": exchange.origin,
        "request": {
            "method": exchange.method,
            "url": exchange.url,
            "headers": dict(exchange.request_headers),
            "body": request_body,
            "bodyTruncated": request_cut,
        },
        "response": response,
        "error": exchange.error,
        "startedMs": round(exchange.started * 1000, 3),
        "elapsedMs": round(exchange.elapsed * 1000, 3),
        "curl": "",
    }
    built["curl"] = curl_command(built)
    return built


def _body(raw: bytes) -> tuple[Any, bool]:
    """A body for the report: its JSON value, or its text; cut at BODY_LIMIT characters."""
    if not raw:
        return None, False
    text = raw.decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    else:
        if len(text) <= BODY_LIMIT:
            return value, False
    if len(text) <= BODY_LIMIT:
        return text, False
    return text[:BODY_LIMIT], True


def result_json(result: CheckResult) -> ResultJson:
    blocker, fact = result.blocked_by, result.not_applicable
    return {
        "id": result.info.id,
        "title": result.info.title,
        "source": result.info.source,
        "level": result.info.level,
        "clauses": [
            {
                "rfc": c.rfc,
                "section": c.section,
                "keyword": c.keyword,
                "text": c.text,
                "context": c.context,
                "url": c.url,
            }
            for c in result.info.clauses
        ],
        "microsoft": [{"key": m.key, "says": m.says, "url": m.url} for m in result.info.microsoft],
        "scopes": sorted(result.info.scopes),
        "phase": "flow" if result.dialect is not None else "rfc",
        "dialect": result.dialect,
        "outcome": result.outcome.value,
        "message": result.message,
        "hint": result.hint,
        "durationMs": round(result.duration * 1000, 3),
        "requests": result.requests,
        "evidence": [exchange_json(e) for e in result.evidence],
        "blockedBy": None
        if blocker is None
        else {"kind": blocker.kind.value, "cause": blocker.cause, "check": blocker.check},
        "notApplicable": None
        if fact is None
        else {"document": fact.document, "attribute": fact.attribute, "value": fact.value},
    }


def result_key(result: ResultJson) -> str:
    """How a result is named in lists and test reports: the id, and the dialect if any."""
    return f"{result['id']} [{result['dialect']}]" if result["dialect"] else result["id"]


def _scope_verdict(results: Sequence[ResultJson], scope: Scope) -> tuple[int, ScopeVerdictJson]:
    """The scope's verdict, and the exit code it calls for on its own."""
    ours = [r for r in results if scope in r["scopes"]]
    failed = [r for r in ours if r["outcome"] in _FAILED]
    errors = [r for r in ours if r["outcome"] in _UNKNOWN]
    blocking = [result_key(r) for r in failed if r["level"] == "MUST"]
    deviations = [result_key(r) for r in failed if r["level"] != "MUST"]
    unknown = any(r["level"] == "MUST" for r in errors)
    # A MUST failure is established whatever else could not run; without one, a MUST
    # check that could not run leaves the scope unknown.
    if blocking:
        code, word = EXIT_FAILED, "breaks" if scope == "entra" else "not-conformant"
    elif unknown:
        code, word = EXIT_NOT_ESTABLISHED, "not-established"
    elif deviations:
        code = EXIT_PASSED
        word = "works-with-warnings" if scope == "entra" else "conformant-with-deviations"
    else:
        code, word = EXIT_PASSED, "works" if scope == "entra" else "conformant"
    scope_verdict: ScopeVerdictJson = {
        "verdict": word,
        "failed": blocking,
        "deviations": deviations,
        "errors": [result_key(r) for r in errors],
    }
    return code, scope_verdict


def _reason(results: Sequence[ResultJson], unknown: Sequence[Scope]) -> str:
    """One line: which verdicts are not established, and the first MUST check that could
    not run in them, with its cause."""
    stuck = [
        r
        for r in results
        if r["outcome"] in _UNKNOWN
        and r["level"] == "MUST"
        and any(scope in r["scopes"] for scope in unknown)
    ]
    first = stuck[0]
    blocker = first["blockedBy"]
    cause = blocker["cause"] if blocker is not None else first["message"]
    line = (
        f"not established ({', '.join(_SCOPE_NAMES[s] for s in unknown)}): "
        f"{result_key(first)} {_WHY[first['outcome']]}: {cause}"
    )
    if blocker is not None and blocker["check"]:
        line += f" (blocked by {blocker['check']})"
    if len(stuck) > 1:
        line += f"; and {len(stuck) - 1} more MUST check(s) not established"
    return line


def verdict(results: Sequence[ResultJson]) -> VerdictJson:
    codes: dict[Scope, int] = {}
    scopes: dict[Scope, ScopeVerdictJson] = {}
    for scope in SCOPES:
        codes[scope], scopes[scope] = _scope_verdict(results, scope)
    unknown = [scope for scope in SCOPES if codes[scope] == EXIT_NOT_ESTABLISHED]
    # Exit 2 as soon as a verdict is not established: the run could not do its job, even
    # if the other scope found a failure.
    code = EXIT_NOT_ESTABLISHED if unknown else max(codes.values())
    return {
        "entra": scopes["entra"],
        "rfc": scopes["rfc"],
        "passed": code == EXIT_PASSED,
        "exitCode": code,
        "reason": _reason(results, unknown) if unknown else None,
    }


def build_report(
    *,
    results: Sequence[CheckResult],
    url: str,
    dialects: Sequence[str],
    run_id: str,
    started_at: datetime,
    duration: float,
    rate: float,
    timeout: float,
    requests: int,
    peak_per_second: int,
    cleanup: CleanupJson,
    version: str,
    exchanges: Sequence[Exchange] = (),
) -> ReportJson:
    """The report of a run; ``exchanges`` (the run's log) gives the request shapes of the
    Entra engine the run exercised."""
    rows = [result_json(r) for r in results]
    entra = [e for e in exchanges if e.origin == "entra"]
    engine = [(e.method, e.url, e.request_json()) for e in entra]
    return {
        "$schema": SCHEMA_ID,
        "tool": {"name": "provisim", "version": version},
        "target": {"url": url, "dialects": list(dialects)},
        "run": {
            "id": run_id,
            "startedAt": started_at.isoformat(timespec="seconds"),
            "durationSeconds": round(duration, 3),
            "rateLimit": rate,
            "requests": requests,
            "peakRequestsPerSecond": peak_per_second,
            "timeoutSeconds": timeout,
        },
        "verdict": verdict(rows),
        "summary": {
            "passed": sum(r["outcome"] == Outcome.PASSED for r in rows),
            "failed": sum(r["outcome"] == Outcome.FAILED for r in rows),
            "deviations": sum(r["outcome"] == Outcome.DEVIATION for r in rows),
            "errors": sum(r["outcome"] == Outcome.ERROR for r in rows),
            "notEstablished": sum(r["outcome"] == Outcome.NOT_ESTABLISHED for r in rows),
            "skipped": sum(r["outcome"] == Outcome.SKIPPED for r in rows),
        },
        "results": rows,
        "causes": root_causes(rows),
        "requestShapes": request_shapes(engine),
        "shapeCatalogue": coverage(
            dialects, ((e.dialect or "", e.method, e.url, e.request_json()) for e in entra)
        ),
        "cleanup": cleanup,
    }


# --- JSON -------------------------------------------------------------------------------------


def render_json(report: ReportJson) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# --- JUnit XML --------------------------------------------------------------------------------


def _suite_name(result: ResultJson) -> str:
    if result["dialect"]:
        return f"Entra flow ({result['dialect']})"
    return "RFC 7643/7644 checks"


def _evidence_text(evidence: Iterable[ExchangeJson]) -> str:
    lines = []
    for exchange in evidence:
        request = exchange["request"]
        lines.append(f"> {request['method']} {request['url']}")
        if request["body"] is not None:
            lines.append(f"> {_compact(request['body'])}")
        response = exchange["response"]
        if response is None:
            lines.append(f"< no response: {exchange['error']}")
        else:
            lines.append(f"< {response['status']} {_compact(response['body'])}")
        lines.append(f"$ {exchange['curl']}")
    return "\n".join(lines)


def _compact(body: Any) -> str:
    if body is None:
        return ""
    return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)


def render_junit(report: ReportJson) -> str:
    """JUnit XML: one suite per phase, one case per check. MUST failures are ``<failure>``;
    SHOULD/MAY deviations are passing cases with the deviation in ``<system-out>``, as
    they never fail the run; checks that could not run are ``<error>`` (typed by why:
    prerequisite or exception); checks that discovery says do not apply are
    ``<skipped>``, with the discovery fact."""
    suites: dict[str, list[ResultJson]] = {}
    for result in report["results"]:
        suites.setdefault(_suite_name(result), []).append(result)
    root = ET.Element(
        "testsuites",
        name="provisim conformance",
        tests=str(len(report["results"])),
        failures=str(report["summary"]["failed"]),
        errors=str(report["summary"]["errors"] + report["summary"]["notEstablished"]),
        skipped=str(report["summary"]["skipped"]),
        time=f"{report['run']['durationSeconds']:.3f}",
    )
    for name, results in suites.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=name,
            tests=str(len(results)),
            failures=str(sum(r["outcome"] == Outcome.FAILED for r in results)),
            errors=str(sum(r["outcome"] in _UNKNOWN for r in results)),
            skipped=str(sum(r["outcome"] == Outcome.SKIPPED for r in results)),
            time=f"{sum(r['durationMs'] for r in results) / 1000:.3f}",
        )
        for result in results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"provisim.conformance.{result['phase']}"
                + (f".{result['dialect']}" if result["dialect"] else ""),
                name=f"{result['id']}: {result['title']}",
                time=f"{result['durationMs'] / 1000:.3f}",
            )
            about = f"{result['level']} · {', '.join(result['scopes'])} · {result['source']}"
            about += "".join(f"\n{line}" for line in citations(result))
            blocker = result["blockedBy"]
            detail = "\n".join(
                part
                for part in (
                    result["message"],
                    f"blocked by: {blocker['check']}" if blocker and blocker["check"] else "",
                    f"hint: {result['hint']}" if result["hint"] else "",
                    _evidence_text(result["evidence"]),
                )
                if part
            )
            if result["outcome"] == Outcome.FAILED:
                failure = ET.SubElement(
                    case, "failure", message=result["message"], type=result["level"]
                )
                failure.text = f"{about}\n{detail}"
            elif result["outcome"] == Outcome.DEVIATION:
                ET.SubElement(
                    case, "system-out"
                ).text = f"DEVIATION ({result['level']}, does not fail the run): {about}\n{detail}"
            elif blocker is not None:
                kind = (
                    "not-established"
                    if result["outcome"] == Outcome.NOT_ESTABLISHED
                    else blocker["kind"]
                )
                error = ET.SubElement(case, "error", message=result["message"], type=kind)
                error.text = f"{about}\n{detail}"
            elif result["outcome"] == Outcome.SKIPPED:
                ET.SubElement(case, "skipped", message=result["message"])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- HTML -------------------------------------------------------------------------------------

_STYLE: Final = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem}
.meta{color:#57606a}.verdicts{display:flex;gap:1rem;margin:1.25rem 0}
.verdict{flex:1;border-radius:8px;padding:1rem;border:1px solid #d0d7de}
.verdict b{display:block;font-size:1.25rem}.good{background:#dafbe1}.warn{background:#fff8c5}
.bad{background:#ffebe9}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}
th{background:#f6f8fa}.passed{color:#1a7f37}.failed{color:#cf222e}.deviation{color:#9a6700}
.skipped{color:#57606a}.error{color:#8250df}.unknown{background:#eaeef2}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
details{margin:.25rem 0}.hint{margin:.25rem 0;padding:.25rem .5rem;border-left:3px solid #9a6700}
"""

_ENTRA_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "works": ("Yes", "good"),
    "works-with-warnings": ("Yes, with warnings", "warn"),
    "not-established": ("Not established", "unknown"),
    "breaks": ("No", "bad"),
}
_RFC_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "conformant": ("Yes", "good"),
    "conformant-with-deviations": ("Yes, with deviations", "warn"),
    "not-established": ("Not established", "unknown"),
    "not-conformant": ("No", "bad"),
}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _status_word(result: ResultJson) -> tuple[str, str]:
    if result["outcome"] == Outcome.FAILED:
        return ("FAIL", "failed")
    if result["outcome"] == Outcome.DEVIATION:
        return ("DEVIATION", "deviation")
    if result["outcome"] == Outcome.ERROR:
        return ("ERROR", "error")
    if result["outcome"] == Outcome.NOT_ESTABLISHED:
        return ("NOT ESTABLISHED", "error")
    return ("PASS", "passed") if result["outcome"] == Outcome.PASSED else ("SKIP", "skipped")


def _verdict_box(title: str, scope: ScopeVerdictJson, words: Mapping[str, tuple[str, str]]) -> str:
    word, css = words[scope["verdict"]]
    lines = []
    if scope["failed"]:
        lines.append("Failed: " + ", ".join(_e(i) for i in scope["failed"]))
    if scope["deviations"]:
        lines.append("Deviations: " + ", ".join(_e(i) for i in scope["deviations"]))
    if scope["errors"]:
        lines.append("Could not run: " + ", ".join(_e(i) for i in scope["errors"]))
    extra = "".join(f"<div>{line}</div>" for line in lines)
    return f'<div class="verdict {css}">{_e(title)}<b>{_e(word)}</b>{extra}</div>'


def _exchange_html(exchange: ExchangeJson) -> str:
    request = exchange["request"]
    text = [f"{request['method']} {request['url']}"]
    text += [f"{name}: {value}" for name, value in request["headers"].items()]
    if request["body"] is not None:
        text.append("")
        text.append(_pretty(request["body"]))
    response = exchange["response"]
    text.append("")
    if response is None:
        text.append(f"(no response: {exchange['error']})")
    else:
        text.append(f"HTTP {response['status']}")
        text += [f"{name}: {value}" for name, value in response["headers"].items()]
        if response["body"] is not None:
            text.append("")
            text.append(_pretty(response["body"]))
    text += ["", "As curl (the token masked):", exchange["curl"]]
    summary = f"#{exchange['index']} {request['method']} {request['url']} → " + (
        str(response["status"]) if response is not None else "no response"
    )
    return f"<details><summary><code>{_e(summary)}</code></summary><pre>{_e(chr(10).join(text))}</pre></details>"


def _pretty(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body, indent=2, ensure_ascii=False)


def _link(url: str, text: str) -> str:
    return f'<a href="{_e(url)}">{_e(text)}</a>'


def _sources_html(result: ResultJson) -> str:
    """The check's sources: each RFC clause quoted with its keyword and link, then the
    Microsoft pages; the free-text source when there is neither."""
    parts = []
    for clause in result["clauses"]:
        keyword = clause["keyword"] or "definition"
        cite = _link(clause["url"], f"RFC {clause['rfc']} §{clause['section']}")
        context = f"{_e(clause['context'])} … " if clause["context"] else ""
        parts.append(
            f"<div>{cite} <b>{_e(keyword)}</b>: <q>{context}{_e(clause['text'])}</q></div>"
        )
    for page in result["microsoft"]:
        parts.append(
            f"<div>{_link(page['url'], 'Microsoft ' + page['key'])}: {_e(page['says'])}</div>"
        )
    return "".join(parts) or _e(result["source"])


def _causes_html(causes: Sequence[CauseJson]) -> str:
    if not causes:
        return ""
    items = []
    for cause in causes:
        explains = ", ".join(_e(k) for k in cause["explains"])
        blocked = (
            f"<div>Not established because of it: {', '.join(_e(k) for k in cause['notEstablished'])}</div>"
            if cause["notEstablished"]
            else ""
        )
        fix = f'<div class="hint">Fix: {_e(cause["fix"])}</div>' if cause["fix"] else ""
        evidence = _exchange_html(cause["evidence"]) if cause["evidence"] is not None else ""
        items.append(
            f"<li><b>{_e(cause['id'])}</b> <code>{_e(cause['request'])}</code> → "
            f"<code>{_e(cause['answer'])}</code><div>Explains: {explains}</div>{blocked}{fix}"
            f"{evidence}</li>"
        )
    return f"<h2>Root causes</h2><ol>{''.join(items)}</ol>"


def _result_rows(results: Sequence[ResultJson]) -> str:
    rows = []
    for result in results:
        word, css = _status_word(result)
        detail = f"<div>{_e(result['message'])}</div>"
        blocker = result["blockedBy"]
        if blocker is not None and blocker["check"]:
            detail += f"<div>Blocked by <code>{_e(blocker['check'])}</code></div>"
        if result["hint"]:
            detail += f'<div class="hint">Fix: {_e(result["hint"])}</div>'
        detail += "".join(_exchange_html(e) for e in result["evidence"])
        rows.append(
            "<tr>"
            f'<td class="{css}"><b>{word}</b></td>'
            f"<td><code>{_e(result['id'])}</code><div>{_e(result['title'])}</div></td>"
            f"<td>{_e(result['level'])}</td>"
            f"<td>{_e(', '.join(result['scopes']))}</td>"
            f"<td>{_sources_html(result)}</td>"
            f"<td>{detail}</td>"
            "</tr>"
        )
    return "".join(rows)


def render_html(report: ReportJson) -> str:
    groups: dict[str, list[ResultJson]] = {}
    for result in report["results"]:
        groups.setdefault(_suite_name(result), []).append(result)
    summary = report["summary"]
    run = report["run"]
    reason = report["verdict"]["reason"]
    sections = "".join(
        f"<h2>{_e(name)}</h2><table><thead><tr><th>Result</th><th>Check</th><th>Level</th>"
        f"<th>Scope</th><th>Source</th><th>Details</th></tr></thead><tbody>"
        f"{_result_rows(results)}</tbody></table>"
        for name, results in groups.items()
    )
    cleanup = report["cleanup"]
    if cleanup["kept"]:
        cleaned = f"{len(cleanup['resources'])} test resource(s) kept (--keep)"
    else:
        cleaned = f"{cleanup['deleted']} test resource(s) deleted"
        if cleanup["failed"]:
            cleaned += f", {len(cleanup['failed'])} could not be deleted: " + ", ".join(
                f"{f['endpoint']}/{f['id']} ({f['name']}): {f['reason']}" for f in cleanup["failed"]
            )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>provisim conformance: {_e(report['target']['url'])}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>SCIM conformance report</h1>"
        f'<div class="meta"><code>{_e(report["target"]["url"])}</code> · dialects '
        f"{_e(', '.join(report['target']['dialects']))} · run {_e(run['id'])} · "
        f"{_e(run['startedAt'])} · {run['durationSeconds']:.1f} s · {run['requests']} requests "
        f"(peak {run['peakRequestsPerSecond']}/s, limit {run['rateLimit']:g}/s) · provisim "
        f"{_e(report['tool']['version'])}</div>"
        '<div class="verdicts">'
        + _verdict_box("Works with Microsoft Entra ID", report["verdict"]["entra"], _ENTRA_WORDS)
        + _verdict_box("RFC 7643/7644 conformant", report["verdict"]["rfc"], _RFC_WORDS)
        + "</div>"
        + (f"<p><b>{_e(reason)}</b></p>" if reason else "")
        + f"<p>{summary['passed']} passed · {summary['failed']} failed · "
        f"{summary['deviations']} deviation(s) · {summary['errors']} error(s) · "
        f"{summary['notEstablished']} not established · "
        f"{summary['skipped']} skipped · "
        f"{_e(cleaned)}</p>"
        f"{_causes_html(report['causes'])}"
        + catalogue_html(report["shapeCatalogue"])
        + sent_html(report["requestShapes"])
        + f"{sections}</body></html>\n"
    )


def write_report(
    report: ReportJson,
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
    "BODY_LIMIT",
    "EXIT_FAILED",
    "EXIT_NOT_ESTABLISHED",
    "EXIT_PASSED",
    "SCHEMA_ID",
    "SCHEMA_NAME",
    "CleanupJson",
    "ExchangeJson",
    "ReportJson",
    "ResourceJson",
    "ResultJson",
    "ScopeVerdictJson",
    "build_report",
    "exchange_json",
    "render_html",
    "render_json",
    "render_junit",
    "result_json",
    "result_key",
    "verdict",
    "write_report",
]
