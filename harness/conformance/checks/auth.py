"""RFC 7644 §2 authentication: a request without valid credentials is refused with 401."""

from __future__ import annotations

from typing import Final

from fake_entra.scim_client import eq_filter
from harness.conformance.checks.clauses import (
    UNAUTHORIZED,
)
from harness.conformance.checks.context import Check, CheckContext
from harness.conformance.results import RFC_ONLY, Finding, bad, ok


def _refused(ctx: CheckContext, token: str | None, what: str) -> Finding:
    exchange = ctx.probe.get(
        "Users",
        {"filter": eq_filter("userName", ctx.guid())},
        auth=token,
        expect_refusal=True,
        retry=False,
    )
    if exchange.status == 401:
        return ok(f"{what}: refused with 401")
    if exchange.status is not None and 200 <= exchange.status < 300:
        return bad(
            f"{what}: answered {exchange.status}; anyone can read the directory",
            "Require a valid bearer token on every resource endpoint and answer 401 without one.",
        )
    return bad(
        f"{what}: {exchange.describe()}, expected 401",
        "Answer 401 Unauthorized (not 403 or 404) when the Authorization header is missing or "
        "the token is not valid: RFC 7644 §3.12 gives 401 to 'authorization header invalid "
        "or missing'.",
    )


def _no_token(ctx: CheckContext) -> Finding:
    return _refused(ctx, None, "GET /Users without an Authorization header")


AUTH_MISSING: Final = Check.define(
    "RFC7644-2-AUTH-MISSING",
    "A request without credentials is refused with 401",
    "RFC 7644 §2, §3.12",
    UNAUTHORIZED.level,
    RFC_ONLY,
    "Answer 401 Unauthorized when the Authorization header is missing.",
    _no_token,
    clauses=(UNAUTHORIZED,),
)


def _wrong_token(ctx: CheckContext) -> Finding:
    return _refused(ctx, f"{ctx.prefix}not-the-token", "GET /Users with a wrong bearer token")


AUTH_WRONG: Final = Check.define(
    "RFC7644-2-AUTH-WRONG",
    "A request with a wrong bearer token is refused with 401",
    "RFC 7644 §2, §3.12; Entra S4 (401 means invalid credentials)",
    UNAUTHORIZED.level,
    RFC_ONLY,
    "Answer 401 Unauthorized when the bearer token is not valid.",
    _wrong_token,
    clauses=(UNAUTHORIZED,),
)


__all__ = ["AUTH_MISSING", "AUTH_WRONG"]
