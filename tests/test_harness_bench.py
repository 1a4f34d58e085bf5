"""Smoke test of the benchmark: a tiny size, and only that the figures are produced."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import harness.bench.runner
from harness.bench import run_benchmarks, scenarios, throughput
from harness.cli import app


def test_tiny_benchmark_produces_every_figure() -> None:
    seen: list[str] = []
    report = run_benchmarks(
        users=[40],
        groups=2,
        transports=["asgi", "http"],
        compare=True,
        commands=False,
        iterations=10,
        progress=seen.append,
    )
    assert {"cpu", "cores", "python"} <= set(report["machine"])
    assert [c["transport"] for c in report["cycles"]] == ["asgi", "http"]
    for cycle in report["cycles"]:
        assert cycle["initial_cycle"]["requests"] > 0 and cycle["initial_cycle"]["objects"] > 0
        assert cycle["incremental_no_change"]["requests"] == 0
        # A Restart reads every linked user and group back (matching on every evaluation).
        restart = cycle["restart_no_change"]
        linked = cycle["initial_cycle"]["users"] + cycle["initial_cycle"]["groups"]
        assert restart["reads_by_id"] == linked and restart["requests"] >= linked
        assert cycle["validated_exchanges"] > 0 and cycle["schema_violations"] == []
        assert cycle["peak_rss_mb"] > 0
        per_user = round(cycle["peak_rss_mb"] * 1024 / cycle["users"], 2)
        assert cycle["peak_rss_kb_per_user"] == per_user
        assert cycle["initial_cycle"]["cpu_seconds"] > 0
        assert cycle["initial_cycle"]["gc_seconds"] >= 0
        assert cycle["initial_cycle"]["gc_full_collections"] >= 0
        during = cycle["initial_cycle"]["gc_full_collections_during_cycle"]
        assert 0 <= during <= cycle["initial_cycle"]["gc_full_collections"]
        assert cycle["initial_cycle"]["gc_full_seconds"] >= 0
    assert report["throughput"]["provisim"]["requests"] == 40
    assert report["throughput"]["ratio"] > 0
    # Fake Elevate against a bare Starlette app on the same client and HTTP stack.
    throughput_report = report["throughput"]
    assert throughput_report["bare_starlette"]["requests"] == 40
    assert throughput_report["ratio_to_bare_starlette"] > 0
    # Ten iterations in five alternating rounds of two: a rate and a ratio for each round.
    for server in ("provisim", "bare_starlette"):
        by_round = throughput_report[server]["requests_per_second_by_round"]
        assert len(by_round) == 5 and all(rate > 0 for rate in by_round)
    assert throughput_report["ratio_to_bare_starlette_by_round"] == [
        round(mine / theirs, 2)
        for mine, theirs in zip(
            throughput_report["provisim"]["requests_per_second_by_round"],
            throughput_report["bare_starlette"]["requests_per_second_by_round"],
            strict=True,
        )
    ]
    assert throughput_report["same_http_stack"] is True
    for server in ("provisim", "bare_starlette", "scim2_server"):
        stack = throughput_report[server]["http_stack"]
        assert stack["http"] in ("h11", "httptools") and stack["loop"] in ("asyncio", "uvloop")
    assert len(seen) == 3
    assert report["machine"]["load_average"] is None or len(report["machine"]["load_average"]) == 3
    for cycle in report["cycles"]:
        initial = cycle["initial_cycle"]
        assert 0 < initial["peak_rss_mb"] <= cycle["peak_rss_mb"]
        assert initial["cpu_us_per_user"] > 0 and initial["peak_rss_kb_per_user"] > 0
        # The kernel's share of the cycle's CPU time, and the page faults behind most of it.
        assert 0 <= initial["system_cpu_seconds"] <= initial["cpu_seconds"]
        assert initial["minor_page_faults"] >= 0
    assert {v["status"] for v in report["verdicts"]} <= {"met", "not met", "not measured"}
    json.dumps(report)


def test_bench_refuses_an_unknown_transport_in_one_line() -> None:
    result = CliRunner().invoke(app, ["bench", "--transport", "carrier-pigeon", "--no-compare"])
    assert result.exit_code == 2
    assert "provisim: error: --transport must be asgi or http" in result.stderr


def test_bench_says_in_one_line_when_scim2_server_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # scim2-server comes with the bench extra; a plain install gets told, before any cycle runs.
    real_find_spec = harness.bench.runner.find_spec
    monkeypatch.setattr(
        harness.bench.runner,
        "find_spec",
        lambda name: None if name == "scim2_server" else real_find_spec(name),
    )
    result = CliRunner().invoke(app, ["bench", "--users", "10"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "provisim: error: the throughput comparison needs scim2-server: "
        "pip install 'provisim[bench]', or pass --no-compare"
    ]


def test_the_worker_runs_one_scenario_by_its_module_name() -> None:
    # benchmarks/README.md measures with `python -m harness.bench.worker SCENARIO JSON`.
    done = subprocess.run(
        [sys.executable, "-m", "harness.bench.worker", "cycles", '{"users": 5, "groups": 1}'],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["users"] == 5 and figures["initial_cycle"]["requests"] > 0


def test_the_conformance_command_is_timed_against_a_served_fake_elevate(tmp_path: Path) -> None:
    timed = scenarios.conformance_wall_time(str(tmp_path / "bench"))
    assert timed["exit_code"] == 0, timed
    assert timed["seconds"] > 0
    assert "--token" not in timed["command"]  # the token travels in the environment
    report = json.loads((tmp_path / "bench" / "conformance.json").read_text())
    assert report["verdict"]["passed"] is True


@pytest.mark.parametrize(
    ("created", "match"),
    [
        (
            httpx.Response(409, json={"scimType": "uniqueness"}),
            r"POST /Users answered 409, not 201: .*uniq",
        ),
        # Created, yet the filter after it finds no one.
        (httpx.Response(201, json={"id": "u1"}), r"found 0 users named t1@contoso\.com, not 1"),
    ],
)
def test_a_wrong_answer_stops_the_throughput_run_saying_what_came_back(
    created: httpx.Response, match: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return created
        return httpx.Response(200, json={"totalResults": 0, "Resources": []})

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://bench")
    with client, pytest.raises(RuntimeError, match=match):
        throughput._iteration(client, 1, "t")


@pytest.mark.parametrize("stdout", ["", "figures follow\n", '["not", "an", "object"]\n'])
def test_a_worker_that_prints_no_figures_is_a_failed_benchmark(
    monkeypatch: pytest.MonkeyPatch, stdout: str
) -> None:
    def run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 0, stdout=stdout, stderr="")

    monkeypatch.setattr(scenarios.subprocess, "run", run)
    with pytest.raises(RuntimeError, match="benchmark cycles printed no figures"):
        scenarios.run_isolated("cycles", users=5)


def test_the_validating_transport_finds_violations_both_ways_on_the_scim_request_path() -> None:
    """Each body is parsed once (the client's parse of what it wrote, the response's handed on
    to the engine) and no httpx.Request is built: every violation is still found, with its
    pointer, in the request and in the response."""
    from fake_entra.scim_client import PARSED_BODY_EXTENSION, ScimClient
    from fake_entra.scim_exchange import ScimRequest, ScimResponse

    class BadAnswers(httpx.BaseTransport):
        def handle_scim_request(self, request: ScimRequest) -> httpx.Response:
            body = b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": 7}'
            response = ScimResponse(
                201, headers=[(b"content-type", b"application/scim+json")], content=body
            )
            response.scim_request = request
            return response

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            raise AssertionError("the ScimRequest path was not taken")

    checker = scenarios.ValidatingTransport(BadAnswers())
    client = ScimClient("https://api.linkedin.com/scim/v2", "token", transport=checker)
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ada@example.com",
        "active": "yes",
    }
    response = client.post("Users", body)
    assert checker.exchanges == 1
    found = "\n".join(checker.violations)
    assert "request /active" in found  # from the client's own parse of what it sent
    assert "response /id" in found
    # The engine reads the validator's parse of the response, not a second one.
    assert response.extensions[PARSED_BODY_EXTENSION][0]["id"] == 7


def _cycle_figures(users: int, seconds: float, cpu_us: float, rss_kb: float) -> dict[str, object]:
    return {
        "users": users,
        "transport": "asgi",
        "schema_validation": True,
        "peak_rss_mb": rss_kb * users / 1024 * 1.3,
        "initial_cycle": {
            "seconds": seconds,
            "cpu_us_per_user": cpu_us,
            "peak_rss_mb": rss_kb * users / 1024,
            "peak_rss_kb_per_user": rss_kb,
            "gc_full_collections_during_cycle": 0,
        },
    }


def test_verdicts_read_each_target_against_its_figure() -> None:
    from harness.bench.runner import TARGETS
    from harness.bench.verdicts import verdicts

    report = {
        "cycles": [
            _cycle_figures(10_000, 3.7, 370.0, 18.0),
            _cycle_figures(1_000_000, 800.0, 480.0, 5.0),
        ],
        "throughput": {
            "ratio": 3.5,
            "ratio_to_bare_starlette": 0.9,
            "target_ratio_to_bare_starlette": 0.95,
            "same_http_stack": True,
            "provisim": {"http_stack": {"http": "httptools", "loop": "uvloop"}},
        },
    }
    found = {v["target"]: v for v in verdicts(report, TARGETS)}
    status = {target: v["status"] for target, v in found.items()}
    assert status["10k-user initial cycle, validated, in-process (idle 2-core machine)"] == "met"
    assert status["100k users: peak RSS"] == "not measured"
    assert status["1M-user initial cycle"] == "not met"  # 800 s > 720 s
    assert status["1M users: peak RSS through the initial cycle"] == "met"  # 4.9 GB
    assert status["1M users: no full collection during the cycle"] == "met"
    linear = [v for t, v in found.items() if t.startswith("Linear per user")]
    # CPU a user 480/370 = 1.3 > 1.2: not linear; memory a user fell: linear.
    assert [(v["value"], v["status"]) for v in linear] == [(1.3, "not met"), (0.28, "met")]
    assert status["Fake Elevate vs scim2-server on the Entra mix"] == "met"
    bare = found["Fake Elevate vs bare Starlette, same client and HTTP stack, with httptools"]
    assert (bare["status"], bare["value"]) == ("not met", 0.9)
    # The bare-Starlette target is stated for httptools: on h11 the ratio is not judged.
    report["throughput"]["provisim"] = {"http_stack": {"http": "h11", "loop": "asyncio"}}
    found = {v["target"]: v for v in verdicts(report, TARGETS)}
    assert found[bare["target"]]["status"] == "not measured"
    assert "provisim[speed]" in found[bare["target"]]["needs"]
