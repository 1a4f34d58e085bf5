"""JSON bodies (fake_elevate/web/json_body.py): the standard library's values, faster."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_elevate.scim.errors import ScimError
from fake_elevate.web.json_body import decode_body


@pytest.mark.parametrize(
    "raw",
    [
        b'{"n": 123456789012345678901234567890, "m": -9223372036854775809}',
        b'{"n": 18446744073709551615, "s": "1234567890123456789012"}',
        b'{"x": 1.5, "y": [true, null, "\\u00e9", "\\ud83d\\ude00"]}',
        b'{"x": NaN}',
        b'{"x": "\\ud83d\\ude00", "y": "\\u003a", "z": ":"}',
        b'{"deep": ' + b"[" * 400 + b"]" * 400 + b"}",
    ],
)
def test_a_body_is_read_to_the_standard_librarys_value(raw: bytes) -> None:
    value = decode_body(raw)
    assert value == json.loads(raw) or value != value  # NaN is not equal to itself
    assert json.dumps(value) == json.dumps(json.loads(raw))  # ints stay ints, exactly


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b'{"a": ', "not valid JSON: Expecting value at position 6"),
        (b'{"a": "\xff"}', "not valid UTF-8 (byte 7)"),
        (b"\xef\xbb\xbf{}", "not valid JSON: Unexpected UTF-8 BOM"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_a_body_that_is_not_json_is_a_400_naming_why(raw: bytes, detail: str) -> None:
    with pytest.raises(ScimError) as refused:
        decode_body(raw)
    assert refused.value.status == 400 and detail in str(refused.value.to_json()["detail"])


@pytest.mark.parametrize(
    "raw",
    [
        b'{"userName": "sur\\ud800rogate@x"}',
        b'{"a": ["\\udfff"]}',
        b'{"\\ud83d": 1}',
        b'{"n": 12345678901234567890, "s": "\\ud800"}',
    ],
)
def test_a_string_that_is_not_utf8_text_is_a_400_invalid_value(raw: bytes) -> None:
    # issue 21 (1): a lone surrogate was stored, then every listing that held it was a 500.
    with pytest.raises(ScimError) as refused:
        decode_body(raw)
    error = refused.value.to_json()
    assert error["status"] == "400" and error["scimType"] == "invalidValue"
    assert "surrogate" in error["detail"]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"userName": "a@x", "userName": "b@x"}',
        b'{"a": {"b": 1, "b": 1}}',
        b'{"a": [{"k:": "v", "k:": "v"}]}',
        b'{"a": 1, "a": 2, "c": "\\u003a"}',
        b'{"n": 12345678901234567890, "n": 1}',
    ],
)
def test_a_name_given_twice_in_one_object_is_a_400_invalid_syntax(raw: bytes) -> None:
    # issue 21 (7): duplicate names were accepted, and the last one won.
    with pytest.raises(ScimError) as refused:
        decode_body(raw)
    error = refused.value.to_json()
    assert error["status"] == "400" and error["scimType"] == "invalidSyntax"
    assert "twice" in error["detail"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(alphabet=':ab\\"', max_size=3), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(_JSON)
def test_any_json_without_repeated_names_reads_as_the_standard_library_does(value: object) -> None:
    for raw in (json.dumps(value).encode(), json.dumps(value, ensure_ascii=False).encode()):
        assert decode_body(raw) == json.loads(raw)


@given(st.dictionaries(st.text(alphabet=":ab", max_size=3), _JSON, min_size=1), st.data())
def test_any_object_with_a_repeated_name_is_refused(obj: dict, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(obj)))
    again = data.draw(_JSON)
    body = json.dumps(obj)[:-1] + ", " + json.dumps(name) + ": " + json.dumps(again) + "}"
    with pytest.raises(ScimError) as refused:
        decode_body(body.encode())
    assert refused.value.scim_type == "invalidSyntax"
