"""JSON bodies (fake_elevate/web/json_body.py): the standard library's values, faster."""

from __future__ import annotations

import json

import pytest

from fake_elevate.scim.errors import ScimError
from fake_elevate.web.json_body import decode_body


@pytest.mark.parametrize(
    "raw",
    [
        b'{"n": 123456789012345678901234567890, "m": -9223372036854775809}',
        b'{"n": 18446744073709551615, "s": "1234567890123456789012"}',
        b'{"x": 1.5, "y": [true, null, "\\u00e9", "\\ud83d\\ude00"]}',
        b'{"x": NaN}',
        b'{"x": "\\ud800"}',
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
