"""Sweeps of how Entra's service sees the endpoint over the whole run: throttling
within 25 requests per second (S1), 5xx and timeouts (S13), and a token that keeps
working (S4).

Sources cited: S-keys as in entra-provisioning-service.md (S1 use-scim-to-provision-
users-and-groups, S4 quarantine, S13 provisioning-log error codes).
"""

from __future__ import annotations

from typing import Final

from harness.conformance.checks.clauses import (
    ENTRA_CREDENTIALS,
    ENTRA_ERRORS,
    ENTRA_THROUGHPUT,
)
from harness.conformance.checks.context import Check, CheckContext
from harness.conformance.exchanges import Exchange
from harness.conformance.rate import ENTRA_REQUESTS_PER_SECOND
from harness.conformance.results import ENTRA_ONLY, Finding, bad, ok


def _throttling(ctx: CheckContext) -> Finding:
    throttled = [e for e in ctx.log.all() if e.status == 429]
    if not throttled:
        return ok("never throttled")
    if ctx.rate > ENTRA_REQUESTS_PER_SECOND:
        return ok(
            f"{len(throttled)} × 429 at --rate {ctx.rate:g}, above the "
            f"{ENTRA_REQUESTS_PER_SECOND:g} requests/s Entra needs: not counted"
        )
    return bad(
        f"{len(throttled)} request(s) answered 429 although the run stayed within "
        f"{ctx.rate:g} requests/s",
        evidence=throttled,
    )


THROUGHPUT: Final = Check.define(
    "ENTRA-S1-THROUGHPUT",
    "No 429 while the run stays within 25 requests per second",
    "Entra S1 (endpoints must handle 25 requests per second per tenant)",
    "MUST",
    ENTRA_ONLY,
    "Sustain at least 25 requests per second per tenant without throttling; Entra pauses "
    "the job for every Retry-After and retries the throttled requests later (S13).",
    _throttling,
    sweep=True,
    microsoft=(ENTRA_THROUGHPUT,),
)


def _server_errors(ctx: CheckContext) -> Finding:
    failed = [e for e in ctx.log.all() if e.status is not None and e.status >= 500]
    if not failed:
        return ok("no 5xx")
    statuses = sorted({str(e.status) for e in failed})
    return bad(f"{len(failed)} response(s) were {', '.join(statuses)}", evidence=failed)


SERVER_ERRORS: Final = Check.define(
    "ENTRA-S13-SERVER-ERRORS",
    "No 5xx responses",
    "Entra S13 (InternalServerError is retried in 40 minutes)",
    "SHOULD",
    ENTRA_ONLY,
    "Do not answer valid requests with 5xx: Entra escrows each and retries it 40 minutes "
    "later, so provisioning lags.",
    _server_errors,
    sweep=True,
    microsoft=(ENTRA_ERRORS,),
)


def _timeouts(ctx: CheckContext) -> Finding:
    late = [e for e in ctx.log.all() if e.timed_out]
    if not late:
        return ok("every request answered in time")
    return bad(f"{len(late)} request(s) got no answer within the timeout", evidence=late)


TIMEOUT: Final = Check.define(
    "ENTRA-S13-TIMEOUT",
    "Every request is answered within the timeout",
    "Entra S13 (Timeout)",
    "MUST",
    ENTRA_ONLY,
    "Answer within the client timeout: Entra logs Timeout and retries 40 minutes later "
    "(scim-for-keycloak#78). Index the filtered attributes (userName, externalId, "
    "displayName).",
    _timeouts,
    sweep=True,
    microsoft=(ENTRA_ERRORS,),
)


def _token_stable(ctx: CheckContext) -> Finding:
    accepted = False
    refused: list[Exchange] = []
    for exchange in ctx.log.all():
        if exchange.expect_refusal or exchange.status is None:
            continue
        if exchange.status in (401, 403):
            if accepted:
                refused.append(exchange)
        elif exchange.status < 400:
            accepted = True
    if not refused:
        return ok("the token was accepted throughout")
    return bad(
        f"the token was accepted, then refused {len(refused)} time(s) (first: "
        f"{refused[0].describe()})",
        evidence=refused,
    )


TOKEN_STABLE: Final = Check.define(
    "ENTRA-S4-TOKEN-STABLE",
    "The Secret Token keeps working for the whole run",
    "Entra S4 (credentials refused: quarantine, EncounteredQuarantineException)",
    "MUST",
    ENTRA_ONLY,
    "Do not revoke or expire the token mid-run: a 401 for a token accepted before puts the "
    "Entra job in quarantine and emails the admin.",
    _token_stable,
    sweep=True,
    microsoft=(ENTRA_CREDENTIALS,),
)


__all__ = ["SERVER_ERRORS", "THROUGHPUT", "TIMEOUT", "TOKEN_STABLE"]
