"""The checks' own SCIM client, with manners: it retries what a well-behaved client retries.

The probe sends the checks' requests and the flow's read-backs through the run's shared
transport (so the recorder and the rate limiter see them) and labels them ``probe`` in the
:class:`~harness.conformance.exchanges.ExchangeLog`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import suppress
from email.utils import parsedate_to_datetime
from typing import Any, Final

import httpx

from fake_entra.scim_client import SCIM_MEDIA_TYPE, TenantUrl, encode_query
from harness.conformance.exchanges import Exchange, ExchangeLog

_DEFAULT_AUTH: Final = object()


class ScimProbe:
    """A SCIM client for checks and read-backs, with manners.

    Transient failures (429 with Retry-After, 5xx, timeouts) are retried a few times after
    a wait, as a well-behaved client does, so one throttled request does not fail a check
    about filters; the sweeps still see every attempt in the log.
    """

    def __init__(
        self,
        tenant_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport,
        log: ExchangeLog,
        timeout: float,
        sleep: Callable[[float], None],
        retries: int = 3,
        max_wait: float = 10.0,
    ) -> None:
        self.tenant_url = TenantUrl(tenant_url)
        self.token = token
        self.log = log
        self._sleep = sleep
        self.retries = retries
        self.max_wait = max_wait
        # The transport belongs to the run, not to this client: never closed here.
        self._http = httpx.Client(transport=transport, timeout=timeout)

    @property
    def base_url(self) -> str:
        return self.tenant_url.base_url

    def url_for(self, path: str, params: Mapping[str, str] | None = None) -> str:
        query = [*self.tenant_url.parameters, *(params or {}).items()]
        url = self.tenant_url.url_for(path)
        if query:
            url += "?" + encode_query(query)  # spaces as "+", as Entra sends them
        return url

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        auth: Any = _DEFAULT_AUTH,
        expect_refusal: bool = False,
        retry: bool = True,
    ) -> Exchange:
        """Send one request (retrying transient failures); returns the last exchange."""
        headers = {"Accept": SCIM_MEDIA_TYPE}
        token = self.token if auth is _DEFAULT_AUTH else auth
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        content = None
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = SCIM_MEDIA_TYPE
        url = self.url_for(path, params)
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(attempts):
            mark = self.log.mark()
            # A transport error (timeout, refused connection) is recorded all the same.
            with (
                self.log.annotate(origin="probe", expect_refusal=expect_refusal),
                suppress(httpx.TransportError),
            ):
                self._http.request(method, url, content=content, headers=headers)
            exchange = self.log.since(mark)[-1]
            wait = self._transient_wait(exchange, attempt)
            if wait is None or attempt == attempts - 1:
                return exchange
            self._sleep(wait)
        raise AssertionError("unreachable: the loop returns on its last attempt")

    def _transient_wait(self, exchange: Exchange, attempt: int) -> float | None:
        if exchange.timed_out or (exchange.status is not None and exchange.status >= 500):
            return min(0.25 * 2.0**attempt, self.max_wait)
        if exchange.status == 429:
            # RFC 6585 §4 / RFC 9110 §10.2.3: wait as long as the server asks, within reason.
            delay = retry_after_seconds(exchange.header("retry-after"), exchange.header("date"))
            return min(delay, self.max_wait)
        return None

    def get(self, path: str, params: Mapping[str, str] | None = None, **options: Any) -> Exchange:
        return self.send("GET", path, params=params, **options)

    def post(self, path: str, body: Any) -> Exchange:
        return self.send("POST", path, body=body)

    def patch(self, path: str, body: Any) -> Exchange:
        return self.send("PATCH", path, body=body)

    def delete(self, path: str) -> Exchange:
        return self.send("DELETE", path)

    def close(self) -> None:
        self._http.close()


def retry_after_seconds(value: str | None, date: str | None = None, default: float = 1.0) -> float:
    """A Retry-After header in seconds: delay-seconds, or an HTTP-date read against the
    response's own Date header (RFC 9110 §10.2.3); ``default`` when neither can be read."""
    if not value:
        return default
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        until = parsedate_to_datetime(text)
        sent = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return default
    if sent is None:
        return default
    return max((until - sent).total_seconds(), 0.0)


__all__ = ["ScimProbe", "retry_after_seconds"]
