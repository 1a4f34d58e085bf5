"""``provisim bench --load``: its figures come from real ``provisim load`` runs against
Fake Elevate (a tiny run here; the measured figures are in benchmarks/README.md)."""

from __future__ import annotations

from typer.testing import CliRunner

from harness.cli import app
from harness.load.bench import run_load_bench


def test_one_local_worker_run_reports_what_the_server_holds() -> None:
    figures = run_load_bench(workers=(1,), tenants=1, users=5, rate=50.0, duration=2.0)
    (run,) = figures["load"]["runs"]
    assert run["workers"] == 1 and run["requests"] > 0
    assert run["requests_per_second"] > 0 and run["errors"] == 0
    assert 5 <= run["created_users"] <= run["users_held_by_server"]
    assert run["violations"] == 0
    assert figures["machine"]["cores"] >= 1


def test_bench_help_offers_the_load_measurement() -> None:
    result = CliRunner().invoke(app, ["bench", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "--load" in result.output
