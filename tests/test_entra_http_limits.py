"""fake_entra.http_limits: every request over a real socket ends by its deadline and reads
at most a capped body, whatever the server does (issue 21, finding 3 and 4)."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from hostile_server import HostileServer, Mode

from fake_entra.http_limits import (
    BoundedTransport,
    ResponseDeadlineExceeded,
    ResponseLimits,
    ResponseTooLarge,
    size_text,
)
from fake_entra.scim_client import ScimClient


def _client(limits: ResponseLimits) -> httpx.Client:
    return httpx.Client(transport=BoundedTransport(httpx.HTTPTransport(), limits), timeout=60)


@pytest.mark.parametrize("mode", [Mode.ENDLESS, Mode.DRIP])
def test_a_body_that_never_ends_ends_at_the_deadline(mode: Mode) -> None:
    # httpx's own timeout (60 s per read here) never trips on these: a read always succeeds.
    with (
        HostileServer(mode, drip_interval=0.1) as server,
        _client(ResponseLimits(1)) as client,
        pytest.raises(ResponseDeadlineExceeded, match="within the 1 s deadline"),
    ):
        client.get(f"{server.url}/Users")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Takes the connection and the request, and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()
    for conn in accepted:
        conn.close()
    thread.join(5)


def test_a_server_that_never_answers_ends_at_the_deadline(silent_server: str) -> None:
    with _client(ResponseLimits(0.5)) as client, pytest.raises(httpx.TimeoutException):
        client.get(f"{silent_server}/Users")


def test_a_body_over_the_cap_ends_the_request_unread() -> None:
    with HostileServer(Mode.BIG) as server, _client(ResponseLimits(30, 1024 * 1024)) as client:
        with pytest.raises(ResponseTooLarge, match="over the 1 MiB limit"):
            client.get(f"{server.url}/Users")
        # Far less than the 50 MB the server offered was taken off the wire.
        assert len(server.requests) == 1


def test_an_answer_within_the_limits_comes_back_read_whole() -> None:
    with HostileServer(Mode.ECHO) as server, _client(ResponseLimits(5)) as client:
        response = client.get(f"{server.url}/Users", headers={"Authorization": "Bearer abc"})
    assert response.status_code == 200
    assert response.json()["note"] == "token abc is not welcome here"
    assert response.headers["x-echo-token"] == "abc"


def test_a_compressed_body_counts_at_its_real_size() -> None:
    bomb = gzip.compress(b"a" * 4_000_000)  # 4 MB in about 4 KB

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)

    transport = BoundedTransport(httpx.MockTransport(handler), ResponseLimits(5, 1024 * 1024))
    with httpx.Client(transport=transport) as client, pytest.raises(ResponseTooLarge):
        client.get("http://target.example/Users")
    small = gzip.compress(b'{"ok": true}')
    transport = BoundedTransport(
        httpx.MockTransport(
            lambda r: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=small)
        ),
        ResponseLimits(5),
    )
    with httpx.Client(transport=transport) as client:
        assert client.get("http://target.example/Users").json() == {"ok": True}


def test_each_socket_timeout_is_capped_at_the_deadline() -> None:
    seen: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(204)

    transport = BoundedTransport(httpx.MockTransport(handler), ResponseLimits(2))
    with httpx.Client(transport=transport, timeout=httpx.Timeout(60, connect=1)) as client:
        client.get("http://target.example/")
    assert seen == [{"connect": 1.0, "read": 2.0, "write": 2.0, "pool": 2.0}]


def test_the_engines_client_is_bounded_without_a_transport_of_its_own() -> None:
    with HostileServer(Mode.DRIP, drip_interval=0.1) as server:
        client = ScimClient(server.url, "secret-token-value", timeout=1)
        with client, pytest.raises(httpx.TimeoutException):
            client.get("/Users")
    with HostileServer(Mode.BIG) as server:
        client = ScimClient(server.url, "secret-token-value", max_body=1000)
        with client, pytest.raises(ResponseTooLarge):
            client.get("/Users")


@pytest.mark.parametrize(("timeout", "max_body"), [(0, 10), (-1, 10), (1, 0)])
def test_limits_must_be_positive(timeout: float, max_body: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        ResponseLimits(timeout, max_body)


def test_sizes_read_as_people_write_limits() -> None:
    assert [size_text(n) for n in (8 * 1024 * 1024, 512 * 1024, 1000)] == [
        "8 MiB",
        "512 KiB",
        "1000 bytes",
    ]
