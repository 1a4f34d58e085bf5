"""ScimRequest (fake_elevate/web/request.py) reads a request as Starlette's Request would.

It reimplements what handlers need of ``starlette.requests.Request`` for speed, so these
tests hold it to Starlette's answers: if Starlette changes how it reads a header, a query
or the base URL, they fail here rather than on the wire.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from fake_elevate.web.request import ScimRequest, _unquote


def scope(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "scheme": "https",
        "path": "/scim/v2/Users",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"api.linkedin.com")],
        "server": ("10.0.0.1", 443),
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"headers": []},  # no Host header: the server address
        {"headers": [], "server": ("127.0.0.1", 8000), "scheme": "http"},
        {"headers": [], "server": ("127.0.0.1", 80), "scheme": "http"},  # default port dropped
        {"headers": [(b"host", b"elevate.test:8080")], "scheme": "http"},
        {"headers": [(b"Host", b"First.example"), (b"host", b"second.example")]},
        {"root_path": "/proxy"},
        {"root_path": "/proxy/"},
        {"root_path": "/proxy", "app_root_path": "/mounted"},
        {"headers": [], "server": None},
    ],
)
def test_the_base_url_is_starlettes(overrides: dict[str, Any]) -> None:
    request_scope = scope(**overrides)
    expected = str(Request(request_scope).base_url).rstrip("/")
    assert ScimRequest(request_scope, b"", body_too_large=False).base_url == expected


def test_headers_are_read_as_starlette_reads_them() -> None:
    # ASGI (HTTP spec, "headers"): names arrive lower-cased, as latin-1 bytes.
    headers = [
        (b"content-type", b"application/scim+json"),
        (b"content-type", b"text/plain"),  # a repeat: the first one counts
        (b"x-caf\xe9", b"cr\xe8me"),
    ]
    request_scope = scope(headers=headers)
    ours = ScimRequest(request_scope, b"", body_too_large=False)
    theirs = Request(request_scope).headers
    for name in ("content-type", "x-café", "authorization"):
        assert ours.header(name) == theirs.get(name)


@pytest.mark.parametrize(
    "query",
    [
        b"filter=userName%20eq%20%22ada%22&count=10",
        b"count=1&count=2",  # a repeat: the last one counts
        b"attributes=&excludedAttributes=emails",  # blank values are kept
        b"filter=a+b&sortBy=%C3%A9",
        b"",
    ],
)
def test_query_parameters_are_read_as_starlette_reads_them(query: bytes) -> None:
    request_scope = scope(query_string=query)
    ours = ScimRequest(request_scope, b"", body_too_large=False)
    theirs = Request(request_scope).query_params
    for name in ("filter", "count", "attributes", "excludedAttributes", "sortBy", "missing"):
        assert ours.query(name) == theirs.get(name)
        assert ours.has_query(name) == (name in theirs)


#: The characters a query string is made of, escapes and separators included.
query_text = st.text(alphabet="ab=&+%2E3cF;é \x00", max_size=24)


@settings(max_examples=400, deadline=None)
@given(query=query_text)
def test_any_query_string_is_read_as_starlette_reads_it(query: str) -> None:
    raw = query.encode("latin-1")
    request_scope = scope(query_string=raw)
    ours = ScimRequest(request_scope, b"", body_too_large=False)
    theirs = Request(request_scope).query_params
    for name in {*theirs.keys(), "a", "b", "a b", "", "missing"}:
        assert ours.query(name) == theirs.get(name)


#: Percent escapes whole, cut short or not hex, backslash escapes, non-ASCII and controls.
escaped_text = st.lists(
    st.sampled_from(
        [
            "a",
            "%",
            "%2",
            "%2E",
            "%C3",
            "%A9",
            "%e2%82",
            "%ac",
            "%zz",
            "\\",
            "\\x41",
            "é",
            " ",
            "\x00",
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(text=escaped_text)
def test_unquoting_is_urllibs(text: str) -> None:
    assert _unquote(text) == unquote(text)
