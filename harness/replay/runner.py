"""``provisim replay``: send a capture's requests again, in order, and compare the answers.

Each recorded SCIM request is sent to the replay's base URL (``--url``) as recorded,
except for:

* the URL: moved from the recorded base URL to ``--url``, recorded ids rewritten
  (:mod:`harness.replay.aliases`);
* the headers: only ``Content-Type`` and ``Accept`` are taken from the recording (SCIM's
  media type when it has none); ``Authorization`` is ``Bearer`` with the replay's token.
  Nothing else recorded is ever sent: not the recorded credentials, not cookies;
* the body: JSON re-serialised with recorded ids rewritten; text sent as recorded.

Recorded 429 answers are not replayed: they are the recorded server's throttling, and the
retry that followed is in the capture. The replay's own 429s are waited out as
``conformance`` waits them out (:func:`harness.conformance.probe.retry_after_seconds`:
Retry-After in seconds or as an HTTP-date, at most ``max_wait`` seconds, at most
``retries`` times); every attempt is in the evidence. Nothing else is retried: a 5xx or a
timeout is an answer to compare.

Everything goes through ``conformance``'s transport stack (one
:class:`~harness.conformance.rate.RateLimitedTransport` over one
:class:`~harness.conformance.exchanges.RecordingTransport` over one
:class:`~fake_entra.http_limits.BoundedTransport`), so the rate limit, the total deadline
per request (connect, headers and the whole body), the cap on a response body, redirects
never followed, and the recording of evidence (secrets masked, bodies cut at 256 KiB) are
the same as ``conformance``'s.
The first request is a preflight: an endpoint that cannot be reached, or that refuses the
token where the recording did not, ends the replay with :class:`ReplayAbort` (exit 2).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

import httpx

from fake_entra.directory import PortalError
from fake_entra.http_limits import DEFAULT_MAX_BODY_BYTES
from fake_entra.provisioning import validate_tenant_url
from harness.conformance.exchanges import Exchange, ExchangeLog
from harness.conformance.probe import retry_after_seconds
from harness.conformance.rate import ENTRA_REQUESTS_PER_SECOND
from harness.conformance.runner import endpoint_link, tool_version, utc_now
from harness.replay.aliases import IdAliases
from harness.replay.capture import Capture, RecordedExchange, normalize_base
from harness.replay.compare import Difference, compare_outcome
from harness.replay.report import ReplayReportJson, ReplayResult, build_report

SCIM_MEDIA_TYPE: Final = "application/scim+json"


class ReplayAbort(Exception):
    """The replay cannot start or go on: one line for the user, exit code 2."""


@dataclass(frozen=True)
class ReplaySettings:
    """What one replay is asked to do (the CLI's options)."""

    url: str
    token: str
    rate: float = ENTRA_REQUESTS_PER_SECOND
    #: Seconds to wait for each response (conformance's --timeout).
    timeout: float = 30.0
    #: The largest response body read, in bytes (conformance's --max-body).
    max_body: int = DEFAULT_MAX_BODY_BYTES
    #: The longest a Retry-After wait may last, in seconds (as conformance).
    max_wait: float = 10.0
    #: How many times a 429 is retried.
    retries: int = 3

    def __post_init__(self) -> None:
        try:
            # conformance's rule for the target: https, or http on a loopback host only.
            validate_tenant_url(self.url)
        except PortalError as error:
            raise ReplayAbort(f"--url: {error}") from None
        if urlsplit(self.url.strip()).query:
            raise ReplayAbort(
                "--url must be the SCIM base URL without a query: the recorded requests "
                "carry their own"
            )
        if not self.token.strip():
            raise ReplayAbort("--token must not be empty")
        if not self.rate >= 1:
            raise ReplayAbort(f"--rate must be at least 1 request per second, not {self.rate}")
        if not self.timeout > 0:
            raise ReplayAbort(f"--timeout must be positive, not {self.timeout}")
        if self.max_body < 1:
            raise ReplayAbort(f"--max-body must be positive, not {self.max_body}")

    @property
    def base_url(self) -> str:
        return normalize_base(self.url)


class Progress(Protocol):
    def finished(self, result: ReplayResult) -> None: ...


def run_replay(
    settings: ReplaySettings,
    capture: Capture,
    *,
    transport: httpx.BaseTransport | None = None,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = utc_now,
) -> ReplayReportJson:
    """Replay ``capture`` against ``settings.url``; returns the report. ``transport``
    replaces the network; ``clock`` and ``sleep`` drive the rate limiter and the waits."""
    link = endpoint_link(
        rate=settings.rate,
        timeout=settings.timeout,
        max_body=settings.max_body,
        transport=transport,
        clock=clock,
        sleep=sleep,
    )
    log, bucket = link.log, link.bucket
    client = httpx.Client(transport=link.transport, timeout=settings.timeout)
    aliases = IdAliases(capture.base_url, settings.base_url)
    replayer = _Replayer(settings, client, log, aliases, sleep)
    started_at = now()
    results: list[ReplayResult] = []
    try:
        for recorded in capture.exchanges:
            result = replayer.replay(recorded, first=not results)
            results.append(result)
            if progress is not None:
                progress.finished(result)
    finally:
        client.close()
        link.close()
    return build_report(
        results=results,
        capture=capture,
        url=settings.url,
        started_at=started_at,
        duration=clock() - log.started,
        rate=settings.rate,
        timeout=settings.timeout,
        requests=len(log),
        peak_per_second=bucket.peak_per_second(),
        version=tool_version(),
        secrets=[settings.token, *capture.secrets],
    )


class _Replayer:
    def __init__(
        self,
        settings: ReplaySettings,
        client: httpx.Client,
        log: ExchangeLog,
        aliases: IdAliases,
        sleep: Callable[[float], None],
    ) -> None:
        self.settings = settings
        self.client = client
        self.log = log
        self.aliases = aliases
        self.sleep = sleep

    def replay(self, recorded: RecordedExchange, *, first: bool) -> ReplayResult:
        if recorded.status == 429:
            return ReplayResult(
                recorded,
                "skipped",
                "not replayed: the recorded server throttled it (429); the retry that "
                "followed is in the capture",
                (),
                (),
                [],
            )
        pending = self.aliases.uses_unresolved(recorded)
        sent = self._send(recorded)
        last = sent[-1]
        if first:
            self._preflight(recorded, last)
        body, is_json = _body(last)
        self.aliases.learn(
            recorded, last.status, body if is_json else None, last.header("location")
        )
        differences = compare_outcome(
            recorded_status=recorded.status,
            recorded_error=recorded.error,
            recorded_body=self.aliases.rewrite(recorded.response_body),
            recorded_body_known=recorded.response_body_known,
            status=last.status,
            error=last.error,
            body=body,
            body_is_json=is_json,
        )
        return ReplayResult(
            recorded,
            "different" if differences else "same",
            _message(differences, pending),
            tuple(differences),
            tuple(sent),
            pending,
        )

    def _send(self, recorded: RecordedExchange) -> list[Exchange]:
        url = self.aliases.url(recorded.url)
        headers = {
            "Accept": recorded.accept or SCIM_MEDIA_TYPE,
            "Authorization": f"Bearer {self.settings.token}",
        }
        content: bytes | None = None
        if recorded.body is not None:
            body = self.aliases.rewrite(recorded.body)
            if isinstance(body, str):
                content = body.encode()
            else:
                content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
            headers["Content-Type"] = recorded.content_type or SCIM_MEDIA_TYPE
        sent: list[Exchange] = []
        for attempt in range(1 + self.settings.retries):
            mark = self.log.mark()
            try:
                self.client.request(recorded.method, url, content=content, headers=headers)
            except httpx.TransportError:
                pass  # recorded all the same: the exchange says what went wrong
            except httpx.InvalidURL as error:
                raise ReplayAbort(f"exchange #{recorded.number}: {error}") from None
            exchange = self.log.since(mark)[-1]
            sent.append(exchange)
            if exchange.status != 429 or attempt == self.settings.retries:
                break
            # RFC 6585 §4 / RFC 9110 §10.2.3, as conformance waits: within reason.
            wait = retry_after_seconds(exchange.header("retry-after"), exchange.header("date"))
            self.sleep(min(wait, self.settings.max_wait))
        return sent

    def _preflight(self, recorded: RecordedExchange, exchange: Exchange) -> None:
        base = self.settings.base_url
        if exchange.status is None and recorded.status is not None:
            if exchange.timed_out:
                raise ReplayAbort(f"{base} did not answer within {self.settings.timeout:g} s")
            raise ReplayAbort(f"cannot reach {base}: {exchange.error}")
        if exchange.status in (401, 403) and recorded.status not in (401, 403):
            raise ReplayAbort(
                f"{base} refused the token on the first request (HTTP {exchange.status}); "
                "check --token"
            )


def _body(exchange: Exchange) -> tuple[Any, bool]:
    """The replayed body: (JSON value, True), or (text or None, False)."""
    if exchange.status is None or not exchange.response_body:
        return None, False
    value = exchange.json()
    if value is not None:
        return value, True
    return exchange.response_body.decode("utf-8", "replace"), False


def _message(differences: tuple[Difference, ...] | list[Difference], pending: list[int]) -> str:
    if not differences:
        return "same as recorded"
    text = "; ".join(d.describe() for d in differences[:3])
    if len(differences) > 3:
        text += f"; and {len(differences) - 3} more difference(s)"
    if pending:
        creates = ", ".join(f"#{n}" for n in pending)
        text += f" (uses the id created by {creates}, which the replay could not create)"
    return text


__all__ = ["SCIM_MEDIA_TYPE", "ReplayAbort", "ReplaySettings", "run_replay"]
