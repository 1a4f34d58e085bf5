"""The date functions and the .NET date and time format strings they speak.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID"). Test names say which documented example or edge case each one checks.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from expressions_support import NOW, fails_when_evaluated, refused_when_saved, run

from fake_entra.expressions import EvaluationContext
from fake_entra.expressions.functions.dates import format_dotnet, parse_dotnet


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        # [S8] CDate examples 1-3.
        ('"2020-03-16-07:00"', "3/16/2020 7:00:00 AM"),
        ('"2021-06-30+08:00"', "6/29/2021 4:00:00 PM"),
        ('"2009-06-15T01:45:30-07:00"', "6/15/2009 8:45:30 AM"),
        ('"2021-08-24"', "8/24/2021 12:00:00 AM"),
        ('"8/25/2021 5:41:18 PM"', "8/25/2021 5:41:18 PM"),
        ('"2021-08-24T12:30:00Z"', "8/24/2021 12:30:00 PM"),
        ("[missing]", None),
    ],
)
def test_cdate(argument: str, expected: str | None) -> None:
    assert run(f"CDate({argument})") == expected


def test_cdate_refuses_text_that_isnt_a_date() -> None:
    assert fails_when_evaluated('CDate("yesterday")').function == "CDate"
    assert fails_when_evaluated('CDate("2021-02-30")').function == "CDate"
    assert fails_when_evaluated('CDate("13/40/2021 1:00:00 PM")').function == "CDate"


def test_cdate_reads_a_datetime_attribute() -> None:
    assert run("CDate([hired])", hired=datetime(2024, 2, 29, 23, 5, 1)) == "2/29/2024 11:05:01 PM"


@pytest.mark.parametrize(
    ("interval", "value", "expected"),
    [
        # [S8] DateAdd Example 1 table, StatusHireDate = 2012-03-16-07:00.
        ("d", "7", "3/23/2012 7:00:00 AM"),
        ("d", "-10", "3/6/2012 7:00:00 AM"),
        ("ww", "2", "3/30/2012 7:00:00 AM"),
        ("m", "10", "1/16/2013 7:00:00 AM"),
        ("yyyy", "2", "3/16/2014 7:00:00 AM"),
        ("h", "-8", "3/15/2012 11:00:00 PM"),
        ("n", "90", "3/16/2012 8:30:00 AM"),
        ("s", "30", "3/16/2012 7:00:30 AM"),
    ],
)
def test_date_add_documented_table(interval: str, value: str, expected: str) -> None:
    text = f'DateAdd("{interval}", {value}, CDate([StatusHireDate]))'
    assert run(text, StatusHireDate="2012-03-16-07:00") == expected


def test_date_add_edges() -> None:
    assert run('DateAdd("m", 1, "2021-01-31")') == "2/28/2021 12:00:00 AM"  # AddMonths clamps
    assert run('DateAdd("yyyy", 1, "2024-02-29")') == "2/28/2025 12:00:00 AM"
    assert run('DateAdd("d", "1.9", "2021-01-01")') == "1/2/2021 12:00:00 AM"  # VB Fix()
    assert run('DateAdd("d", 1, [missing])') is None
    assert "interval" in refused_when_saved('DateAdd("days", 1, Now())')
    assert fails_when_evaluated('DateAdd("d", 99999999, "2021-01-01")').function == "DateAdd"
    assert fails_when_evaluated('DateAdd("d", "x", "2021-01-01")').function == "DateAdd"


@pytest.mark.parametrize(
    ("interval", "date1", "date2", "expected"),
    [
        # [S8] DateDiff Example 1 table.
        ("d", "2021-08-18+08:00", "2021-08-31+08:00", 13),
        ("d", "8/25/2021 5:41:18 PM", "2012-03-16-07:00", -3449),
        ("ww", "8/25/2021 5:41:18 PM", "2012-03-16-07:00", -493),
        ("m", "8/25/2021 5:41:18 PM", "2012-03-16-07:00", -113),
        ("yyyy", "8/25/2021 5:41:18 PM", "2012-03-16-07:00", -9),
        ("d", "2021-08-31+08:00", "2021-08-31+08:00", 0),
        ("h", "2021-08-24", "2021-08-25", 24),
        ("n", "2021-08-24", "2021-08-25", 1440),
        ("s", "2021-08-24", "2021-08-25", 86400),
    ],
)
def test_date_diff_documented_table(interval: str, date1: str, date2: str, expected: int) -> None:
    assert run(f'DateDiff("{interval}", "{date1}", "{date2}")') == expected


def test_date_diff_documented_switch_example() -> None:
    # [S8] DateDiff Example 2: accountEnabled True only if the hire date is within five days.
    expression = (
        'Switch([Active], , \n  "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5,'
        ' "False", "True"), \n  "0", "False")'
    )
    assert run(expression, Active="1", StatusHireDate="2026-01-08") == "True"
    assert run(expression, Active="1", StatusHireDate="2026-02-08") == "False"
    assert run(expression, Active="0") == "False"


def test_date_diff_with_a_null_date_is_null() -> None:
    assert run('DateDiff("d", [a], Now())') is None


def test_date_from_num_and_num_from_date() -> None:
    # [S8] DateFromNum(129699324000000000): "January 1, 2012 at 11:00PM".
    assert run("DateFromNum(129699324000000000)") == "1/1/2012 11:00:00 PM"
    assert run('NumFromDate("2012-01-01T23:00:00Z")') == 129699324000000000
    assert run("DateFromNum([lastLogonTimestamp])", lastLogonTimestamp="129699324000000000") == (
        "1/1/2012 11:00:00 PM"
    )
    assert run("DateFromNum([a])") is None
    assert fails_when_evaluated("DateFromNum(9223372036854775807)").function == "DateFromNum"


def test_num_from_date_documented_workday_and_successfactors_examples() -> None:
    # [S8]: ContractEndDate "2020-12-31-08:00" -> accountExpires at 23:59:59-08:00 that day.
    workday = (
        'NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"),'
        ' " 23:59:59-08:00"))'
    )
    successfactors = (
        'NumFromDate(Join("",FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd"),'
        '" 23:59:59-08:00"))'
    )
    expected = run('NumFromDate("2021-01-01T07:59:59Z")')
    assert run(workday, ContractEndDate="2020-12-31-08:00") == expected
    assert run(successfactors, endDate="12/31/2020 09:00:00 AM") == expected


def test_format_date_time_documented_example() -> None:
    # [S8] FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd").
    expression = 'FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")'
    assert run(expression, extensionAttribute1="20150123105347.1Z") == "2015-01-23"
    assert run(expression) is None


@pytest.mark.parametrize(
    ("source", "input_format", "output_format", "expected"),
    [
        ("20150123105347.1Z", "yyyyMMddHHmmss.fZ", "o", "2015-01-23T10:53:47.1000000Z"),
        ("2015-01-23", "yyyy-MM-dd", "dddd, dd MMMM yyyy", "Friday, 23 January 2015"),
        ("23 Jan 15", "dd MMM yy", "M/d/yyyy", "1/23/2015"),
        ("1/2/85 3:04:05 PM", "M/d/yy h:mm:ss tt", "yyyy-MM-ddTHH:mm:ss", "1985-01-02T15:04:05"),
        ("2015-01-23T10:00:00+02:00", "yyyy-MM-ddTHH:mm:sszzz", "HH:mm K", "08:00 +00:00"),
        ("2015-01-23T10:00:00", "s", "yyyy-MM-dd HH:mm:ss.FFF'|'", "2015-01-23 10:00:00|"),
        ("2015-01-23 10:00:00Z", "u", "r", "Fri, 23 Jan 2015 10:00:00 GMT"),
        ("10:30", "HH:mm", "yyyy-MM-dd HH:mm", "2026-01-05 10:30"),  # no date: today
        ("2015", "yyyy", "d", "01/01/2015"),
        ("  2015-01-23 ", "yyyy-MM-dd", "%d", "23"),  # leading/trailing white allowed by default
        ("Friday 23", "dddd dd", "MMMM", "January"),
    ],
)
def test_format_date_time_dotnet_formats(
    source: str, input_format: str, output_format: str, expected: str
) -> None:
    expression = f'FormatDateTime([d], , "{input_format}", "{output_format}")'
    assert run(expression, d=source) == expected


def test_format_date_time_styles() -> None:
    assert run('FormatDateTime([d], "AssumeUniversal", "yyyy-MM-dd", "%K")', d="2015-01-23") == "Z"
    assert run('FormatDateTime([d], "AllowWhiteSpaces", "yyyy MM", "MM")', d=" 2015   07 ") == "07"
    fails = fails_when_evaluated('FormatDateTime([d], "None", "yyyy-MM-dd", "d")', d=" 2015-01-23")
    assert fails.function == "FormatDateTime"
    assert "DateTimeStyles" in refused_when_saved('FormatDateTime([d], "Sideways", "yyyy", "yyyy")')
    refused_when_saved('FormatDateTime([d], "RoundtripKind, AssumeLocal", "yyyy", "yyyy")')


def test_format_date_time_refuses_text_not_in_the_input_format() -> None:
    error = fails_when_evaluated('FormatDateTime([d], , "yyyy-MM-dd", "d")', d="23/01/2015")
    assert error.function == "FormatDateTime"
    assert "doesn't match" in str(error)
    assert (
        fails_when_evaluated('FormatDateTime([d], , "yyyy-MM-dd", "d")', d="2015-02-30").function
        == "FormatDateTime"
    )
    refused_when_saved('FormatDateTime([d], , "yyyy-MM-dd", "Q")')  # not a standard format
    refused_when_saved('FormatDateTime([d], , "yyyy-\'MM", "d")')  # unterminated quote


def test_dotnet_format_round_trip() -> None:
    moment = datetime(2024, 7, 4, 13, 5, 9, 123456, tzinfo=UTC)
    for fmt in ("o", "yyyy-MM-dd HH:mm:ss.fffffff", "dddd, MMMM d, yyyy h:mm:ss tt"):
        text = format_dotnet(moment, fmt)
        parsed, _ = parse_dotnet(text, fmt, frozenset(), NOW)
        assert parsed == moment.replace(microsecond=parsed.microsecond)
    assert format_dotnet(moment, "yy y yyy yyyyy g") == "24 24 2024 02024 A.D."
    assert format_dotnet(moment, "h t \\h 'quoted' \"too\"") == "1 P h quoted too"


def test_now_uses_the_injected_clock() -> None:
    # [S8] Now(): "7/2/2021 3:33:38 PM" format.
    assert run("Now()") == "1/5/2026 9:00:00 AM"
    later = EvaluationContext(now=lambda: datetime(2021, 7, 2, 15, 33, 38, tzinfo=UTC))
    assert run("Now()", later) == "7/2/2021 3:33:38 PM"
