"""The wire of one ``provisim load`` tenant: pacing, 429, request kinds, schema sampling,
and what it notes for the clean-up."""

from __future__ import annotations

import json

import httpx
import pytest
from load_support import URL, FakeTime

from fake_entra.scim_client import ORIGIN_EXTENSION, OriginKind, RequestOrigin
from harness.load.tally import Tally
from harness.load.transport import LoadTransport, Sent, request_kind

USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "u1",
    "userName": "provisim-load-x-a@contoso.com",
    "meta": {"resourceType": "User"},
}


class Canned:
    """A sender answering from a list of Sent (the last one repeats)."""

    def __init__(self, *answers: Sent) -> None:
        self.answers = list(answers)
        self.kinds: list[str] = []

    def __call__(
        self, method: str, url: str, headers: dict[str, str], body: bytes, kind: str
    ) -> Sent:
        self.kinds.append(kind)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _transport(sender: Canned, time: FakeTime, **options: object) -> LoadTransport:
    return LoadTransport(
        sender,
        Tally(),
        tenant="t",
        base_path="/scim/v2",
        rate=float(options.pop("rate", 10.0)),  # type: ignore[arg-type]
        clock=time.clock,
        sleep=time.sleep,
        wall=lambda: 0.0,
        **options,  # type: ignore[arg-type]
    )


def _client(transport: LoadTransport) -> httpx.Client:
    return httpx.Client(transport=transport)


def _ok(body: object = None, status: int = 200, **headers: str) -> Sent:
    content = json.dumps(body).encode() if body is not None else b""
    pairs = [("content-type", "application/scim+json"), *headers.items()]
    return Sent(status, pairs, content)


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "kind"),
    [
        ("GET", "/Users", 'filter=userName+eq+"a"', None, "GET /Users?filter (match)"),
        ("GET", "/Groups", "filter=displayName+eq+%22g%22", None, "GET /Groups?filter (match)"),
        ("GET", "/Users/abc", "", None, "GET /Users/{id}"),
        ("POST", "/Users", "", {}, "POST /Users (create)"),
        ("POST", "/Groups", "", {}, "POST /Groups (create)"),
        ("DELETE", "/Users/abc", "", None, "DELETE /Users/{id}"),
        (
            "PATCH",
            "/Users/abc",
            "",
            {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
            "PATCH /Users (disable)",
        ),
        (
            "PATCH",
            "/Users/abc",
            "",
            {"Operations": [{"op": "replace", "value": {"active": True}}]},
            "PATCH /Users (enable)",
        ),
        (
            "PATCH",
            "/Users/abc",
            "",
            {"Operations": [{"op": "Replace", "path": "title", "value": "x"}]},
            "PATCH /Users (update)",
        ),
        (
            "PATCH",
            "/Groups/g",
            "",
            {"Operations": [{"op": "Add", "path": "members", "value": [{"value": "u"}]}]},
            "PATCH /Groups (members)",
        ),
        (
            "PATCH",
            "/Groups/g",
            "",
            {"Operations": [{"op": "Replace", "path": "displayName", "value": "n"}]},
            "PATCH /Groups (update)",
        ),
    ],
)
def test_request_kinds(method: str, path: str, query: str, body: object, kind: str) -> None:
    assert request_kind(method, path, query, body) == kind


def test_test_connection_is_named_by_its_origin() -> None:
    origin = RequestOrigin(OriginKind.TEST_CONNECTION, "guid")
    assert request_kind("GET", "/Users", "filter=x", None, origin) == "test connection"


def test_requests_are_paced_at_the_tenants_rate() -> None:
    time = FakeTime()
    transport = _transport(Canned(_ok({"Resources": []})), time, rate=4.0)
    with _client(transport) as client:
        for _ in range(5):
            client.get(f"{URL}/Users/x")
    # The first leaves at once; each next one a quarter second after the one before.
    assert time.slept == [0.25, 0.25, 0.25, 0.25]


def test_after_a_429_nothing_leaves_before_retry_after_has_passed() -> None:
    time = FakeTime()
    sender = Canned(_ok({"schemas": [], "status": "429"}, 429, **{"Retry-After": "5"}), _ok(USER))
    transport = _transport(sender, time, rate=100.0)
    with _client(transport) as client:
        assert client.get(f"{URL}/Users/x").status_code == 429
        assert client.get(f"{URL}/Users/x").status_code == 200
    assert time.slept == [5.0]
    assert transport.tally.throttled == 1 and transport.tally.retry_after == [5.0]
    assert transport.tally.throttled_by_kind == {"GET /Users/{id}": 1}


def test_a_long_retry_after_is_capped() -> None:
    time = FakeTime()
    sender = Canned(_ok(None, 429, **{"Retry-After": "3600"}), _ok(USER))
    transport = _transport(sender, time, rate=100.0, max_retry_after=2.0)
    with _client(transport) as client:
        client.get(f"{URL}/Users/x")
        client.get(f"{URL}/Users/x")
    assert time.slept == [2.0] and transport.tally.retry_after == [3600.0]


def test_one_response_in_n_is_validated_and_violations_are_counted() -> None:
    time = FakeTime()
    broken = {**USER, "userName": 7}
    transport = _transport(Canned(_ok(broken)), time, rate=1000.0, validate_every=2)
    with _client(transport) as client:
        for _ in range(4):
            client.get(f"{URL}/Users/u1")
    assert transport.tally.validated == 2
    assert transport.tally.violations == 2
    assert "userName" in transport.tally.examples[0]


def test_acknowledged_creates_are_noted_and_cut_off_ones_by_name() -> None:
    time = FakeTime()
    transport = _transport(Canned(_ok(USER, 201)), time)
    with _client(transport) as client:
        client.post(f"{URL}/Users", json={"userName": USER["userName"]})
    assert transport.tally.created == [["Users", "u1", USER["userName"]]]

    def cut_off(*_args: object) -> Sent:
        raise KeyboardInterrupt

    transport.sender = cut_off
    with _client(transport) as client, pytest.raises(KeyboardInterrupt):
        client.post(f"{URL}/Groups", json={"displayName": "provisim-load-x-g"})
    assert transport.tally.unanswered == [["Groups", "provisim-load-x-g"]]


def test_no_answer_is_a_transport_error_the_engine_sees_as_httpx_raises() -> None:
    time = FakeTime()
    transport = _transport(Canned(Sent(0, error="timeout", timed_out=True)), time)
    with _client(transport) as client, pytest.raises(httpx.ReadTimeout):
        client.post(f"{URL}/Users", json={"userName": "n"})
    assert transport.tally.transport_errors == 1
    assert transport.tally.unanswered == [["Users", "n"]]
    transport.sender = Canned(Sent(0, error="response body too large"))
    with _client(transport) as client, pytest.raises(httpx.ReadError):
        client.get(f"{URL}/Users/x")


def test_the_engines_origin_extension_reaches_the_kind() -> None:
    time = FakeTime()
    sender = Canned(_ok({"Resources": []}))
    transport = _transport(sender, time)
    origin = RequestOrigin(OriginKind.TEST_CONNECTION, "g")
    with _client(transport) as client:
        client.get(f"{URL}/Users", extensions={ORIGIN_EXTENSION: origin})
    assert sender.kinds == ["test connection"]
