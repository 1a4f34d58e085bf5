"""Identifiers, secrets and encodings: Guid, RandomString, the two encodings, Redact.

[S8] = MicrosoftDocs/entra-docs docs/identity/app-provisioning/
functions-for-customizing-application-data.md ("Reference for writing expressions
for attribute mappings in Microsoft Entra ID"). Test names say which documented example or edge case each one checks.
"""

from __future__ import annotations

import random
import re

from expressions_support import fails_when_evaluated, refused_when_saved, run

from fake_entra.expressions import EvaluationContext, parse_expression


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
