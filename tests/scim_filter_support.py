"""Shared scaffolding for the SCIM filter tests: RFC 7643 payloads, helpers, strategies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.filter import parse_filter
from fake_elevate.scim.schema import USER_TYPE

PAYLOADS = Path(__file__).parent / "payloads"
# RFC 7643 §8.2: the full user the RFC 7644 §3.4.2.2 example filters talk about.
BJENSEN: dict[str, Any] = json.loads((PAYLOADS / "rfc7643-8.2-full-user.json").read_text())
ENTERPRISE_USER: dict[str, Any] = json.loads(
    (PAYLOADS / "rfc7643-8.3-enterprise-user.json").read_text()
)


def matches(text: str, resource: dict[str, Any], resource_type: Any = USER_TYPE) -> bool:
    return parse_filter(text, resource_type).matches(resource)


def assert_invalid_filter(text: str, *fragments: str) -> ScimError:
    with pytest.raises(ScimError) as caught:
        parse_filter(text, USER_TYPE)
    error = caught.value
    assert (error.status, error.scim_type) == (400, "invalidFilter")
    for fragment in fragments:
        assert fragment in error.detail
    return error


#: Users with a few short string attributes, for the differential properties.
short_text = st.text(alphabet="aAbB@.x", max_size=4)
users = st.fixed_dictionaries(
    {},
    optional={
        "userName": short_text,
        "displayName": short_text,
        "externalId": short_text,
        "title": short_text,
        "emails": st.lists(st.fixed_dictionaries({"value": short_text}), max_size=3),
    },
)
