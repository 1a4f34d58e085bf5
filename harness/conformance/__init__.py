"""``provisim conformance``: the Entra-faithful flow and the RFC 7643/7644 checks against
any SCIM endpoint, with evidence (GitHub issue 6).

One module per concern: :mod:`~harness.conformance.rate` (the request-rate limiter),
:mod:`~harness.conformance.checks` (evidence recording and the RFC checks),
:mod:`~harness.conformance.flow` (the Entra flow through the real provisioning engine),
:mod:`~harness.conformance.report` (JSON, JUnit and HTML reports) and
:mod:`~harness.conformance.runner` (orchestration, progress, exit codes).
"""

from harness.conformance.checks import CHECKS, Check, CheckInfo, CheckResult
from harness.conformance.flow import FLOW_STEPS, EntraFlow
from harness.conformance.rate import LeakyBucket, RateLimitedTransport
from harness.conformance.report import ReportJson, render_html, render_json, render_junit
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
