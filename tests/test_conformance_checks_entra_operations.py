"""Sweeps of how Entra's service sees the endpoint
(:mod:`harness.conformance.checks.entra_operations`), over exchanges written by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conformance_support import EMPTY, sweeper

from fake_elevate.elevate import FakeElevate
from harness.conformance.results import CheckResult


@pytest.fixture
def sweep_context() -> Callable[..., CheckResult]:
    return sweeper(FakeElevate(seed=3))


@pytest.mark.parametrize(("rate", "fails"), [(25, True), (50, False)])
def test_a_429_counts_only_when_the_run_stayed_within_entras_rate(
    sweep_context: Any, rate: float, fails: bool
) -> None:
    result = sweep_context(
        "ENTRA-S1-THROUGHPUT", {"status": 429, "body": {"detail": "slow down"}}, rate=rate
    )
    assert result.failed is fails


def test_5xx_timeouts_and_a_token_refused_after_it_worked_are_swept(sweep_context: Any) -> None:
    assert sweep_context("ENTRA-S13-SERVER-ERRORS", {"status": 503}).failed
    late = sweep_context(
        "ENTRA-S13-TIMEOUT", {"status": None, "error": "ReadTimeout", "timed_out": True}
    )
    assert late.blocking and "1 request(s)" in late.message
    # A 401 to a request sent without credentials on purpose is the right answer...
    fine = sweep_context("ENTRA-S4-TOKEN-STABLE", {"status": 401, "expect_refusal": True})
    assert fine.outcome == "passed"
    # ...but once the token was accepted, a 401 for it is a revocation.
    revoked = sweep_context(
        "ENTRA-S4-TOKEN-STABLE", {"status": 200, "body": EMPTY}, {"status": 401}
    )
    assert revoked.blocking and revoked.evidence[-1].status == 401
