"""The contract harness.httpx_internals relies on: httpx's readers return ``Response._content``.

The first test fails, loudly and first, on an httpx that breaks it; the rest check that a
response built by the shortcut is the one httpx's public API builds, reader for reader, and
that it does skip reading the body back (which is all it is for).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import httpx
import pytest

from harness import httpx_internals
from harness.httpx_internals import contract_violation, public_response, read_response

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


def test_the_installed_httpx_keeps_the_contract() -> None:
    assert contract_violation() is None, f"httpx {httpx.__version__}: {contract_violation()}"


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
    monkeypatch.setattr(httpx_internals, "_VIOLATION", "Response.content does not return it")
    monkeypatch.setattr(httpx_internals, "_warned", False)
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
    assert "raises StreamConsumed" in (contract_violation() or "")
