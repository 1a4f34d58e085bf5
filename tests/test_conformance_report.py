"""The report: its JSON Schema, the two-scope verdict, JUnit XML and a self-contained,
escaped HTML page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from harness.conformance.exchanges import Exchange, ExchangeLog
from harness.conformance.report import (
    BODY_LIMIT,
    SCHEMA_NAME,
    CleanupJson,
    ReportJson,
    build_report,
    render_html,
    render_json,
    render_junit,
    verdict,
    write_report,
)
from harness.conformance.results import (
    Blocker,
    BlockKind,
    CheckInfo,
    CheckResult,
    DiscoveryFact,
    Level,
    Outcome,
    Scope,
)
from harness.conformance.sources import Clause, MicrosoftSource
from harness.validation import load_schema, validate_body

HOSTILE = '<script>alert("x")</script> & </pre>'


def exchange(status: int | None = 400, body: bytes = b"", request: bytes = b"") -> Exchange:
    return ExchangeLog().add(
        origin="entra",
        method="PATCH",
        url="http://127.0.0.1:8000/scim/v2/Users/1?x=<b>",
        request_headers={
            "authorization": "Bearer <redacted>",
            "content-type": "application/scim+json",
        },
        request_body=request,
        status=status,
        response_headers={"content-type": "text/html"} if status else {},
        response_body=body,
        error=None if status else "ReadTimeout: timed out",
        timed_out=status is None,
        started=0.25,
        elapsed=0.002,
    )


#: A clause of each level, for the made-up checks of these tests.
CLAUSES: dict[Level, Clause] = {
    "MUST": Clause(7644, "3.4.2", "The service provider MUST answer."),
    "SHOULD": Clause(7644, "3.4.2", "The service provider SHOULD answer."),
    "MAY": Clause(7644, "3.4.2", "The service provider MAY answer."),
}

FILTER_UNSUPPORTED = DiscoveryFact("ServiceProviderConfig", "filter.supported", False)


def result(
    check_id: str,
    outcome: Outcome | str,
    level: Level = "MUST",
    scopes: tuple[Scope, ...] = ("entra", "rfc"),
    *,
    dialect: str | None = None,
    evidence: tuple[Exchange, ...] = (),
    blocked_by: str | None = None,
) -> CheckResult:
    info = CheckInfo(
        check_id,
        f"title of {check_id}",
        "RFC 7644 §3.4.2",
        level,
        frozenset(scopes),
        "fix it",
        (CLAUSES[level],) if "rfc" in scopes else (),
        (MicrosoftSource("S1", "Entra sends it"),) if "entra" in scopes else (),
    )
    outcome = Outcome(outcome)
    failed = outcome in (Outcome.FAILED, Outcome.DEVIATION)
    error = outcome in (Outcome.ERROR, Outcome.NOT_ESTABLISHED)
    message = "ok"
    if failed:
        message = f"message {HOSTILE}"
    elif error:
        message = f"needs a test user, but POST /Users -> 500 {HOSTILE}"
    elif outcome is Outcome.SKIPPED:
        message = f"does not apply: {FILTER_UNSUPPORTED}"
    return CheckResult(
        info,
        outcome,
        message,
        f"hint {HOSTILE}" if failed else None,
        evidence,
        0.012,
        dialect,
        len(evidence),
        blocked_by=Blocker(
            BlockKind.PREREQUISITE if outcome is Outcome.NOT_ESTABLISHED else BlockKind.EXCEPTION,
            message,
            blocked_by,
        )
        if error
        else None,
        not_applicable=FILTER_UNSUPPORTED if outcome is Outcome.SKIPPED else None,
    )


CLEANUP: CleanupJson = {
    "kept": False,
    "deleted": 2,
    "failed": [
        {
            "endpoint": "Users",
            "id": "u2",
            "name": "provisim-conformance-x-b",
            "reason": "DELETE -> 500",
        }
    ],
    "resources": [
        {"endpoint": "Users", "id": "u1", "name": "provisim-conformance-x-a"},
        {"endpoint": "Users", "id": "u2", "name": "provisim-conformance-x-b"},
    ],
}


def report(*results: CheckResult) -> ReportJson:
    return build_report(
        results=results,
        url="http://127.0.0.1:8000/scim/v2",
        dialects=["default", "aadOptscim062020"],
        run_id="ab12cd34",
        started_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        duration=5.5,
        rate=25,
        timeout=30,
        requests=130,
        peak_per_second=25,
        cleanup=CLEANUP,
        version="0.1.0",
    )


def mixed() -> ReportJson:
    big = json.dumps({"detail": "y" * (BODY_LIMIT + 10)}).encode()
    return report(
        result("ENTRA-FLOW-TEST-CONNECTION", "passed", scopes=("entra",), dialect="default"),
        result(
            "ENTRA-FLOW-UPDATE-USER",
            "failed",
            scopes=("entra",),
            dialect="default",
            evidence=(
                exchange(400, HOSTILE.encode(), b'{"Operations":[{"op":"Replace"}]}'),
                exchange(None),
                exchange(500, big),
            ),
        ),
        result(
            "RFC7644-3.8-MEDIA-TYPE", "failed", "SHOULD", ("rfc",), evidence=(exchange(200, b"{}"),)
        ),
        result("RFC7644-3.4.2.2-FILTER-VALUE-PATH", "skipped", "SHOULD", ("rfc",)),
        result(
            "ENTRA-FLOW-MATCH-USER",
            "not established",
            "SHOULD",
            ("entra",),
            dialect="default",
            blocked_by="ENTRA-FLOW-CREATE-USER [default]",
        ),
    )


def test_the_published_schema_is_draft_2020_12_and_reports_validate_against_it() -> None:
    Draft202012Validator.check_schema(load_schema(SCHEMA_NAME))
    for candidate in (
        mixed(),
        report(),
        report(result("RFC7644-4-SCHEMAS", "passed", scopes=("rfc",))),
    ):
        assert validate_body(candidate, SCHEMA_NAME) == []
        assert validate_body(json.loads(render_json(candidate)), SCHEMA_NAME) == []


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda r: r["results"][1].update(outcome="maybe"), "/results/1/outcome"),
        (lambda r: r["results"][1].update(hint=None), "/results/1/hint"),
        (lambda r: r["results"][0].update(hint="passing checks carry no hint"), "/results/0/hint"),
        (lambda r: r["verdict"].update(exitCode=3), "/verdict/exitCode"),
        # Exit code 2 comes with its reason, and only exit code 2 does.
        (lambda r: r["verdict"].update(exitCode=2), "/verdict/reason"),
        (lambda r: r["verdict"].update(reason="why"), "/verdict/reason"),
        # An error names what blocked it; a skip names its discovery fact; nothing else does.
        (lambda r: r["results"][4].update(blockedBy=None), "/results/4/blockedBy"),
        (lambda r: r["results"][3].update(notApplicable=None), "/results/3/notApplicable"),
        (
            lambda r: r["results"][0].update(notApplicable=r["results"][3]["notApplicable"]),
            "/results/0/notApplicable",
        ),
        (
            lambda r: r["results"][4]["blockedBy"].update(kind="bad luck"),
            "/results/4/blockedBy",
        ),
        (
            lambda r: r["results"][1]["evidence"][0]["request"]["headers"].update(
                authorization="Bearer abc"
            ),
            "/results/1/evidence/0/request/headers/authorization",
        ),
    ],
)
def test_the_schema_refuses_a_malformed_report(change: Any, pointer: str) -> None:
    broken: Any = json.loads(render_json(mixed()))
    change(broken)
    assert pointer in {v.pointer for v in validate_body(broken, SCHEMA_NAME)}


def test_the_verdict_has_two_scopes_and_only_must_failures_fail_the_run() -> None:
    body = mixed()
    assert body["verdict"] == {
        "entra": {
            "verdict": "breaks",
            "failed": ["ENTRA-FLOW-UPDATE-USER [default]"],
            "deviations": [],
            # A SHOULD step that could not run: listed, and it decides nothing.
            "errors": ["ENTRA-FLOW-MATCH-USER [default]"],
        },
        "rfc": {
            "verdict": "conformant-with-deviations",
            "failed": [],
            "deviations": ["RFC7644-3.8-MEDIA-TYPE"],
            "errors": [],
        },
        "passed": False,
        "exitCode": 1,
        "reason": None,
    }
    assert body["summary"] == {
        "passed": 1,
        "failed": 1,
        "deviations": 1,
        "errors": 0,
        "notEstablished": 1,
        "skipped": 1,
    }
    skipped, error = body["results"][3], body["results"][4]
    assert skipped["notApplicable"] == {
        "document": "ServiceProviderConfig",
        "attribute": "filter.supported",
        "value": False,
    }
    assert skipped["blockedBy"] is None and error["notApplicable"] is None
    assert error["blockedBy"] == {
        "kind": "prerequisite",
        "cause": error["message"],
        "check": "ENTRA-FLOW-CREATE-USER [default]",
    }


@pytest.mark.parametrize(
    ("level", "scopes", "entra", "rfc", "code"),
    [
        ("MUST", ("rfc",), "works", "not-conformant", 1),
        ("SHOULD", ("entra",), "works-with-warnings", "conformant", 0),
        ("MAY", ("entra", "rfc"), "works-with-warnings", "conformant-with-deviations", 0),
        ("MUST", ("entra", "rfc"), "breaks", "not-conformant", 1),
    ],
)
def test_verdicts_by_level_and_scope(
    level: Level, scopes: tuple[Scope, ...], entra: str, rfc: str, code: int
) -> None:
    found = report(result("RFC7644-X", "failed", level, scopes), result("RFC7644-Y", "passed"))
    assert (found["verdict"]["entra"]["verdict"], found["verdict"]["rfc"]["verdict"]) == (
        entra,
        rfc,
    )
    assert found["verdict"]["exitCode"] == code
    assert verdict(found["results"]) == found["verdict"]


@pytest.mark.parametrize(
    ("results", "entra", "rfc", "code"),
    [
        # A MUST check that could not run, and none failed: the verdict is not established.
        ((("RFC7644-E", "error", "MUST", ("rfc",)),), "works", "not-established", 2),
        (
            (("RFC7644-E", "error", "MUST", ("entra", "rfc")),),
            "not-established",
            "not-established",
            2,
        ),
        # A failure is established whatever else could not run: it decides its scope...
        (
            (
                ("RFC7644-E", "error", "MUST", ("entra",)),
                ("RFC7644-F", "failed", "MUST", ("entra",)),
            ),
            "breaks",
            "conformant",
            1,
        ),
        # ...but an unknown verdict in the other scope still means the run did not do its job.
        (
            (("RFC7644-E", "error", "MUST", ("entra",)), ("RFC7644-F", "failed", "MUST", ("rfc",))),
            "not-established",
            "not-conformant",
            2,
        ),
        # A SHOULD or MAY check that could not run is listed and decides nothing.
        ((("RFC7644-E", "error", "SHOULD", ("entra", "rfc")),), "works", "conformant", 0),
        # A check discovery says does not apply is neither a failure nor an error.
        ((("RFC7644-S", "skipped", "SHOULD", ("rfc",)),), "works", "conformant", 0),
    ],
)
def test_a_must_check_that_could_not_run_leaves_its_verdict_not_established(
    results: tuple[tuple[str, str, Level, tuple[Scope, ...]], ...], entra: str, rfc: str, code: int
) -> None:
    found = report(*(result(*row) for row in results), result("RFC7644-Y", "passed"))
    verdict_json = found["verdict"]
    assert (verdict_json["entra"]["verdict"], verdict_json["rfc"]["verdict"]) == (entra, rfc)
    assert verdict_json["exitCode"] == code and verdict_json["passed"] is (code == 0)
    assert (verdict_json["reason"] is not None) is (code == 2)
    assert validate_body(found, SCHEMA_NAME) == []


def test_the_reason_names_the_verdicts_the_first_check_and_its_cause() -> None:
    found = report(
        result("RFC7644-3.3-CREATE-USER", "passed", scopes=("rfc",)),
        result("RFC7644-3.6-DELETE", "error", scopes=("rfc",), blocked_by="RFC7644-3.3-X"),
        result("ENTRA-S1-INACTIVE-USER-RETURNED", "error", scopes=("entra",)),
    )
    assert found["verdict"]["reason"] == (
        "not established (works with Entra, RFC conformant): RFC7644-3.6-DELETE could not "
        f"run: needs a test user, but POST /Users -> 500 {HOSTILE} (blocked by "
        "RFC7644-3.3-X); and 1 more MUST check(s) not established"
    )
    assert found["verdict"]["entra"]["errors"] == ["ENTRA-S1-INACTIVE-USER-RETURNED"]


def test_evidence_keeps_json_bodies_and_cuts_long_ones() -> None:
    evidence = mixed()["results"][1]["evidence"]
    assert evidence[0]["request"]["body"] == {"Operations": [{"op": "Replace"}]}
    assert evidence[0]["response"]["body"] == HOSTILE  # not JSON: kept as text
    assert evidence[1]["response"] is None and evidence[1]["error"].startswith("ReadTimeout")
    long = evidence[2]["response"]
    assert long["bodyTruncated"] and len(long["body"]) == BODY_LIMIT


def test_junit_fails_must_checks_only() -> None:
    root = ET.fromstring(render_junit(mixed()))
    assert root.attrib | {"time": ""} == {
        "name": "provisim conformance",
        "tests": "5",
        "failures": "1",
        "errors": "1",
        "skipped": "1",
        "time": "",
    }
    suites = {s.attrib["name"]: s for s in root}
    assert set(suites) == {"Entra flow (default)", "RFC 7643/7644 checks"}
    [failure] = root.iter("failure")
    assert failure.attrib["type"] == "MUST" and HOSTILE in failure.attrib["message"]
    assert "> PATCH http://127.0.0.1:8000/scim/v2/Users/1?x=<b>" in (failure.text or "")
    rfc = suites["RFC 7643/7644 checks"]
    deviation = rfc.find("testcase/system-out")
    assert deviation is not None and (deviation.text or "").startswith("DEVIATION (SHOULD")
    skipped = rfc.find("testcase/skipped")
    assert skipped is not None
    assert skipped.attrib["message"] == (
        "does not apply: /ServiceProviderConfig says filter.supported is false"
    )
    # A check that could not run is an <error>, typed by why, never a pass or a skip.
    flow = suites["Entra flow (default)"]
    assert flow.attrib["errors"] == "1" and flow.attrib["skipped"] == "0"
    [error] = root.iter("error")
    assert error.attrib["type"] == "not-established"
    assert error.attrib["message"].startswith("needs a test user")
    assert "blocked by: ENTRA-FLOW-CREATE-USER [default]" in (error.text or "")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_and_escapes_everything() -> None:
    page = render_html(mixed())
    assert HOSTILE not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    parser = _Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert not any("src" in attrs for _, attrs in parser.tags)
    # Links only to the sources a reader follows, never a resource the page loads.
    links = [attrs["href"] for tag, attrs in parser.tags if "href" in attrs]
    assert links and all(tag == "a" for tag, attrs in parser.tags if "href" in attrs)
    assert all(
        str(link).startswith(("https://www.rfc-editor.org/rfc/", "https://learn.microsoft.com/"))
        for link in links
    )
    assert "Works with Microsoft Entra ID" in page and "RFC 7643/7644 conformant" in page
    assert "could not be deleted" in page and "DEVIATION" in page
    assert "NOT ESTABLISHED" in page
    assert "Could not run: ENTRA-FLOW-MATCH-USER [default]" in page
    assert "Blocked by <code>ENTRA-FLOW-CREATE-USER [default]</code>" in page
    assert "0 error(s)" in page and "1 not established" in page


def test_html_says_when_a_verdict_is_not_established_and_why() -> None:
    page = render_html(report(result("RFC7644-3.6-DELETE", "error", scopes=("rfc",))))
    assert "Not established" in page
    assert "not established (RFC conformant): RFC7644-3.6-DELETE could not run" in page


def test_write_report_writes_each_format_asked_for(tmp_path: Path) -> None:
    body = mixed()
    write_report(body, json_path=tmp_path / "r.json", html_path=tmp_path / "r.html")
    assert json.loads((tmp_path / "r.json").read_text()) == json.loads(render_json(body))
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert not (tmp_path / "r.xml").exists()
