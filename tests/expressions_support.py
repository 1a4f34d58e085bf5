"""Shared helpers for the expression function tests: evaluate, or expect a save or sync error.

The clock stands at :data:`NOW` unless a test passes its own :class:`EvaluationContext`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fake_entra.expressions import (
    EvaluationContext,
    ExpressionEvaluationError,
    ExpressionValidationError,
    parse_expression,
)

NOW = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)


def run(text: str, context: EvaluationContext | None = None, **source: Any) -> Any:
    """The value of ``text`` for a source object with the attributes given as keywords."""
    return parse_expression(text).evaluate(source, context or EvaluationContext(now=lambda: NOW))


def refused_when_saved(text: str) -> str:
    """The message with which saving a mapping with ``text`` is refused."""
    with pytest.raises(ExpressionValidationError) as caught:
        parse_expression(text)
    return str(caught.value)


def fails_when_evaluated(text: str, **source: Any) -> ExpressionEvaluationError:
    """The error a sync meets evaluating ``text``, which saves without complaint."""
    expression = parse_expression(text)  # saving works; the sync fails
    with pytest.raises(ExpressionEvaluationError) as caught:
        expression.evaluate(source, EvaluationContext(now=lambda: NOW))
    return caught.value
