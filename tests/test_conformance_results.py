"""What a check is and what it comes to (:mod:`harness.conformance.results`)."""

from __future__ import annotations

from typing import Any

import pytest

from harness.conformance.checks import check_by_id
from harness.conformance.exchanges import ExchangeLog
from harness.conformance.results import CheckInfo, evaluate


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


def test_a_check_that_trips_over_an_unforeseen_answer_is_skipped_not_crashed() -> None:
    def trips() -> Any:
        raise ValueError("Resources is a string")

    info = check_by_id("RFC7644-3.4.2.4-PAGINATION").info
    result = evaluate(info, ExchangeLog(), trips)
    assert result.outcome == "skipped" and not result.blocking
    assert result.message == (
        "provisim could not complete this check (ValueError: Resources is a string)"
    )
