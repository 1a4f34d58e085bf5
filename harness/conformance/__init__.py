"""``provisim conformance``: the Entra-faithful flow and the RFC 7643/7644 checks against
any SCIM endpoint, with evidence (GitHub issue 6).

One module per concern: :mod:`~harness.conformance.exchanges` (the evidence: every
exchange, recorded), :mod:`~harness.conformance.probe` (the checks' own SCIM client),
:mod:`~harness.conformance.rate` (the request-rate limiter),
:mod:`~harness.conformance.results` (what a check is and what it found),
:mod:`~harness.conformance.sources` (the quoted RFC clauses, levels and links),
:mod:`~harness.conformance.causes` (root causes, request shapes, curl evidence),
:mod:`~harness.conformance.resources` (the test resources and their clean-up),
:mod:`~harness.conformance.checks` (the RFC checks, one module per area),
:mod:`~harness.conformance.flow` (the Entra flow through the real provisioning engine,
one module per phase), :mod:`~harness.conformance.report` (JSON, JUnit and HTML reports)
and :mod:`~harness.conformance.runner` (orchestration, progress, exit codes).
"""

from harness.conformance.checks import CHECKS, Check
from harness.conformance.flow import FLOW_STEPS, EntraFlow
from harness.conformance.rate import LeakyBucket, RateLimitedTransport
from harness.conformance.report import ReportJson, render_html, render_json, render_junit
from harness.conformance.results import CheckInfo, CheckResult
from harness.conformance.runner import (
    ConformanceAbort,
    ConformanceSettings,
    exit_code,
    run_conformance,
)

__all__ = [
    "CHECKS",
    "FLOW_STEPS",
    "Check",
    "CheckInfo",
    "CheckResult",
    "ConformanceAbort",
    "ConformanceSettings",
    "EntraFlow",
    "LeakyBucket",
    "RateLimitedTransport",
    "ReportJson",
    "exit_code",
    "render_html",
    "render_json",
    "render_junit",
    "run_conformance",
]
