"""The function library of Entra attribute-mapping expressions.

Every function, its documented signature and its semantics come from Microsoft's
"Reference for writing expressions for attribute mappings in Microsoft Entra ID"
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md,
cited below as [S8]); the role functions also from customize-application-attributes.md
"Provisioning a role to a SCIM app" ([S7]). Where [S8] is silent the behaviour
follows the .NET / VBA function Entra names (VB.NET ``DateAndTime.DateDiff`` for
DateDiff, whose rules reproduce every row of [S8]'s DateDiff table), and where
even that is silent the choice is ours and says so.

Values. An evaluated argument is ``None`` (null: a missing attribute or an empty
argument), ``str``, ``bool``, ``int``, a ``datetime`` (only from source objects),
a list (a multi-valued attribute, ``Split``), or a dict (an app role assignment).
Functions returning booleans (``IsNull``, ``Not``, ``CBool``, comparisons) return
``bool``; when a string is needed a boolean reads "True"/"False" and a number
its decimal digits, as .NET's ``ToString`` does, so
``Switch([IsSoftDeleted], , "False", "True", "True", "False")`` works on a
boolean attribute. Date functions return Entra's date text "M/d/yyyy h:mm:ss tt"
in UTC ([S8] CDate, DateAdd and Now remarks).

Nulls. ``Left`` and ``Word`` return "" for a null string ([S8] says so); the
transforming functions (Append, Mid, Replace, ToLower, ...) return null for a null
source, so an absent attribute stays absent instead of flowing a made-up value
(our choice; [S8] doesn't say). ``Switch`` matches a null source against the key
"" ([S8]: ``Switch([country],[country],"","Other")`` sets "Other" when country is
empty). ``Join`` and ``Coalesce`` skip null and empty values.

Errors. A function that can't do its job raises ``ExpressionEvaluationError``
naming itself. What can be checked when the mapping is saved (names, arity,
required arguments, Switch pairs, Replace's parameter combination, literal
regexes, intervals, formats) is checked by :func:`validate` instead.
"""

from __future__ import annotations

import base64
import difflib
import functools
import re
import unicodedata
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from fake_entra.expressions.ast import (
    AttributeRef,
    EmptyArgument,
    ExpressionEvaluationError,
    ExpressionValidationError,
    FunctionCall,
    NamedConstant,
    Node,
    NumberLiteral,
    StringLiteral,
    walk,
)
from fake_entra.expressions.context import EvaluationContext


class ArgumentProblem(Exception):
    """Raised inside an implementation; :meth:`FunctionSpec.invoke` adds the function's name."""


class FlowIgnored(Exception):
    """Raised by IgnoreFlowIfNullOrEmpty: drop this attribute from the flow ([S8])."""


#: Bare names an expression may use. [S8] InStr: compareType "Can be vbTextCompare or
#: vbBinaryCompare", written unquoted in ``InStr("repEated","e",3,vbBinaryCompare)``;
#: the values are VBA's.
NAMED_CONSTANTS: Mapping[str, int] = {"vbBinaryCompare": 0, "vbTextCompare": 1}

#: Documented functions this simulator refuses at save time, with the reason shown.
UNSUPPORTED_FUNCTIONS: Mapping[str, str] = {
    "SelectUniqueValue": (
        "SelectUniqueValue isn't supported for provisioning to SCIM applications; Microsoft"
        " supports it only for Workday, SuccessFactors and API-driven provisioning to"
        " Active Directory (it needs an LDAP uniqueness check in the target directory)"
    ),
}


# ---------------------------------------------------------------- arguments and specs


class Argument:
    """One argument of a call, evaluated at most once and only when asked for."""

    __slots__ = ("_done", "_evaluate", "_value", "node")

    def __init__(self, node: Node, evaluate: Callable[[Node], Any]) -> None:
        self.node = node
        self._evaluate = evaluate
        self._value: Any = None
        self._done = False

    @property
    def is_empty(self) -> bool:
        return isinstance(self.node, EmptyArgument)

    def value(self) -> Any:
        if not self._done:
            self._value = self._evaluate(self.node)
            self._done = True
        return self._value

    def attribute_values(self) -> Iterator[tuple[str, Any]]:
        """The value of every ``[attribute]`` inside this argument, in text order."""
        for node in walk(self.node):
            if isinstance(node, AttributeRef):
                yield node.name, self._evaluate(node)


@dataclass(frozen=True)
class FunctionSpec:
    """One library function: the documented signature, arity and implementation.

    ``implementation`` is called as ``implementation(*values)``; with
    ``uses_context`` as ``implementation(context, *values)``; a ``lazy`` one gets
    ``implementation(arguments, context)`` with unevaluated :class:`Argument` s, for
    functions that evaluate only some arguments (IIF, Switch, Coalesce) or need to
    know which were left empty (Replace).
    """

    signature: str  # as [S8] writes it; parameter names for messages come from here
    min_args: int
    max_args: int | None  # None: no upper bound
    implementation: Callable[..., Any]
    lazy: bool = False
    uses_context: bool = False
    #: Positions below ``min_args`` that may nevertheless be left empty.
    optional: frozenset[int] = frozenset()
    #: Extra save-time checks on the call node; raise ExpressionValidationError.
    check: Callable[[FunctionCall], None] | None = None
    parameters: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        inside = self.signature[self.signature.index("(") + 1 : self.signature.rindex(")")]
        names = tuple(part.strip() for part in inside.split(",") if part.strip())
        object.__setattr__(self, "parameters", names)

    @property
    def name(self) -> str:
        return self.signature[: self.signature.index("(")]

    def parameter_name(self, index: int) -> str:
        if index < len(self.parameters) and self.parameters[index] not in ("…", "..."):
            return self.parameters[index]
        return f"argument {index + 1}"

    def invoke(
        self, arguments: Sequence[Argument], context: EvaluationContext, position: int = 0
    ) -> Any:
        try:
            if self.lazy:
                return self.implementation(arguments, context)
            values = [argument.value() for argument in arguments]
            if self.uses_context:
                return self.implementation(context, *values)
            return self.implementation(*values)
        except ArgumentProblem as problem:
            raise ExpressionEvaluationError(str(problem), self.name, position) from None
        except ExpressionEvaluationError as error:
            if error.function is not None:
                raise
            # A comparison in an argument failed: name the function it belongs to.
            raise ExpressionEvaluationError(error.message, self.name, error.position) from None


# ---------------------------------------------------------------- value coercion


def _is_multi(value: Any) -> bool:
    return isinstance(value, list | tuple)


def is_null_or_empty(value: Any) -> bool:
    return value is None or value == "" or (_is_multi(value) and len(value) == 0)


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
    if _is_multi(value):
        raise ArgumentProblem(
            f"{what} is multi-valued ({len(value)} values); use Item, Join or Count"
        )
    raise ArgumentProblem(f"{what} is a {type(value).__name__}, not a single text value")


def _required_text(value: Any, what: str) -> str:
    text = as_text(value, what)
    if text is None:
        raise ArgumentProblem(f"{what} is null")
    return text


_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def as_integer(value: Any, what: str) -> int:
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


def _fixed_number(value: Any, what: str) -> int:
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


def _simple_case(text: str, upper: bool, culture: str | None) -> str:
    """.NET ToUpper/ToLower map one character to one (``ß`` stays ``ß``); Turkic dotted i."""
    turkic = culture is not None and culture.lower().split("-")[0] in ("tr", "az")
    out: list[str] = []
    for char in text:
        if turkic and upper and char in "iı":
            out.append("İ" if char == "i" else "I")
            continue
        if turkic and not upper and char in "Iİ":
            out.append("ı" if char == "I" else "i")
            continue
        mapped = char.upper() if upper else char.lower()
        out.append(mapped if len(mapped) == 1 else char)
    return "".join(out)


_CULTURE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def _culture(value: Any) -> str | None:
    culture = as_text(value, "culture")
    if not culture:
        return None  # [S8]: "If there's no culture info specified, then it uses Invariant culture."
    if not _CULTURE.fullmatch(culture):
        raise ArgumentProblem(
            f"culture {culture!r} isn't an RFC 4646 name like en-US or ja-JP ([S8] ToLower)"
        )
    return culture


# ---------------------------------------------------------------- dates


def _utc(moment: datetime) -> datetime:
    # Entra's provisioning service runs in UTC: a moment without an offset is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_general(moment: datetime) -> str:
    """Entra's date text, "M/d/yyyy h:mm:ss tt" in UTC ([S8] CDate, DateAdd, Now)."""
    m = _utc(moment)
    hour = m.hour % 12 or 12
    return f"{m.month}/{m.day}/{m.year} {hour}:{m.minute:02d}:{m.second:02d} {_designator(m)}"


def _designator(moment: datetime) -> str:
    return "AM" if moment.hour < 12 else "PM"


_ZONE = r"(?P<zone>Z|[+-]\d{1,2}(?::?\d{2})?)"
_ISO_DATE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,7}))?)?)?"
    rf"\s*{_ZONE}?",
    re.IGNORECASE,
)
_US_DATE = re.compile(
    r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,7}))?)?"
    r"\s*(?P<designator>[AP]M)?)?"
    rf"\s*{_ZONE}?",
    re.IGNORECASE,
)


def _offset(zone: str | None) -> timedelta:
    if not zone or zone.upper() == "Z":
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def parse_date(value: Any, what: str) -> datetime:
    """A date from an ISO 8601 string, Entra's "M/d/yyyy h:mm:ss tt", or a datetime; as UTC.

    The forms are the ones [S8] feeds its date functions: "2020-03-16-07:00",
    "2021-06-30+08:00", "2009-06-15T01:45:30-07:00", "2021-08-24",
    "8/25/2021 5:41:18 PM" and "2020-12-31 23:59:59-08:00".
    """
    if isinstance(value, datetime):
        return _utc(value)
    text = _required_text(value, what).strip()
    match = _ISO_DATE.fullmatch(text) or _US_DATE.fullmatch(text)
    if match is None:
        raise ArgumentProblem(f"{what} {text!r} isn't a date Entra can read")
    parts = match.groupdict()
    hour = int(parts["hour"] or 0)
    designator = (parts.get("designator") or "").upper()
    if designator:
        if not 1 <= hour <= 12:
            raise ArgumentProblem(f"{what} {text!r} has hour {hour} with {designator}")
        hour = hour % 12 + (12 if designator == "PM" else 0)
    fraction = (parts["fraction"] or "").ljust(7, "0")
    try:
        local = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            hour,
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction) // 10,  # 100 ns ticks to microseconds
            tzinfo=UTC,
        )
        return local - _offset(parts["zone"])
    except (ValueError, OverflowError) as exc:
        raise ArgumentProblem(f"{what} {text!r} isn't a valid date ({exc})") from None


# Active Directory dates (accountExpires, lastLogonTimestamp) count 100 ns ticks since
# 1601-01-01 UTC, the Windows FILETIME epoch ([S8] DateFromNum / NumFromDate).
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def _to_filetime(moment: datetime) -> int:
    return (_utc(moment) - _FILETIME_EPOCH) // timedelta(microseconds=1) * 10


def _from_filetime(ticks: int) -> datetime:
    try:
        return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    except OverflowError:
        raise ArgumentProblem(f"{ticks} is outside the dates .NET can represent") from None


_INTERVALS = ("yyyy", "m", "d", "ww", "h", "n", "s")


def _interval(value: Any) -> str:
    interval = as_text(value, "interval")
    # [S8]: "The interval string must have one of the following values: yyyy, m, d, ww,
    # h, n, s". VB.NET's DateIntervalFromString upper-cases first, so case doesn't matter.
    if interval is None or interval.lower() not in _INTERVALS:
        raise ArgumentProblem(
            f"interval {interval!r} isn't one of {', '.join(repr(i) for i in _INTERVALS)}"
        )
    return interval.lower()


def _add_months(moment: datetime, months: int) -> datetime:
    # Calendar.AddMonths: keep the day unless the target month is shorter.
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ArgumentProblem("the result is outside the dates .NET can represent")
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _truncating_division(numerator: int, denominator: int) -> int:
    # VB Fix() and integer "\" truncate toward zero, unlike Python's floor division.
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


# ---- .NET custom and standard date and time format strings, invariant culture ----
# https://learn.microsoft.com/dotnet/standard/base-types/custom-date-and-time-format-strings

DateKind = Literal["utc", "local", "unspecified"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_SPECIFIERS = frozenset("dfFghHKmMstyz")
_STANDARD_FORMATS: Mapping[str, str] = {
    # DateTimeFormatInfo.InvariantInfo patterns.
    "d": "MM/dd/yyyy",
    "D": "dddd, dd MMMM yyyy",
    "f": "dddd, dd MMMM yyyy HH:mm",
    "F": "dddd, dd MMMM yyyy HH:mm:ss",
    "g": "MM/dd/yyyy HH:mm",
    "G": "MM/dd/yyyy HH:mm:ss",
    "m": "MMMM dd",
    "M": "MMMM dd",
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "t": "HH:mm",
    "T": "HH:mm:ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
    "U": "dddd, dd MMMM yyyy HH:mm:ss",
    "y": "yyyy MMMM",
    "Y": "yyyy MMMM",
}
#: Standard formats whose text is always UTC (RFC 1123, universal sortable, universal full).
_UTC_STANDARD_FORMATS = frozenset("rRuU")
_DATE_TIME_STYLES = frozenset(
    [
        "None",
        "AllowLeadingWhite",
        "AllowTrailingWhite",
        "AllowInnerWhite",
        "AllowWhiteSpaces",
        "NoCurrentDateDefault",
        "AdjustToUniversal",
        "AssumeLocal",
        "AssumeUniversal",
        "RoundtripKind",
    ]
)
#: [S8] FormatDateTime: "If left empty, the default value used is
#: DateTimeStyles.RoundtripKind, DateTimeStyles.AllowLeadingWhite, DateTimeStyles.AllowTrailingWhite".
_DEFAULT_DATE_TIME_STYLES = frozenset({"RoundtripKind", "AllowLeadingWhite", "AllowTrailingWhite"})
#: GregorianCalendar.TwoDigitYearMax in .NET Framework: "yy" reads 30-99 as 19xx, 00-29 as 20xx.
_TWO_DIGIT_YEAR_MAX = 2029


@dataclass(frozen=True, slots=True)
class _FormatToken:
    specifier: str  # a letter from _SPECIFIERS, "Z" (unquoted Z: the UTC designator), or ""
    count: int = 1
    literal: str = ""


@functools.lru_cache(maxsize=256)
def _format_tokens(fmt: str) -> tuple[tuple[_FormatToken, ...], bool]:
    """Tokens of a .NET date format string, and whether it was a UTC standard format."""
    if not fmt:
        raise ArgumentProblem("the date format is empty")
    utc_standard = False
    if len(fmt) == 1:
        if fmt not in _STANDARD_FORMATS:
            raise ArgumentProblem(f"{fmt!r} isn't a .NET standard date and time format")
        utc_standard = fmt in _UTC_STANDARD_FORMATS
        fmt = _STANDARD_FORMATS[fmt]
    tokens: list[_FormatToken] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char in _SPECIFIERS:
            run = i
            while run < len(fmt) and fmt[run] == char:
                run += 1
            tokens.extend(_specifier_tokens(char, run - i))
            i = run
        elif char == "%":
            if i + 1 >= len(fmt) or fmt[i + 1] not in _SPECIFIERS:
                raise ArgumentProblem(f"'%' in {fmt!r} must be followed by a format specifier")
            tokens.append(_FormatToken(fmt[i + 1]))
            i += 2
        elif char == "\\":
            if i + 1 >= len(fmt):
                raise ArgumentProblem(f"{fmt!r} ends with a lone backslash")
            tokens.append(_FormatToken("", literal=fmt[i + 1]))
            i += 2
        elif char in "'\"":
            literal, i = _quoted_literal(fmt, i)
            tokens.append(_FormatToken("", literal=literal))
        elif char == "Z":
            tokens.append(_FormatToken("Z", literal="Z"))
            i += 1
        else:
            # ":" and "/" are the invariant culture's time and date separators.
            tokens.append(_FormatToken("", literal=char))
            i += 1
    return tuple(tokens), utc_standard


def _specifier_tokens(char: str, count: int) -> list[_FormatToken]:
    if char in "fF" and count > 7:
        raise ArgumentProblem(f"{char * count!r}: at most seven {char} specifiers")
    if char == "K":
        return [_FormatToken("K")] * count
    limits = {"d": 4, "M": 4, "h": 2, "H": 2, "m": 2, "s": 2, "t": 2, "z": 3, "g": 2}
    return [_FormatToken(char, min(count, limits.get(char, count)))]


def _quoted_literal(fmt: str, start: int) -> tuple[str, int]:
    quote = fmt[start]
    out: list[str] = []
    i = start + 1
    while i < len(fmt):
        if fmt[i] == "\\" and i + 1 < len(fmt):
            out.append(fmt[i + 1])
            i += 2
            continue
        if fmt[i] == quote:
            return "".join(out), i + 1
        out.append(fmt[i])
        i += 1
    raise ArgumentProblem(f"unterminated quoted text in the date format {fmt!r}")


def format_dotnet(moment: datetime, fmt: str, kind: DateKind = "utc") -> str:
    """``DateTime.ToString(fmt, CultureInfo.InvariantCulture)`` on a server whose local zone is UTC."""
    tokens, _ = _format_tokens(fmt)
    m = _utc(moment)
    ticks = f"{m.microsecond * 10:07d}"
    out: list[str] = []
    for token in tokens:
        spec, count = token.specifier, token.count
        if spec in ("", "Z"):
            out.append(token.literal)
        elif spec == "d":
            out.append(
                (
                    str(m.day),
                    f"{m.day:02d}",
                    _DAYS[_dotnet_weekday(m)][:3],
                    _DAYS[_dotnet_weekday(m)],
                )[count - 1]
            )
        elif spec == "M":
            out.append(
                (str(m.month), f"{m.month:02d}", _MONTHS[m.month - 1][:3], _MONTHS[m.month - 1])[
                    count - 1
                ]
            )
        elif spec == "y":
            # "y" and "yy" print the year of the century; longer runs pad the full year.
            year = m.year % 100 if count <= 2 else m.year
            out.append(f"{year:0{count}d}")
        elif spec in "hHms":
            number = {"h": m.hour % 12 or 12, "H": m.hour, "m": m.minute, "s": m.second}[spec]
            out.append(f"{number:0{count}d}")
        elif spec == "f":
            out.append(ticks[:count])
        elif spec == "F":
            digits = ticks[:count].rstrip("0")
            if digits:
                out.append(digits)
            elif out and out[-1].endswith("."):
                # .NET drops the decimal point before an all-zero F fraction.
                out[-1] = out[-1][:-1]
        elif spec == "t":
            out.append(_designator(m)[:count])
        elif spec == "z":
            # The server's offset from UTC is zero, whatever the DateTimeKind.
            out.append(("+0", "+00", "+00:00")[count - 1])
        elif spec == "K":
            out.append({"utc": "Z", "local": "+00:00", "unspecified": ""}[kind])
        elif spec == "g":
            out.append("A.D.")
    return "".join(out)


def _dotnet_weekday(moment: datetime | date) -> int:
    return (moment.weekday() + 1) % 7  # System.DayOfWeek: Sunday = 0


def _date_time_styles(value: Any) -> frozenset[str]:
    text = as_text(value, "dateTimeStyles")
    if not text or not text.strip():
        return _DEFAULT_DATE_TIME_STYLES
    styles: set[str] = set()
    for raw in text.split(","):
        name = raw.strip().removeprefix("DateTimeStyles.")
        if name not in _DATE_TIME_STYLES:
            raise ArgumentProblem(
                f"dateTimeStyles {raw.strip()!r} isn't a System.Globalization.DateTimeStyles value"
            )
        styles.add(name)
    if "AllowWhiteSpaces" in styles:
        styles |= {"AllowLeadingWhite", "AllowTrailingWhite", "AllowInnerWhite"}
    # DateTime.ParseExact throws ArgumentException for these combinations.
    if {"AssumeLocal", "AssumeUniversal"} <= styles:
        raise ArgumentProblem("dateTimeStyles can't combine AssumeLocal and AssumeUniversal")
    if "RoundtripKind" in styles and styles & {
        "AssumeLocal",
        "AssumeUniversal",
        "AdjustToUniversal",
    }:
        raise ArgumentProblem("dateTimeStyles RoundtripKind can't be combined with Assume*/Adjust*")
    return frozenset(styles)


def _token_pattern(token: _FormatToken, inner_white: bool) -> str:
    spec, count = token.specifier, token.count
    if spec == "":
        if inner_white and token.literal.isspace():
            return r"\s*"
        return re.escape(token.literal)
    fixed = {"Z": "(Z)", "K": r"(Z|[+-]\d{2}:\d{2}|)", "g": r"(A\.D\.|AD)"}
    if spec in fixed:
        return fixed[spec]
    if spec == "t":
        return "([AP])" if count == 1 else "(AM|PM)"
    if spec == "z":
        return (r"([+-]\d{1,2})", r"([+-]\d{2})", r"([+-]\d{2}:\d{2})")[count - 1]
    if spec == "f":
        return rf"(\d{{{count}}})"
    if spec == "F":
        return rf"(\d{{0,{count}}})"
    if spec in "dM" and count >= 3:
        names = _DAYS if spec == "d" else _MONTHS
        choices = [name[:3] if count == 3 else name for name in names]
        return "(" + "|".join(choices) + ")"
    if spec == "y":
        return {1: r"(\d{1,2})", 2: r"(\d{2})", 3: r"(\d{3,4})"}.get(count, rf"(\d{{{count}}})")
    return r"(\d{1,2})" if count == 1 else r"(\d{2})"


def parse_dotnet(
    text: str, fmt: str, styles: frozenset[str], today: datetime
) -> tuple[datetime, DateKind]:
    """``DateTime.ParseExact(text, fmt, InvariantCulture, styles)`` on a UTC server."""
    tokens, utc_standard = _format_tokens(fmt)
    if "AllowLeadingWhite" in styles:
        text = text.lstrip()
    if "AllowTrailingWhite" in styles:
        text = text.rstrip()
    inner_white = "AllowInnerWhite" in styles
    pattern = "".join(_token_pattern(token, inner_white) for token in tokens)
    match = re.fullmatch(pattern, text, re.IGNORECASE)
    if match is None:
        raise ArgumentProblem(f"{text!r} doesn't match the input format {fmt!r}")
    fields: dict[str, int] = {}
    captured = [t for t in tokens if t.specifier]

    def put(name: str, number: int) -> None:
        if fields.setdefault(name, number) != number:
            raise ArgumentProblem(f"{text!r} gives two different values for {name} in {fmt!r}")

    kind: DateKind = "utc" if utc_standard else "unspecified"
    offset: timedelta | None = None
    for token, captured_text in zip(captured, match.groups(), strict=True):
        spec, count = token.specifier, token.count
        if spec == "y":
            year = int(captured_text)
            if count <= 2:
                century = _TWO_DIGIT_YEAR_MAX // 100 * 100
                year += century if year <= _TWO_DIGIT_YEAR_MAX % 100 else century - 100
            put("year", year)
        elif spec == "M":
            put(
                "month",
                int(captured_text)
                if count <= 2
                else _name_index(_MONTHS, token, captured_text) + 1,
            )
        elif spec == "d" and count <= 2:
            put("day", int(captured_text))
        elif spec == "d":
            put("weekday", _name_index(_DAYS, token, captured_text))
        elif spec in "hH":
            put("hour12" if spec == "h" else "hour", int(captured_text))
        elif spec == "m":
            put("minute", int(captured_text))
        elif spec == "s":
            put("second", int(captured_text))
        elif spec in "fF":
            put("ticks", int(captured_text.ljust(7, "0")) if captured_text else 0)
        elif spec == "t":
            put("pm", int(captured_text[0].upper() == "P"))
        elif spec in ("z", "K") and captured_text not in ("", "Z", "z"):
            offset = _offset(captured_text)
            kind = "local"
        elif spec in ("Z", "K") and captured_text.upper() == "Z":
            kind = "utc"
    hour = fields.get("hour", 0)
    if "hour12" in fields:
        if fields["hour12"] > 12:
            raise ArgumentProblem(f"{text!r}: hour {fields['hour12']} on a 12-hour clock")
        hour = fields["hour12"] % 12 + 12 * fields.get("pm", 0)
    elif "pm" in fields:
        if hour > 12 and not fields["pm"]:
            raise ArgumentProblem(f"{text!r}: hour {hour} with AM")
        if hour < 12 and fields["pm"]:
            hour += 12
    year, month, day = _default_date(fields, today, "NoCurrentDateDefault" in styles)
    try:
        moment = datetime(
            year,
            month,
            day,
            hour,
            fields.get("minute", 0),
            fields.get("second", 0),
            fields.get("ticks", 0) // 10,
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise ArgumentProblem(f"{text!r} isn't a valid date ({exc})") from None
    if "weekday" in fields and fields["weekday"] != _dotnet_weekday(moment):
        raise ArgumentProblem(f"{text!r}: the day name doesn't match the date")
    if offset is not None:
        moment -= offset
    if kind == "unspecified" and styles & {"AssumeUniversal", "AdjustToUniversal"}:
        kind = "utc"
    elif kind == "unspecified" and "AssumeLocal" in styles:
        kind = "local"
    elif kind == "local" and "AdjustToUniversal" in styles:
        kind = "utc"
    return moment, kind


def _name_index(names: Sequence[str], token: _FormatToken, text: str) -> int:
    # "MMM"/"ddd" are the three-letter abbreviations, "MMMM"/"dddd" the full names.
    return [(n[:3] if token.count == 3 else n).lower() for n in names].index(text.lower())


def _default_date(
    fields: Mapping[str, int], today: datetime, no_current: bool
) -> tuple[int, int, int]:
    # DateTimeParse.CheckDefaultDateTime: a format without any date part means today
    # (or 1/1/0001 with NoCurrentDateDefault); missing month or day otherwise mean 1.
    if not {"year", "month", "day"} & fields.keys():
        return (1, 1, 1) if no_current else (today.year, today.month, today.day)
    if "month" not in fields and "day" not in fields:
        return fields["year"], 1, 1
    return fields.get("year", today.year), fields.get("month", 1), fields.get("day", 1)


# ---------------------------------------------------------------- regular expressions

_NET_NAMED_GROUP = re.compile(r"\(\?(?:<(?![=!])([^>]*)>|'([^']*)')")


@functools.lru_cache(maxsize=256)
def dotnet_regex(pattern: str) -> re.Pattern[str]:
    """Compile a .NET regular expression with Python's ``re``.

    [S8]'s Replace examples use .NET named groups ``(?<phoneNumber>\\d{10})``, which
    Python spells ``(?P<name>...)``; ``\\k<name>`` back-references and ``\\z``/``\\Z``
    anchors are translated too. Constructs Python lacks (balancing groups,
    ``\\p{..}``) are refused with the compiler's message.
    """
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            reference = re.match(r"\\k(?:<([^>]*)>|'([^']*)')", pattern[i:])
            if not in_class and reference:
                out.append(f"(?P={reference.group(1) or reference.group(2)})")
                i += reference.end()
                continue
            if not in_class and escaped == "z":
                out.append(r"\Z")
            elif not in_class and escaped == "Z":
                out.append(r"(?=\n?\Z)")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            i += 1
            # A "]" right after "[" or "[^" is a literal member in .NET as in Python.
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("]")
                i += 1
            continue
        group = _NET_NAMED_GROUP.match(pattern, i)
        if group:
            name = group.group(1) if group.group(1) is not None else group.group(2)
            if not name.isidentifier():
                raise ArgumentProblem(f"regex group name {name!r} isn't supported")
            out.append(f"(?P<{name}>")
            i = group.end()
            continue
        out.append(char)
        i += 1
    try:
        with warnings.catch_warnings():
            # Python warns about "[[" and "--" that future versions may read as set
            # operations; .NET reads them as plain class members (or its own subtraction).
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile("".join(out))
    except (re.error, RecursionError, OverflowError) as exc:
        raise ArgumentProblem(f"invalid regular expression {pattern!r}: {exc}") from None


def _dotnet_substitution(template: str, match: re.Match[str]) -> str:
    """Expand a .NET replacement pattern ($1, ${name}, $$, $&, $`, $', $+, $_) for one match."""
    out: list[str] = []
    i = 0
    groups = match.re.groups
    names = match.re.groupindex
    while i < len(template):
        char = template[i]
        following = template[i + 1] if i + 1 < len(template) else ""
        if char != "$" or not following:
            out.append(char)
            i += 1
            continue
        if following == "$":
            out.append("$")
            i += 2
        elif following == "{" and "}" in template[i + 2 :]:
            close = template.index("}", i + 2)
            name = template[i + 2 : close]
            if name in names or (name.isdigit() and int(name) <= groups):
                out.append(match.group(int(name) if name.isdigit() else name) or "")
                i = close + 1
            else:
                out.append("$")
                i += 1
        elif following.isdigit():
            # .NET takes the longest run of digits that names an existing group.
            end = i + 1
            while end < len(template) and template[end].isdigit():
                end += 1
            while end > i + 1 and int(template[i + 1 : end]) > groups:
                end -= 1
            if end > i + 1:
                out.append(match.group(int(template[i + 1 : end])) or "")
                i = end
            else:
                out.append("$")
                i += 1
        elif following in "&`'+_":
            source = match.string
            out.append(
                {
                    "&": match.group(0),
                    "`": source[: match.start()],
                    "'": source[match.end() :],
                    "+": (match.group(groups) or "") if groups else "",
                    "_": source,
                }[following]
            )
            i += 2
        else:
            out.append("$")
            i += 1
    return "".join(out)


# ---------------------------------------------------------------- the functions


def _append(source: Any, suffix: Any) -> str | None:
    text = as_text(source, "source")
    if text is None:
        return None
    return text + (as_text(suffix, "suffix") or "")


def _app_role_assignments(value: Any) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    assignments = [value] if isinstance(value, Mapping) else value
    if not _is_multi(assignments) or not all(
        isinstance(item, Mapping) and "value" in item for item in assignments
    ):
        raise ArgumentProblem(
            "expects [appRoleAssignments], a list of {id, value, displayName} assignments"
        )
    return list(assignments)


def _app_role_assignments_complex(value: Any) -> list[dict[str, Any]]:
    # [S7] "All roles are provisioned as primary = false"; keys as in the
    # AssertiveAppRoleAssignmentsComplex example and RFC 7643 §4.1.2 roles ("display").
    return [
        {
            "primary": False,
            "type": "WindowsAzureActiveDirectoryRole",
            "display": assignment.get("displayName"),
            "value": assignment.get("value"),
        }
        for assignment in _app_role_assignments(value)
    ]


def _single_app_role_assignment(value: Any) -> Any:
    # [S7]: "Make sure multiple roles aren't assigned to a user. There's no guarantee
    # which role is provisioned." We take the first, so a run is reproducible.
    assignments = _app_role_assignments(value)
    return assignments[0].get("value") if assignments else None


def _bit_and(value1: Any, value2: Any) -> int:
    return as_integer(value1, "value1") & as_integer(value2, "value2")


def _cbool(expression: Any) -> bool:
    return as_boolean(expression, "the expression")


def _cdate(expression: Any) -> str | None:
    if expression is None:
        return None
    return format_general(parse_date(expression, "the expression"))


def _coalesce(arguments: Sequence[Argument], context: EvaluationContext) -> Any:
    # [S8]: "Returns the first source value that isn't NULL"; an empty string counts as
    # absent here, as an empty attribute is absent in Entra. When every argument is
    # null or empty the last one (defaultValue, possibly "") is returned as it is.
    for argument in arguments:
        value = argument.value()
        if not is_null_or_empty(value):
            return value
    return arguments[-1].value()


def _convert_to_base64(source: Any) -> str | None:
    text = as_text(source, "source")
    # [S8]: "converts a string to a Unicode base64 string" - .NET Encoding.Unicode, UTF-16LE.
    return None if text is None else base64.b64encode(text.encode("utf-16-le")).decode("ascii")


def _convert_to_utf8_hex(source: Any) -> str | None:
    text = as_text(source, "source")
    return None if text is None else text.encode("utf-8").hex().upper()


def _count(attribute: Any) -> int:
    if attribute is None:
        return 0
    return len(attribute) if _is_multi(attribute) else 1


def _cstr(value: Any) -> str | None:
    return as_text(value, "value")


def _date_add(interval: Any, value: Any, date_time: Any) -> str | None:
    unit = _interval(interval)
    number = _fixed_number(value, "value")
    if date_time is None:
        return None
    moment = parse_date(date_time, "dateTime")
    try:
        if unit == "yyyy":
            result = _add_months(moment, 12 * number)
        elif unit == "m":
            result = _add_months(moment, number)
        else:
            step = {
                "d": timedelta(days=1),
                "ww": timedelta(weeks=1),
                "h": timedelta(hours=1),
                "n": timedelta(minutes=1),
                "s": timedelta(seconds=1),
            }[unit]
            result = moment + number * step
    except OverflowError:
        raise ArgumentProblem("the result is outside the dates .NET can represent") from None
    return format_general(result)


def _date_diff(interval: Any, date1: Any, date2: Any) -> int | None:
    # VB.NET Microsoft.VisualBasic.DateAndTime.DateDiff, FirstDayOfWeek.Sunday; this
    # reproduces [S8]'s table (e.g. "ww" from 8/25/2021 5:41:18 PM to 2012-03-16-07:00 = -493).
    unit = _interval(interval)
    if date1 is None or date2 is None:
        return None
    first, second = parse_date(date1, "date1"), parse_date(date2, "date2")
    if unit == "yyyy":
        return second.year - first.year
    if unit == "m":
        return (second.year - first.year) * 12 + second.month - first.month
    if unit == "ww":
        first -= timedelta(days=_dotnet_weekday(first) + 1)
        second -= timedelta(days=_dotnet_weekday(second) + 1)
    microseconds = (second - first) // timedelta(microseconds=1)
    per_unit = {
        "d": 86_400_000_000,
        "ww": 86_400_000_000,
        "h": 3_600_000_000,
        "n": 60_000_000,
        "s": 1_000_000,
    }[unit]
    whole = _truncating_division(microseconds, per_unit)
    return _truncating_division(whole, 7) if unit == "ww" else whole


def _date_from_num(value: Any) -> str | None:
    if value is None:
        return None
    return format_general(_from_filetime(as_integer(value, "value")))


def _format_date_time(
    context: EvaluationContext, source: Any, styles: Any, input_format: Any, output_format: Any
) -> str | None:
    style_set = _date_time_styles(styles)
    in_format = _required_text(input_format, "inputFormat")
    out_format = _required_text(output_format, "outputFormat")
    if source is None:
        return None
    if isinstance(source, datetime):
        moment, kind = _utc(source), "utc"
    else:
        moment, kind = parse_dotnet(
            _required_text(source, "source"), in_format, style_set, context.now()
        )
    return format_dotnet(moment, out_format, kind)


def _guid(context: EvaluationContext) -> str:
    return str(uuid.UUID(int=context.rng.getrandbits(128), version=4))


def _ignore_flow_if_null_or_empty(expression: Any) -> Any:
    if is_null_or_empty(expression):
        raise FlowIgnored
    return expression


def _iif(arguments: Sequence[Argument], context: EvaluationContext) -> Any:
    condition, if_true, if_false = arguments
    for name, value in condition.attribute_values():
        if is_null_or_empty(value):
            raise ArgumentProblem(
                f"the condition reads [{name}], which is null or empty; Entra's condition check"
                " fails then (use Switch to test for empty values)"
            )
    return if_true.value() if as_boolean(condition.value(), "the condition") else if_false.value()


def _compare_mode(value: Any) -> int:
    if value is None:
        return NAMED_CONSTANTS["vbBinaryCompare"]
    if isinstance(value, str) and value in NAMED_CONSTANTS:
        return NAMED_CONSTANTS[value]
    if not isinstance(value, bool) and value in (0, 1, "0", "1"):
        return int(value)
    raise ArgumentProblem(f"compareType must be vbBinaryCompare or vbTextCompare, got {value!r}")


def _instr(value1: Any, value2: Any, start: Any = None, compare_type: Any = None) -> int | None:
    begin = 1 if start is None else as_integer(start, "start")
    if begin < 1:
        raise ArgumentProblem(f"start is {begin}; positions start at 1")
    mode = _compare_mode(compare_type)
    haystack, needle = as_text(value1, "value1"), as_text(value2, "value2")
    if haystack is None or needle is None:
        return None  # VBA InStr: Null in, Null out
    if begin > len(haystack):
        return 0
    if needle == "":
        return begin
    if mode == NAMED_CONSTANTS["vbTextCompare"]:
        haystack = _simple_case(haystack, upper=False, culture=None)
        needle = _simple_case(needle, upper=False, culture=None)
    return haystack.find(needle, begin - 1) + 1


def _is_null(expression: Any) -> bool:
    # [S8]: "For an attribute, a Null is expressed by the absence of the attribute."
    return expression is None or (_is_multi(expression) and len(expression) == 0)


def _is_null_or_empty(expression: Any) -> bool:
    return is_null_or_empty(expression)


def _is_present(expression: Any) -> bool:
    return not is_null_or_empty(expression)


def _is_string(expression: Any) -> bool:
    return isinstance(expression, str)


def _item(attribute: Any, index: Any) -> Any:
    position = as_integer(index, "index")
    if position < 1:
        raise ArgumentProblem(
            f"index is {position}; it is 1-based ([S8]: index 0 shouldn't be used)"
        )
    if attribute is None:
        return None
    values = list(attribute) if _is_multi(attribute) else [attribute]
    return values[position - 1] if position <= len(values) else None


def _join(separator: Any, *sources: Any) -> str:
    glue = as_text(separator, "separator") or ""
    pieces: list[str] = []
    for source in sources:
        for value in source if _is_multi(source) else [source]:
            # [S8]: Join(", ", "", [surname], [givenName]) gives "Doe, John": empty values
            # are skipped, and every value of a multi-valued attribute is joined.
            text = as_text(value, "source")
            if text:
                pieces.append(text)
    return glue.join(pieces)


def _left(string: Any, num_chars: Any) -> str:
    count = as_integer(num_chars, "NumChars")
    text = as_text(string, "String")
    # [S8]: null string -> ""; NumChars = 0 -> ""; NumChars < 0 -> the input string.
    if text is None or count == 0:
        return ""
    return text if count < 0 else text[:count]


def _mid(source: Any, start: Any, length: Any) -> str | None:
    begin, size = as_integer(start, "start"), as_integer(length, "length")
    if begin < 1:
        raise ArgumentProblem(f"start is {begin}; the first character has index 1")
    if size < 0:
        raise ArgumentProblem(f"length is {size}; it can't be negative")
    text = as_text(source, "source")
    return None if text is None else text[begin - 1 : begin - 1 + size]


# Letters [S8]'s NormalizeDiacritics table maps that Unicode doesn't decompose.
_PLAIN_LETTERS = {
    "æ": "ae", "Æ": "AE", "ø": "oe", "Ø": "OE", "œ": "oe", "Œ": "OE",
    "ß": "ss", "ł": "l", "Ł": "L", "ı": "i",
}  # fmt: skip


def _normalize_diacritics(source: Any) -> str | None:
    text = as_text(source, "source")
    if text is None:
        return None
    # Drop the Latin combining marks (U+0300-U+036F: acute, grave, circumflex, tilde,
    # macron, ring, caron, cedilla, ogonek, lines and dots below) that [S8]'s table removes.
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    return unicodedata.normalize("NFC", "".join(_PLAIN_LETTERS.get(c, c) for c in stripped))


def _not(source: Any) -> bool:
    # [S8]: "If source value is True, returns False. Otherwise, returns True."
    is_true = source is True or (isinstance(source, str) and source.strip().lower() == "true")
    return not is_true


def _now(context: EvaluationContext) -> str:
    return format_general(context.now())


def _num_from_date(value: Any) -> int | None:
    if value is None:
        return None
    return _to_filetime(parse_date(value, "value"))


# [S8] PCase: without wordSeparators, .NET ToTitleCase's separators - spaces, control and
# format characters, and punctuation and symbols of every Unicode category it lists.
_TITLE_CASE_SEPARATOR_CATEGORIES = frozenset(
    ["Zs", "Zl", "Zp", "Cc", "Cf", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So"]
)


def _pcase(source: Any, word_separators: Any = None) -> str | None:
    text = as_text(source, "source")
    if text is None:
        return None
    separators = as_text(word_separators, "wordSeparators")

    def separates(char: str) -> bool:
        if separators:
            return char in separators
        return unicodedata.category(char) in _TITLE_CASE_SEPARATOR_CATEGORIES

    out: list[str] = []
    at_word_start = True
    for char in text:
        if separates(char):
            out.append(char)
            at_word_start = True
            continue
        out.append(_simple_case(char, upper=at_word_start, culture=None))
        at_word_start = False
    return "".join(out)


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


def _redact(value: Any) -> Any:
    # The value flows unchanged; Expression.is_redacted tells the log writer to show
    # "[Redact]" instead ([S8]: "replaces the attribute value with the string literal
    # "[Redact]" in the provisioning logs").
    return value


def _remove_duplicates(attribute: Any) -> Any:
    if not _is_multi(attribute):
        return attribute
    unique: list[Any] = []
    for value in attribute:
        if value not in unique:
            unique.append(value)
    return unique


#: Replace's parameters by position, and the five combinations [S8] documents.
_REPLACE_PARAMETERS = ("source", "oldValue", "regexPattern", "regexGroupName",
                       "replacementValue", "replacementAttributeName", "template")  # fmt: skip
_REPLACE_MODES: Mapping[frozenset[str], str] = {
    frozenset({"oldValue", "replacementValue"}): "replace text",
    frozenset({"oldValue", "template"}): "fill template",
    frozenset({"regexPattern", "replacementValue"}): "regex replace",
    frozenset({"regexPattern", "regexGroupName", "replacementValue"}): "replace group",
    frozenset({"regexPattern", "regexGroupName", "replacementAttributeName"}): "extract group",
}


def _replace_mode(provided: Sequence[bool]) -> str | None:
    names = frozenset(
        n for n, given in zip(_REPLACE_PARAMETERS[1:], provided[1:], strict=True) if given
    )
    return _REPLACE_MODES.get(names)


def _replace(arguments: Sequence[Argument], context: EvaluationContext) -> Any:
    mode = _replace_mode([not argument.is_empty for argument in arguments])
    (source_arg, old_arg, pattern_arg, group_arg,
     replacement_arg, attribute_arg, template_arg) = arguments  # fmt: skip
    source = as_text(source_arg.value(), "source")
    if mode == "extract group":
        # [S8]: "If source has a value, source is returned. If source has no value, the
        # function applies the regexPattern to the replacementAttributeName and returns
        # the value matching regexGroupName."
        if source:
            return source
        fallback = as_text(attribute_arg.value(), "replacementAttributeName")
        if fallback is None:
            return None
        regex = dotnet_regex(_required_text(pattern_arg.value(), "regexPattern"))
        group = _group_name(regex, group_arg.value())
        match = regex.search(fallback)
        return match.group(group) if match and match.group(group) is not None else None
    if source is None:
        return None
    if mode in ("replace text", "fill template"):
        old = as_text(old_arg.value(), "oldValue")
        if old is None:
            return source if mode == "replace text" else None
        if old == "":
            raise ArgumentProblem("oldValue is an empty string (.NET String.Replace refuses it)")
        if mode == "replace text":
            return source.replace(old, as_text(replacement_arg.value(), "replacementValue") or "")
        template = as_text(template_arg.value(), "template")
        return None if template is None else template.replace(old, source)
    regex = dotnet_regex(_required_text(pattern_arg.value(), "regexPattern"))
    replacement = as_text(replacement_arg.value(), "replacementValue") or ""
    if mode == "regex replace":
        return regex.sub(lambda m: _dotnet_substitution(replacement, m), source)
    if mode == "replace group":
        group = _group_name(regex, group_arg.value())
        pieces: list[str] = []
        cursor = 0
        for match in regex.finditer(source):
            start, end = match.span(group)
            if start < 0 or start < cursor:
                continue
            pieces.append(source[cursor:start] + replacement)
            cursor = end
        return "".join(pieces) + source[cursor:]
    raise ArgumentProblem("no documented combination of parameters was given")  # pragma: no cover


def _group_name(regex: re.Pattern[str], value: Any) -> str | int:
    name = _required_text(value, "regexGroupName")
    if name in regex.groupindex:
        return name
    if name.isdigit() and int(name) <= regex.groups:
        return int(name)
    raise ArgumentProblem(f"regexGroupName {name!r} isn't a group of the regexPattern")


def _split(source: Any, delimiter: Any) -> list[str] | None:
    text = as_text(source, "source")
    if text is None:
        return None
    separator = as_text(delimiter, "delimiter")
    if not separator:
        return [text]
    # .NET String.Split: pieces keep their spaces. [S8]'s sample output for
    # "PermissionSetOne, PermissionSetTwo" shows none, but the description ("Splits a
    # string ... using the specified delimiter character") doesn't trim, and [S8]'s
    # samples are loose elsewhere too (its Replace([mobile], ...) output drops a "+"
    # that its own pattern keeps).
    return text.split(separator)


def _strip_spaces(source: Any) -> str | None:
    text = as_text(source, "source")
    return None if text is None else text.replace(" ", "")  # [S8]: space (" ") characters only


def _switch_text(value: Any, what: str) -> str:
    text = as_text(value, what)
    return "" if text is None else text


def _switch(arguments: Sequence[Argument], context: EvaluationContext) -> Any:
    # [S8]: case-sensitive comparison of source and keys; default when nothing matches.
    source = _switch_text(arguments[0].value(), "source")
    for index in range(2, len(arguments), 2):
        if _switch_text(arguments[index].value(), f"key{index // 2}") == source:
            return arguments[index + 1].value()
    return arguments[1].value()


def _to_lower(source: Any, culture: Any = None) -> str | None:
    name = _culture(culture)
    text = as_text(source, "source")
    return None if text is None else _simple_case(text, upper=False, culture=name)


def _to_upper(source: Any, culture: Any = None) -> str | None:
    name = _culture(culture)
    text = as_text(source, "source")
    return None if text is None else _simple_case(text, upper=True, culture=name)


def _word(string: Any, word_number: Any, delimiters: Any) -> str:
    number = as_integer(word_number, "WordNumber")
    text = as_text(string, "String")
    # [S8]: number < 1 or null string or too few words -> "".
    if text is None or number < 1:
        return ""
    separators = as_text(delimiters, "delimiters") or ""
    pieces = re.split(f"[{re.escape(''.join(separators))}]", text) if separators else [text]
    words = [word for word in pieces if word]  # runs of delimiters make no empty words
    return words[number - 1] if number <= len(words) else ""


# ---------------------------------------------------------------- save-time checks


def _literal(node: Node) -> tuple[bool, Any]:
    """(True, value) for an argument whose value is known when the mapping is saved."""
    if isinstance(node, StringLiteral | NumberLiteral):
        return True, node.value
    if isinstance(node, NamedConstant):
        return True, NAMED_CONSTANTS.get(node.name)
    if isinstance(node, EmptyArgument):
        return True, None
    return False, None


def _check_literals(call: FunctionCall, check: Callable[..., Any], *indexes: int) -> None:
    """Run ``check`` on the arguments at ``indexes`` if they are all literals."""
    values = []
    for index in indexes:
        if index >= len(call.arguments):
            values.append(None)
            continue
        known, value = _literal(call.arguments[index])
        if not known:
            return
        values.append(value)
    try:
        check(*values)
    except ArgumentProblem as problem:
        raise ExpressionValidationError(f"{call.name}: {problem}", call.position) from None


def _check_switch(call: FunctionCall) -> None:
    if len(call.arguments) % 2:
        raise ExpressionValidationError(
            "Switch: key and value parameters must come in pairs, so the function expects an"
            f" even number of arguments; got {len(call.arguments)}",
            call.position,
        )


def _check_replace(call: FunctionCall) -> None:
    provided = [not isinstance(a, EmptyArgument) for a in call.arguments]
    if _replace_mode(provided) is None:
        given = [n for n, p in zip(_REPLACE_PARAMETERS[1:], provided[1:], strict=True) if p]
        combinations = "; ".join(" + ".join(sorted(mode)) for mode in _REPLACE_MODES)
        raise ExpressionValidationError(
            f"Replace: the parameters given ({', '.join(given) or 'none besides source'}) aren't"
            f" one of the documented combinations: {combinations}",
            call.position,
        )
    _check_literals(call, lambda p: p is None or dotnet_regex(as_text(p, "regexPattern")), 2)

    def group_exists(pattern: Any, group: Any) -> None:
        if pattern is not None and group is not None:
            _group_name(dotnet_regex(_required_text(pattern, "regexPattern")), group)

    _check_literals(call, group_exists, 2, 3)


def _check_app_role_argument(call: FunctionCall) -> None:
    argument = call.arguments[0]
    if argument != AttributeRef("appRoleAssignments"):
        raise ExpressionValidationError(
            f"{call.name} takes the [appRoleAssignments] attribute, not {argument.to_text()!r}",
            argument.position,
        )


def _check_date_interval(call: FunctionCall) -> None:
    _check_literals(call, _interval, 0)


def _check_instr(call: FunctionCall) -> None:
    _check_literals(call, _compare_mode, 3)


def _check_format_date_time(call: FunctionCall) -> None:
    _check_literals(call, _date_time_styles, 1)
    _check_literals(call, lambda f: f is None or _format_tokens(as_text(f, "inputFormat")), 2)
    _check_literals(call, lambda f: f is None or _format_tokens(as_text(f, "outputFormat")), 3)


def _check_culture(call: FunctionCall) -> None:
    _check_literals(call, _culture, 1)


def _check_random_string(call: FunctionCall) -> None:
    _check_literals(call, _random_string_plan, 0, 1, 2, 3, 4, 5)


# ---------------------------------------------------------------- the registry


def _specs(*specs: FunctionSpec) -> Mapping[str, FunctionSpec]:
    return {spec.name: spec for spec in specs}


_APP_ROLE = dict(min_args=1, max_args=1, check=_check_app_role_argument)

#: Every supported function by its case-sensitive name.
FUNCTIONS: Mapping[str, FunctionSpec] = _specs(
    FunctionSpec("Append(source, suffix)", 2, 2, _append),
    FunctionSpec("AppRoleAssignmentsComplex([appRoleAssignments])",
                 implementation=_app_role_assignments_complex, **_APP_ROLE),
    # [S7]: same roles as AppRoleAssignmentsComplex; the engine sends them with PATCH
    # replace instead of add.
    FunctionSpec("AssertiveAppRoleAssignmentsComplex([appRoleAssignments])",
                 implementation=_app_role_assignments_complex, **_APP_ROLE),
    FunctionSpec("BitAnd(value1, value2)", 2, 2, _bit_and),
    FunctionSpec("CBool(Expression)", 1, 1, _cbool),
    FunctionSpec("CDate(expression)", 1, 1, _cdate),
    FunctionSpec("Coalesce(source1, source2, …, defaultValue)", 1, None, _coalesce, lazy=True),
    FunctionSpec("ConvertToBase64(source)", 1, 1, _convert_to_base64),
    FunctionSpec("ConvertToUTF8Hex(source)", 1, 1, _convert_to_utf8_hex),
    FunctionSpec("Count(attribute)", 1, 1, _count),
    FunctionSpec("CStr(value)", 1, 1, _cstr),
    FunctionSpec("DateAdd(interval, value, dateTime)", 3, 3, _date_add, check=_check_date_interval),
    FunctionSpec("DateDiff(interval, date1, date2)", 3, 3, _date_diff, check=_check_date_interval),
    FunctionSpec("DateFromNum(value)", 1, 1, _date_from_num),
    FunctionSpec("FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)", 4, 4,
                 _format_date_time, uses_context=True, optional=frozenset({1}),
                 check=_check_format_date_time),
    FunctionSpec("Guid()", 0, 0, _guid, uses_context=True),
    FunctionSpec("IgnoreFlowIfNullOrEmpty(expression)", 1, 1, _ignore_flow_if_null_or_empty),
    FunctionSpec("IIF(condition, valueIfTrue, valueIfFalse)", 3, 3, _iif, lazy=True),
    FunctionSpec("InStr(value1, value2, start, compareType)", 2, 4, _instr, check=_check_instr),
    FunctionSpec("IsNull(Expression)", 1, 1, _is_null),
    FunctionSpec("IsNullOrEmpty(Expression)", 1, 1, _is_null_or_empty),
    FunctionSpec("IsPresent(Expression)", 1, 1, _is_present),
    FunctionSpec("IsString(Expression)", 1, 1, _is_string),
    FunctionSpec("Item(attribute, index)", 2, 2, _item),
    FunctionSpec("Join(separator, source1, source2, …)", 2, None, _join),
    FunctionSpec("Left(String, NumChars)", 2, 2, _left),
    FunctionSpec("Mid(source, start, length)", 3, 3, _mid),
    FunctionSpec("NormalizeDiacritics(source)", 1, 1, _normalize_diacritics),
    FunctionSpec("Not(source)", 1, 1, _not),
    FunctionSpec("Now()", 0, 0, _now, uses_context=True),
    FunctionSpec("NumFromDate(value)", 1, 1, _num_from_date),
    FunctionSpec("PCase(source, wordSeparators)", 1, 2, _pcase),
    FunctionSpec("RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital,"
                 " MinimumLowerCase, CharactersToAvoid)", 5, 6, _random_string,
                 uses_context=True, check=_check_random_string),
    FunctionSpec("Redact(value)", 1, 1, _redact),
    FunctionSpec("RemoveDuplicates(attribute)", 1, 1, _remove_duplicates),
    # [S8] documents all seven parameters positionally and every example passes seven,
    # leaving the unused ones empty: Replace([mail], "@contoso.com", , ,"", ,).
    FunctionSpec("Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,"
                 " replacementAttributeName, template)", 7, 7, _replace, lazy=True,
                 optional=frozenset(range(1, 7)), check=_check_replace),
    FunctionSpec("SingleAppRoleAssignment([appRoleAssignments])",
                 implementation=_single_app_role_assignment, **_APP_ROLE),
    FunctionSpec("Split(source, delimiter)", 2, 2, _split),
    FunctionSpec("StripSpaces(source)", 1, 1, _strip_spaces),
    FunctionSpec("Switch(source, defaultValue, key1, value1, key2, value2, …)", 4, None, _switch,
                 lazy=True, optional=frozenset({1}), check=_check_switch),
    FunctionSpec("ToLower(source, culture)", 1, 2, _to_lower, check=_check_culture),
    FunctionSpec("ToUpper(source, culture)", 1, 2, _to_upper, check=_check_culture),
    FunctionSpec("Word(String, WordNumber, Delimiters)", 3, 3, _word),
)  # fmt: skip


# ---------------------------------------------------------------- validation


def _suggestion(name: str, candidates: Sequence[str]) -> str:
    for candidate in candidates:
        if candidate.lower() == name.lower():
            return f"; did you mean {candidate}? Function names are case-sensitive"
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return f"; did you mean {close[0]}?" if close else ""


def _arity(spec: FunctionSpec) -> str:
    if spec.max_args == spec.min_args:
        count = spec.min_args
        return f"exactly {count} argument{'s' if count != 1 else ''}"
    if spec.max_args is None:
        return f"at least {spec.min_args} arguments"
    return f"{spec.min_args} to {spec.max_args} arguments"


def _validate_call(call: FunctionCall) -> None:
    spec = FUNCTIONS.get(call.name)
    if spec is None:
        if call.name in UNSUPPORTED_FUNCTIONS:
            raise ExpressionValidationError(UNSUPPORTED_FUNCTIONS[call.name], call.position)
        known = [*FUNCTIONS, *UNSUPPORTED_FUNCTIONS]
        raise ExpressionValidationError(
            f"unknown function {call.name!r}{_suggestion(call.name, known)}", call.position
        )
    count = len(call.arguments)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        raise ExpressionValidationError(
            f"{spec.name} takes {_arity(spec)}, got {count}: {spec.signature}", call.position
        )
    for index, argument in enumerate(call.arguments):
        if (
            isinstance(argument, EmptyArgument)
            and index < spec.min_args
            and index not in spec.optional
        ):
            raise ExpressionValidationError(
                f"{spec.name}: {spec.parameter_name(index)} (argument {index + 1}) is required"
                " and can't be left empty",
                argument.position,
            )
    if spec.check is not None:
        spec.check(call)


def _validate_constant(constant: NamedConstant) -> None:
    if constant.name in NAMED_CONSTANTS:
        return
    if constant.name in FUNCTIONS:
        hint = f"; a function call needs parentheses: {constant.name}(...)"
    else:
        hint = _suggestion(constant.name, list(NAMED_CONSTANTS)) or (
            f'; write an attribute as [{constant.name}] and a string constant as "{constant.name}"'
        )
    raise ExpressionValidationError(f"unknown name {constant.name!r}{hint}", constant.position)


def validate(root: Node) -> None:
    """Refuse what Entra refuses when a mapping is saved; raises ExpressionValidationError."""
    for node in walk(root):
        if isinstance(node, FunctionCall):
            _validate_call(node)
        elif isinstance(node, NamedConstant):
            _validate_constant(node)
