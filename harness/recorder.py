"""The traffic recorder: every SCIM exchange between the engine and its target, on file.

:class:`RecordingTransport` wraps the transport Fake Entra's SCIM client talks through
(in-process ASGI or real HTTP) and hands each exchange to a :class:`TrafficRecorder`, which
keeps it as an :class:`Exchange` record: request, response, the virtual time it happened at,
the wall time it took, and the schema violations :func:`harness.validation.validate_exchange`
finds in either body. Secret tokens never reach the record: the ``Authorization`` header is
kept as ``Bearer ***`` and the token value is masked wherever else it appears (by
:class:`harness.redaction.Redactor`, the one redaction routine). A body longer than
:data:`harness.transport.EVIDENCE_BODY_LIMIT` is kept cut, with a marker, so the record of a
run stays small however large the answers are.

The recorder also keeps the job's timeline, one :class:`CycleRecord` per finished cycle (by
subscribing to ``ProvisioningJob.cycle_listeners``), per provision on demand
(``on_demand_listeners``) and per Test Connection. Every exchange belongs to the entry of
whatever sent it, which Fake Entra's SCIM client says in each request's extension
``fake_entra.scim_client.ORIGIN_EXTENSION``: never "the last N recorded", so a Test
Connection clicked while a cycle waits out a Retry-After is not the cycle's, and the
cycle's requests before the pause are. The tag lives on the client's side of the
transport, so this holds for any target, in-process or over a socket. Both are saved per
scenario (traffic as JSON Lines, the timeline as JSON) by the pytest plugin, for reports to
embed.

Extension point: ``TrafficRecorder.exchange_listeners`` ("exchange recorded") are called
with every record as it is made.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict

import httpx

from fake_entra.scim_client import ORIGIN_EXTENSION, OriginKind, RequestOrigin
from harness.redaction import KNOWN, MASK, Redactor
from harness.redaction import MIN_SECRET_LENGTH as MIN_SECRET_LENGTH  # replay reads it here
from harness.transport import EVIDENCE_BODY_LIMIT, cut_marker
from harness.validation import Violation, validate_exchange

#: What a masked secret reads as in the record.
REDACTED = MASK

#: The ``kind`` of a timeline entry that is no sync cycle (cycles say "Initial" or
#: "Incremental"), in the portal's words.
ON_DEMAND_KIND = "Provision on demand"
TEST_CONNECTION_KIND = "Test Connection"


class RequestRecord(TypedDict):
    headers: dict[str, str]
    body: Any


class ResponseRecord(TypedDict):
    status: int
    headers: dict[str, str]
    body: Any


class Exchange(TypedDict):
    """One line of ``traffic.jsonl``."""

    seq: int
    virtual_time: str
    elapsed_ms: float
    method: str
    url: str
    path: str
    query: str
    request: RequestRecord
    #: None when no response came back (timeout, refused connection); ``error`` says why.
    response: ResponseRecord | None
    error: str | None
    violations: list[str]


class CycleRecord(TypedDict):
    """One entry of ``timeline.json``: a finished synchronization cycle, a provision on
    demand or a Test Connection."""

    #: The cycle's id (its log entries' cycleId); for provision on demand the cycleId its
    #: log entries carry; for Test Connection the GUID it queried for.
    cycle_id: str
    #: What sent the exchanges: "cycle", "on-demand" or "test-connection".
    sender: str
    #: "Initial" or "Incremental" for a cycle, else "Provision on demand" or "Test Connection".
    kind: str
    virtual_time: str
    requests: int
    created: int
    updated: int
    disabled: int
    deleted: int
    skipped: int
    failed: int
    quarantine_reason: str | None
    #: The ``seq`` of every exchange the cycle sent.
    exchanges: list[int]


class Clock(Protocol):
    def now(self) -> datetime: ...


class CycleOutcomeLike(Protocol):
    """What ``ProvisioningJob.cycle_listeners`` are called with (``fake_entra.cycle``)."""

    kind: Any
    cycle_id: str
    requests: int
    statistics: Any
    quarantine_reason: str | None


class JobLike(Protocol):
    cycle_listeners: list[Callable[[Any], None]]
    on_demand_listeners: list[Callable[[Any], None]]


@dataclass(frozen=True)
class RecordedViolation:
    """A schema violation with the number of the exchange it was found in."""

    seq: int
    violation: Violation

    def __str__(self) -> str:
        return f"exchange #{self.seq} {self.violation}"


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``, as the provisioning logs write it."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


class TrafficRecorder:
    """Exchanges and cycles of one scenario, in the order they happened."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.exchanges: list[Exchange] = []
        self.timeline: list[CycleRecord] = []
        #: "Exchange recorded": called with each record as soon as it is made.
        self.exchange_listeners: list[Callable[[Exchange], None]] = []
        self._violations: list[RecordedViolation] = []
        self._expected: set[int] = set()
        self._redactor = Redactor()
        #: The ``seq`` of each exchange, by the run (cycle or provision on demand) that sent
        #: it, until the run finishes and takes them into its timeline entry.
        self._sent_by_run: dict[str, list[int]] = {}
        #: Each Test Connection's timeline entry, by the GUID it probed for.
        self._connection_tests: dict[str, CycleRecord] = {}

    # -- secrets ----------------------------------------------------------------------------

    def add_secret(self, value: str) -> None:
        """Mask ``value`` wherever it appears in later records."""
        self._redactor.add(value)

    def redact(self, value: Any) -> Any:
        """``value`` (a JSON value or a string) with every known secret masked (this
        recorder's and the process's)."""
        return KNOWN.value(self._redactor.value(value))

    def _headers(self, headers: httpx.Headers) -> dict[str, str]:
        return {name: KNOWN.text(value) for name, value in self._redactor.header_pairs(headers)}

    # -- recording --------------------------------------------------------------------------

    def record(
        self,
        request: httpx.Request,
        response: httpx.Response | None,
        elapsed_ms: float,
        error: str | None = None,
        *,
        at: datetime | None = None,
        origin: RequestOrigin | None = None,
    ) -> Exchange:
        """Record one exchange sent at virtual time ``at`` (now by default) by ``origin``.

        ``response`` must have been read; None means none came back and ``error`` says why.
        ``origin`` puts the exchange on the timeline entry of what sent it.
        """
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            self.add_secret(token.strip())
        seq = len(self.exchanges) + 1
        method = request.method.upper()
        path = request.url.path
        query = request.url.query.decode("ascii", "replace")
        request_body = _body(request.content)
        response_body = None if response is None else _body(response.content)
        status = None if response is None else response.status_code
        found = validate_exchange(
            method, f"{path}?{query}" if query else path, status, request_body, response_body
        )
        self._violations.extend(RecordedViolation(seq, violation) for violation in found)
        exchange: Exchange = {
            "seq": seq,
            "virtual_time": iso(at or self._clock.now()),
            "elapsed_ms": round(elapsed_ms, 3),
            "method": method,
            "url": self.redact(str(request.url)),
            "path": path,
            "query": self.redact(query),
            "request": {
                "headers": self._headers(request.headers),
                "body": self.redact(request_body),
            },
            "response": None
            if response is None
            else {
                "status": response.status_code,
                "headers": self._headers(response.headers),
                "body": self.redact(response_body),
            },
            "error": None if error is None else self.redact(error),
            "violations": [self.redact(str(violation)) for violation in found],
        }
        self.exchanges.append(exchange)
        if isinstance(origin, RequestOrigin):
            self._attribute(origin, exchange)
        for listener in tuple(self.exchange_listeners):
            listener(exchange)
        return exchange

    def _attribute(self, origin: RequestOrigin, exchange: Exchange) -> None:
        if origin.kind is not OriginKind.TEST_CONNECTION:
            # A cycle's entry is made when the cycle finishes, which may be after pauses.
            self._sent_by_run.setdefault(origin.run_id, []).append(exchange["seq"])
            return
        record = self._connection_tests.get(origin.run_id)
        if record is None:
            record = self._connection_tests[origin.run_id] = self._entry(
                origin.run_id, OriginKind.TEST_CONNECTION, TEST_CONNECTION_KIND, None, None
            )
            record["virtual_time"] = exchange["virtual_time"]
            self.timeline.append(record)
        record["requests"] += 1
        record["exchanges"].append(exchange["seq"])

    # -- schema violations ------------------------------------------------------------------

    def violations(self) -> list[RecordedViolation]:
        """Every violation found so far, in exchange order."""
        return list(self._violations)

    def expect_violation(self, pointer: str, where: str = "response") -> list[RecordedViolation]:
        """Mark the violations at ``pointer`` as expected (a scenario about a broken target).

        Returns them; none found is the caller's failure to report.
        """
        matched = [
            (index, found)
            for index, found in enumerate(self._violations)
            if found.violation.pointer == pointer and found.violation.where == where
        ]
        self._expected.update(index for index, _ in matched)
        return [found for _, found in matched]

    def unexpected_violations(self) -> list[RecordedViolation]:
        return [v for index, v in enumerate(self._violations) if index not in self._expected]

    def violation_report(self) -> str | None:
        """The failure message for the unexpected violations, or None when there are none."""
        unexpected = self.unexpected_violations()
        if not unexpected:
            return None
        lines = [
            f"{len(unexpected)} SCIM schema violation(s) in the recorded traffic "
            "(exchange: where pointer: rule [schema]):"
        ]
        lines += [f"  {self.redact(str(found))}" for found in unexpected]
        return "\n".join(lines)

    # -- the cycle timeline -----------------------------------------------------------------

    def watch(self, job: JobLike) -> None:
        """Add every cycle and every provision on demand ``job`` finishes to the timeline."""
        job.cycle_listeners.append(self.cycle_finished)
        job.on_demand_listeners.append(self.on_demand_finished)

    def cycle_finished(self, outcome: CycleOutcomeLike) -> None:
        """A cycle ended: its timeline entry, with the exchanges its requests were tagged with."""
        self._finished(outcome, OriginKind.CYCLE, str(outcome.kind))

    def on_demand_finished(self, outcome: CycleOutcomeLike) -> None:
        """A provision on demand ended: its timeline entry, of its own kind (it is no cycle)."""
        self._finished(outcome, OriginKind.ON_DEMAND, ON_DEMAND_KIND)

    def _finished(self, outcome: CycleOutcomeLike, sender: OriginKind, kind: str) -> None:
        record = self._entry(
            outcome.cycle_id, sender, kind, outcome.statistics, outcome.quarantine_reason
        )
        record["requests"] = outcome.requests
        record["exchanges"] = self._sent_by_run.pop(outcome.cycle_id, [])
        self.timeline.append(record)

    def _entry(
        self,
        run_id: str,
        sender: OriginKind,
        kind: str,
        stats: Any,
        quarantine_reason: str | None,
    ) -> CycleRecord:
        return {
            "cycle_id": run_id,
            "sender": str(sender),
            "kind": kind,
            "virtual_time": iso(self._clock.now()),
            "requests": 0,
            "created": getattr(stats, "created", 0),
            "updated": getattr(stats, "updated", 0),
            "disabled": getattr(stats, "disabled", 0),
            "deleted": getattr(stats, "deleted", 0),
            "skipped": getattr(stats, "skipped", 0),
            "failed": getattr(stats, "failed", 0),
            "quarantine_reason": quarantine_reason,
            "exchanges": [],
        }

    def sync_cycles(self) -> list[CycleRecord]:
        """The timeline's sync cycles, without provisions on demand and Test Connections."""
        return [record for record in self.timeline if is_sync_cycle(record)]

    # -- files ------------------------------------------------------------------------------

    def save_jsonl(self, path: Path | str) -> Path:
        """Write the traffic, one exchange per line."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = (json.dumps(exchange, ensure_ascii=False) for exchange in self.exchanges)
        target.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return target

    def save_timeline(self, path: Path | str) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.timeline, indent=2) + "\n", encoding="utf-8")
        return target

    def since(self, mark: int) -> Sequence[Exchange]:
        """The exchanges recorded after ``mark`` (a former ``len(recorder.exchanges)``)."""
        return self.exchanges[mark:]


def is_sync_cycle(record: Mapping[str, Any]) -> bool:
    """Whether a timeline entry is a sync cycle (entries written before ``sender`` existed
    all were)."""
    sender: object = record.get("sender", OriginKind.CYCLE.value)
    return sender == OriginKind.CYCLE.value


def _body(content: bytes) -> Any:
    """A body as JSON when it parses, as text when it doesn't, None when empty; cut, as
    text with a marker, past EVIDENCE_BODY_LIMIT bytes."""
    if not content:
        return None
    if len(content) > EVIDENCE_BODY_LIMIT:
        kept = content[:EVIDENCE_BODY_LIMIT].decode("utf-8", "replace")
        return kept + cut_marker(len(content), EVIDENCE_BODY_LIMIT)
    text = content.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class RecordingTransport(httpx.BaseTransport):
    """Forward to ``inner`` and record every exchange, answered or not."""

    def __init__(self, inner: httpx.BaseTransport, recorder: TrafficRecorder, clock: Clock) -> None:
        self.inner = inner
        self.recorder = recorder
        self.clock = clock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        sent_at = self.clock.now()
        origin = request.extensions.get(ORIGIN_EXTENSION)
        # Wall time is read for the elapsed_ms figure only; the record's moment is virtual.
        started = time.perf_counter()
        try:
            response = self.inner.handle_request(request)
            response.read()
        except httpx.TransportError as error:
            elapsed = (time.perf_counter() - started) * 1000
            self.recorder.record(
                request,
                None,
                elapsed,
                f"{type(error).__name__}: {error}",
                at=sent_at,
                origin=origin,
            )
            raise
        elapsed = (time.perf_counter() - started) * 1000
        self.recorder.record(request, response, elapsed, at=sent_at, origin=origin)
        return response

    def close(self) -> None:
        self.inner.close()
