"""``provisim conformance`` against django-scim2, a real third-party SCIM server, pinned.

tests/servers/django_scim is a minimal Django project serving django-scim2 0.23 with its
default adapters on SQLite (in a temp dir); the only code of ours in it is the bearer-token
middleware the library leaves to the host, and the filter map it asks the host to fill. The
server runs as a subprocess on a free loopback port, once for this module; the one report is
asserted on throughout. Each pinned verdict was checked by hand against the running server
and the RFC (README, "django-scim2's verdict").
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from harness.cli import app
from harness.conformance.report import SCHEMA_NAME
from harness.validation import validate_body

SERVER_DIR = Path(__file__).resolve().parent / "servers" / "django_scim"
TOKEN = "django-scim2-test-token"
START_DEADLINE_S = 90  # migrate + first accept on a loaded 2-core machine

runner = CliRunner()


@dataclass
class Run:
    result: Result
    report: dict[str, Any]

    def outcomes(self) -> dict[str, str]:
        return {key(row): row["outcome"] for row in self.report["results"]}

    def row(self, name: str) -> dict[str, Any]:
        (found,) = [row for row in self.report["results"] if key(row) == name]
        return found


def key(row: dict[str, Any]) -> str:
    return f"{row['id']} [{row['dialect']}]" if row["dialect"] else str(row["id"])


def read_port(process: subprocess.Popen[bytes], log: Path) -> int:
    """The port from the server's first stdout line, ``listening <port>``, or a clear error
    (with its stderr) once it exits or the deadline passes."""
    assert process.stdout is not None
    deadline = time.monotonic() + START_DEADLINE_S
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                line = process.stdout.readline().decode(errors="replace").split()
                if len(line) == 2 and line[0] == "listening":
                    return int(line[1])
                break
            if process.poll() is not None:
                break
    raise RuntimeError(f"the django-scim2 server did not start: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """django-scim2 served by ``serve.py`` on 127.0.0.1 (a free port), stopped afterwards."""
    home = tmp_path_factory.mktemp("django-scim2")
    log = home / "stderr.log"
    env = {
        **os.environ,
        "DJANGO_SCIM_DB": str(home / "db.sqlite3"),
        "DJANGO_SCIM_TOKEN": TOKEN,
    }
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(SERVER_DIR / "serve.py")],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        try:
            yield f"http://127.0.0.1:{read_port(process, log)}/scim/v2"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def run(served: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One conformance run, both dialects, for the whole module."""
    report = tmp_path_factory.mktemp("django-scim2-report") / "report.json"
    result = runner.invoke(
        app,
        [
            "conformance",
            "--url",
            served,
            "--token",
            TOKEN,
            "--dialect",
            "both",
            "--rate",
            "500",
            "--json",
            str(report),
        ],
    )
    assert report.exists(), result.output
    return Run(result, json.loads(report.read_text()))


#: Every check that does not pass, with its outcome (each checked by hand; see the README).
FAILING = {
    # The default user adapter keeps neither title nor the type of an email.
    "ENTRA-FLOW-CREATE-USER [default]": "failed",
    "ENTRA-FLOW-CREATE-USER [aadOptscim062020]": "failed",
    # PATCH: the user adapter implements replace on its ATTR_MAP and on emails as a whole,
    # nothing else; every add (title, emails[type eq "work"].value, ...) is 501.
    "ENTRA-FLOW-MATCH-USER [default]": "failed",
    "ENTRA-FLOW-MATCH-USER [aadOptscim062020]": "failed",
    "ENTRA-FLOW-UPDATE-USER [default]": "failed",
    "ENTRA-FLOW-UPDATE-USER [aadOptscim062020]": "failed",
    "ENTRA-S1-PATCH-ADD-VALUE-PATH": "failed",
    "ENTRA-S1-PATCH-REPLACE-VALUE-PATH": "failed",
    # The group adapter replaces "name", not "displayName": a rename is 501.
    "ENTRA-FLOW-UPDATE-GROUP [default]": "failed",
    "ENTRA-FLOW-UPDATE-GROUP [aadOptscim062020]": "failed",
    # "active": "False" (a string, Entra's default dialect) is 400.
    "ENTRA-FLOW-DISABLE-USER [default]": "failed",
    "ENTRA-FLOW-DELETE-USER [default]": "failed",
    # /Schemas and /ResourceTypes are ListResponses without totalResults.
    "RFC7644-4-SCHEMAS": "failed",
    "RFC7644-4-RESOURCE-TYPES": "failed",
    # The 409 of a duplicate userName has no scimType.
    "RFC7644-3.3-UNIQUENESS": "failed",
    # excludedAttributes is ignored.
    "RFC7644-3.9-EXCLUDED-MEMBERS": "failed",
    # Error bodies carry status as a number (and the 401 has no body at all).
    "RFC7644-3.12-ERROR-BODIES": "failed",
    "RFC7643-SCHEMA-VALIDATION": "failed",
    "ENTRA-S13-SERVER-ERRORS": "failed",
    # /ServiceProviderConfig says filter.supported is false (the library's default).
    "RFC7644-3.4.2.2-FILTER-VALUE-PATH": "skipped",
}

#: Checks this server passes.
PASSING = {
    "ENTRA-FLOW-TEST-CONNECTION [default]",
    "ENTRA-FLOW-TEST-CONNECTION [aadOptscim062020]",
    "ENTRA-FLOW-CREATE-GROUP [default]",
    "ENTRA-FLOW-CREATE-GROUP [aadOptscim062020]",
    "ENTRA-FLOW-ADD-MEMBERS [default]",
    "ENTRA-FLOW-ADD-MEMBERS [aadOptscim062020]",
    "ENTRA-FLOW-DISABLE-USER [aadOptscim062020]",
    "ENTRA-FLOW-ENABLE-USER [aadOptscim062020]",
    "ENTRA-FLOW-DELETE-USER [aadOptscim062020]",
    "ENTRA-FLOW-DELETE-GROUP [default]",
    "ENTRA-FLOW-DELETE-GROUP [aadOptscim062020]",
    "RFC7644-4-SERVICE-PROVIDER-CONFIG",
    "RFC7644-2-AUTH-MISSING",
    "RFC7644-2-AUTH-WRONG",
    "RFC7644-3.4.2-EMPTY-SEARCH",
    "RFC7644-3.3-CREATE-USER",
    "RFC7644-3.3-CREATE-LOCATION",
    "RFC7644-3.4.2.2-FILTER-USERNAME",
    "RFC7643-4.1.1-USERNAME-CASE-INSENSITIVE",
    "RFC7644-3.4.2.2-FILTER-EXTERNALID",
    "RFC7644-3.4.2.2-FILTER-GROUP-DISPLAYNAME",
    "ENTRA-S1-INACTIVE-USER-RETURNED",
    "RFC7644-3.4.2.4-PAGINATION",
    "RFC7644-3.6-DELETE",
    "RFC7644-3.8-MEDIA-TYPE",
    "ENTRA-S1-THROUGHPUT",
    "ENTRA-S13-TIMEOUT",
    "ENTRA-S4-TOKEN-STABLE",
}

#: Outcomes not pinned, because checking them by hand showed provisim reporting them wrongly
#: (reported to the lead; issue 20 items 3 and 4):
UNPINNED = {
    # Passed although the disable before it never landed (bob was never inactive).
    "ENTRA-FLOW-ENABLE-USER [default]",
    # Failed only because the group's rename (501) blocked the group's export: no member
    # PATCH was sent, yet the hint blames the PATCH dialect.
    "ENTRA-FLOW-ADD-MEMBER [default]",
    "ENTRA-FLOW-ADD-MEMBER [aadOptscim062020]",
    "ENTRA-FLOW-REMOVE-MEMBER [default]",
    "ENTRA-FLOW-REMOVE-MEMBER [aadOptscim062020]",
}


def check_the_report_is_valid_and_the_run_cleans_up(run: Run) -> None:
    assert validate_body(run.report, SCHEMA_NAME) == []
    assert run.report["cleanup"]["failed"] == []
    assert run.report["cleanup"]["deleted"] > 0


def check_django_scim2_neither_works_with_entra_nor_conforms(run: Run) -> None:
    assert run.result.exit_code == 1, run.result.output
    verdict = run.report["verdict"]
    assert verdict["entra"]["verdict"] == "breaks" and verdict["entra"]["errors"] == []
    assert verdict["rfc"]["verdict"] == "not-conformant" and verdict["rfc"]["errors"] == []


def check_every_pinned_outcome(run: Run) -> None:
    outcomes = {k: v for k, v in run.outcomes().items() if k not in UNPINNED}
    assert {k: v for k, v in outcomes.items() if v != "passed"} == FAILING
    assert {k for k, v in outcomes.items() if v == "passed"} >= PASSING
    assert PASSING.isdisjoint(FAILING) and not (PASSING | set(FAILING)) & UNPINNED


def check_patch_is_501_outside_the_adapters_few_paths(run: Run) -> None:
    evidence = run.row("ENTRA-S1-PATCH-ADD-VALUE-PATH")["evidence"]
    patch = next(e for e in evidence if e["request"]["method"] == "PATCH")
    assert patch["request"]["body"]["Operations"][0]["path"] == 'emails[type eq "work"].value'
    assert patch["response"]["status"] == 501
    rename = run.row("ENTRA-FLOW-UPDATE-GROUP [aadOptscim062020]")["evidence"][0]
    assert rename["request"]["url"].split("/scim/v2/")[1].startswith("Groups/")
    assert rename["response"]["status"] == 501


def check_the_default_dialects_string_boolean_is_refused(run: Run) -> None:
    (exchange, *_) = run.row("ENTRA-FLOW-DISABLE-USER [default]")["evidence"]
    assert exchange["request"]["body"]["Operations"] == [
        {"op": "Replace", "path": "active", "value": "False"}
    ]
    assert exchange["response"]["status"] == 400


def check_errors_carry_a_numeric_status_and_409_no_scim_type(run: Run) -> None:
    assert (
        "status must be a JSON string, not 501" in run.row("RFC7644-3.12-ERROR-BODIES")["message"]
    )
    assert (
        "is not of type 'string' [error.schema.json]"
        in run.row("RFC7643-SCHEMA-VALIDATION")["message"]
    )
    (conflict,) = [
        e for e in run.row("RFC7644-3.3-UNIQUENESS")["evidence"] if e["response"]["status"] == 409
    ]
    assert "scimType" not in conflict["response"]["body"]


def check_discovery_lists_lack_total_results(run: Run) -> None:
    (exchange,) = run.row("RFC7644-4-RESOURCE-TYPES")["evidence"]
    body = exchange["response"]["body"]
    assert "Resources" in body and "totalResults" not in body


def check_excluded_attributes_is_ignored(run: Run) -> None:
    (exchange,) = run.row("RFC7644-3.9-EXCLUDED-MEMBERS")["evidence"]
    assert "excludedAttributes=members" in exchange["request"]["url"]
    assert exchange["response"]["body"]["Resources"][0]["members"]


def test_django_scim2_verdicts_as_checked_by_hand(run: Run) -> None:
    """One test for the whole report: pytest-xdist spreads a module's tests over its workers,
    and each worker would start its own server and run the conformance again."""
    for check in (
        check_the_report_is_valid_and_the_run_cleans_up,
        check_django_scim2_neither_works_with_entra_nor_conforms,
        check_every_pinned_outcome,
        check_patch_is_501_outside_the_adapters_few_paths,
        check_the_default_dialects_string_boolean_is_refused,
        check_errors_carry_a_numeric_status_and_409_no_scim_type,
        check_discovery_lists_lack_total_results,
        check_excluded_attributes_is_ignored,
    ):
        check(run)
