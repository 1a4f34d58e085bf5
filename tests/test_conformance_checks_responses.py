"""Sweeps of the RFC over every response (:mod:`harness.conformance.checks.responses`),
over exchanges written by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conformance_support import URL, elevate_context, sweeper

from fake_elevate.elevate import FakeElevate
from harness.conformance.results import CheckResult
from harness.validation import SERVICE_PROVIDER_CONFIG, USER, validate_body


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


def test_a_response_body_breaking_the_schemas_fails_with_the_pointer(sweep_context: Any) -> None:
    broken = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": []}
    result = sweep_context("RFC7643-SCHEMA-VALIDATION", {"status": 200, "body": broken})
    assert result.blocking and "totalResults" in result.message


def _service_provider_config() -> dict[str, Any]:
    ctx = elevate_context(FakeElevate(seed=3))
    body = ctx.service_provider_config().json()
    assert isinstance(body, dict)
    return body


def test_null_for_an_optional_attribute_is_unassigned_not_a_schema_violation(
    sweep_context: Any,
) -> None:
    # RFC 7643 §2.5: null is the same as unassigned. Seen on "documentationUri": null.
    config = dict(_service_provider_config(), documentationUri=None)
    assert validate_body(config, SERVICE_PROVIDER_CONFIG) == []
    result = sweep_context(
        "RFC7643-SCHEMA-VALIDATION",
        {"status": 200, "body": config, "url": f"{URL}/ServiceProviderConfig"},
    )
    assert not result.failed, result.message


def test_null_for_a_required_attribute_is_still_a_violation() -> None:
    config = dict(_service_provider_config(), patch=None)
    assert [v.pointer for v in validate_body(config, SERVICE_PROVIDER_CONFIG)] == [""]
    # Nothing else is loosened: a null inside an array is no attribute, and stays wrong.
    user = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "a",
        "emails": [None],
    }
    assert validate_body(user, USER, where="request") != []
    assert validate_body(dict(user, emails=[], nickName=None), USER, where="request") == []
