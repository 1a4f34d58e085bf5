"""Identifiers, secrets and encodings: values that identify or protect a user.

Guid and RandomString make new values (an object id, an initial password) from the
evaluation context's seeded generator, so a run is reproducible; ConvertToBase64 and
ConvertToUTF8Hex encode a value the way .NET does (UTF-16LE base64, UTF-8 hex);
Redact flows a value unchanged but hides it in the provisioning logs. All as [S8]
documents them.

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from fake_entra.expressions.ast import FunctionCall
from fake_entra.expressions.context import EvaluationContext
from fake_entra.expressions.functions.spec import ArgumentProblem, FunctionSpec, check_literals
from fake_entra.expressions.functions.values import as_integer, as_text


def _convert_to_base64(source: Any) -> str | None:
    text = as_text(source, "source")
    # [S8]: "converts a string to a Unicode base64 string" - .NET Encoding.Unicode, UTF-16LE.
    return None if text is None else base64.b64encode(text.encode("utf-16-le")).decode("ascii")


def _convert_to_utf8_hex(source: Any) -> str | None:
    text = as_text(source, "source")
    return None if text is None else text.encode("utf-8").hex().upper()


def _guid(context: EvaluationContext) -> str:
    return str(uuid.UUID(int=context.rng.getrandbits(128), version=4))


# "Password must meet complexity requirements" (the page [S8] RandomString links to).
_DIGITS = "0123456789"
_SPECIAL_CHARACTERS = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"
_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER_CASE = "abcdefghijklmnopqrstuvwxyz"
_RANDOM_STRING_MAX_LENGTH = 256  # [S8]: "256 characters max."


def _random_string_plan(
    length: Any, numbers: Any, specials: Any, capitals: Any, lower: Any, avoid: Any
) -> tuple[int, list[tuple[int, str]], str]:
    size = as_integer(length, "Length")
    minimums = [
        as_integer(numbers, "MinimumNumbers"),
        as_integer(specials, "MinimumSpecialCharacters"),
        as_integer(capitals, "MinimumCapital"),
        as_integer(lower, "MinimumLowerCase"),
    ]
    if not 0 <= size <= _RANDOM_STRING_MAX_LENGTH:
        raise ArgumentProblem(f"Length is {size}; it must be 0 to {_RANDOM_STRING_MAX_LENGTH}")
    if any(minimum < 0 for minimum in minimums):
        raise ArgumentProblem("minimum counts can't be negative")
    if sum(minimums) > size:
        raise ArgumentProblem(f"Length {size} is shorter than the minimums ({sum(minimums)})")
    excluded = set(as_text(avoid, "CharactersToAvoid") or "")
    pools = [
        "".join(c for c in pool if c not in excluded)
        for pool in (_DIGITS, _SPECIAL_CHARACTERS, _CAPITALS, _LOWER_CASE)
    ]
    for minimum, pool, label in zip(
        minimums, pools, ("numbers", "special", "capitals", "lower"), strict=True
    ):
        if minimum and not pool:
            raise ArgumentProblem(f"CharactersToAvoid excludes every {label} character")
    everything = "".join(pools)
    if size > sum(minimums) and not everything:
        raise ArgumentProblem("CharactersToAvoid excludes every character")
    return size, list(zip(minimums, pools, strict=True)), everything


def _random_string(
    context: EvaluationContext,
    length: Any,
    minimum_numbers: Any,
    minimum_special: Any,
    minimum_capital: Any,
    minimum_lower: Any,
    characters_to_avoid: Any = None,
) -> str:
    size, minimums, everything = _random_string_plan(
        length, minimum_numbers, minimum_special, minimum_capital, minimum_lower,
        characters_to_avoid,
    )  # fmt: skip
    rng = context.rng
    chars = [rng.choice(pool) for minimum, pool in minimums for _ in range(minimum)]
    chars += [rng.choice(everything) for _ in range(size - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def _check_random_string(call: FunctionCall) -> None:
    check_literals(call, _random_string_plan, 0, 1, 2, 3, 4, 5)


def _redact(value: Any) -> Any:
    # The value flows unchanged; Expression.is_redacted tells the log writer to show
    # "[Redact]" instead ([S8]: "replaces the attribute value with the string literal
    # "[Redact]" in the provisioning logs").
    return value


#: Identifiers, secrets and encodings, for the registry.
IDENTITY_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("ConvertToBase64(source)", 1, 1, _convert_to_base64),
    FunctionSpec("ConvertToUTF8Hex(source)", 1, 1, _convert_to_utf8_hex),
    FunctionSpec("Guid()", 0, 0, _guid, uses_context=True),
    FunctionSpec("RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital,"
                 " MinimumLowerCase, CharactersToAvoid)", 5, 6, _random_string,
                 uses_context=True, check=_check_random_string),
    FunctionSpec("Redact(value)", 1, 1, _redact),
)  # fmt: skip
