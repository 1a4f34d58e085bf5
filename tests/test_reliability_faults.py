"""Faults (issue 8): nothing lost, nothing twice, whatever the network does.

A :class:`Flaky` transport sits between the engine and in-process Fake Elevate. While the
target is "down" it fails every request in the way named by the test: a connection refused
(``httpx.ConnectError``), a connection reset before the request arrives
(``httpx.RemoteProtocolError``), a read timeout, a 503, a 429 with Retry-After, or the worst
case for duplicates, a reset *after* Fake Elevate applied the request (the engine never
learns its POST succeeded). Changes made while the target is down must all be applied once
it recovers, and no userName may ever exist twice in Fake Elevate.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from engine_support import Scenario, build_scenario

from fake_entra.directory import DirectoryUser

RESET = "reset"
REFUSED = "refused"
TIMEOUT = "timeout"
UNAVAILABLE = "503"
THROTTLED = "429"
LOST_RESPONSE = "lost-response"


class Flaky(httpx.BaseTransport):
    """Fails requests in turn with ``faults`` while :attr:`down`; delegates otherwise."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.faults: Iterator[str] = iter(())
        self.methods: frozenset[str] | None = None
        self.injected: Counter[str] = Counter()

    def fail_with(self, *faults: str, methods: frozenset[str] | None = None) -> None:
        """Fail requests (only those with ``methods``, when given) with ``faults`` in turn."""
        self.faults = itertools.cycle(faults)
        self.methods = methods
        self.down = True

    def recover(self) -> None:
        self.down = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.down or (self.methods is not None and request.method not in self.methods):
            return self.inner.handle_request(request)
        fault = next(self.faults)
        self.injected[fault] += 1
        if fault == REFUSED:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if fault == RESET:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        if fault == TIMEOUT:
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        if fault == LOST_RESPONSE:
            # The request reached the target and was applied; the reply never came back.
            self.inner.handle_request(request).close()
            raise httpx.RemoteProtocolError("Connection reset by peer.")
        status = int(fault)
        headers = {"Retry-After": "60"} if status == 429 else {}
        return httpx.Response(
            status,
            headers={"Content-Type": "application/scim+json", **headers},
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": fault,
                "detail": "Injected by the test.",
            },
        )


def _scenario() -> tuple[Scenario, Flaky, list[DirectoryUser]]:
    scenario = build_scenario(seed=8)
    # Behind the recorder, so the test still sees every request the engine sent.
    flaky = Flaky(scenario.recorder.inner)
    scenario.recorder.inner = flaky
    crew = [scenario.add_user(f"u{i}", f"Given{i}", f"Surname{i}") for i in range(3)]
    scenario.assign(*(u.object_id for u in crew))
    scenario.start()
    assert scenario.elevate.store.count("User") == 3
    return scenario, flaky, crew


def _user_names(scenario: Scenario) -> Counter[str]:
    return Counter(user["userName"] for user in scenario.target_users())


def _settle(scenario: Scenario) -> None:
    """Let cycles run (40 minutes apart, through any quarantine) until nothing is escrowed."""
    job = scenario.job
    assert job is not None
    for _ in range(200):
        scenario.clock.advance(minutes=40)
        if not job.escrows and job.quarantine_reason() is None and not job.cycle_suspended:
            return
    raise AssertionError(f"Still escrowed after recovery: {list(job.escrows)}")


def _change_while_down(scenario: Scenario, crew: list[DirectoryUser]) -> DirectoryUser:
    directory = scenario.directory
    directory.update_user(crew[0].object_id, job_title="Chief Escrow Officer")
    directory.update_user(crew[1].object_id, account_enabled=False)
    newcomer = scenario.add_user("late", "Late", "Comer")
    scenario.assign(newcomer.object_id)
    return newcomer


def _assert_all_applied(scenario: Scenario, crew: list[DirectoryUser], late: DirectoryUser) -> None:
    names = _user_names(scenario)
    assert all(count == 1 for count in names.values()), names
    assert set(names) == {u.user_principal_name for u in [*crew, late]}
    by_name = {u["userName"]: u for u in scenario.target_users()}
    assert by_name[crew[0].user_principal_name]["title"] == "Chief Escrow Officer"
    assert by_name[crew[1].user_principal_name]["active"] is False
    assert by_name[late.user_principal_name]["active"] is True


@pytest.mark.parametrize(
    "faults",
    [
        (RESET,),
        (REFUSED,),
        (LOST_RESPONSE,),
        (TIMEOUT, RESET, UNAVAILABLE, THROTTLED, REFUSED, LOST_RESPONSE),
    ],
    ids=["resets", "refused", "lost-responses", "mixed-storm"],
)
def test_changes_made_while_the_target_fails_are_applied_once_after_recovery(
    faults: tuple[str, ...],
) -> None:
    scenario, flaky, crew = _scenario()
    flaky.fail_with(*faults)
    late = _change_while_down(scenario, crew)
    for _ in range(3):
        scenario.clock.advance(minutes=40)
        assert all(count == 1 for count in _user_names(scenario).values())
    assert sum(flaky.injected.values()) > 0
    flaky.recover()
    _settle(scenario)
    _assert_all_applied(scenario, crew, late)
    # Once settled, an incremental cycle finds nothing left to send.
    mark = scenario.recorder.mark()
    scenario.clock.advance(minutes=40)
    assert [e.short() for e in scenario.recorder.since(mark)] == []


@pytest.mark.parametrize("methods", [{"POST"}, {"POST", "PATCH"}], ids=["POST", "POST+PATCH"])
def test_a_lost_create_response_never_doubles_the_user(methods: set[str]) -> None:
    # The worst case on its own: the query finds no user, the POST lands, its reply is lost;
    # the retry must find the account it made instead of creating a second one.
    scenario, flaky, _crew = _scenario()
    late = scenario.add_user("late", "Late", "Comer")
    scenario.assign(late.object_id)
    flaky.fail_with(LOST_RESPONSE, methods=frozenset(methods))
    for _ in range(4):
        scenario.clock.advance(minutes=40)
        assert _user_names(scenario)[late.user_principal_name] == 1
    assert flaky.injected[LOST_RESPONSE] >= 1
    flaky.recover()
    _settle(scenario)
    assert _user_names(scenario)[late.user_principal_name] == 1
    assert scenario.elevate.store.count("User") == 4
    (account,) = [u for u in scenario.target_users() if u["userName"] == late.user_principal_name]
    assert scenario.target_id(late.object_id) == account["id"]
