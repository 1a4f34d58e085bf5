"""Sweeps of the RFC over every response (:mod:`harness.conformance.checks.responses`),
over exchanges written by hand."""

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


def test_an_error_body_that_is_not_scim_error_json_fails(sweep_context: Any) -> None:
    result = sweep_context(
        "RFC7644-3.12-ERROR-BODIES",
        {
            "status": 500,
            "body": b"<html>oops</html>",
            "response_headers": {"content-type": "text/html"},
        },
        {
            "status": 400,
            "body": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": 400},
        },
    )
    assert result.blocking
    assert "2 of" in result.message and "not a JSON object" in result.message
    assert [e.status for e in result.evidence] == [500, 400]


def test_json_instead_of_scim_json_is_a_deviation_that_does_not_fail_the_run(
    sweep_context: Any,
) -> None:
    result = sweep_context(
        "RFC7644-3.8-MEDIA-TYPE",
        {"status": 200, "body": EMPTY, "response_headers": {"content-type": "application/json"}},
    )
    assert result.failed and not result.blocking and "application/json" in result.message


def test_a_response_body_breaking_the_schemas_fails_with_the_pointer(sweep_context: Any) -> None:
    broken = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": []}
    result = sweep_context("RFC7643-SCHEMA-VALIDATION", {"status": 200, "body": broken})
    assert result.blocking and "totalResults" in result.message
