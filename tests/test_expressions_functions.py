"""The function library, function by function.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID"); [S7] = customize-application-attributes.md.
Test names say which documented example or edge case each one checks.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from fake_entra.expressions import (
    FUNCTIONS,
    IGNORE_FLOW,
    EvaluationContext,
    ExpressionEvaluationError,
    ExpressionValidationError,
    parse_expression,
)
from fake_entra.expressions.functions import (
    UNSUPPORTED_FUNCTIONS,
    dotnet_regex,
    format_dotnet,
    parse_dotnet,
)

NOW = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)


def run(text: str, context: EvaluationContext | None = None, **source: Any) -> Any:
    return parse_expression(text).evaluate(source, context or EvaluationContext(now=lambda: NOW))


def refused_when_saved(text: str) -> str:
    with pytest.raises(ExpressionValidationError) as caught:
        parse_expression(text)
    return str(caught.value)


def fails_when_evaluated(text: str, **source: Any) -> ExpressionEvaluationError:
    expression = parse_expression(text)  # saving works; the sync fails
    with pytest.raises(ExpressionEvaluationError) as caught:
        expression.evaluate(source, EvaluationContext(now=lambda: NOW))
    return caught.value


# ---------------------------------------------------------------- the registry

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


# ---------------------------------------------------------------- strings


def test_append_documented_example() -> None:
    # [S8] Append: "John.Doe@contoso.com" -> "John.Doe@contoso.com.test".
    assert (
        run('Append([userPrincipalName], ".test")', userPrincipalName="John.Doe@contoso.com")
        == "John.Doe@contoso.com.test"
    )


def test_append_edges() -> None:
    assert run('Append([a], ".test")') is None  # absent source stays absent
    assert run("Append([a], [b])", a="x") == "x"  # null suffix appends nothing
    assert run('Append([n], "!")', n=42) == "42!"
    assert fails_when_evaluated('Append([a], "x")', a=["1", "2"]).function == "Append"


def test_convert_to_base64_is_utf16le_like_dotnet_unicode() -> None:
    # [S8] ConvertToBase64("Hello world!") returns "SABlAGwAbABvACAAdwBvAHIAbABkACEA".
    assert run('ConvertToBase64("Hello world!")') == "SABlAGwAbABvACAAdwBvAHIAbABkACEA"
    assert run("ConvertToBase64([a])") is None
    assert run('ConvertToBase64("")') == ""


def test_convert_to_utf8_hex() -> None:
    # [S8] ConvertToUTF8Hex("Hello world!") returns 48656C6C6F20776F726C6421.
    assert run('ConvertToUTF8Hex("Hello world!")') == "48656C6C6F20776F726C6421"
    assert run('ConvertToUTF8Hex("é")') == "C3A9"
    assert run("ConvertToUTF8Hex([a])") is None


def test_join_documented_examples() -> None:
    # Portal default for name.formatted, and [S8] "Add a comma between last name and first
    # name": Join(", ", "", [surname], [givenName]) -> "Doe, John" (the "" is skipped).
    assert run('Join(" ", [givenName], [surname])', givenName="Ada", surname="Lovelace") == (
        "Ada Lovelace"
    )
    assert run('Join(", ", "", [surname], [givenName])', givenName="John", surname="Doe") == (
        "Doe, John"
    )


def test_join_expands_multi_valued_attributes_and_skips_nulls() -> None:
    # [S8]: "If one of the source values is a multi-value attribute, then every value in
    # that attribute is joined together, separated by the separator value."
    assert run('Join(";", [proxyAddresses], [mail])', proxyAddresses=["a", "", "b"], mail="c") == (
        "a;b;c"
    )
    assert run('Join(" ", [givenName], [surname])', givenName="Ada") == "Ada"
    assert run('Join("", 1000, "x")') == "1000x"  # [S8]: Join("", 1000, Replace(...))
    assert run('Join(" ", [a], [b])') == ""
    assert run("Join([sep], [a], [b])", a="x", b="y") == "xy"


def test_left_documented_rules() -> None:
    # [S8] Left("John Doe", 3) returns "Joh"; numChars 0 -> ""; < 0 -> input; null -> "";
    # more than the length -> the whole string.
    assert run('Left("John Doe", 3)') == "Joh"
    assert run('Left("John Doe", 0)') == ""
    assert run('Left("John Doe", -1)') == "John Doe"
    assert run("Left([a], 3)") == ""
    assert run('Left("Jo", 5)') == "Jo"
    assert run('Left("John", "2")') == "Jo"


def test_left_with_a_non_numeric_count_fails_naming_left() -> None:
    error = fails_when_evaluated("Left([a], [n])", a="hello", n="abc")
    assert error.function == "Left"
    assert str(error).startswith("Left: NumChars must be a whole number")
    assert fails_when_evaluated("Left([a], [n])", a="hello").function == "Left"  # null count


def test_mid_is_one_based() -> None:
    # [S8] "Generate user alias": Append(Mid([givenName], 1, 3), Mid([surname], 1, 5)) -> "JohDoe".
    source = {"givenName": "John", "surname": "Doe"}
    assert run("Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))", **source) == "JohDoe"
    assert run('Mid("abcdef", 2, 3)') == "bcd"
    assert run('Mid("abc", 2, 10)') == "bc"  # [S8]: length past the end -> until the end
    assert run('Mid("abc", 5, 1)') == ""
    assert run("Mid([a], 1, 1)") is None
    assert fails_when_evaluated('Mid("abc", 0, 1)').function == "Mid"
    assert fails_when_evaluated('Mid("abc", 1, -1)').function == "Mid"


def test_normalize_diacritics_documented_example_and_table() -> None:
    # [S8]: "Zoë" -> "Zoe"; the table maps æ->ae, ø->oe, ß->ss, ł->l, ı->i and strips marks.
    assert run("NormalizeDiacritics([givenName])", givenName="Zoë") == "Zoe"
    assert run('NormalizeDiacritics("Æsa Øre Straße Łódź İı ǣ ø̄ ḹ Ș ț")') == (
        "AEsa OEre Strasse Lodz Ii ae oe l S t"
    )
    assert run('NormalizeDiacritics("Jéssica Smith")') == "Jessica Smith"
    assert run('NormalizeDiacritics("東京")') == "東京"
    assert run("NormalizeDiacritics([a])") is None


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        # [S8] PCase examples table.
        (
            "PCase([firstName])",
            {"firstName": "PABLO GONSALVES (SECOND)"},
            "Pablo Gonsalves (Second)",
        ),
        ('PCase([lastName]," \'-")', {"lastName": "PINTO-DE'SILVA"}, "Pinto-De'Silva"),
        (
            'PCase(Join(" ",[firstName],[lastName]))',
            {"firstName": "GREGORY", "lastName": "JAMES"},
            "Gregory James",
        ),
        # Custom separators: only those separate words.
        ('PCase("jean-luc picard", " ")', {}, "Jean-luc Picard"),
        ('PCase("a_b+c", )', {}, "A_B+C"),
        ("PCase([a])", {}, None),
    ],
)
def test_pcase(text: str, source: dict[str, Any], expected: str | None) -> None:
    assert run(text, **source) == expected


def test_replace_documented_examples() -> None:
    # [S8] Replace examples 1-6 and "Strip known domain name".
    assert (
        run(
            'Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )',
            BusinessTitle="Product Developer",
        )
        == "Software Engineer"
    )
    assert (
        run('Replace([UserID],"<username>", , , , , "<username>@contoso.com")', UserID="jsmith")
        == "jsmith@contoso.com"
    )
    phone = r'"\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})"'
    assert (
        run(f'Replace([telephoneNumber], , {phone}, , "${{phoneNumber}}", , )',
            telephoneNumber="+91 9998887777")
        == "9998887777"
    )  # fmt: skip
    assert (
        run(
            r'Replace([AddressLineData], ,"(?<streetNumber>^\\d*)","streetNumber", "888", , )',
            AddressLineData="545 Tremont Street",
        )
        == "888 Tremont Street"
    )
    assert (
        run(
            'Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )',
            userPrincipalName="jsmith@contoso.com",
        )
        == "jsmith"
    )
    assert (
        run(f'Replace([telephoneNumber], , {phone}, "phoneNumber" , , [mobile], )',
            telephoneNumber="", mobile="+91 8887779999")
        == "8887779999"
    )  # fmt: skip
    assert run('Replace([mailNickname], , "[a-zA-Z_]*", , "", , )', mailNickname="john_doe72") == (
        "72"
    )
    assert run('Replace([mail], "@contoso.com", , ,"", ,)', mail="john.doe@contoso.com") == (
        "john.doe"
    )


def test_replace_regex_keeps_what_its_pattern_doesnt_match() -> None:
    # [S8] prints 19998887777 for Replace([mobile], , "[()\\s-]+", , "", , ) on
    # "+1 (999) 888-7777", but that pattern has no "+" in it: .NET keeps the "+".
    assert run(r'Replace([mobile], , "[()\\s-]+", , "", , )', mobile="+1 (999) 888-7777") == (
        "+19998887777"
    )


def test_replace_edges() -> None:
    # Case-sensitive ([S8]: "Replaces values within a string in a case-sensitive manner").
    assert run('Replace([a], "x", , , "y", , )', a="xXx") == "yXy"
    assert run('Replace([a], "x", , , "y", , )') is None
    # Extract-group mode returns the source when it has a value.
    assert run('Replace([a], , "(?<d>\\\\d+)", "d", , [b], )', a="keep", b="x 12") == "keep"
    assert run('Replace([a], , "(?<d>\\\\d+)", "d", , [b], )', b="no digits") is None
    # .NET substitutions: $1, $$, $& and an unknown ${name} left as it is.
    assert run(
        'Replace([a], , "(\\\\w+)@(\\\\w+)", , "$2 at $1 $$ [$&] ${nope}", , )', a="jo@x"
    ) == ("x at jo $ [jo@x] ${nope}")
    assert fails_when_evaluated('Replace([a], [o], , , "y", , )', a="abc", o="").function == (
        "Replace"
    )


def test_replace_parameter_combinations_are_checked_when_saved() -> None:
    message = refused_when_saved('Replace([a], "x", , , , , )')
    assert "oldValue + replacementValue" in message
    refused_when_saved('Replace([a], "x", "y", , "z", , )')  # oldValue and regexPattern
    refused_when_saved('Replace([a], , "(", , "z", , )')  # a literal regex that can't compile
    assert "isn't a group" in refused_when_saved('Replace([a], , "(?<x>a)", "y", "z", , )')


def test_dotnet_regex_translation() -> None:
    assert dotnet_regex(r"(?<year>\d{4})-\k<year>").fullmatch("2024-2024")
    assert dotnet_regex(r"(?'n'a)[(?<x>)]").fullmatch("a(")
    assert dotnet_regex(r"abc\z").search("abc")
    assert dotnet_regex(r"(?<=a)b").search("ab")  # a lookbehind is not a named group


def test_split() -> None:
    # [S8] Split([extensionAttribute5], ","): its sample prints the second piece without
    # the space after the comma; .NET String.Split keeps it (see functions._split).
    assert run('Split([extensionAttribute5], ",")',
               extensionAttribute5="PermissionSetOne, PermissionSetTwo") == [
        "PermissionSetOne", " PermissionSetTwo",
    ]  # fmt: skip
    assert run('Split("a,,b", ",")') == ["a", "", "b"]
    assert run('Split("a--b", "--")') == ["a", "b"]
    assert run('Split("ab", "")') == ["ab"]
    assert run('Split([a], ",")') is None


def test_strip_spaces_removes_only_spaces() -> None:
    assert run('StripSpaces(" a b\tc ")') == "ab\tc"
    assert run("StripSpaces([a])") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # [S8] ToLower example.
        (
            'ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  "John", "Smith"))),'
            ' "contoso.com"))',
            "john.smith@contoso.com",
        ),
        ('ToUpper("straße")', "STRAßE"),  # .NET maps one character to one
        ('ToLower("TITLE")', "title"),
        ('ToUpper("istanbul", "tr-TR")', "İSTANBUL"),
        ('ToLower("ISTANBUL", "tr-TR")', "ıstanbul"),
        ('ToUpper("istanbul", "en-US")', "ISTANBUL"),
        ("ToUpper([a])", None),
    ],
)
def test_to_lower_and_to_upper(text: str, expected: str | None) -> None:
    assert run(text) == expected


def test_a_malformed_culture_is_refused() -> None:
    refused_when_saved('ToLower("A", "english please")')
    assert fails_when_evaluated("ToLower([a], [c])", a="A", c="!!").function == "ToLower"


def test_word_documented_examples_and_rules() -> None:
    # [S8] Word examples, and: number < 1 -> ""; null -> ""; too few words -> "".
    assert run('Word("The quick brown fox",3," ")') == "brown"
    assert run('Word("This,string!has&many separators",3,",!&#")') == "has"
    assert run('Word("a  b", 2, " ")') == "b"  # consecutive delimiters make no empty word
    assert run('Word("a b", 0, " ")') == ""
    assert run('Word([a], 1, " ")') == ""
    assert run('Word("a b", 3, " ")') == ""
    assert run('Word("a b", 1, "")') == "a b"


# ---------------------------------------------------------------- logic and nulls


def test_bit_and_documented_example() -> None:
    # [S8] BitAnd(&HF, &HF7) returns 7.
    assert run("BitAnd(&HF, &HF7)") == 7
    assert run('BitAnd([flags], "2")', flags=6) == 2
    assert fails_when_evaluated("BitAnd([a], 1)").function == "BitAnd"
    assert fails_when_evaluated('BitAnd("x", 1)').function == "BitAnd"


def test_cbool() -> None:
    # [S8] CBool([attribute1] = [attribute2]): True if both attributes have the same value.
    assert run("CBool([attribute1] = [attribute2])", attribute1="x", attribute2="x") is True
    assert run("CBool([attribute1] = [attribute2])", attribute1="x", attribute2="y") is False
    assert run("CBool(5)") is True  # non-zero -> True
    assert run('CBool("0")') is False
    assert run('CBool("true")') is True
    assert fails_when_evaluated('CBool("maybe")').function == "CBool"
    assert fails_when_evaluated("CBool([a])").function == "CBool"


def test_coalesce() -> None:
    # [S8] "Flow mail value if not NULL, otherwise flow userPrincipalName".
    assert run(
        "Coalesce([mail],[userPrincipalName])", userPrincipalName="John.Doe@contoso.com"
    ) == ("John.Doe@contoso.com")
    assert run('Coalesce([a], [b], "default")', a="", b="second") == "second"
    assert run('Coalesce([a], [b], "")') == ""  # the defaultValue may be ""
    assert run("Coalesce([a], [b])") is None


def test_coalesce_stops_at_the_first_value() -> None:
    context = EvaluationContext(rng=random.Random(3))
    assert run("Coalesce([a], Guid())", context, a="x") == "x"
    untouched = random.Random(3)
    assert context.rng.random() == untouched.random()  # Guid() never ran


def test_ignore_flow_if_null_or_empty() -> None:
    # [S8] Example 1 and Example 2.
    assert run("IgnoreFlowIfNullOrEmpty([department])") is IGNORE_FLOW
    assert run("IgnoreFlowIfNullOrEmpty([department])", department="") is IGNORE_FLOW
    assert run("IgnoreFlowIfNullOrEmpty([department])", department="Sales") == "Sales"
    prefix = 'IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof."))'
    assert run(prefix, prefix="9999") is IGNORE_FLOW
    assert run(prefix, prefix="3443") == "Dr."
    # Nested, it still drops the whole attribute.
    assert run('Join(" ", IgnoreFlowIfNullOrEmpty([a]), "x")') is IGNORE_FLOW


def test_iif_documented_examples() -> None:
    # [S8] IIF([country]="USA",[country],[department]) and the nested AND / OR forms.
    expression = 'IIF([country]="USA",[country],[department])'
    assert run(expression, country="USA", department="Sales") == "USA"
    assert run(expression, country="FR", department="Sales") == "Sales"
    and_form = 'IIF([country]="USA",IIF([state]="CA","True","False"),"False")'
    assert run(and_form, country="USA", state="CA") == "True"
    assert run(and_form, country="USA", state="WA") == "False"
    or_form = 'IIF([country]="USA","True",IIF([state]="CA","True","False"))'
    assert run(or_form, country="FR", state="CA") == "True"


@pytest.mark.parametrize(
    "expression",
    [
        # [S8] "Unsupported IIF expression examples" when country is empty or null.
        'IIF([country]="","Other",[country])',
        'IIF(IsNullOrEmpty([country]),"Other",[country])',
        'IIF(IsPresent([country]),[country],"Other")',
    ],
)
@pytest.mark.parametrize("country", [None, ""])
def test_iif_fails_when_its_condition_reads_a_null_or_empty_attribute(
    expression: str, country: str | None
) -> None:
    error = fails_when_evaluated(expression, country=country)
    assert error.function == "IIF"
    assert "[country]" in str(error)


def test_iif_workaround_with_switch() -> None:
    # [S8] recommended workaround: Switch([country],[country],"","Other").
    assert run('Switch([country],[country],"","Other")') == "Other"
    assert run('Switch([country],[country],"","Other")', country="FR") == "FR"


def test_iif_evaluates_only_the_chosen_branch() -> None:
    assert run('IIF("True", "yes", Left("x", [missing]))') == "yes"
    assert fails_when_evaluated('IIF("maybe", "a", "b")').function == "IIF"


def test_instr_documented_examples_and_rules() -> None:
    # [S8]: InStr("The quick brown fox","quick") -> 5; InStr("repEated","e",3,vbBinaryCompare) -> 7.
    assert run('InStr("The quick brown fox","quick")') == 5
    assert run('InStr("repEated","e",3,vbBinaryCompare)') == 7
    assert run('InStr("repEated","e",3,vbTextCompare)') == 4
    assert run('InStr("abc","z")') == 0
    assert run('InStr("abc","c",4)') == 0
    assert run('InStr("abc","",2)') == 2  # VBA: an empty string is found at start
    assert run('InStr([a],"c")') is None  # VBA: Null in, Null out
    assert fails_when_evaluated('InStr("abc","c",0)').function == "InStr"
    refused_when_saved('InStr("abc","c",1,vbSomething)')
    refused_when_saved('InStr("abc","c",1,"sideways")')


@pytest.mark.parametrize(
    ("value", "is_null", "is_null_or_empty", "is_present", "is_string"),
    [
        (None, True, True, False, False),
        ("", False, True, False, True),
        ("x", False, False, True, True),
        ([], True, True, False, False),
        (["a"], False, False, True, False),
        (False, False, False, True, False),
    ],
)
def test_null_and_type_predicates(
    value: Any, is_null: bool, is_null_or_empty: bool, is_present: bool, is_string: bool
) -> None:
    # [S8] IsNull: "a Null is expressed by the absence of the attribute"; IsNullOrEmpty
    # also for ""; IsPresent is its inverse; IsString "can be evaluated to a string type".
    assert run("IsNull([a])", a=value) is is_null
    assert run("IsNullOrEmpty([a])", a=value) is is_null_or_empty
    assert run("IsPresent([a])", a=value) is is_present
    assert run("IsString([a])", a=value) is is_string


def test_is_present_documented_switch_example() -> None:
    # [S8]: Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]), ...)
    expression = (
        "Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),"
        "[skiplevelManager], IsPresent([director]),[director])"
    )
    assert run(expression, directManager="m", skiplevelManager="s") == "s"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, False), ("True", False), ("true", False), (False, True), ("False", True), (None, True),
     ("other", True)],
)  # fmt: skip
def test_not(value: Any, expected: bool) -> None:
    # [S8]: "If source value is True, returns False. Otherwise, returns True."
    assert run("Not([a])", a=value) is expected


def test_switch_documented_example_and_case_sensitivity() -> None:
    # [S8] Switch example: "QLD" -> "Australia/Brisbane"; default "Australia/Sydney".
    expression = (
        'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane",'
        ' "SA", "Australia/Adelaide")'
    )
    assert run(expression, state="QLD") == "Australia/Brisbane"
    assert run(expression, state="qld") == "Australia/Sydney"  # case-sensitive
    assert run(expression) == "Australia/Sydney"
    # [S8] note: ToLower makes the comparison case-insensitive.
    lowered = 'Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")'
    assert run(lowered, statusFlag="TRUE") == "1"
    # [S8] caution: a literal "" key catches an empty source.
    empty = 'Switch([statusFlag], "Default Value", "true", "1", "", "0")'
    assert run(empty, statusFlag="") == "0"
    assert run(empty) == "0"
    assert run('Switch([n], , "5", "five")', n=5) == "five"  # numbers read as text


def test_switch_needs_key_value_pairs() -> None:
    assert "pairs" in refused_when_saved('Switch([a], "d", "k1", "v1", "k2")')
    assert fails_when_evaluated('Switch([a], , "x", "y")', a=["x"]).function == "Switch"


# ---------------------------------------------------------------- dates


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


# ---------------------------------------------------------------- multi-valued


def test_count_item_remove_duplicates() -> None:
    proxies = ["smtp:a@x", "SMTP:b@x", "smtp:a@x"]
    assert run("Count([proxyAddresses])", proxyAddresses=proxies) == 3
    assert run("Count([proxyAddresses])") == 0
    assert run("Count([mail])", mail="a@x") == 1
    # [S8] Item([proxyAddresses], 1) returns the first item; "Index 0 shouldn't be used".
    assert run("Item([proxyAddresses], 1)", proxyAddresses=proxies) == "smtp:a@x"
    assert run("Item([proxyAddresses], 4)", proxyAddresses=proxies) is None
    assert run("Item([proxyAddresses], 1)") is None
    assert fails_when_evaluated("Item([proxyAddresses], 0)", proxyAddresses=proxies).function == (
        "Item"
    )
    assert run("RemoveDuplicates([proxyAddresses])", proxyAddresses=proxies) == [
        "smtp:a@x",
        "SMTP:b@x",
    ]
    assert run("RemoveDuplicates([proxyAddresses])") is None
    assert run('Count(Split("a,b,c", ","))') == 3


def test_cstr() -> None:
    # [S8] CStr([dn]) returns "cn=Joe,dc=contoso,dc=com".
    assert run("CStr([dn])", dn="cn=Joe,dc=contoso,dc=com") == "cn=Joe,dc=contoso,dc=com"
    assert run("CStr([n])", n=12) == "12"
    assert run("CStr([b])", b=True) == "True"
    assert run("CStr([f])", f=2.5) == "2.5"
    assert run("CStr([a])") is None
    assert fails_when_evaluated("CStr([m])", m=["a", "b"]).function == "CStr"


# ---------------------------------------------------------------- generated values


def test_guid_is_a_version_4_uuid_from_the_seeded_generator() -> None:
    first = run("Guid()", EvaluationContext(rng=random.Random(7)))
    again = run("Guid()", EvaluationContext(rng=random.Random(7)))
    other = run("Guid()", EvaluationContext(rng=random.Random(8)))
    assert first == again != other
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first
    )


def test_random_string_documented_examples() -> None:
    # [S8] RandomString(6,3,0,0,3): 6 characters, 3 numbers and 3 lower case letters.
    for seed in range(20):
        value = run("RandomString(6,3,0,0,3)", EvaluationContext(rng=random.Random(seed)))
        assert len(value) == 6
        assert sum(c.isdigit() for c in value) >= 3
        assert sum(c.islower() for c in value) >= 3
    # [S8] RandomString(10,2,2,2,1,"?,"): at least 2 numbers, 2 special, 2 capitals, 1 lower.
    for seed in range(20):
        value = run('RandomString(10,2,2,2,1,"?,")', EvaluationContext(rng=random.Random(seed)))
        assert len(value) == 10
        assert sum(c.isdigit() for c in value) >= 2
        assert sum(c.isupper() for c in value) >= 2
        assert sum(c.islower() for c in value) >= 1
        assert sum(not c.isalnum() for c in value) >= 2
        assert "?" not in value and "," not in value


def test_random_string_is_deterministic_with_a_seed() -> None:
    text = "RandomString(12,1,1,1,1)"
    assert run(text, EvaluationContext(rng=random.Random(5))) == run(
        text, EvaluationContext(rng=random.Random(5))
    )


def test_random_string_limits() -> None:
    assert "256" in refused_when_saved("RandomString(257,0,0,0,0)")  # [S8]: 256 characters max
    refused_when_saved("RandomString(3,2,2,0,0)")  # minimums exceed the length
    refused_when_saved('RandomString(4,1,0,0,0,"0123456789")')  # every digit avoided
    assert fails_when_evaluated("RandomString([n],0,0,0,0)", n="999").function == "RandomString"


def test_redact_flows_the_value_and_marks_the_expression() -> None:
    # [S8] Redact examples 1-3: the value flows; the logs show "[Redact]".
    expression = parse_expression("Redact([userPrincipalName])")
    assert expression.evaluate({"userPrincipalName": "a@b"}) == "a@b"
    assert expression.is_redacted
    assert parse_expression("Redact(RandomString(6,3,0,0,3))").is_redacted
    assert not parse_expression("[userPrincipalName]").is_redacted


# ---------------------------------------------------------------- app roles


ASSIGNMENTS = [
    {"id": "06b07648-ecfe-589f-9d2f-6325724a46ee", "value": "Admin", "displayName": "Admin"},
    {"id": "06b07648-ecfe-599f-9d2f-6325724a46ee", "value": "User", "displayName": "Standard"},
]


def test_app_role_assignments_complex_shape() -> None:
    # [S7] "All roles are provisioned as primary = false"; shape as in [S7]'s
    # AssertiveAppRoleAssignmentsComplex example (RFC 7643 roles use "display").
    roles = run("AppRoleAssignmentsComplex([appRoleAssignments])", appRoleAssignments=ASSIGNMENTS)
    assert roles == [
        {"primary": False, "type": "WindowsAzureActiveDirectoryRole", "display": "Admin",
         "value": "Admin"},
        {"primary": False, "type": "WindowsAzureActiveDirectoryRole", "display": "Standard",
         "value": "User"},
    ]  # fmt: skip
    assertive = run(
        "AssertiveAppRoleAssignmentsComplex([appRoleAssignments])", appRoleAssignments=ASSIGNMENTS
    )
    assert assertive == roles
    assert run("AppRoleAssignmentsComplex([appRoleAssignments])") == []


def test_single_app_role_assignment_returns_one_role_value() -> None:
    assert run("SingleAppRoleAssignment([appRoleAssignments])", appRoleAssignments=ASSIGNMENTS) == (
        "Admin"
    )
    assert run("SingleAppRoleAssignment([appRoleAssignments])", appRoleAssignments=[]) is None


def test_role_functions_take_only_the_app_role_assignments_attribute() -> None:
    assert "[appRoleAssignments]" in refused_when_saved("SingleAppRoleAssignment([roles])")
    refused_when_saved('AppRoleAssignmentsComplex("Admin")')
    error = fails_when_evaluated(
        "SingleAppRoleAssignment([appRoleAssignments])", appRoleAssignments="Admin"
    )
    assert error.function == "SingleAppRoleAssignment"
