"""The RFC checks as a whole (:mod:`harness.conformance.checks`): the registry, and every
check against Fake Elevate in-process, clean and under its fault profiles."""

from __future__ import annotations

import re

import httpx
import pytest
from conformance_support import RUN_ID, context, elevate_context

from fake_elevate.elevate import FakeElevate
from harness.conformance.checks import CHECKS, CheckContext, check_by_id
from harness.conformance.resources import RESOURCE_PREFIX
from harness.conformance.results import CheckResult

# The report schema's pattern for check ids.
ID_PATTERN = re.compile(r"^(RFC764[34]|ENTRA)-[A-Z0-9.]+(-[A-Z0-9.]+)*$")


@pytest.fixture
def elevate() -> FakeElevate:
    return FakeElevate(seed=3)


def run_all(ctx: CheckContext) -> dict[str, CheckResult]:
    ordered = [c for c in CHECKS if not c.sweep] + [c for c in CHECKS if c.sweep]
    return {check.id: check.run(ctx) for check in ordered}


# --- the registry ---------------------------------------------------------------------------


def test_every_check_has_a_stable_id_a_source_a_level_scopes_and_a_hint() -> None:
    ids = [check.id for check in CHECKS]
    assert len(ids) == len(set(ids))
    for check in CHECKS:
        info = check.info
        assert ID_PATTERN.match(info.id), info.id
        assert info.title and info.source and info.hint
        assert info.level in ("MUST", "SHOULD", "MAY")
        assert info.scopes and info.scopes <= {"entra", "rfc"}
        # An id names where the check comes from: RFC ids cite an RFC, ENTRA ids Entra's docs.
        origin = "RFC" if info.id.startswith("RFC") else "Entra"
        assert origin in info.source
    assert check_by_id("RFC7644-3.4.2-EMPTY-SEARCH").info.scopes == {"entra", "rfc"}
    with pytest.raises(KeyError):
        check_by_id("RFC9999-NOPE")


def test_the_checks_the_issue_asks_for_are_all_there() -> None:
    wanted = {
        "RFC7644-4-SERVICE-PROVIDER-CONFIG",
        "RFC7644-4-SCHEMAS",
        "RFC7644-4-RESOURCE-TYPES",
        "RFC7644-3.4.2.2-FILTER-USERNAME",
        "RFC7643-4.1.1-USERNAME-CASE-INSENSITIVE",
        "RFC7644-3.4.2.2-FILTER-EXTERNALID",
        "RFC7644-3.4.2.2-FILTER-GROUP-DISPLAYNAME",
        "RFC7644-3.4.2.2-FILTER-VALUE-PATH",
        "RFC7644-3.4.2-EMPTY-SEARCH",
        "RFC7644-3.3-UNIQUENESS",
        "RFC7644-3.6-DELETE",
        "ENTRA-S1-INACTIVE-USER-RETURNED",
        "ENTRA-S1-PATCH-ADD-VALUE-PATH",
        "ENTRA-S1-PATCH-REPLACE-VALUE-PATH",
        "RFC7644-3.9-EXCLUDED-MEMBERS",
        "RFC7644-3.4.2.4-COUNT",
        "RFC7644-3.4.2.4-START-INDEX",
        "RFC7643-4.1.1-USERNAME-UNIQUE-CASE",
        "RFC7644-3.4.2.2-FILTER-ATTRIBUTE-CASE",
        "RFC7643-2.5-NULL-UNASSIGNED",
        "RFC7644-3.12-ERROR-BODIES",
        "RFC7644-2-AUTH-MISSING",
        "RFC7644-2-AUTH-WRONG",
        "RFC7643-SCHEMA-VALIDATION",
    }
    assert wanted <= {check.id for check in CHECKS}


def test_the_replace_on_an_unmatched_value_path_is_entras_alone() -> None:
    # RFC 7644 §3.5.2.3 answers it with 400 noTarget; Entra needs the element created.
    info = check_by_id("ENTRA-S1-PATCH-REPLACE-VALUE-PATH").info
    assert info.scopes == {"entra"} and "3.5.2.3" in info.source


def test_the_sweeps_come_last_and_the_registry_keeps_its_order() -> None:
    # Test resources are created on first use: the order decides which check sends what.
    sweeps = [check.sweep for check in CHECKS]
    assert sweeps == sorted(sweeps)
    assert CHECKS[0].id == "RFC7644-4-SERVICE-PROVIDER-CONFIG"
    assert CHECKS[-1].id == "ENTRA-S4-TOKEN-STABLE"


# --- against Fake Elevate -------------------------------------------------------------------


def test_fake_elevate_passes_every_check(elevate: FakeElevate) -> None:
    ctx = elevate_context(elevate)
    results = run_all(ctx)
    failed = {i: r.message for i, r in results.items() if r.outcome != "passed"}
    assert failed == {}
    # Every test resource is named with the run's prefix and registered for the clean-up.
    names = [name for _, _, name in ctx.created.items]
    assert names and all(name.startswith(f"{RESOURCE_PREFIX}{RUN_ID}-") for name in names)
    assert {endpoint for endpoint, _, _ in ctx.created.items} == {"Users", "Groups"}


@pytest.mark.parametrize(
    ("profile", "failing", "hint"),
    [
        ("empty-search-404", {"RFC7644-3.4.2-EMPTY-SEARCH"}, "never 404"),
        (
            "case-sensitive-username",
            {"RFC7643-4.1.1-USERNAME-CASE-INSENSITIVE"},
            "case-insensitively",
        ),
        ("members-in-excluded", {"RFC7644-3.9-EXCLUDED-MEMBERS"}, "excludedAttributes=members"),
        ("no-location", {"RFC7644-3.3-CREATE-LOCATION"}, "Location header"),
        ("hide-inactive", {"ENTRA-S1-INACTIVE-USER-RETURNED"}, "only deleted users may answer 404"),
        ("ignore-active", {"ENTRA-S1-INACTIVE-USER-RETURNED"}, "acknowledged but"),
        (
            "value-path-notarget",
            {"ENTRA-S1-PATCH-ADD-VALUE-PATH", "ENTRA-S1-PATCH-REPLACE-VALUE-PATH"},
            "Create the element",
        ),
    ],
)
def test_each_fault_is_caught_by_its_check_with_evidence_and_a_hint(
    elevate: FakeElevate, profile: str, failing: set[str], hint: str
) -> None:
    results = run_all(elevate_context(elevate, profile))
    assert {i for i, r in results.items() if r.failed} == failing
    for check_id in failing:
        result = results[check_id]
        assert result.hint is not None and hint in result.hint
        assert result.evidence, "a failure carries its exchanges"
        assert all(e.origin == "probe" for e in result.evidence)


def test_a_discovery_list_without_total_results_says_so() -> None:
    """django-scim2 serves /Schemas and /ResourceTypes as ListResponses without
    totalResults: the failure and its hint name the missing attribute, not just the shape."""
    listing = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "Resources": [{"id": "urn:ietf:params:scim:schemas:core:2.0:User", "endpoint": "/Users"}],
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=listing))
    for check_id in ("RFC7644-4-SCHEMAS", "RFC7644-4-RESOURCE-TYPES"):
        result = check_by_id(check_id).run(context(transport, "t"))
        assert result.outcome == "failed"
        assert "totalResults is missing" in result.message
        assert result.hint is not None and "totalResults" in result.hint
