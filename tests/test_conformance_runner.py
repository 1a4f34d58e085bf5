"""``provisim conformance`` end to end, over real sockets on loopback: Fake Elevate served by
uvicorn (clean, and under each fault profile) and scim2-server; exit codes; progress."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from fake_elevate.elevate import FakeElevate
from fake_elevate.faults import FAULT_PROFILES
from fake_entra.dialects import Dialect
from harness.cli import app
from harness.conformance import runner as runner_module
from harness.conformance.flow import FLOW_STEPS
from harness.conformance.flow import entra_flow as entra_flow_module
from harness.conformance.report import SCHEMA_NAME, render_json, render_junit
from harness.conformance.resources import RESOURCE_PREFIX
from harness.conformance.runner import (
    ConformanceAbort,
    ConformanceSettings,
    LiveProgress,
    dialects_for,
    run_conformance,
    summary_lines,
)
from harness.serving import free_port, serve_in_thread
from harness.transport import AsgiTransport
from harness.validation import validate_body

runner = CliRunner()


@dataclass
class Run:
    result: Result
    report: dict[str, Any]
    elevate: FakeElevate

    @property
    def failed(self) -> set[str]:
        return set(self.report["verdict"]["entra"]["failed"]) | set(
            self.report["verdict"]["rfc"]["failed"]
        )

    @property
    def deviations(self) -> set[str]:
        verdict = self.report["verdict"]
        return set(verdict["entra"]["deviations"]) | set(verdict["rfc"]["deviations"])

    def hint(self, key: str) -> str:
        for row in self.report["results"]:
            name = f"{row['id']} [{row['dialect']}]" if row["dialect"] else row["id"]
            if name == key:
                return str(row["hint"])
        raise KeyError(key)


@contextmanager
def served(faults: tuple[str, ...] = (), **options: Any) -> Iterator[tuple[str, str, FakeElevate]]:
    elevate = FakeElevate(seed=11)
    _, token = elevate.quick_setup(seats=50)
    if "slow" in faults:
        options["served"] = True  # the slow profile really waits only when served
    with serve_in_thread(elevate.asgi_app(faults=faults, fault_options=options)) as base:
        yield f"{base}/scim/v2", token, elevate


def conformance(tmp_path: Path, *args: str, faults: tuple[str, ...] = (), **options: Any) -> Run:
    report = tmp_path / "report.json"
    with served(faults, **options) as (url, token, elevate):
        result = runner.invoke(
            app, ["conformance", "--url", url, "--token", token, "--json", str(report), *args]
        )
    assert result.exit_code in (0, 1), result.output + result.stderr
    body = json.loads(report.read_text())
    assert validate_body(body, SCHEMA_NAME) == []
    return Run(result, body, elevate)


def test_fake_elevate_served_by_uvicorn_passes_in_both_dialects(tmp_path: Path) -> None:
    junit, html = tmp_path / "junit.xml", tmp_path / "report.html"
    run = conformance(
        tmp_path,
        "--dialect",
        "both",
        "--rate",
        "100",
        "--junit",
        str(junit),
        "--html",
        str(html),
    )
    assert run.result.exit_code == 0, run.result.output
    verdict = run.report["verdict"]
    assert verdict["entra"]["verdict"] == "works" and verdict["rfc"]["verdict"] == "conformant"
    assert run.report["summary"] == {
        "passed": 66,
        "failed": 0,
        "deviations": 0,
        "errors": 0,
        "notEstablished": 0,
        "skipped": 0,
    }
    assert {r["dialect"] for r in run.report["results"]} == {None, "default", "aadOptscim062020"}
    # Never above --rate, and everything the run created is gone again.
    assert 1 <= run.report["run"]["peakRequestsPerSecond"] <= 100
    assert run.elevate.store.count("User") == 0 and run.elevate.store.count("Group") == 0
    assert run.report["cleanup"]["deleted"] == len(run.report["cleanup"]["resources"]) > 0
    # Not a terminal: no live lines, the verdicts and where the reports went.
    lines = run.result.stdout.splitlines()
    assert lines[0] == "Works with Entra:  yes" and lines[1] == "RFC conformant:    yes"
    assert not any(line.startswith("PASS") for line in lines)
    assert junit.read_text().startswith("<?xml") and html.read_text().startswith("<!DOCTYPE")
    assert lines[-1].startswith("Reports: ")


@dataclass(frozen=True)
class Fault:
    """A profile, how to provoke it quickly, and what must catch it."""

    options: Mapping[str, Any] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    caught_by: tuple[str, ...] = ()
    hint: str = ""
    exit_code: int = 1
    not_caught_by: tuple[str, ...] = ()


FAULTS: dict[str, Fault] = {
    "refuse-default-dialect": Fault(
        args=("--dialect", "both"),
        caught_by=("ENTRA-FLOW-UPDATE-USER [default]", "ENTRA-FLOW-DISABLE-USER [default]"),
        hint="?aadOptscim062020",
        not_caught_by=("ENTRA-FLOW-UPDATE-USER [aadOptscim062020]",),
    ),
    "refuse-value-remove": Fault(
        args=("--dialect", "both"),
        caught_by=("ENTRA-FLOW-REMOVE-MEMBER [default]",),
        hint="value array",
        not_caught_by=("ENTRA-FLOW-REMOVE-MEMBER [aadOptscim062020]",),
    ),
    "value-path-notarget": Fault(
        caught_by=("ENTRA-S1-PATCH-ADD-VALUE-PATH", "ENTRA-FLOW-UPDATE-USER [default]"),
        hint="Create the element",
    ),
    "empty-search-404": Fault(
        caught_by=("RFC7644-3.4.2-EMPTY-SEARCH", "ENTRA-FLOW-TEST-CONNECTION [default]"),
        hint="never 404",
    ),
    # Entra form-encodes queries (SCIMReferenceCode#63): every filter breaks, Test Connection first.
    "literal-plus-query": Fault(
        caught_by=(
            "ENTRA-FLOW-TEST-CONNECTION [default]",
            "ENTRA-FLOW-MATCH-USER [default]",
            "RFC7644-3.4.2-EMPTY-SEARCH",
        ),
        hint="decode '+' as a space",
    ),
    "case-sensitive-username": Fault(
        caught_by=("RFC7643-4.1.1-USERNAME-CASE-INSENSITIVE",), hint="case-insensitively"
    ),
    # Throttling counts against an endpoint only within Entra's 25 requests per second.
    "429-storm": Fault(
        {"storm_start": 8, "storm_count": 2, "storm_retry_after": 0},
        args=("--rate", "25"),
        caught_by=("ENTRA-S1-THROUGHPUT",),
        hint="25 requests per second",
    ),
    # 5xx are a SHOULD: reported, but the run still passes.
    "5xx-burst": Fault(
        {"burst_start": 8, "burst_count": 2},
        caught_by=("ENTRA-S13-SERVER-ERRORS",),
        hint="5xx",
        exit_code=0,
    ),
    "flaky": Fault(
        {"flaky_rate": 0.02, "seed": 2}, caught_by=("ENTRA-S13-SERVER-ERRORS",), hint="5xx"
    ),
    "slow": Fault(
        {"slow_delay": 0.8, "slow_start": 12, "slow_count": 1},
        args=("--timeout", "0.4"),
        caught_by=("ENTRA-S13-TIMEOUT",),
        hint="timeout",
    ),
    "revoked-token": Fault(
        {"revoke_after": 40}, caught_by=("ENTRA-S4-TOKEN-STABLE",), hint="quarantine"
    ),
    "members-in-excluded": Fault(
        caught_by=("RFC7644-3.9-EXCLUDED-MEMBERS",), hint="excludedAttributes=members"
    ),
    "no-location": Fault(caught_by=("RFC7644-3.3-CREATE-LOCATION",), hint="Location header"),
    "hide-inactive": Fault(
        caught_by=("ENTRA-S1-INACTIVE-USER-RETURNED", "ENTRA-FLOW-DISABLE-USER [default]"),
        hint="only deleted users may answer 404",
    ),
    "ignore-active": Fault(
        caught_by=("ENTRA-FLOW-DISABLE-USER [default]", "ENTRA-S1-INACTIVE-USER-RETURNED"),
        hint="acknowledged but not applied",
    ),
}


def test_every_fault_profile_has_an_expected_check() -> None:
    assert set(FAULTS) == set(FAULT_PROFILES)


@pytest.mark.parametrize("profile", sorted(FAULTS))
def test_each_fault_profile_is_caught_by_its_check_with_a_readable_hint(
    tmp_path: Path, profile: str
) -> None:
    fault = FAULTS[profile]
    # A high --rate keeps the run short; the 429 case sets Entra's 25 itself.
    run = conformance(
        tmp_path, "--rate", "1000", *fault.args, faults=(profile,), **dict(fault.options)
    )
    caught = run.failed | run.deviations
    assert set(fault.caught_by) <= caught, caught
    assert not set(fault.not_caught_by) & caught
    assert fault.hint in run.hint(fault.caught_by[0])
    assert run.result.exit_code == fault.exit_code
    # Not a terminal: each failure is printed with its fix.
    first = fault.caught_by[0]
    assert any(
        line.endswith(first) or f"{first}:" in line for line in run.result.stdout.splitlines()
    )
    assert "      fix: " in run.result.stdout


def test_scim2_server_works_by_the_rfc_but_not_with_entra(
    tmp_path: Path, scim2_server: Any
) -> None:
    """scim2-server's actual verdict, pinned (see README "For SCIM vendors")."""
    report = tmp_path / "scim2.json"
    result = runner.invoke(
        app,
        [
            "conformance",
            "--url",
            scim2_server.base_url,
            "--token",
            scim2_server.token,
            "--rate",
            "500",
            "--json",
            str(report),
        ],
    )
    assert result.exit_code == 1, result.output
    body = json.loads(report.read_text())
    assert validate_body(body, SCHEMA_NAME) == []
    verdict = body["verdict"]
    assert verdict["rfc"] == {
        "verdict": "conformant",
        "failed": [],
        "deviations": [],
        "errors": [],
    }
    assert verdict["entra"]["verdict"] == "breaks"
    assert set(verdict["entra"]["failed"]) == {
        # POST /Groups naming Microsoft's ADSCIM group schema is refused (400 invalidSyntax
        # "Unknown extension schemas"): the group is never created.
        "ENTRA-FLOW-CREATE-GROUP [default]",
        # add/replace on emails[type eq "work"].value without a work email: 400 noTarget,
        # so the matched user (created without an email) is never updated.
        "ENTRA-FLOW-MATCH-USER [default]",
        "ENTRA-S1-PATCH-ADD-VALUE-PATH",
        "ENTRA-S1-PATCH-REPLACE-VALUE-PATH",
        # The manager as a bare id on the enterprise manager path (vendor captures,
        # SCIM-SDK#686): 400 invalidValue; {"value": id} would be accepted.
        "ENTRA-FLOW-MANAGER-ADD [default]",
    }
    # What needs the group or the first manager is not established, never failed or passed.
    assert set(verdict["entra"]["errors"]) == {
        "ENTRA-FLOW-ADD-MEMBERS [default]",
        "ENTRA-FLOW-UPDATE-GROUP [default]",
        "ENTRA-FLOW-RESTART-READBACK [default]",
        "ENTRA-FLOW-ADD-MEMBER [default]",
        "ENTRA-FLOW-REMOVE-MEMBER [default]",
        "ENTRA-FLOW-DELETE-GROUP [default]",
        "ENTRA-FLOW-MANAGER-REPLACE [default]",
        "ENTRA-FLOW-MANAGER-CLEAR [default]",
    }
    hints = {row["id"]: row["hint"] for row in body["results"] if row["hint"]}
    assert "ADSCIM" in hints["ENTRA-FLOW-CREATE-GROUP"]
    assert "Create the element" in hints["ENTRA-FLOW-MATCH-USER"]
    assert "bare id" in hints["ENTRA-FLOW-MANAGER-ADD"]
    # Three causes, each printed once, with what they explain.
    causes = {(c["request"], c["answer"]): c for c in body["causes"]}
    assert set(causes) == {
        ("PATCH /Users/{id}", "400 noTarget"),
        ("POST /Groups", "400 invalidSyntax"),
        ("PATCH /Users/{id}", "400 invalidValue"),
    }
    assert (
        "ENTRA-FLOW-DELETE-GROUP [default]"
        in (causes[("POST /Groups", "400 invalidSyntax")]["notEstablished"])
    )
    assert body["cleanup"]["failed"] == []


# --- exit code 2 ----------------------------------------------------------------------------


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("provisim: error: ")
    return lines[0]


def test_an_unreachable_endpoint_is_one_line_and_exit_2() -> None:
    url = f"http://127.0.0.1:{free_port()}/scim/v2"
    line = one_line_error(runner.invoke(app, ["conformance", "--url", url, "--token", "t"]))
    assert "cannot reach http://127.0.0.1:" in line


def test_a_token_refused_on_the_first_call_is_exit_2() -> None:
    with served(("revoked-token",), revoke_after=0) as (url, token, _):
        result = runner.invoke(app, ["conformance", "--url", url, "--token", token])
    assert "refused the token on the first request (HTTP 401)" in one_line_error(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "ftp://127.0.0.1/scim"], "not an absolute URL"),
        (["--url", "http://scim.example.com/scim"], "must use https"),
        (["--url", "http://127.0.0.1/scim", "--dialect", "okta"], "--dialect must be one of"),
        (["--url", "http://127.0.0.1/scim", "--rate", "0"], "--rate must be at least 1"),
        (["--url", "http://127.0.0.1/scim", "--timeout", "0"], "--timeout must be positive"),
        (
            ["--url", "http://127.0.0.1/scim", "--json", "/no/such/dir/r.json"],
            "--json: the directory",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    line = one_line_error(runner.invoke(app, ["conformance", "--token", "t", *args]))
    assert message in line


# --- manners --------------------------------------------------------------------------------


def test_keep_leaves_the_prefixed_test_resources(tmp_path: Path) -> None:
    run = conformance(tmp_path, "--keep", "--rate", "500")
    users = run.elevate.store.snapshot()["User"]
    assert users and all(u["userName"].startswith(RESOURCE_PREFIX) for u in users)
    assert run.report["cleanup"]["kept"] and run.report["cleanup"]["deleted"] == 0
    assert "(--keep)" in run.result.stdout


def test_on_a_terminal_each_check_is_shown_as_it_finishes() -> None:
    elevate = FakeElevate(seed=12)
    _, token = elevate.quick_setup(seats=20)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160, color_system=None)
    settings = ConformanceSettings(
        url="http://127.0.0.1/scim/v2", token=token, rate=1000, run_id="tty1"
    )
    report = run_conformance(
        settings,
        transport=AsgiTransport(elevate.asgi_app(faults=("no-location",))),
        progress=LiveProgress(console),
        sleep=lambda _: None,
    )
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    passes = [line for line in shown.splitlines() if line.startswith("PASS  ")]
    assert len(passes) == report["summary"]["passed"]
    assert "FAIL  RFC7644-3.3-CREATE-LOCATION" in shown and "      fix: Send the new" in shown
    assert "PASS  ENTRA-FLOW-TEST-CONNECTION [default]" in shown


def test_settings_are_checked_before_anything_is_sent() -> None:
    with pytest.raises(ConformanceAbort, match="run id"):
        ConformanceSettings(url="https://scim.example.com", token="t", run_id="no spaces")
    with pytest.raises(ConformanceAbort, match="--token"):
        ConformanceSettings(url="https://scim.example.com", token=" ")
    assert dialects_for("both") == (Dialect.DEFAULT, Dialect.AAD_OPT_SCIM_062020)


def test_an_interrupted_run_still_cleans_up() -> None:
    elevate = FakeElevate(seed=13)
    _, token = elevate.quick_setup(seats=20)

    class Interrupt(LiveProgress):
        def started(self, info: Any, dialect: str | None) -> None:
            if info.id == "RFC7644-3.6-DELETE":
                raise KeyboardInterrupt

    settings = ConformanceSettings(
        url="http://127.0.0.1/scim/v2", token=token, rate=1000, run_id="int1"
    )
    with pytest.raises(KeyboardInterrupt):
        run_conformance(
            settings,
            transport=AsgiTransport(elevate.asgi_app()),
            progress=Interrupt(Console(file=io.StringIO())),
            sleep=lambda _: None,
        )
    assert elevate.store.count("User") == 0 and elevate.store.count("Group") == 0


# --- a check that cannot run never passes ---------------------------------------------------


class Tampered(httpx.BaseTransport):
    """Fake Elevate in-process, but ``tamper`` may answer a request in its stead or change
    the answer: a server with one precise quirk."""

    def __init__(
        self,
        app: Any,
        tamper: Callable[[httpx.Request, httpx.Response | None], httpx.Response | None],
    ) -> None:
        self.inner = AsgiTransport(app)
        self.tamper = tamper

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        instead = self.tamper(request, None)
        if instead is not None:
            return instead
        response = self.inner.handle_request(request)
        response.read()
        return self.tamper(request, response) or response


def scim_error(status: int, detail: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": str(status),
            "detail": detail,
        },
        headers={"Content-Type": "application/scim+json"},
    )


def tampered_run(
    tamper: Callable[[httpx.Request, httpx.Response | None], httpx.Response | None],
    *,
    progress: Any = None,
) -> dict[str, Any]:
    elevate = FakeElevate(seed=14)
    _, token = elevate.quick_setup(seats=20)
    settings = ConformanceSettings(
        url="http://127.0.0.1/scim/v2", token=token, rate=1000, run_id="tamp"
    )
    report = run_conformance(
        settings,
        transport=Tampered(elevate.asgi_app(), tamper),
        progress=progress,
        sleep=lambda _: None,
    )
    body = json.loads(render_json(report))
    assert validate_body(body, SCHEMA_NAME) == []
    return body


def row(report: dict[str, Any], key: str) -> dict[str, Any]:
    for found in report["results"]:
        name = f"{found['id']} [{found['dialect']}]" if found["dialect"] else found["id"]
        if name == key:
            return found
    raise KeyError(key)


def posted(request: httpx.Request, marker: str) -> bool:
    return request.method == "POST" and marker in request.content.decode()


def test_a_check_that_raises_is_an_error_and_the_run_exits_2_not_established(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def harness_bug(ctx: Any) -> Any:
        raise RuntimeError("a bug of provisim")

    # RFC7644-3.6-DELETE, a MUST of the RFC scope, crashes as a bug of the harness would.
    checks = tuple(
        dataclasses.replace(c, body=harness_bug) if c.id == "RFC7644-3.6-DELETE" else c
        for c in runner_module.CHECKS
    )
    monkeypatch.setattr(runner_module, "CHECKS", checks)
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    with served() as (url, token, _):
        result = runner.invoke(
            app,
            [
                *("conformance", "--url", url, "--token", token, "--rate", "1000"),
                *("--json", str(report), "--junit", str(junit)),
            ],
        )
    cause = "provisim could not complete this check (RuntimeError: a bug of provisim)"
    line = one_line_error(result)
    assert line == (
        "provisim: error: not established (RFC conformant): RFC7644-3.6-DELETE could not "
        f"run: {cause}"
    )
    # The reports are written all the same, and carry the same reason.
    body = json.loads(report.read_text())
    assert validate_body(body, SCHEMA_NAME) == []
    verdict = body["verdict"]
    assert verdict["rfc"]["verdict"] == "not-established" and verdict["exitCode"] == 2
    assert verdict["rfc"]["errors"] == ["RFC7644-3.6-DELETE"] and not verdict["passed"]
    assert verdict["reason"] == line.removeprefix("provisim: error: ")
    assert verdict["entra"]["verdict"] == "works"
    deleted = row(body, "RFC7644-3.6-DELETE")
    assert deleted["outcome"] == "error" and deleted["message"] == cause
    assert deleted["blockedBy"] == {"kind": "exception", "cause": cause, "check": None}
    assert body["summary"]["errors"] == 1 and body["summary"]["skipped"] == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "RFC conformant:    NOT ESTABLISHED (1 not established: RFC7644-3.6-DELETE)"
    assert f"ERROR RFC7644-3.6-DELETE: {cause}" in lines
    assert '<error message="provisim could not complete this check' in junit.read_text()


def test_a_must_check_whose_prerequisite_failed_is_not_established_never_a_pass() -> None:
    # The one test user ENTRA-S1-INACTIVE-USER-RETURNED needs is refused, politely.
    def refuse_hedy(request: httpx.Request, response: httpx.Response | None) -> Any:
        if response is None and posted(request, "-rfc-hedy@"):
            return scim_error(400, "not today")
        return None

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=200, color_system=None)
    body = tampered_run(refuse_hedy, progress=LiveProgress(console))
    inactive = row(body, "ENTRA-S1-INACTIVE-USER-RETURNED")
    assert inactive["outcome"] == "not established" and inactive["level"] == "MUST"
    assert inactive["blockedBy"]["kind"] == "prerequisite"
    assert inactive["blockedBy"]["cause"].startswith("needs a test user, but POST")
    assert [e["response"]["status"] for e in inactive["evidence"]] == [400]
    verdict = body["verdict"]
    assert verdict["entra"] == {
        "verdict": "not-established",
        "failed": [],
        "deviations": [],
        "errors": ["ENTRA-S1-INACTIVE-USER-RETURNED"],
    }
    assert verdict["rfc"]["verdict"] == "conformant" and verdict["exitCode"] == 2
    assert verdict["reason"].startswith(
        "not established (works with Entra): ENTRA-S1-INACTIVE-USER-RETURNED was not "
        "established: needs a test user"
    )
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert "N/E   ENTRA-S1-INACTIVE-USER-RETURNED  A deactivated user" in shown
    lines = summary_lines(body, with_failures=True)  # type: ignore[arg-type]
    assert lines[0] == (
        "Works with Entra:  NOT ESTABLISHED (1 not established: ENTRA-S1-INACTIVE-USER-RETURNED)"
    )
    assert any(line.startswith("N/E   ENTRA-S1-INACTIVE-USER-RETURNED: needs") for line in lines)


def test_a_flow_step_whose_prerequisite_failed_is_not_established_never_a_pass() -> None:
    # The user Entra must match is refused when created before the first cycle.
    def refuse_dave(request: httpx.Request, response: httpx.Response | None) -> Any:
        if response is None and posted(request, "Dave (created before Entra)"):
            return scim_error(400, "not today")
        return None

    body = tampered_run(refuse_dave)
    match = row(body, "ENTRA-FLOW-MATCH-USER [default]")
    assert match["outcome"] == "not established"
    assert match["blockedBy"]["kind"] == "prerequisite"
    assert "needs a user created before the first cycle" in match["message"]
    assert body["verdict"]["entra"]["verdict"] == "not-established"
    assert body["verdict"]["entra"]["failed"] == [] and body["verdict"]["exitCode"] == 2


def test_a_flow_that_provisim_cannot_set_up_is_errors_never_passes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the tenant would not seed")

    monkeypatch.setattr(entra_flow_module, "seed_tenant", broken)
    body = tampered_run(lambda request, response: None)
    flow = [r for r in body["results"] if r["phase"] == "flow"]
    assert [r["id"] for r in flow] == [info.id for info in FLOW_STEPS]
    assert all(r["outcome"] == "error" and r["blockedBy"]["kind"] == "exception" for r in flow)
    assert "RuntimeError: the tenant would not seed" in flow[0]["message"]
    # The RFC checks still ran, and said what they found.
    assert body["verdict"]["rfc"]["verdict"] == "conformant"
    assert body["verdict"]["entra"]["verdict"] == "not-established"
    assert body["verdict"]["exitCode"] == 2


def test_a_skip_is_only_what_discovery_says_and_the_report_names_the_fact() -> None:
    # A server that declares it does not filter (RFC 7643 §5: filter.supported false).
    def no_filters(request: httpx.Request, response: httpx.Response | None) -> Any:
        if response is not None and request.url.path.endswith("/ServiceProviderConfig"):
            config = response.json()
            config["filter"] = {"supported": False, "maxResults": 0}
            return httpx.Response(200, json=config, headers=response.headers)
        return None

    body = tampered_run(no_filters)
    value_path = row(body, "RFC7644-3.4.2.2-FILTER-VALUE-PATH")
    assert value_path["outcome"] == "skipped"
    assert value_path["notApplicable"] == {
        "document": "ServiceProviderConfig",
        "attribute": "filter.supported",
        "value": False,
    }
    assert value_path["message"] == (
        "does not apply: /ServiceProviderConfig says filter.supported is false"
    )
    # Only that check: Entra filters whatever the server declares, so every check that
    # counts for Entra still runs (and here passes).
    skipped = [r["id"] for r in body["results"] if r["outcome"] == "skipped"]
    assert skipped == ["RFC7644-3.4.2.2-FILTER-VALUE-PATH"]
    assert body["summary"]["skipped"] == 1 and body["verdict"]["exitCode"] == 0
    junit = ET.fromstring(render_junit(body))  # type: ignore[arg-type]
    [skip] = junit.iter("skipped")
    assert "filter.supported is false" in skip.attrib["message"]
