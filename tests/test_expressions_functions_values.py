"""How the functions read their arguments: text, whole numbers, booleans and date text.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID").
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from fake_entra.expressions.functions.spec import ArgumentProblem
from fake_entra.expressions.functions.values import (
    as_boolean,
    as_integer,
    as_text,
    fixed_number,
    format_general,
    is_null_or_empty,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("text", "text"),
        (True, "True"),  # .NET Boolean.ToString
        (False, "False"),
        (-42, "-42"),
        (2.0, "2"),
        (2.5, "2.5"),
        (1e20, "1e+20"),
        (datetime(2021, 8, 25, 17, 41, 18), "8/25/2021 5:41:18 PM"),
    ],
)
def test_as_text_prints_a_single_value_like_dotnet(value: Any, expected: str | None) -> None:
    assert as_text(value, "source") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["a", "b"], "source is multi-valued (2 values); use Item, Join or Count"),
        ({"value": "Admin"}, "source is a dict, not a single text value"),
    ],
)
def test_as_text_refuses_what_isnt_one_value(value: Any, message: str) -> None:
    with pytest.raises(ArgumentProblem) as caught:
        as_text(value, "source")
    assert str(caught.value) == message


def test_as_integer_reads_whole_numbers_only() -> None:
    assert as_integer(" +12 ", "n") == 12
    assert as_integer("123456789012345678901234567890", "n") == 123456789012345678901234567890
    assert as_integer(3.0, "n") == 3
    for value in (True, "1.5", 1.5, "x", None):
        with pytest.raises(ArgumentProblem, match=r"^n "):
            as_integer(value, "n")


def test_fixed_number_truncates_toward_zero_like_vb_fix() -> None:
    assert fixed_number("1.9", "value") == 1
    assert fixed_number("-1.9", "value") == -1
    assert fixed_number(-2.7, "value") == -2
    assert fixed_number("7", "value") == 7
    with pytest.raises(ArgumentProblem):
        fixed_number("seven", "value")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (0, False), (-3, True), ("TRUE", True), (" false ", False), ("0.0", False),
     ("2", True)],
)  # fmt: skip
def test_as_boolean_reads_cbool_values(value: Any, expected: bool) -> None:
    assert as_boolean(value, "the condition") is expected


@pytest.mark.parametrize("value", [None, "maybe", ["True"]])
def test_as_boolean_refuses_anything_else(value: Any) -> None:
    with pytest.raises(ArgumentProblem, match="neither True"):
        as_boolean(value, "the condition")


def test_null_or_empty_is_null_an_empty_string_or_no_values() -> None:
    assert [is_null_or_empty(v) for v in (None, "", [], (), " ", [""], 0, False)] == [
        True, True, True, True, False, False, False, False,
    ]  # fmt: skip


def test_format_general_writes_entras_date_text_in_utc() -> None:
    # [S8] CDate, DateAdd and Now: "M/d/yyyy h:mm:ss tt", in UTC.
    assert format_general(datetime(2021, 1, 2, 0, 5, 9)) == "1/2/2021 12:05:09 AM"
    assert format_general(datetime(2021, 1, 2, 12, 0, 0)) == "1/2/2021 12:00:00 PM"
    pacific = timezone(timedelta(hours=-8))
    assert format_general(datetime(2020, 12, 31, 23, 59, 59, tzinfo=pacific)) == (
        "1/1/2021 7:59:59 AM"
    )
