"""The contracts fake_entra.httpx_internals relies on, checked against the installed httpx.

These tests fail, never skip, when an httpx release changes what the module reaches into:
httpx.URL's parse (``_uri_reference``) for the SCIM client's URLs, and the read body of a
``Response`` (``_content``) for harness's in-process transport. Then the same requests and
responses are still built, httpx's slower public way, and the module needs a look (or the
httpx pin in pyproject.toml a tighter bound). The contract tests come first in each part;
the rest check that what a shortcut builds is what httpx's public API builds, and (for the
response) that it does skip reading the body back, which is all it is for.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import httpx
import pytest

from fake_entra import httpx_internals
from fake_entra.httpx_internals import (
    UrlBase,
    public_response,
    read_response,
    response_contract_violation,
    url_contract_violation,
)

# --- httpx.URL's parse: UrlBase ------------------------------------------------------------

PUBLIC = (
    "scheme",
    "raw_scheme",
    "userinfo",
    "username",
    "password",
    "host",
    "raw_host",
    "port",
    "netloc",
    "path",
    "query",
    "params",
    "raw_path",
    "fragment",
    "is_absolute_url",
    "is_relative_url",
)


def test_the_installed_httpx_keeps_the_url_contract() -> None:
    violation = url_contract_violation()
    assert violation is None, f"httpx {httpx.__version__}: {violation}"


@pytest.mark.parametrize(
    "base",
    [
        "https://api.linkedin.com",
        "https://api.linkedin.com/scim/v2",
        "https://API.LinkedIn.com:443/scim",
        "http://127.0.0.1:8080/scim",
        "https://user:pass@host.example/scim",
        "https://[::1]:8443/scim",
        "https://bücher.example/scim",
        "https://host.example/%7Escim/v2",
    ],
)
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/Users", None),
        ("/Users", "filter=userName%20eq%20%22a%40b.com%22"),
        ("/Groups/4ccc2e61fa444972ae1fbd6d99daef7a", "excludedAttributes=members&x=%C3%BC"),
        ("/", ""),
    ],
)
def test_a_url_made_from_the_base_is_the_url_httpx_parses(
    base: str, path: str, query: str | None
) -> None:
    parsed_base = httpx.URL(base)
    made_from = UrlBase.of(parsed_base)
    assert made_from is not None  # the fast way is in use with this httpx
    full_path = made_from.path.rstrip("/") + path
    made = made_from.url(full_path, query)
    text = str(parsed_base.copy_with(raw_path=full_path.encode())) + (
        "" if query is None else f"?{query}"
    )
    parsed = httpx.URL(text)
    assert made == parsed and str(made) == str(parsed) and hash(made) == hash(parsed)
    for name in PUBLIC:
        assert getattr(made, name) == getattr(parsed, name), name
    request, reference = httpx.Request("GET", made), httpx.Request("GET", text)
    assert request.url == reference.url and request.headers.raw == reference.headers.raw


def test_a_base_with_a_query_or_fragment_is_left_to_httpx() -> None:
    assert UrlBase.of(httpx.URL("https://host.example/scim?x=1")) is None
    assert UrlBase.of(httpx.URL("https://host.example/scim?")) is None
    assert UrlBase.of(httpx.URL("https://host.example/scim#f")) is None


def test_the_base_is_not_changed_by_the_urls_made_from_it() -> None:
    base = httpx.URL("https://host.example/scim")
    made_from = UrlBase.of(base)
    assert made_from is not None
    made_from.url("/scim/Users", "a=1")
    assert str(base) == "https://host.example/scim" and made_from.path == "/scim"


# --- httpx.Response's read body: read_response -------------------------------------------

SCIM = b"application/scim+json"
LIST = b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0}'
ACCENTED = '{"displayName": "Zoë Ødegård"}'.encode()
NOT_UTF8 = b"\xff\xfe not UTF-8"


def length(body: bytes) -> bytes:
    return str(len(body)).encode()


BODIES = [
    pytest.param(b"", [], id="no body"),
    pytest.param(LIST, [(b"content-length", length(LIST)), (b"content-type", SCIM)], id="SCIM"),
    pytest.param(
        ACCENTED,
        [(b"Content-Length", length(ACCENTED)), (b"Content-Type", SCIM + b"; charset=utf-8")],
        id="UTF-8, header case kept",
    ),
    pytest.param(NOT_UTF8, [(b"content-length", length(NOT_UTF8))], id="not UTF-8"),
]


def request() -> httpx.Request:
    return httpx.Request("GET", "https://api.linkedin.com/scim/Users?filter=x")


def test_the_installed_httpx_keeps_the_response_contract() -> None:
    violation = response_contract_violation()
    assert violation is None, f"httpx {httpx.__version__}: {violation}"


@pytest.mark.parametrize(("body", "headers"), BODIES)
def test_the_shortcut_builds_the_response_the_public_api_builds(
    body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    shortcut = read_response(request(), 200, headers, body)
    public = public_response(request(), 200, headers, body)
    assert shortcut.status_code == public.status_code == 200
    assert shortcut.headers.raw == public.headers.raw
    assert shortcut.content == public.content == body
    assert shortcut.read() == public.read() == body
    assert list(shortcut.iter_bytes(5)) == list(public.iter_bytes(5))
    assert shortcut.text == public.text
    assert shortcut.encoding == public.encoding
    assert (shortcut.is_closed, shortcut.is_stream_consumed) == (True, True)
    assert (public.is_closed, public.is_stream_consumed) == (True, True)
    assert shortcut.request.url == public.request.url
    shortcut.close()  # closing a read response is a no-op, as for the public one
    assert shortcut.content == body


def test_the_shortcut_does_not_read_the_body_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_raw_read(self: httpx.Response, chunk_size: int | None = None) -> Iterator[bytes]:
        raise AssertionError("the body was read back from the stream")

    monkeypatch.setattr(httpx.Response, "iter_raw", no_raw_read)
    body = b'{"id": "u1"}'
    response = read_response(request(), 201, [(b"content-length", b"12")], body)
    assert response.read() == body and response.json() == {"id": "u1"}
    with pytest.raises(AssertionError, match="read back"):
        public_response(request(), 201, [(b"content-length", b"12")], body)


def test_a_client_gets_the_body_through_a_transport_that_answers_with_it() -> None:
    class Answering(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return read_response(request, 200, [(b"content-length", b"2")], b"{}")

    with httpx.Client(transport=Answering(), base_url="https://api.linkedin.com") as client:
        answered = client.get("/scim/Users")
    assert answered.json() == {} and answered.request.url.path == "/scim/Users"


def test_without_the_contract_the_public_way_answers_and_says_so_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        httpx_internals, "_RESPONSE_VIOLATION", "Response.content does not return it"
    )
    monkeypatch.setattr(httpx_internals, "_response_warned", False)
    calls: list[bytes] = []

    def iter_raw(self: httpx.Response, chunk_size: int | None = None) -> Iterator[bytes]:
        calls.append(b"read")
        yield from httpx.ByteStream(b"{}")
        self.is_stream_consumed = True
        self.close()

    monkeypatch.setattr(httpx.Response, "iter_raw", iter_raw)
    with pytest.warns(RuntimeWarning, match=r"Response\.content does not return it"):
        response = read_response(request(), 200, [(b"content-length", b"2")], b"{}")
    assert response.json() == {} and calls == [b"read"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second warning would raise
        read_response(request(), 200, [(b"content-length", b"2")], b"{}")


def test_a_changed_httpx_is_caught_by_the_contract_check(monkeypatch: pytest.MonkeyPatch) -> None:
    # An httpx that keeps the read body under another name: its readers ignore _content.
    def read(self: httpx.Response) -> bytes:
        return b"".join(self.iter_raw())

    monkeypatch.setattr(httpx.Response, "read", read)
    monkeypatch.setattr(httpx.Response, "content", property(read))
    assert "raises StreamConsumed" in (response_contract_violation() or "")
