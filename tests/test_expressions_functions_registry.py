"""The registry: every documented function is there, and calls are checked when saved.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID").
"""

from __future__ import annotations

import pytest
from expressions_support import refused_when_saved

from fake_entra.expressions import FUNCTIONS, parse_expression
from fake_entra.expressions.functions.registry import UNSUPPORTED_FUNCTIONS

REQUIRED = (
    "Append",
    "AppRoleAssignmentsComplex",
    "BitAnd",
    "CBool",
    "CDate",
    "Coalesce",
    "ConvertToBase64",
    "ConvertToUTF8Hex",
    "Count",
    "CStr",
    "DateAdd",
    "DateDiff",
    "DateFromNum",
    "FormatDateTime",
    "Guid",
    "IgnoreFlowIfNullOrEmpty",
    "IIF",
    "InStr",
    "IsNull",
    "IsNullOrEmpty",
    "IsPresent",
    "IsString",
    "Item",
    "Join",
    "Left",
    "Mid",
    "NormalizeDiacritics",
    "Not",
    "Now",
    "NumFromDate",
    "PCase",
    "RandomString",
    "Redact",
    "RemoveDuplicates",
    "Replace",
    "SingleAppRoleAssignment",
    "Split",
    "StripSpaces",
    "Switch",
    "ToLower",
    "ToUpper",
    "Word",
)


def test_every_documented_function_is_supported_except_select_unique_value() -> None:
    assert set(REQUIRED) <= set(FUNCTIONS)
    assert "AssertiveAppRoleAssignmentsComplex" in FUNCTIONS  # [S7]
    assert "SelectUniqueValue" not in FUNCTIONS


def test_select_unique_value_is_refused_with_microsofts_reason() -> None:
    # [S8]: "SelectUniqueValue isn't supported for use with other provisioning applications."
    message = refused_when_saved(
        'SelectUniqueValue(Join("@", [givenName], "contoso.com"), Join("@", [sn], "contoso.com"))'
    )
    assert UNSUPPORTED_FUNCTIONS["SelectUniqueValue"] in message
    assert "Active Directory" in message


def _call(name: str, count: int) -> str:
    return f"{name}({', '.join(['[a]'] * count)})"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_too_few_and_too_many_arguments_are_refused_when_saved(name: str) -> None:
    spec = FUNCTIONS[name]
    if spec.min_args > 0:
        assert f"{name} takes" in refused_when_saved(_call(name, spec.min_args - 1))
    if spec.max_args is not None:
        assert f"{name} takes" in refused_when_saved(_call(name, spec.max_args + 1))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Append(, [b])", "source (argument 1) is required"),
        ("Left([a], )", "NumChars (argument 2) is required"),
        ('Switch(, "d", "k", "v")', "source (argument 1) is required"),
        ('Replace(, "a", , , "b", , )', "source (argument 1) is required"),
    ],
)
def test_a_required_argument_cant_be_left_empty(text: str, fragment: str) -> None:
    assert fragment in refused_when_saved(text)


def test_optional_arguments_may_be_left_empty() -> None:
    # Switch's defaultValue and FormatDateTime's dateTimeStyles are optional ([S8]).
    parse_expression('Switch([a], , "k", "v")')
    parse_expression('FormatDateTime([d], , "yyyy", "yyyy")')
    parse_expression('InStr("abc", "b", , vbTextCompare)')
