"""The report of a load run: the verdict against Entra's 25 requests/s per tenant, the
per-kind figures, printable remote text, exit codes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.load.report import build_report, exit_code, printable, summary_lines
from harness.load.settings import LoadSettings


def _results(
    *,
    rate_span: float = 10.0,
    requests: int = 251,
    failures: int = 0,
    throttled: int = 0,
    tenants: int = 2,
) -> dict[str, Any]:
    kind = {
        "kind": "POST /Users (create)",
        "method": "POST",
        "requests": requests * tenants,
        "failures": failures + throttled,
        "percentiles_ms": {"0.5": 2, "0.95": 9, "0.99": 20},
        "average_ms": 3.2,
        "max_ms": 30.0,
    }
    return {
        "elapsed_s": 10.0,
        "kinds": [kind],
        "total": {
            "requests": requests * tenants,
            "failures": failures + throttled,
            "percentiles_ms": {"0.5": 2, "0.95": 9, "0.99": 20},
        },
        "errors": [
            {
                "kind": "POST /Users (create)",
                "method": "POST",
                "error": "HTTP 500\x1b[31m",
                "occurrences": failures,
            }
        ]
        if failures
        else [],
        "tally": {
            "validated": requests * tenants,
            "throttled": throttled,
            "throttled_by_kind": {"POST /Users (create)": throttled} if throttled else {},
            "retry_after": [2.0] * throttled,
            "created": [["Users", "i1", "n1"], ["Groups", "g1", "g"]],
            "unanswered": [],
            "tenants": {
                f"t{i}": {"requests": requests, "throttled": 0, "first": 0.0, "last": rate_span}
                for i in range(tenants)
            },
        },
    }


def _report(results: dict[str, Any], **settings: Any) -> dict[str, Any]:
    config = LoadSettings(url="http://127.0.0.1/scim", run_id="abcd", **settings)
    return build_report(config, results, mode={"kind": "local", "workers": 0}, cleanup=None)


def test_25_per_tenant_without_429_or_error_is_sustained() -> None:
    report = _report(_results())
    assert report["verdict"]["outcome"] == "sustained" and exit_code(report) == 0
    assert [t["requestsPerSecond"] for t in report["tenants"]] == [25.0, 25.0]
    kind = report["kinds"][0]
    assert (kind["p50Ms"], kind["p95Ms"], kind["p99Ms"]) == (2, 9, 20)
    assert kind["requestsPerSecond"] == 50.2
    assert report["created"]["users"] == 1 and report["created"]["groups"] == 1


def test_429s_make_the_verdict_throttled_and_are_not_errors() -> None:
    report = _report(_results(throttled=3))
    assert report["verdict"]["outcome"] == "throttled" and exit_code(report) == 1
    assert report["kinds"][0]["errors"] == 0 and report["kinds"][0]["throttled"] == 3
    assert report["throttling"]["retryAfterS"] == {"min": 2.0, "max": 2.0}


def test_server_errors_fail_the_verdict_and_remote_text_is_made_printable() -> None:
    report = _report(_results(failures=4))
    assert report["verdict"]["outcome"] == "errors" and exit_code(report) == 1
    assert report["failures"][0]["error"] == "HTTP 500\\x1b[31m"
    assert all("\x1b" not in line for line in summary_lines(report))


def test_a_tenant_below_90_percent_of_the_rate_is_not_reached() -> None:
    report = _report(_results(rate_span=20.0))
    assert report["verdict"]["outcome"] == "not reached" and exit_code(report) == 1


def test_a_rate_below_25_establishes_nothing() -> None:
    report = _report(_results(rate_span=20.0), rate=12.5)
    assert report["verdict"]["outcome"] == "not established" and exit_code(report) == 2


@pytest.mark.parametrize(("every", "word"), [(1, "every response"), (4, "one response in 4")])
def test_the_report_states_the_validation_sampling(every: int, word: str) -> None:
    report = _report(_results(), validate_every=every)
    assert word in report["schemaValidation"]["statement"]
    assert any(word in line for line in summary_lines(report))


def test_printable_caps_length_and_escapes_controls() -> None:
    assert printable("a\nb\x00c") == "a\\x0ab\\x00c"
    assert len(printable("x" * 1000, 50)) == 50


def test_an_interrupted_run_exits_130_with_its_report() -> None:
    config = LoadSettings(url="http://127.0.0.1/scim", run_id="abcd")
    report = build_report(
        config, _results(), mode={"kind": "local"}, cleanup=None, interrupted=True
    )
    assert report["verdict"]["outcome"] == "sustained" and exit_code(report) == 130
    assert "(interrupted)" in summary_lines(report)[0]


def test_printable_escapes_what_conformance_escapes() -> None:
    # One routine for every terminal (harness.terminal): escape sequences, C1 controls and
    # bidirectional overrides from an endpoint never reach the terminal raw.
    shown = printable("\x1b]8;;https://evil.example/\x1b\\x\u202eok\x9b31m\u2028")
    assert shown == "\\x1b]8;;https://evil.example/\\x1b\\x\\u202eok\\x9b31m\\u2028"


def test_the_token_is_masked_wherever_an_endpoint_put_it() -> None:
    token = "load-token-3f9a1c"
    results = _results(failures=2)
    results["errors"][0]["error"] = f"HTTP 401: token {token} is not welcome"
    results["tally"]["test_connection_failures"] = [f"detail: Bearer {token}"]
    results["tally"]["examples"] = [f"response: 'x' is not valid ({token})"]
    config = LoadSettings(url="http://127.0.0.1/scim", run_id="abcd")
    report = build_report(
        config, results, mode={"kind": "local", "workers": 0}, cleanup=None, secrets=[token]
    )
    assert token not in json.dumps(report)
    assert "is not welcome" in report["failures"][0]["error"]
    assert all(token not in line for line in summary_lines(report))
