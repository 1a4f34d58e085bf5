"""The RFC 7643/7644 checks: against Fake Elevate in-process, against its fault profiles,
and the sweeps against exchanges written by hand."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from fake_elevate.faults import with_faults
from harness.conformance.checks import (
    CHECKS,
    RESOURCE_PREFIX,
    CheckContext,
    CheckInfo,
    CheckResult,
    Exchange,
    ExchangeLog,
    RecordingTransport,
    ScimProbe,
    check_by_id,
    evaluate,
    retry_after_seconds,
)
from harness.transport import AsgiTransport

URL = "http://127.0.0.1/scim/v2"
RUN_ID = "t3st"
# The report schema's pattern for check ids.
ID_PATTERN = re.compile(r"^(RFC764[34]|ENTRA)-[A-Z0-9.]+(-[A-Z0-9.]+)*$")


def context(transport: httpx.BaseTransport, token: str, *, rate: float = 25) -> CheckContext:
    log = ExchangeLog()
    recorder = RecordingTransport(transport, log)
    probe = ScimProbe(URL, token, transport=recorder, log=log, timeout=5, sleep=lambda _: None)
    return CheckContext(probe, log, run_id=RUN_ID, rate=rate, rng=random.Random(7))


@pytest.fixture
def elevate() -> FakeElevate:
    return FakeElevate(seed=3)


def elevate_context(elevate: FakeElevate, *faults: str, **options: Any) -> CheckContext:
    _, token = elevate.quick_setup(seats=20)
    app = elevate.asgi_app()
    if faults:
        app = with_faults(app, *faults, **options)
    return context(AsgiTransport(app), token)


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
        "RFC7644-3.4.2.4-PAGINATION",
        "RFC7644-3.12-ERROR-BODIES",
        "RFC7644-2-AUTH-MISSING",
        "RFC7644-2-AUTH-WRONG",
        "RFC7644-3.8-MEDIA-TYPE",
        "RFC7643-SCHEMA-VALIDATION",
    }
    assert wanted <= {check.id for check in CHECKS}


def test_the_replace_on_an_unmatched_value_path_is_entras_alone() -> None:
    # RFC 7644 §3.5.2.3 answers it with 400 noTarget; Entra needs the element created.
    info = check_by_id("ENTRA-S1-PATCH-REPLACE-VALUE-PATH").info
    assert info.scopes == {"entra"} and "3.5.2.3" in info.source


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"level": "OUGHT"}, "unknown level"), ({"scopes": frozenset({"okta"})}, "scopes")],
)
def test_a_check_with_an_unknown_level_or_scope_is_refused(
    changes: dict[str, Any], message: str
) -> None:
    fields = {
        "id": "RFC7644-X",
        "title": "t",
        "source": "RFC 7644",
        "level": "MUST",
        "scopes": frozenset({"rfc"}),
        "hint": "h",
    }
    with pytest.raises(ValueError, match=message):
        CheckInfo(**{**fields, **changes})


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


def test_a_check_whose_test_user_cannot_be_created_is_skipped_with_the_reason() -> None:
    def refuse_posts(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(
                400,
                json={
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "status": "400",
                    "detail": "no",
                },
                headers={"Content-Type": "application/scim+json"},
            )
        return httpx.Response(404)

    ctx = context(httpx.MockTransport(refuse_posts), "token")
    created = check_by_id("RFC7644-3.3-CREATE-USER").run(ctx)
    assert created.outcome == "failed" and "expected 201" in created.message
    skipped = check_by_id("RFC7644-3.4.2.2-FILTER-USERNAME").run(ctx)
    assert skipped.outcome == "skipped" and "needs a test user" in skipped.message
    assert [e.method for e in skipped.evidence] == ["POST"]
    assert not skipped.blocking and created.blocking


# --- the probe ------------------------------------------------------------------------------


def test_the_probe_waits_out_a_retry_after_and_retries_5xx() -> None:
    answers = iter([(429, {"Retry-After": "7"}), (503, {}), (200, {})])

    def answer(request: httpx.Request) -> httpx.Response:
        status, headers = next(answers)
        return httpx.Response(status, headers=headers, json={"ok": status})

    log = ExchangeLog()
    waits: list[float] = []
    probe = ScimProbe(
        URL,
        "token",
        transport=RecordingTransport(httpx.MockTransport(answer), log),
        log=log,
        timeout=5,
        sleep=waits.append,
        max_wait=5,
    )
    final = probe.get("Users")
    assert final.status == 200 and [e.status for e in log] == [429, 503, 200]
    assert waits == [5, 0.5]  # Retry-After 7 capped at max_wait 5; then a back-off


def test_recorded_exchanges_never_hold_the_token() -> None:
    log = ExchangeLog()
    secret = "s3cret-token-value-0123456789"
    probe = ScimProbe(
        URL,
        secret,
        transport=RecordingTransport(
            httpx.MockTransport(lambda r: httpx.Response(200, headers={"Set-Cookie": "a=b"})), log
        ),
        log=log,
        timeout=5,
        sleep=lambda _: None,
    )
    probe.get("Users")
    probe.get("Users", auth="another-token", expect_refusal=True)
    [first, second] = log.all()
    assert first.request_headers["authorization"] == "Bearer <redacted>"
    assert second.expect_refusal and first.response_headers["set-cookie"] == "<redacted>"
    assert secret not in repr(log.all())


@pytest.mark.parametrize(
    ("value", "date", "seconds"),
    [
        ("120", None, 120.0),
        (None, None, 1.0),
        ("soon", None, 1.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", None, 1.0),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(
    value: str | None, date: str | None, seconds: float
) -> None:
    assert retry_after_seconds(value, date) == seconds


# --- the sweeps, over exchanges written by hand ---------------------------------------------


def add(log: ExchangeLog, status: int | None, body: Any = None, **fields: Any) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body else b""
    values: dict[str, Any] = {
        "origin": "entra",
        "method": "GET",
        "url": f"{URL}/Users?filter=userName%20eq%20%22x%22",
        "request_headers": {},
        "request_body": b"",
        "status": status,
        "response_headers": {"content-type": "application/scim+json"},
        "response_body": raw,
        "error": None,
        "timed_out": False,
        "started": 0.0,
        "elapsed": 0.001,
    }
    values.update(fields)
    return log.add(**values)


EMPTY = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    "totalResults": 0,
    "Resources": [],
}


@pytest.fixture
def sweep_context(elevate: FakeElevate) -> Iterator[Callable[..., CheckResult]]:
    ctx = elevate_context(elevate)

    def sweep(check_id: str, *exchanges: dict[str, Any], rate: float = 25) -> CheckResult:
        ctx.rate = rate
        for fields in exchanges:
            add(ctx.log, **fields)
        return check_by_id(check_id).run(ctx)

    yield sweep


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


def test_a_check_that_trips_over_an_unforeseen_answer_is_skipped_not_crashed() -> None:
    def trips() -> Any:
        raise ValueError("Resources is a string")

    info = check_by_id("RFC7644-3.4.2.4-PAGINATION").info
    result = evaluate(info, ExchangeLog(), trips)
    assert result.outcome == "skipped" and not result.blocking
    assert result.message == (
        "provisim could not complete this check (ValueError: Resources is a string)"
    )
