"""The date functions, and the .NET date and time format strings they speak.

CDate, DateAdd, DateDiff, DateFromNum, FormatDateTime, Now and NumFromDate, as [S8]
documents them. Dates are read by :func:`parse_date` from the forms [S8] feeds them,
and written as Entra's date text "M/d/yyyy h:mm:ss tt" in UTC (``format_general``).
FormatDateTime reads and writes .NET custom and standard format strings with the
invariant culture on a server whose local zone is UTC (:func:`parse_dotnet`,
:func:`format_dotnet`). Where [S8] is silent, DateAdd and DateDiff follow VB.NET's
``DateAndTime.DateAdd`` and ``DateAndTime.DateDiff``, whose rules reproduce every row
of [S8]'s tables. ``Now()`` and FormatDateTime's default date come from the
evaluation context's clock, never from the wall clock.

[S8] is Microsoft's "Reference for writing expressions for attribute mappings in
Microsoft Entra ID",
https://learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data
(MicrosoftDocs/entra-docs docs/identity/app-provisioning/functions-for-customizing-application-data.md).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from fake_entra.expressions.ast import FunctionCall
from fake_entra.expressions.context import EvaluationContext
from fake_entra.expressions.functions.spec import ArgumentProblem, FunctionSpec, check_literals
from fake_entra.expressions.functions.values import (
    as_integer,
    as_text,
    designator,
    fixed_number,
    format_general,
    required_text,
    utc,
)

# ---------------------------------------------------------------- reading dates


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
        return utc(value)
    text = required_text(value, what).strip()
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
    return (utc(moment) - _FILETIME_EPOCH) // timedelta(microseconds=1) * 10


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
    m = utc(moment)
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
            out.append(designator(m)[:count])
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


# ---------------------------------------------------------------- the functions


def _cdate(expression: Any) -> str | None:
    if expression is None:
        return None
    return format_general(parse_date(expression, "the expression"))


def _date_add(interval: Any, value: Any, date_time: Any) -> str | None:
    unit = _interval(interval)
    number = fixed_number(value, "value")
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
    in_format = required_text(input_format, "inputFormat")
    out_format = required_text(output_format, "outputFormat")
    if source is None:
        return None
    kind: DateKind
    if isinstance(source, datetime):
        moment, kind = utc(source), "utc"
    else:
        moment, kind = parse_dotnet(
            required_text(source, "source"), in_format, style_set, context.now()
        )
    return format_dotnet(moment, out_format, kind)


def _now(context: EvaluationContext) -> str:
    return format_general(context.now())


def _num_from_date(value: Any) -> int | None:
    if value is None:
        return None
    return _to_filetime(parse_date(value, "value"))


# ---------------------------------------------------------------- save-time checks


def _check_date_interval(call: FunctionCall) -> None:
    check_literals(call, _interval, 0)


def _check_format_date_time(call: FunctionCall) -> None:
    check_literals(call, _date_time_styles, 1)
    check_literals(call, lambda f: f is None or _format_tokens(as_text(f, "inputFormat")), 2)
    check_literals(call, lambda f: f is None or _format_tokens(as_text(f, "outputFormat")), 3)


#: The date functions, for the registry.
DATE_FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("CDate(expression)", 1, 1, _cdate),
    FunctionSpec("DateAdd(interval, value, dateTime)", 3, 3, _date_add, check=_check_date_interval),
    FunctionSpec("DateDiff(interval, date1, date2)", 3, 3, _date_diff, check=_check_date_interval),
    FunctionSpec("DateFromNum(value)", 1, 1, _date_from_num),
    FunctionSpec("FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)", 4, 4,
                 _format_date_time, uses_context=True, optional=frozenset({1}),
                 check=_check_format_date_time),
    FunctionSpec("Now()", 0, 0, _now, uses_context=True),
    FunctionSpec("NumFromDate(value)", 1, 1, _num_from_date),
)  # fmt: skip
