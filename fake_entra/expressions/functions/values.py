"""How the functions read their arguments: as text, a whole number, a boolean or a date text.

Values. An evaluated argument is ``None`` (null: a missing attribute or an empty
argument), ``str``, ``bool``, ``int``, a ``datetime`` (only from source objects),
a list (a multi-valued attribute, ``Split``), or a dict (an app role assignment).
Functions returning booleans (``IsNull``, ``Not``, ``CBool``, comparisons) return
``bool``; when a string is needed a boolean reads "True"/"False" and a number
its decimal digits, as .NET's ``ToString`` does, so
``Switch([IsSoftDeleted], , "False", "True", "True", "False")`` works on a
boolean attribute. Date functions return Entra's date text "M/d/yyyy h:mm:ss tt"
in UTC ([S8] CDate, DateAdd and Now remarks), which :func:`format_general` writes.

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fake_entra.expressions.functions.spec import ArgumentProblem


def is_multi(value: Any) -> bool:
    """Whether ``value`` is multi-valued: a multi-valued attribute or a Split result."""
    return isinstance(value, list | tuple)


def is_null_or_empty(value: Any) -> bool:
    """Null, "" or no values at all: what IsNullOrEmpty, Coalesce and IIF treat as absent."""
    return value is None or value == "" or (is_multi(value) and len(value) == 0)


def as_text(value: Any, what: str) -> str | None:
    """A single value as text, the way .NET's ToString prints it; null stays None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return format_general(value)
    if is_multi(value):
        raise ArgumentProblem(
            f"{what} is multi-valued ({len(value)} values); use Item, Join or Count"
        )
    raise ArgumentProblem(f"{what} is a {type(value).__name__}, not a single text value")


def required_text(value: Any, what: str) -> str:
    """:func:`as_text` for an argument that can't be null."""
    text = as_text(value, what)
    if text is None:
        raise ArgumentProblem(f"{what} is null")
    return text


_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def as_integer(value: Any, what: str) -> int:
    """A whole number from an int, an integral float or its decimal text; anything else fails."""
    if value is None:
        raise ArgumentProblem(f"{what} is null; a whole number is required")
    if isinstance(value, bool):
        raise ArgumentProblem(f"{what} must be a whole number, got the boolean {value}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(Decimal(value.strip()))  # Decimal: no limit on the number of digits
    raise ArgumentProblem(f"{what} must be a whole number, got {value!r}")


def fixed_number(value: Any, what: str) -> int:
    """VB ``CInt(Fix(Number))``: any number, truncated toward zero (VB.NET DateAdd)."""
    if isinstance(value, float) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return int(Decimal(value.strip()))  # int() of a Decimal truncates toward zero
    return as_integer(value, what)


def as_boolean(value: Any, what: str) -> bool:
    """A condition's truth: booleans, "True"/"False" (any case), or non-zero numbers ([S8] CBool)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        word = value.strip()
        if word.lower() in ("true", "false"):
            return word.lower() == "true"
        if _DECIMAL.fullmatch(word):
            return Decimal(word) != 0
        raise ArgumentProblem(f"{what} is {value!r}, which is neither True, False nor a number")
    if value is None:
        raise ArgumentProblem(f"{what} is null, which is neither True nor False")
    raise ArgumentProblem(f"{what} is a {type(value).__name__}, which is neither True nor False")


# ---------------------------------------------------------------- dates as text


def utc(moment: datetime) -> datetime:
    # Entra's provisioning service runs in UTC: a moment without an offset is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_general(moment: datetime) -> str:
    """Entra's date text, "M/d/yyyy h:mm:ss tt" in UTC ([S8] CDate, DateAdd, Now)."""
    m = utc(moment)
    hour = m.hour % 12 or 12
    return f"{m.month}/{m.day}/{m.year} {hour}:{m.minute:02d}:{m.second:02d} {designator(m)}"


def designator(moment: datetime) -> str:
    """The AM/PM designator of the invariant culture."""
    return "AM" if moment.hour < 12 else "PM"
