"""``provisim conformance``: the orchestration, the progress display and the exit codes.

A run, in order:

1. Preflight: Entra's own Test Connection probe (a userName filter for a random GUID).
   An endpoint that cannot be reached, or that refuses the token on this very first call,
   ends the run at once with exit code 2 and one line saying so.
2. The Entra flow (:mod:`harness.conformance.flow`), once per dialect asked for, each on
   its own test resources.
3. The RFC 7643/7644 checks (:mod:`harness.conformance.checks`).
4. The clean-up: every test resource created is deleted, groups first, unless ``keep``.
5. The sweeps, which judge every exchange of the run (the clean-up's included).

Every request of the run, the engine's and the checks', shares one recorder and one
rate limiter, so ``rate`` holds for the run as a whole. Exit codes: 0 when no MUST check
failed, 1 when one did (SHOULD and MAY deviations never fail the run), 2 when a verdict
is not established because a MUST check could not run (the report's verdict says which
and why), and 2 with no report for usage errors, an unreachable endpoint or a token
refused on the first call.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Final, Protocol

import httpx
from rich.console import Console
from rich.markup import escape

from fake_entra.dialects import Dialect
from fake_entra.directory import PortalError
from fake_entra.http_limits import DEFAULT_MAX_BODY_BYTES, BoundedTransport, ResponseLimits
from fake_entra.provisioning import validate_tenant_url
from fake_entra.scim_client import eq_filter
from harness.conformance.checks import CHECKS, CheckContext
from harness.conformance.exchanges import ExchangeLog, RecordingTransport
from harness.conformance.flow import FLOW_STEPS, EntraFlow
from harness.conformance.probe import ScimProbe
from harness.conformance.rate import ENTRA_REQUESTS_PER_SECOND, LeakyBucket, RateLimitedTransport
from harness.conformance.report import (
    EXIT_FAILED,
    EXIT_NOT_ESTABLISHED,
    EXIT_PASSED,
    ReportJson,
    ScopeVerdictJson,
    build_report,
    result_key,
)
from harness.conformance.resources import CreatedResources, clean_up
from harness.conformance.results import (
    Blocker,
    BlockKind,
    CheckInfo,
    CheckResult,
    Outcome,
    could_not_run,
)
from harness.conformance.shapes import catalogue_line
from harness.conformance.sources import citations
from harness.terminal import safe_line

#: Usage errors, an endpoint that cannot be reached, a token refused on the first call.
EXIT_USAGE: Final = 2

_RUN_ID: Final = re.compile(r"^[A-Za-z0-9-]{1,32}$")


class ConformanceAbort(Exception):
    """The run cannot start or go on: one line for the user, exit code 2."""


@dataclass(frozen=True)
class ConformanceSettings:
    """What one run is asked to do (the CLI's options)."""

    url: str
    token: str
    dialects: tuple[Dialect, ...] = (Dialect.DEFAULT,)
    #: Requests per second, never exceeded; Entra asks endpoints to sustain 25 (S1).
    rate: float = ENTRA_REQUESTS_PER_SECOND
    keep: bool = False
    #: Seconds each request may take in all: connect, headers and the whole body.
    timeout: float = 30.0
    #: The largest response body read, in bytes; a larger one ends its request.
    max_body: int = DEFAULT_MAX_BODY_BYTES
    #: Names the test resources (provisim-conformance-<run_id>-...); unique per run, so
    #: that resources a --keep run left behind never collide with a later run's.
    run_id: str = "local"
    seed: int = 0
    #: The longest a Retry-After or back-off wait may last, in seconds.
    max_wait: float = 10.0

    def __post_init__(self) -> None:
        try:
            # Entra's own rule for the Tenant URL: https, or http on a loopback host.
            validate_tenant_url(self.url)
        except PortalError as error:
            raise ConformanceAbort(f"--url: {error}") from None
        if not self.token.strip():
            raise ConformanceAbort("--token must not be empty")
        if not self.dialects:
            raise ConformanceAbort("at least one dialect is needed")
        if not self.rate >= 1:
            raise ConformanceAbort(f"--rate must be at least 1 request per second, not {self.rate}")
        if not self.timeout > 0:
            raise ConformanceAbort(f"--timeout must be positive, not {self.timeout}")
        if self.max_body < 1:
            raise ConformanceAbort(f"--max-body must be positive, not {self.max_body}")
        if not _RUN_ID.match(self.run_id):
            raise ConformanceAbort(f"the run id {self.run_id!r} must be 1-32 letters, digits or -")


# --- progress -------------------------------------------------------------------------------


class Progress(Protocol):
    def started(self, info: CheckInfo, dialect: str | None) -> None: ...

    def finished(self, result: CheckResult) -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


class SilentProgress:
    """Not a terminal: no live output; the caller prints the summary at the end."""

    def started(self, info: CheckInfo, dialect: str | None) -> None:
        pass

    def finished(self, result: CheckResult) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


_MARKS: Final = {
    "PASS": "[green]PASS[/]",
    "FAIL": "[bold red]FAIL[/]",
    "WARN": "[yellow]WARN[/]",
    "ERROR": "[bold magenta]ERROR[/]",
    "N/E": "[magenta]N/E[/]",
    "SKIP": "[dim]SKIP[/]",
}


_WORDS: Final = {
    Outcome.PASSED.value: "PASS",
    Outcome.FAILED.value: "FAIL",
    Outcome.DEVIATION.value: "WARN",
    Outcome.ERROR.value: "ERROR",
    Outcome.NOT_ESTABLISHED.value: "N/E",
    Outcome.SKIPPED.value: "SKIP",
}


def outcome_word(result: CheckResult) -> str:
    """PASS, FAIL (a MUST failure), WARN (a SHOULD/MAY deviation), ERROR (provisim could
    not run it), N/E (not established: its precondition never happened) or SKIP (does not
    apply, says discovery)."""
    return _WORDS[result.outcome.value]


def _gap(word: str) -> str:
    """The spaces after an outcome word, so that what follows starts in one column (the
    words are 4 or 5 letters; "PASS  " as ever)."""
    return " " * (6 - len(word))


def _name(info: CheckInfo, dialect: str | None) -> str:
    return f"{info.id} [{dialect}]" if dialect else info.id


class LiveProgress:
    """On a terminal: a spinner on the running check and one line per finished check."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._status = console.status("Starting", spinner="dots")
        self._status.start()

    def started(self, info: CheckInfo, dialect: str | None) -> None:
        self._status.update(_shown(f"{_name(info, dialect)}: {info.title}"))

    def finished(self, result: CheckResult) -> None:
        word = outcome_word(result)
        line = f"{_MARKS[word]}{_gap(word)}{_shown(result.key)}  "
        line += _shown(result.info.title)
        self.console.print(line, highlight=False)
        if result.outcome is not Outcome.PASSED:
            self.console.print(f"      {_shown(result.message)}", highlight=False, style="dim")
        if result.blocked_by is not None and result.blocked_by.check:
            self.console.print(
                f"      blocked by: {_shown(result.blocked_by.check)}", highlight=False
            )
        if result.hint:
            self.console.print(f"      fix: {_shown(result.hint)}", highlight=False)
        if result.outcome in (Outcome.FAILED, Outcome.DEVIATION):
            for clause in result.info.clauses:
                self.console.print(f"      {_shown(clause.describe())}", highlight=False)

    def note(self, text: str) -> None:
        self._status.update(_shown(text))

    def close(self) -> None:
        self._status.stop()


def _shown(text: str) -> str:
    """Text that may hold a server's words, as rich markup for one line: secrets masked,
    control characters escaped, markup escaped."""
    return escape(safe_line(text))


# --- the run --------------------------------------------------------------------------------


def utc_now() -> datetime:
    """Now, in UTC: when a report says its run started."""
    return datetime.now(UTC)


def tool_version() -> str:
    """provisim's version, as a report names the tool that wrote it."""
    try:
        return version("provisim")
    except PackageNotFoundError:  # a checkout used without installing
        return "0+unknown"


@dataclass(frozen=True)
class EndpointLink:
    """How every request to the endpoint travels: at most ``rate`` a second (``bucket``),
    recorded in ``log``, over ``network`` with the deadline and body cap of each request."""

    log: ExchangeLog
    bucket: LeakyBucket
    network: httpx.BaseTransport
    #: What callers send through: the limiter outside the recorder, so an exchange's time
    #: is the endpoint's, not the wait.
    transport: httpx.BaseTransport
    #: ``network`` was made here (not handed in), so the caller closes it.
    owns_network: bool

    def close(self) -> None:
        if self.owns_network:
            self.network.close()


def endpoint_link(
    *,
    rate: float,
    timeout: float,
    max_body: int,
    transport: httpx.BaseTransport | None,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> EndpointLink:
    """The link ``conformance`` and ``replay`` reach an endpoint through; ``transport``
    replaces the network (an in-process ASGI app, say)."""
    log = ExchangeLog(clock)
    bucket = LeakyBucket(rate, clock=clock, sleep=sleep)
    network = (
        transport
        if transport is not None
        else BoundedTransport(httpx.HTTPTransport(), ResponseLimits(timeout, max_body))
    )
    shared = RateLimitedTransport(RecordingTransport(network, log), bucket)
    return EndpointLink(log, bucket, network, shared, owns_network=transport is None)


def run_conformance(
    settings: ConformanceSettings,
    *,
    transport: httpx.BaseTransport | None = None,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = utc_now,
) -> ReportJson:
    """Run everything against ``settings.url`` and return the report.

    ``transport`` replaces the network (an in-process ASGI app, say); ``clock`` and
    ``sleep`` drive the rate limiter and every wait; ``now`` stamps the report. Raises
    :class:`ConformanceAbort` when the endpoint cannot be reached or refuses the token on
    the first call.
    """
    progress = progress or SilentProgress()
    link = endpoint_link(
        rate=settings.rate,
        timeout=settings.timeout,
        max_body=settings.max_body,
        transport=transport,
        clock=clock,
        sleep=sleep,
    )
    log, bucket, shared = link.log, link.bucket, link.transport
    probe = ScimProbe(
        settings.url,
        settings.token,
        transport=shared,
        log=log,
        timeout=settings.timeout,
        sleep=sleep,
        max_wait=settings.max_wait,
    )
    created = CreatedResources()
    ctx = CheckContext(
        probe,
        log,
        run_id=settings.run_id,
        rate=settings.rate,
        rng=random.Random(f"{settings.seed}:{settings.run_id}"),
        created=created,
    )
    started_at = now()
    results: list[CheckResult] = []

    def finished(result: CheckResult) -> None:
        results.append(result)
        progress.finished(result)

    try:
        progress.note(f"Connecting to {probe.base_url}")
        _preflight(probe, ctx, settings.timeout)
        try:
            _run_phases(settings, ctx, shared, progress, finished, sleep)
        except KeyboardInterrupt:
            # Interrupted: still remove what was created, then stop.
            if not settings.keep:
                progress.note("Interrupted: cleaning up")
                clean_up(probe, created, keep=False)
            raise
        progress.note(f"Cleaning up {len(created.items)} test resource(s)")
        cleanup = clean_up(probe, created, keep=settings.keep)
        for check in (c for c in CHECKS if c.sweep):
            progress.started(check.info, None)
            finished(check.run(ctx))
    finally:
        progress.close()
        probe.close()
        link.close()
    return build_report(
        results=results,
        url=settings.url,
        dialects=[d.value for d in settings.dialects],
        run_id=settings.run_id,
        started_at=started_at,
        duration=clock() - log.started,
        rate=settings.rate,
        timeout=settings.timeout,
        requests=len(log),
        peak_per_second=bucket.peak_per_second(),
        cleanup=cleanup,
        version=tool_version(),
        exchanges=log.all(),
    )


def _run_phases(
    settings: ConformanceSettings,
    ctx: CheckContext,
    transport: httpx.BaseTransport,
    progress: Progress,
    finished: Callable[[CheckResult], None],
    sleep: Callable[[float], None],
) -> None:
    """The Entra flow in each dialect, then the RFC checks (the sweeps come after clean-up)."""
    for dialect in settings.dialects:
        flow: EntraFlow | None = None
        try:
            flow = EntraFlow(
                url=settings.url,
                token=settings.token,
                dialect=dialect,
                transport=transport,
                probe=ctx.probe,
                log=ctx.log,
                run_id=settings.run_id,
                seed=settings.seed,
                timeout=settings.timeout,
                created=ctx.created,
                sleep=sleep,
                max_wait=settings.max_wait,
                on_start=progress.started,
                on_result=finished,
            )
            flow.run()
        except Exception as error:
            # provisim failed outside any step (setting up the tenant, say): every step it
            # did not reach comes to a result all the same, an error, never a pass.
            reached = {r.info.id for r in flow.results} if flow is not None else set()
            cause = f"provisim could not run the Entra flow ({type(error).__name__}: {error})"
            for info in FLOW_STEPS:
                if info.id not in reached:
                    blocker = Blocker(BlockKind.EXCEPTION, cause)
                    finished(could_not_run(info, blocker, dialect=dialect.value))
    for check in (c for c in CHECKS if not c.sweep):
        progress.started(check.info, None)
        finished(check.run(ctx))


def _preflight(probe: ScimProbe, ctx: CheckContext, timeout: float) -> None:
    """Entra's Test Connection probe, sent first: is there an endpoint, does it take the token?"""
    exchange = probe.get("Users", {"filter": eq_filter("userName", ctx.guid())})
    if exchange.status is None:
        if exchange.timed_out:
            raise ConformanceAbort(f"{probe.base_url} did not answer within {timeout:g} s")
        raise ConformanceAbort(f"cannot reach {probe.base_url}: {exchange.error}")
    if exchange.status in (401, 403):
        raise ConformanceAbort(
            f"{probe.base_url} refused the token on the first request (HTTP {exchange.status}); "
            "check --token"
        )


# --- the summary ----------------------------------------------------------------------------

_ENTRA_SAYS: Final = {
    "works": "yes",
    "works-with-warnings": "yes, with warnings",
    "not-established": "NOT ESTABLISHED",
    "breaks": "NO",
}
_RFC_SAYS: Final = {
    "conformant": "yes",
    "conformant-with-deviations": "yes, with deviations",
    "not-established": "NOT ESTABLISHED",
    "not-conformant": "NO",
}


def _listing(verdict: ScopeVerdictJson) -> str:
    failed, deviations, errors = verdict["failed"], verdict["deviations"], verdict["errors"]
    parts = []
    if failed:
        parts.append(f"{len(failed)} MUST failure(s): {', '.join(failed)}")
    if deviations:
        parts.append(f"{len(deviations)} deviation(s): {', '.join(deviations)}")
    if errors:
        parts.append(f"{len(errors)} not established: {', '.join(errors)}")
    return f" ({'; '.join(parts)})" if parts else ""


def summary_lines(report: ReportJson, *, with_failures: bool) -> list[str]:
    """The plain-text end of a run: both verdicts, the counts, the clean-up and, when asked
    (output that is not a terminal, which saw no live lines), each failure with its fix."""
    verdict = report["verdict"]
    summary = report["summary"]
    run = report["run"]
    lines = [
        f"Works with Entra:  {_ENTRA_SAYS[verdict['entra']['verdict']]}"
        f"{_listing(verdict['entra'])}",
        f"RFC conformant:    {_RFC_SAYS[verdict['rfc']['verdict']]}{_listing(verdict['rfc'])}",
        f"{summary['passed']} passed, {summary['failed']} failed, {summary['deviations']} "
        f"deviation(s), {summary['errors']} error(s), {summary['notEstablished']} not "
        f"established, {summary['skipped']} skipped; "
        f"{run['requests']} requests in "
        f"{run['durationSeconds']:.1f} s (peak {run['peakRequestsPerSecond']}/s, limit "
        f"{run['rateLimit']:g}/s)",
    ]
    cleanup = report["cleanup"]
    if cleanup["kept"]:
        lines.append(
            f"Kept {len(cleanup['resources'])} test resource(s) named "
            f"provisim-conformance-{run['id']}-* (--keep)."
        )
    else:
        lines.append(f"Clean-up: {cleanup['deleted']} test resource(s) deleted.")
        for failure in cleanup["failed"]:
            lines.append(
                f"  could not delete {failure['endpoint']}/{failure['id']} ({failure['name']}): "
                f"{failure['reason']}"
            )
    lines += cause_lines(report)
    if with_failures:
        shared = {k for c in report["causes"] if len(c["explains"]) > 1 for k in c["explains"]}
        for result in report["results"]:
            word = _WORDS[result["outcome"]]
            if word in ("PASS", "SKIP"):
                continue
            key = result_key(result)
            lines.append(f"{word}{_gap(word)}{key}: {result['message']}")
            blocker = result["blockedBy"]
            if blocker is not None and blocker["check"]:
                lines.append(f"      blocked by: {blocker['check']}")
            if key in shared:
                cause = next(c for c in report["causes"] if key in c["explains"])
                lines.append(f"      cause: {cause['id']} (above)")
            elif result["hint"]:
                lines.append(f"      fix: {result['hint']}")
            if word in ("FAIL", "WARN"):
                lines += [f"      {line}" for line in citations(result)]
    return lines


def cause_lines(report: ReportJson) -> list[str]:
    """Root causes first: each cause once, with the request and answer that show it, the
    checks it explains, the fix and its evidence as a curl command (token masked)."""
    causes = report["causes"]
    if not causes:
        return []
    lines = [f"Root causes ({len(causes)}):"]
    for cause in causes:
        lines.append(f"{cause['id']}  {cause['request']} -> {cause['answer']}")
        lines.append(f"      explains: {', '.join(cause['explains'])}")
        if cause["notEstablished"]:
            lines.append(
                f"      not established because of it: {', '.join(cause['notEstablished'])}"
            )
        if cause["fix"]:
            lines.append(f"      fix: {cause['fix']}")
        if cause["curl"]:
            lines.append(f"      evidence: {cause['curl']}")
    shapes = catalogue_line(report["shapeCatalogue"])
    if shapes:
        lines.append(shapes)
    return lines


def dialects_for(choice: str) -> tuple[Dialect, ...]:
    """``--dialect``: default, aadOptscim062020 or both."""
    if choice == "both":
        return (Dialect.DEFAULT, Dialect.AAD_OPT_SCIM_062020)
    try:
        return (Dialect(choice),)
    except ValueError:
        known = ", ".join([*(d.value for d in Dialect), "both"])
        raise ConformanceAbort(f"--dialect must be one of {known}, not {choice!r}") from None


def exit_code(report: ReportJson) -> int:
    return int(report["verdict"]["exitCode"])


def not_established_reason(report: ReportJson) -> str | None:
    """The one line that says why the run exits 2 with a report (a verdict not
    established: which MUST check could not run, and why); None otherwise."""
    return report["verdict"]["reason"]


__all__ = [
    "EXIT_FAILED",
    "EXIT_NOT_ESTABLISHED",
    "EXIT_PASSED",
    "EXIT_USAGE",
    "ConformanceAbort",
    "ConformanceSettings",
    "EndpointLink",
    "LiveProgress",
    "Progress",
    "SilentProgress",
    "cause_lines",
    "dialects_for",
    "endpoint_link",
    "exit_code",
    "not_established_reason",
    "outcome_word",
    "run_conformance",
    "summary_lines",
    "tool_version",
    "utc_now",
]
