"""harness.reports.redaction: secrets masked wherever they hide in an artifact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.reports.redaction import (
    esc,
    header_pairs,
    redact,
    redact_header,
    redact_text,
    redacted_query,
)


@settings(max_examples=200, deadline=None)
@given(
    # A credential has no whitespace (RFC 6750 §2.1 b64token); anything else may be in it.
    token=st.text(
        alphabet=st.characters(
            min_codepoint=33, max_codepoint=0x2FF, exclude_categories=("Zs", "Cc")
        ),
        min_size=1,
        max_size=40,
    ),
    scheme=st.sampled_from(["Bearer", "bearer", "BEARER"]),
    before=st.text(alphabet="abc :,", max_size=5),
)
def test_redact_text_leaves_nothing_of_the_credential(token: str, scheme: str, before: str) -> None:
    redacted = redact_text(f"{before}{scheme} {token}")
    assert redacted == f"{before}{scheme} ***"


def test_redact_masks_secret_keys_at_any_depth_and_leaves_the_rest() -> None:
    value = {
        "Resources": [{"userName": "britta", "password": "p@ss", "adminKey": "k"}],
        "token": "t",
        "tokenCount": 3,
        "note": "Bearer x",
    }
    assert redact(value) == {
        "Resources": [{"userName": "britta", "password": "***", "adminKey": "***"}],
        "token": "***",
        "tokenCount": 3,
        "note": "Bearer ***",
    }
    assert redact_header("Authorization", "Basic dXNlcjpwYXNz") == "Basic ***"
    assert redact_header("Content-Type", "application/scim+json") == "application/scim+json"
    assert redact_header("Cookie", "session=abc; theme=dark") == "***"


def test_queries_and_header_pairs_come_out_redacted_in_either_spelling() -> None:
    assert redacted_query("?access_token=qs&count=5") == "access_token=***&count=5"
    assert redacted_query({"filter": 'userName eq "b"', "apiKey": "k"}) == (
        'filter=userName eq "b"&apiKey=***'
    )
    assert redacted_query(None) == ""
    expected = [("Authorization", "Bearer ***"), ("Accept", "application/scim+json")]
    as_mapping = {"Authorization": "Bearer t0ken", "Accept": "application/scim+json"}
    assert header_pairs(as_mapping) == expected
    assert header_pairs(
        [["Authorization", "Bearer t0ken"], ["Accept", "application/scim+json"]]
    ) == (expected)
    assert header_pairs("not headers") == []


def test_esc_makes_text_safe_inside_an_attribute() -> None:
    assert esc('"><script>') == "&quot;&gt;&lt;script&gt;"
    assert esc(3.5) == "3.5"
