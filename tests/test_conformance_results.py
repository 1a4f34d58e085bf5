"""What a check is and what it comes to (:mod:`harness.conformance.results`): a check that
cannot run is an error and never passes; a skip names the discovery fact behind it."""

from __future__ import annotations

from typing import Any

import pytest

from harness.conformance.checks import check_by_id
from harness.conformance.exchanges import ExchangeLog
from harness.conformance.results import (
    Blocker,
    BlockKind,
    CheckInfo,
    CheckResult,
    DiscoveryFact,
    NotApplicable,
    Outcome,
    Unmet,
    could_not_run,
    evaluate,
)

FILTER_UNSUPPORTED = DiscoveryFact("ServiceProviderConfig", "filter.supported", False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"level": "OUGHT"}, "unknown level"), ({"scopes": frozenset({"okta"})}, "scopes")],
)
def test_a_check_with_an_unknown_level_or_scope_is_refused(
    changes: dict[str, Any], message: str
) -> None:
    fields = {
        "id": "RFC7644-X",
        "title": "t",
        "source": "RFC 7644",
        "level": "MUST",
        "scopes": frozenset({"rfc"}),
        "hint": "h",
    }
    with pytest.raises(ValueError, match=message):
        CheckInfo(**{**fields, **changes})


@pytest.mark.parametrize(
    ("check_id", "unknown"),
    [("RFC7644-3.6-DELETE", True), ("RFC7644-3.4.2.2-FILTER-VALUE-PATH", False)],
)
def test_a_check_that_raises_is_an_error_that_establishes_nothing(
    check_id: str, unknown: bool
) -> None:
    def trips() -> Any:
        raise ValueError("Resources is a string")

    result = evaluate(check_by_id(check_id).info, ExchangeLog(), trips)
    assert result.outcome is Outcome.ERROR and not result.failed and not result.blocking
    assert result.message == (
        "provisim could not complete this check (ValueError: Resources is a string)"
    )
    assert result.blocked_by == Blocker(BlockKind.EXCEPTION, result.message)
    # Only a MUST check leaves its verdict not established; a SHOULD one is still reported.
    assert result.not_established is unknown


def test_an_unmet_prerequisite_is_not_established_naming_what_blocked_it() -> None:
    def blocked() -> Any:
        raise Unmet("the job is in quarantine", blocked_by="ENTRA-FLOW-CREATE-USER [default]")

    info = check_by_id("RFC7644-3.3-CREATE-USER").info
    result = evaluate(info, ExchangeLog(), blocked, dialect="default")
    assert result.outcome is Outcome.NOT_ESTABLISHED and result.not_established
    assert result.blocked_by == Blocker(
        BlockKind.PREREQUISITE, "the job is in quarantine", "ENTRA-FLOW-CREATE-USER [default]"
    )
    assert result.key == "RFC7644-3.3-CREATE-USER [default]"


def test_a_skip_is_only_what_discovery_says_and_names_the_fact() -> None:
    def not_applicable() -> Any:
        raise NotApplicable(FILTER_UNSUPPORTED)

    rfc_only = evaluate(
        check_by_id("RFC7644-3.4.2.2-FILTER-VALUE-PATH").info, ExchangeLog(), not_applicable
    )
    assert rfc_only.outcome is Outcome.SKIPPED and rfc_only.not_applicable == FILTER_UNSUPPORTED
    assert rfc_only.message == (
        "does not apply: /ServiceProviderConfig says filter.supported is false"
    )
    assert not rfc_only.not_established and rfc_only.evidence == ()
    # Entra filters whatever the server declares: a check that counts for Entra always
    # applies, so skipping one is a bug of provisim, reported as such.
    entra = evaluate(
        check_by_id("RFC7644-3.4.2.2-FILTER-USERNAME").info, ExchangeLog(), not_applicable
    )
    assert entra.outcome is Outcome.ERROR and entra.not_established
    assert entra.blocked_by is not None and entra.blocked_by.kind is BlockKind.EXCEPTION
    assert "counts for Entra" in entra.message


def test_an_outcome_carries_its_reason_and_only_its_own() -> None:
    info = check_by_id("RFC7644-3.6-DELETE").info
    blocker = Blocker(BlockKind.EXCEPTION, "boom")
    assert could_not_run(info, blocker, dialect=None).blocked_by is blocker
    with pytest.raises(ValueError, match="blocked_by"):
        CheckResult(info, Outcome.ERROR, "boom", None, (), 0.0)
    with pytest.raises(ValueError, match="blocked_by"):
        CheckResult(info, Outcome.PASSED, "ok", None, (), 0.0, blocked_by=blocker)
    with pytest.raises(ValueError, match="discovery fact"):
        CheckResult(info, Outcome.SKIPPED, "n/a", None, (), 0.0)
    with pytest.raises(ValueError, match="discovery fact"):
        CheckResult(info, Outcome.FAILED, "no", "fix", (), 0.0, not_applicable=FILTER_UNSUPPORTED)
