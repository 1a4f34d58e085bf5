"""What the RFC checks share (:mod:`harness.conformance.checks.context`): test resources
created on first use, and what becomes of a check whose resource could not be created."""

from __future__ import annotations

import httpx
from conformance_support import context

from harness.conformance.checks import check_by_id


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
