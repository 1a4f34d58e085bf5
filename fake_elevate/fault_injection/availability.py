"""Fault profiles of an unavailable service: a 429 storm with Retry-After, a 5xx burst,
seeded random 503s, slow responses, and a token revoked on the provider's side."""

from __future__ import annotations

import asyncio
import random

from .exchange import FaultRequest, FaultResponse, Forward, scim_error
from .fault import Fault, FaultOptions, in_window


class TooManyRequestsStorm(Fault):
    """``storm_count`` consecutive requests answered 429 with ``Retry-After``, then normal.

    Imitates a rate limiter in front of the SCIM API, as rancher/rancher#54870 added (429, a
    ``Retry-After`` header and a SCIM Error body) and the ≥25 requests/s the gallery asks
    endpoints to bear (entra §6). Entra pauses the job for Retry-After and retries only the
    failed requests (entra §2 "Errors and retries").
    """

    name = "429-storm"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        o = self.options
        if in_window(self._next_index(), o.storm_start, o.storm_count):
            self._hit()
            return scim_error(
                429,
                f"Too many requests: retry after {o.storm_retry_after} seconds",
                headers={"Retry-After": str(o.storm_retry_after)},
            )
        return await forward(request)


class ServerErrorBurst(Fault):
    """``burst_count`` consecutive requests fail with 500/503, then the service recovers.

    Imitates a deployment or an overloaded backend: wso2/product-is#19409 (500 for a bad
    body), GluuFederation/oxTrust#403 (500 on a missing attribute) and the gateway 502/503s
    S13 files under InternalServerError, "automatically retried in 40 minutes" (entra §2).
    """

    name = "5xx-burst"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        o = self.options
        index = self._next_index()
        if in_window(index, o.burst_start, o.burst_count):
            self._hit()
            status = o.burst_statuses[(index - o.burst_start) % len(o.burst_statuses)]
            detail = "Service Unavailable" if status == 503 else "Internal Server Error"
            return scim_error(status, detail)
        return await forward(request)


class Flaky(Fault):
    """Each request fails with 503 with probability ``flaky_rate`` (seeded, so repeatable).

    Imitates intermittent failures such as wso2/product-is#16314 ("SCIM Group PATCH remove
    fails intermittently"); the escrow thresholds (entra §2 "Quarantine") are about how many
    of these a job tolerates.
    """

    name = "flaky"

    def __init__(self, options: FaultOptions) -> None:
        super().__init__(options)
        self._rng = random.Random(f"{options.seed}:flaky")

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        with self._lock:
            fails = self._rng.random() < self.options.flaky_rate
        if fails:
            self._hit()
            return scim_error(503, "Service Unavailable")
        return await forward(request)


class Slow(Fault):
    """Responses arrive ``slow_delay`` seconds late.

    Imitates scim-for-keycloak#78 (a filter query that "runs in a timeout" with 9,000 users)
    and wso2/product-is#6918 (a group PATCH taking 22 s at 1,300 members). Entra logs Timeout
    and retries in 40 minutes (S13). Served for real the middleware sleeps; in-process it
    raises httpx.ReadTimeout when the delay reaches ``slow_timeout_after`` (see module doc).
    """

    name = "slow"

    @property
    def may_suspend(self) -> bool:
        return self.options.served

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        o = self.options
        if not in_window(self._next_index(), o.slow_start, o.slow_count):
            return await forward(request)
        self._hit()
        if o.served:
            await asyncio.sleep(o.slow_delay)
        elif o.slow_timeout_after is not None and o.slow_delay >= o.slow_timeout_after:
            import httpx  # only here: the in-process stand-in for a client-side read timeout

            raise httpx.ReadTimeout(
                f"no response within {o.slow_timeout_after} s (the server takes {o.slow_delay} s)"
            )
        return await forward(request)


class RevokedToken(Fault):
    """After ``revoke_after`` requests every request is refused with 401, whatever the token.

    Imitates a token revoked or expired on the provider's side (LinkedIn tokens expire,
    linkedin-scim.md §2). Entra quarantines the job with EncounteredQuarantineException and
    emails the Notification Email once (entra §2 "Quarantine", S4).
    """

    name = "revoked-token"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        if self._next_index() >= self.options.revoke_after:
            self._hit()
            return scim_error(
                401,
                "Authentication failed: the token has been revoked",
                headers={"WWW-Authenticate": 'Bearer realm="LinkedIn SCIM", error="invalid_token"'},
            )
        return await forward(request)
