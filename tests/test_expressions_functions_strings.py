"""The string functions, function by function.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID"). Test names say which documented example or edge case each one checks.
"""

from __future__ import annotations

from typing import Any

import pytest
from expressions_support import fails_when_evaluated, refused_when_saved, run

from fake_entra.expressions.functions.strings import dotnet_regex


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


def test_cstr() -> None:
    # [S8] CStr([dn]) returns "cn=Joe,dc=contoso,dc=com".
    assert run("CStr([dn])", dn="cn=Joe,dc=contoso,dc=com") == "cn=Joe,dc=contoso,dc=com"
    assert run("CStr([n])", n=12) == "12"
    assert run("CStr([b])", b=True) == "True"
    assert run("CStr([f])", f=2.5) == "2.5"
    assert run("CStr([a])") is None
    assert fails_when_evaluated("CStr([m])", m=["a", "b"]).function == "CStr"


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
    # the space after the comma; .NET String.Split keeps it (see strings._split).
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
