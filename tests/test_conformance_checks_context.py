"""What the RFC checks share (:mod:`harness.conformance.checks.context`): test resources
created on first use, what becomes of a check whose resource could not be created, and
the server's /ServiceProviderConfig, read once."""

from __future__ import annotations

import httpx
from conformance_support import context, elevate_context

from fake_elevate.elevate import FakeElevate
from harness.conformance.checks import check_by_id
from harness.conformance.results import BlockKind, Outcome


def test_a_check_whose_test_user_cannot_be_created_is_an_error_never_a_pass() -> None:
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
    assert created.outcome is Outcome.FAILED and "expected 201" in created.message
    blocked = check_by_id("RFC7644-3.4.2.2-FILTER-USERNAME").run(ctx)
    assert blocked.outcome is Outcome.NOT_ESTABLISHED and "needs a test user" in blocked.message
    assert blocked.blocked_by is not None
    assert blocked.blocked_by.kind is BlockKind.PREREQUISITE
    # The report names the earlier failure that blocked it: the create check's POST.
    assert blocked.blocked_by.check == "RFC7644-3.3-CREATE-USER"
    assert blocked.blocked_by.cause == blocked.message
    assert [e.method for e in blocked.evidence] == ["POST"]
    # It fails nothing, but it is a MUST check that established nothing either.
    assert not blocked.blocking and blocked.not_established and created.blocking


def test_the_service_provider_config_is_read_once_and_kept() -> None:
    ctx = elevate_context(FakeElevate(seed=3))
    first = ctx.service_provider_config()
    assert first.status == 200 and ctx.service_provider_config() is first
    assert [e.path for e in ctx.log].count("/scim/v2/ServiceProviderConfig") == 1
