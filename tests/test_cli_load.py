"""``provisim load`` end to end: Locust in subprocesses against Fake Elevate served on a
loopback port, the report's counts checked against what the server holds.

A few seconds of load per run; no assertion on timing (speed is ``provisim bench --load``).
This module never imports Locust: the command runs it in subprocesses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fake_elevate.elevate import FakeElevate
from harness.cli import app
from harness.load.runner import free_port
from harness.load.settings import LOAD_PREFIX
from harness.serving import serve_in_thread

runner = CliRunner()


@contextmanager
def served(*faults: str, **options: Any) -> Iterator[tuple[str, str, FakeElevate]]:
    elevate = FakeElevate(seed=14)
    _, token = elevate.quick_setup(seats=5000)
    with serve_in_thread(elevate.asgi_app(faults=faults, fault_options=options)) as base:
        yield f"{base}/scim/v2", token, elevate


def load(url: str, token: str, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    report = tmp_path / "load.json"
    result = runner.invoke(
        app,
        ["load", "--url", url, "--json", str(report), *args],
        env={"PROVISIM_SCIM_TOKEN": token},
    )
    output = result.output + (result.stderr or "")
    assert result.exit_code in (0, 1), output
    return result.exit_code, json.loads(report.read_text()), output


def _ours(elevate: FakeElevate) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    held = elevate.store.snapshot()
    users = [u for u in held["User"] if str(u["userName"]).startswith(LOAD_PREFIX)]
    groups = [g for g in held["Group"] if str(g["displayName"]).startswith(LOAD_PREFIX)]
    return users, groups


def test_two_tenants_every_acknowledged_create_exists_and_no_username_twice(
    tmp_path: Path,
) -> None:
    csv_prefix = tmp_path / "locust"
    html = tmp_path / "locust.html"
    with served() as (url, token, elevate):
        code, report, output = load(
            url,
            token,
            tmp_path,
            "--tenants", "2", "--users-per-tenant", "15", "--duration", "3",
            "--keep", "--csv", str(csv_prefix), "--html", str(html),
        )  # fmt: skip
        users, groups = _ours(elevate)
    assert token not in output and token not in json.dumps(report)
    created = report["created"]
    held = {("Users", u["id"]): u["userName"] for u in users}
    held |= {("Groups", g["id"]): g["displayName"] for g in groups}
    acknowledged = {(r["endpoint"], r["id"]): r["name"] for r in created["resources"]}
    # Every create the endpoint acknowledged exists, under the name it was sent with ...
    assert acknowledged.items() <= held.items()
    # ... and (nothing cut off unanswered) the server holds nothing else of the run's.
    assert created["unanswered"] or held == acknowledged
    assert not [n for n, c in Counter(u["userName"].lower() for u in users).items() if c > 1]
    assert created["users"] == sum(1 for e, _ in acknowledged if e == "Users") >= 30
    assert created["groups"] == 4
    # Two tenants, each with its own Test Connection and initial cycle.
    assert report["testConnection"] == {"sent": 2, "failures": []}
    assert report["cycles"]["initial"] == 2
    assert len(report["tenants"]) == 2
    kinds = {k["kind"]: k for k in report["kinds"]}
    assert kinds["POST /Users (create)"]["requests"] >= created["users"]
    assert {"test connection", "GET /Users?filter (match)", "PATCH /Groups (members)"} <= set(kinds)
    assert report["total"]["requests"] == sum(k["requests"] for k in report["kinds"])
    assert report["schemaValidation"]["validated"] == report["total"]["requests"]
    assert report["schemaValidation"]["violations"] == 0
    assert report["total"]["errors"] == 0 and report["total"]["throttled"] == 0
    assert report["verdict"]["outcome"] in ("sustained", "not reached")
    assert code == (0 if report["verdict"]["outcome"] == "sustained" else 1)
    assert report["cleanup"]["kept"] is True
    stats = (tmp_path / "locust_stats.csv").read_text()
    assert "POST /Users (create)" in stats and "Aggregated" in stats
    assert "<html" in html.read_text()[:1000].lower()
    assert "Verdict (Entra's at least 25 requests per second per tenant)" in output


def test_the_run_deletes_what_it_created(tmp_path: Path) -> None:
    with served() as (url, token, elevate):
        _code, report, output = load(
            url, token, tmp_path, "--tenants", "1", "--users-per-tenant", "10", "--duration", "2"
        )
        users, groups = _ours(elevate)
    assert report["created"]["users"] >= 10
    assert (users, groups) == ([], [])
    assert report["cleanup"]["deleted"] >= report["created"]["users"] + 2
    assert "Clean-up:" in output


def test_429_with_retry_after_is_honoured_and_counted(tmp_path: Path) -> None:
    with served("429-storm", storm_start=5, storm_count=3, storm_retry_after=1) as (
        url,
        token,
        elevate,
    ):
        code, report, _ = load(
            url, token, tmp_path, "--tenants", "1", "--users-per-tenant", "10",
            "--duration", "4", "--keep",
        )  # fmt: skip
        users, _groups = _ours(elevate)
    assert code == 1
    assert report["verdict"]["outcome"] == "throttled"
    assert report["throttling"]["count"] == report["total"]["throttled"] == 3
    assert report["throttling"]["retryAfterS"] == {"min": 1.0, "max": 1.0}
    # The engine retried the throttled requests: every user of the initial cycle arrived.
    names = {u["userName"] for u in users}
    assert len(names) == len(users) >= 10
    assert report["total"]["errors"] == 0


def test_a_master_and_two_workers_started_as_on_other_machines_share_the_tenants(
    tmp_path: Path,
) -> None:
    port = free_port()
    with served() as (url, token, elevate):
        # What an operator starts on the other machines: `provisim load --worker`.
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "harness.cli", "load", "--worker",
                 "--master-host", "127.0.0.1", "--master-port", str(port)],
                env={**os.environ, "PROVISIM_SCIM_TOKEN": token},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]  # fmt: skip
        try:
            _code, report, _ = load(
                url, token, tmp_path, "--master", "--expect-workers", "2",
                "--master-port", str(port), "--tenants", "2", "--users-per-tenant", "10",
                "--duration", "3", "--keep",
            )  # fmt: skip
            # The master's quit ends the workers.
            assert [w.wait(30) for w in workers] == [0, 0]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
        users, _groups = _ours(elevate)
    assert report["mode"] == {"kind": "master", "workers": 2}
    assert len(report["tenants"]) == 2
    held = {u["id"] for u in users}
    assert {r["id"] for r in report["created"]["resources"] if r["endpoint"] == "Users"} <= held
    assert report["created"]["users"] >= 20
    assert report["testConnection"]["sent"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "http://example.com/scim"], "plain http is allowed only on a loopback host"),
        (["--url", "https://example.com/scim"], "pass --i-own-this-endpoint"),
        (["--url", "ftp://127.0.0.1/scim"], "is not an absolute http(s) URL"),
        (["--url", "http://127.0.0.1:1/scim", "--rate", "0"], "--rate must be positive"),
        (["--url", "http://127.0.0.1:1/scim", "--dialect", "x"], "--dialect must be one of"),
        (["--url", "http://127.0.0.1:1/scim", "--master", "--workers", "2"], "pick one"),
        (["--worker", "--master"], "--worker cannot be combined"),
        ([], "--url is needed"),
    ],
)
def test_refusals_are_one_line_on_stderr(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["load", *args], env={"PROVISIM_SCIM_TOKEN": "t" * 20})
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_token_is_refused() -> None:
    result = runner.invoke(
        app, ["load", "--url", "http://127.0.0.1:1/scim"], env={"PROVISIM_SCIM_TOKEN": ""}
    )
    assert result.exit_code == 2
    assert "PROVISIM_SCIM_TOKEN" in result.stderr


def test_the_command_never_imports_locust() -> None:
    # Locust patches the standard library with gevent on import: only subprocesses may.
    assert "locust" not in sys.modules and "gevent" not in sys.modules
