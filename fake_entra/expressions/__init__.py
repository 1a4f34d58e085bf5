"""Microsoft Entra attribute-mapping expressions: parse when a mapping is saved, evaluate per object."""

from fake_entra.expressions.ast import (
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionSyntaxError,
    ExpressionValidationError,
)
from fake_entra.expressions.context import EvaluationContext
from fake_entra.expressions.evaluator import IGNORE_FLOW, Expression, parse_expression
from fake_entra.expressions.functions import FUNCTIONS

__all__ = [
    "FUNCTIONS",
    "IGNORE_FLOW",
    "EvaluationContext",
    "Expression",
    "ExpressionError",
    "ExpressionEvaluationError",
    "ExpressionSyntaxError",
    "ExpressionValidationError",
    "parse_expression",
]
