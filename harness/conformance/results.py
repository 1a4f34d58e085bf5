"""What a check is, what it found, and the result it comes to.

A check, whether an RFC check or a step of the Entra flow, is described by a
:class:`CheckInfo`: a stable id (``RFC7644-3.4.2-EMPTY-SEARCH``), a title, the RFC section
or Entra document it comes from, a requirement level (MUST/SHOULD/MAY) and the scopes it
counts in: ``entra`` ("works with Entra") and/or ``rfc`` ("RFC conformant"). Its body
returns a :class:`Finding` (:func:`ok` or :func:`bad`) or raises :class:`Unmet` when a
prerequisite failed; :func:`evaluate` turns either into a :class:`CheckResult` with the
exchanges that tell the story.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from harness.conformance.exchanges import Exchange, ExchangeLog

Level = Literal["MUST", "SHOULD", "MAY"]
Scope = Literal["entra", "rfc"]
Outcome = Literal["passed", "failed", "skipped"]

LEVELS: Final[tuple[Level, ...]] = ("MUST", "SHOULD", "MAY")
SCOPES: Final[tuple[Scope, ...]] = ("entra", "rfc")

#: The scope sets checks count in.
ENTRA_AND_RFC: Final[frozenset[Scope]] = frozenset({"entra", "rfc"})
RFC_ONLY: Final[frozenset[Scope]] = frozenset({"rfc"})
ENTRA_ONLY: Final[frozenset[Scope]] = frozenset({"entra"})

#: How many exchanges a failed check carries as evidence.
EVIDENCE_LIMIT: Final = 6


@dataclass(frozen=True)
class CheckInfo:
    """What a check is: identity, origin and weight."""

    id: str
    title: str
    source: str
    level: Level
    scopes: frozenset[Scope]
    hint: str

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"{self.id}: unknown level {self.level!r}")
        if not self.scopes or not self.scopes <= set(SCOPES):
            raise ValueError(f"{self.id}: scopes must be a non-empty subset of {SCOPES}")


@dataclass(frozen=True)
class Finding:
    """What a check found. ``hint`` and ``evidence`` override the defaults when given."""

    passed: bool
    message: str
    hint: str | None = None
    evidence: tuple[Exchange, ...] | None = None


def ok(message: str) -> Finding:
    return Finding(True, message)


def bad(
    message: str, hint: str | None = None, evidence: Sequence[Exchange] | None = None
) -> Finding:
    return Finding(False, message, hint, None if evidence is None else tuple(evidence))


class Unmet(Exception):
    """A check's prerequisite failed: the check is skipped, with this reason."""

    def __init__(self, reason: str, evidence: Sequence[Exchange] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.evidence = tuple(evidence)


@dataclass(frozen=True)
class CheckResult:
    info: CheckInfo
    outcome: Outcome
    message: str
    hint: str | None
    evidence: tuple[Exchange, ...]
    duration: float
    #: The Entra PATCH dialect for a flow step; None for the RFC checks.
    dialect: str | None = None
    #: How many requests the check sent (its evidence keeps only the telling ones).
    requests: int = 0

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    @property
    def blocking(self) -> bool:
        """A MUST failure fails the run; SHOULD and MAY deviations are only reported."""
        return self.failed and self.info.level == "MUST"


def evaluate(
    info: CheckInfo,
    log: ExchangeLog,
    body: Callable[[], Finding],
    *,
    dialect: str | None = None,
) -> CheckResult:
    """Run ``body`` as the check ``info`` and turn what it found into a CheckResult."""
    mark = log.mark()
    started = log.clock()

    def skipped(reason: str, evidence: Sequence[Exchange] = ()) -> CheckResult:
        sent = log.since(mark)
        return CheckResult(
            info,
            "skipped",
            reason,
            None,
            _telling(evidence or sent),
            log.clock() - started,
            dialect,
            len(sent),
        )

    try:
        finding = body()
    except Unmet as unmet:
        return skipped(unmet.reason, unmet.evidence)
    except Exception as error:
        # The endpoint answered in a way no check foresaw: a surprise is reported, never a
        # crash of the whole run, and it blames no one.
        return skipped(f"provisim could not complete this check ({type(error).__name__}: {error})")
    sent = log.since(mark)
    if finding.passed:
        return CheckResult(
            info, "passed", finding.message, None, (), log.clock() - started, dialect, len(sent)
        )
    evidence = finding.evidence if finding.evidence is not None else tuple(sent)
    return CheckResult(
        info,
        "failed",
        finding.message,
        finding.hint or info.hint,
        _telling(evidence),
        log.clock() - started,
        dialect,
        len(sent),
    )


def _telling(exchanges: Sequence[Exchange]) -> tuple[Exchange, ...]:
    """At most EVIDENCE_LIMIT exchanges, the failed ones first kept, in their order."""
    if len(exchanges) <= EVIDENCE_LIMIT:
        return tuple(exchanges)
    failed = [e for e in exchanges if e.status is None or e.status >= 400]
    kept = {id(e) for e in failed[:EVIDENCE_LIMIT]}
    for exchange in reversed(exchanges):
        if len(kept) >= EVIDENCE_LIMIT:
            break
        kept.add(id(exchange))
    return tuple(e for e in exchanges if id(e) in kept)


__all__ = [
    "ENTRA_AND_RFC",
    "ENTRA_ONLY",
    "EVIDENCE_LIMIT",
    "LEVELS",
    "RFC_ONLY",
    "SCOPES",
    "CheckInfo",
    "CheckResult",
    "Finding",
    "Level",
    "Outcome",
    "Scope",
    "Unmet",
    "bad",
    "evaluate",
    "ok",
]
