"""One simulated tenant of ``provisim load``: the real Fake Entra engine against Fake
Elevate in-process, through the tenant's load transport."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from load_support import workload

from fake_elevate.elevate import FakeElevate
from fake_entra.dialects import Dialect
from harness.load.workload import tenant_url_for


def _elevate() -> tuple[FakeElevate, str]:
    elevate = FakeElevate(seed=4)
    _, token = elevate.quick_setup(seats=500)
    return elevate, token


def test_the_initial_cycle_creates_every_user_and_group_and_later_requests_use_their_ids() -> None:
    elevate, token = _elevate()
    work, wire, _transport, _time = workload(elevate, token, groups_per_tenant=2)
    work.run(rounds=2)
    kinds = Counter(kind for kind, *_ in wire.exchanges)
    assert kinds["test connection"] == 1
    # 6 users in the initial cycle, one newcomer per incremental round: a match, then a create.
    assert kinds["POST /Users (create)"] == kinds["GET /Users?filter (match)"] == 8
    assert kinds["POST /Groups (create)"] == 2
    assert kinds["PATCH /Users (disable)"] == 2 and kinds["PATCH /Users (enable)"] == 1
    assert kinds["PATCH /Users (update)"] >= 1 and kinds["PATCH /Groups (members)"] >= 2
    assert elevate.store.count("User") == 8 and elevate.store.count("Group") == 2
    created = {
        json.loads(content)["id"]
        for kind, _m, _u, _b, status, content in wire.exchanges
        if kind.startswith("POST") and status == 201
    }
    patched = [url.rsplit("/", 1)[1] for kind, _m, url, *_ in wire.exchanges if "PATCH" in kind]
    assert patched and set(patched) <= created
    assert {tuple(c[:2]) for c in work.tally.created} == {
        ("Users" if "Users" in url else "Groups", json.loads(content)["id"])
        for kind, _m, url, _b, status, content in wire.exchanges
        if kind.startswith("POST") and status == 201
    }
    assert work.tally.initial_cycles == 1 and work.tally.incremental_cycles == 2
    assert all(c[2].startswith("provisim-load-unit1-t1-") for c in work.tally.created)


def test_a_429_suspends_the_cycle_and_the_tenant_waits_out_retry_after() -> None:
    elevate, token = _elevate()
    work, wire, transport, time = workload(
        elevate,
        token,
        faults=("429-storm",),
        options={"storm_start": 4, "storm_count": 2, "storm_retry_after": 7},
    )
    work.test_connection()
    work.initial_cycle()
    statuses = [status for *_, status, _content in wire.exchanges]
    assert statuses.count(429) == 2
    assert work.tally.throttled == 2 and work.tally.retry_after == [7.0, 7.0]
    # The engine retried what was throttled: every user arrived, once.
    assert elevate.store.count("User") == 6 and work.tally.initial_cycles == 1
    # Each 429 held the tenant back for the whole Retry-After before the next request.
    assert sum(1 for s in time.slept if s >= 7.0) == 2
    assert transport.paused_until <= time.now


def test_the_compliant_dialect_sends_rfc_patch() -> None:
    elevate, token = _elevate()
    work, wire, _transport, _time = workload(
        elevate, token, dialect=Dialect.AAD_OPT_SCIM_062020.value
    )
    work.run(rounds=1)
    disable = next(body for kind, _m, _u, body, *_ in wire.exchanges if kind.endswith("(disable)"))
    assert json.loads(disable)["Operations"] == [
        {"op": "replace", "path": "active", "value": False}
    ]


def test_the_default_dialect_sends_entras_own_patch() -> None:
    elevate, token = _elevate()
    work, wire, _transport, _time = workload(elevate, token)
    work.run(rounds=1)
    disable = next(body for kind, _m, _u, body, *_ in wire.exchanges if kind.endswith("(disable)"))
    assert json.loads(disable)["Operations"] == [
        {"op": "Replace", "path": "active", "value": "False"}
    ]


def test_tenant_url_for_adds_the_flag_only_for_the_compliant_dialect() -> None:
    url = "https://scim.example.com/v2?aadOptscim062020&tenant=7"
    assert tenant_url_for(url, Dialect.DEFAULT) == "https://scim.example.com/v2?tenant=7"
    assert tenant_url_for("https://x/v2", Dialect.AAD_OPT_SCIM_062020) == (
        "https://x/v2?aadOptscim062020"
    )


def test_an_idle_cycle_pauses_instead_of_spinning(monkeypatch: pytest.MonkeyPatch) -> None:
    elevate, token = _elevate()
    work, _wire, _transport, time = workload(elevate, token, idle_pause=2.5)
    work.test_connection()
    work.initial_cycle()
    monkeypatch.setattr(work, "_change_directory", lambda: None)  # no change this round
    assert work.incremental_cycle() == 0
    assert time.slept[-1] == 2.5
