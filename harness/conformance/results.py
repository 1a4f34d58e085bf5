"""What a check is, what it found, and the result it comes to.

A check, whether an RFC check or a step of the Entra flow, is described by a
:class:`CheckInfo`: a stable id (``RFC7644-3.4.2-EMPTY-SEARCH``), a title, the RFC section
or Entra document it comes from, a requirement level (MUST/SHOULD/MAY) and the scopes it
counts in: ``entra`` ("works with Entra") and/or ``rfc`` ("RFC conformant"). Its body
returns a :class:`Finding` (:func:`ok` or :func:`bad`); :func:`evaluate` turns it into a
:class:`CheckResult` with the exchanges that tell the story.

A check that cannot run never passes. When the body raises :class:`Unmet` (a
prerequisite never happened: a test resource was refused, the disable before a re-enable
never landed, the job went into quarantine) the result is :attr:`Outcome.NOT_ESTABLISHED`
with a :class:`Blocker` naming the failure that blocked it; any other exception (provisim
itself failed, or an answer no check foresaw) is an :attr:`Outcome.ERROR`. A MUST check
in either leaves its scope's verdict *not established*. A failing body is
:attr:`Outcome.FAILED` for a MUST check and :attr:`Outcome.DEVIATION` for SHOULD and MAY.
:attr:`Outcome.SKIPPED` is kept for the one honest reason not to run a check: the
server's discovery says it does not apply (:class:`NotApplicable`, naming the
:class:`DiscoveryFact`).

An RFC check's level comes from its quoted clause (:mod:`harness.conformance.sources`):
:class:`CheckInfo` refuses an RFC check without a clause, a level that disagrees with the
clause's keyword, and an Entra-scoped check that cites no Microsoft page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Literal

from harness.conformance.exchanges import Exchange, ExchangeLog
from harness.conformance.sources import Clause, Level, MicrosoftSource, linked

Scope = Literal["entra", "rfc"]


class Outcome(StrEnum):
    """How a check ended. Only PASSED and FAILED say something about the endpoint."""

    PASSED = "passed"
    #: A MUST check found the endpoint wrong.
    FAILED = "failed"
    #: A SHOULD or MAY check found the endpoint departing from it (never fails the run).
    DEVIATION = "deviation"
    #: The server's discovery says the check does not apply (``CheckResult.not_applicable``).
    SKIPPED = "skipped"
    #: provisim could not complete the check (``CheckResult.blocked_by``): nothing known.
    ERROR = "error"
    #: The check's precondition never happened (a test resource was refused, an earlier
    #: step failed): ``CheckResult.blocked_by`` names the failure that blocked it.
    NOT_ESTABLISHED = "not established"


class BlockKind(StrEnum):
    """Why a check could not run."""

    #: Something the check needs could not be had: a test resource, a started job.
    PREREQUISITE = "prerequisite"
    #: provisim raised: a bug of the harness, or an answer no check foresaw.
    EXCEPTION = "exception"


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
    #: The RFC sentences the check judges against; the first one sets the level.
    clauses: tuple[Clause, ...] = ()
    #: The Microsoft pages that say Entra relies on the behaviour.
    microsoft: tuple[MicrosoftSource, ...] = ()
    #: The customer configuration that makes Entra send what the check judges (an app-role
    #: mapping, S7); None: Entra always sends it. Only such an Entra check may be skipped.
    configuration: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"{self.id}: unknown level {self.level!r}")
        if not self.scopes or not self.scopes <= set(SCOPES):
            raise ValueError(f"{self.id}: scopes must be a non-empty subset of {SCOPES}")
        if "rfc" in self.scopes and not self.clauses:
            raise ValueError(f"{self.id}: an RFC check quotes its clause")
        if self.clauses and self.clauses[0].level != self.level:
            raise ValueError(
                f"{self.id}: level {self.level} disagrees with its clause's "
                f"{self.clauses[0].keyword or 'definition'} ({self.clauses[0].cite})"
            )
        if "entra" in self.scopes and not self.microsoft:
            raise ValueError(f"{self.id}: an Entra check cites a Microsoft page")
        object.__setattr__(self, "hint", linked(self.hint))
        object.__setattr__(self, "source", linked(self.source))

    @property
    def links(self) -> list[str]:
        """Every source as a followable link: the RFC sections, then Microsoft's pages."""
        return list(dict.fromkeys([c.url for c in self.clauses] + [m.url for m in self.microsoft]))


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


@dataclass(frozen=True)
class Blocker:
    """Why a check could not run: what kind of trouble, the cause in one line, and the
    check (its report key, ``ID [dialect]``) whose failure blocked it, when one did."""

    kind: BlockKind
    cause: str
    check: str | None = None


@dataclass(frozen=True)
class DiscoveryFact:
    """What the server's discovery says that makes a check not apply, e.g. that
    /ServiceProviderConfig has ``filter.supported`` false (RFC 7643 §5)."""

    document: str
    attribute: str
    value: Any

    def __str__(self) -> str:
        return f"/{self.document} says {self.attribute} is {json.dumps(self.value)}"


class Unmet(Exception):
    """A check's prerequisite failed: the check cannot run (an error, never a pass)."""

    def __init__(
        self, reason: str, evidence: Sequence[Exchange] = (), *, blocked_by: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.evidence = tuple(evidence)
        #: The check whose failure made the prerequisite fail, when one did.
        self.blocked_by = blocked_by


class NotApplicable(Exception):
    """The server's discovery says the check does not apply: the check is skipped."""

    def __init__(self, fact: DiscoveryFact) -> None:
        super().__init__(str(fact))
        self.fact = fact


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
    #: Why an ERROR could not run; None for every other outcome.
    blocked_by: Blocker | None = None
    #: The discovery fact that SKIPPED the check; None for every other outcome.
    not_applicable: DiscoveryFact | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))  # "failed" reads as FAILED
        if self.outcome is Outcome.FAILED and self.info.level != "MUST":
            object.__setattr__(self, "outcome", Outcome.DEVIATION)
        if self.outcome is Outcome.DEVIATION and self.info.level == "MUST":
            object.__setattr__(self, "outcome", Outcome.FAILED)
        if self.hint is not None:
            object.__setattr__(self, "hint", linked(self.hint))
        blocked = self.outcome in (Outcome.ERROR, Outcome.NOT_ESTABLISHED)
        if (self.blocked_by is not None) != blocked:
            raise ValueError(
                f"{self.key}: blocked_by goes with an error or a not established, and only there"
            )
        if (self.not_applicable is not None) != (self.outcome is Outcome.SKIPPED):
            raise ValueError(f"{self.key}: a skip names its discovery fact, and only a skip")

    @property
    def key(self) -> str:
        """How the result is named in lists: the id, and the dialect for a flow step."""
        return f"{self.info.id} [{self.dialect}]" if self.dialect else self.info.id

    @property
    def failed(self) -> bool:
        """A failure (MUST) or a deviation (SHOULD, MAY)."""
        return self.outcome in (Outcome.FAILED, Outcome.DEVIATION)

    @property
    def blocking(self) -> bool:
        """A MUST failure fails the run; SHOULD and MAY deviations are only reported."""
        return self.failed and self.info.level == "MUST"

    @property
    def not_established(self) -> bool:
        """A MUST check that could not run: its scope's verdict is not established, unless
        a MUST check of that scope failed."""
        return self.outcome in (Outcome.ERROR, Outcome.NOT_ESTABLISHED) and (
            self.info.level == "MUST"
        )


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

    def could_not_run(blocker: Blocker, evidence: Sequence[Exchange] = ()) -> CheckResult:
        sent = log.since(mark)
        return CheckResult(
            info,
            _blocked_outcome(blocker),
            blocker.cause,
            None,
            _telling(evidence or sent),
            log.clock() - started,
            dialect,
            len(sent),
            blocked_by=blocker,
        )

    try:
        finding = body()
    except NotApplicable as skip:
        if "entra" in info.scopes and info.configuration is None:
            # Entra sends what it sends whatever the server declares: a check that counts
            # for Entra always applies (unless a customer's configuration decides what it
            # sends), so a skip here is a bug of the check.
            return could_not_run(
                Blocker(
                    BlockKind.EXCEPTION,
                    "provisim could not complete this check: it counts for Entra, so it "
                    f"always applies, yet it was skipped because {skip.fact}",
                )
            )
        sent = log.since(mark)
        return CheckResult(
            info,
            Outcome.SKIPPED,
            f"does not apply: {skip.fact}",
            None,
            (),
            log.clock() - started,
            dialect,
            len(sent),
            not_applicable=skip.fact,
        )
    except Unmet as unmet:
        blocker = Blocker(BlockKind.PREREQUISITE, unmet.reason, unmet.blocked_by)
        return could_not_run(blocker, unmet.evidence)
    except Exception as error:
        # A bug of provisim, or an answer no check foresaw: reported as an error that
        # establishes nothing, never a crash of the whole run and never a pass.
        cause = f"provisim could not complete this check ({type(error).__name__}: {error})"
        return could_not_run(Blocker(BlockKind.EXCEPTION, cause))
    sent = log.since(mark)
    if finding.passed:
        return CheckResult(
            info,
            Outcome.PASSED,
            finding.message,
            None,
            (),
            log.clock() - started,
            dialect,
            len(sent),
        )
    evidence = finding.evidence if finding.evidence is not None else tuple(sent)
    return CheckResult(
        info,
        Outcome.FAILED,
        finding.message,
        finding.hint or info.hint,
        _telling(evidence),
        log.clock() - started,
        dialect,
        len(sent),
    )


def could_not_run(info: CheckInfo, blocker: Blocker, *, dialect: str | None = None) -> CheckResult:
    """The result of a check that was never reached, because what would run it failed."""
    return CheckResult(
        info, _blocked_outcome(blocker), blocker.cause, None, (), 0.0, dialect, 0, blocker
    )


def _blocked_outcome(blocker: Blocker) -> Outcome:
    """A prerequisite that never happened: not established; provisim failing: an error."""
    return Outcome.NOT_ESTABLISHED if blocker.kind is BlockKind.PREREQUISITE else Outcome.ERROR


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
    "BlockKind",
    "Blocker",
    "CheckInfo",
    "CheckResult",
    "Clause",
    "DiscoveryFact",
    "Finding",
    "Level",
    "MicrosoftSource",
    "NotApplicable",
    "Outcome",
    "Scope",
    "Unmet",
    "bad",
    "could_not_run",
    "evaluate",
    "ok",
]
