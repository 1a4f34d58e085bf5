"""The Entra flow (:mod:`harness.conformance.flow.entra_flow`): the real provisioning engine
against Fake Elevate (in-process), each outcome read back, in both dialects, and against the
fault profiles that break it."""

from __future__ import annotations

from typing import Any

import pytest
from conformance_support import URL

from fake_elevate.elevate import FakeElevate
from fake_elevate.faults import with_faults
from fake_entra.dialects import Dialect
from harness.conformance.exchanges import ExchangeLog, RecordingTransport
from harness.conformance.flow import FLOW_STEPS, EntraFlow
from harness.conformance.probe import ScimProbe
from harness.conformance.resources import RESOURCE_PREFIX, CreatedResources
from harness.conformance.results import BlockKind, Outcome
from harness.transport import AsgiTransport


class Flow:
    """One flow run against Fake Elevate, with what it left behind."""

    def __init__(self, dialect: Dialect, *faults: str, **options: Any) -> None:
        self.elevate = FakeElevate(seed=5)
        _, token = self.elevate.quick_setup(seats=20)
        app = self.elevate.asgi_app()
        if faults:
            app = with_faults(app, *faults, **options)
        self.log = ExchangeLog()
        self.waits: list[float] = []
        recorder = RecordingTransport(AsgiTransport(app), self.log)
        probe = ScimProbe(
            URL, token, transport=recorder, log=self.log, timeout=5, sleep=self.waits.append
        )
        self.created = CreatedResources()
        flow = EntraFlow(
            url=URL,
            token=token,
            dialect=dialect,
            transport=recorder,
            probe=probe,
            log=self.log,
            run_id="fl0w",
            created=self.created,
            sleep=self.waits.append,
        )
        self.results = {r.info.id: r for r in flow.run()}

    def failed(self) -> set[str]:
        return {i for i, r in self.results.items() if r.failed}

    def patch_ops(self) -> list[str]:
        ops = []
        for exchange in self.log:
            body = exchange.request_json()
            if exchange.origin == "entra" and exchange.method == "PATCH":
                ops += [op["op"] for op in body["Operations"]]
        return ops


@pytest.mark.parametrize("dialect", list(Dialect))
def test_fake_elevate_passes_the_whole_flow_in_each_dialect(dialect: Dialect) -> None:
    flow = Flow(dialect)
    assert [r.info for r in flow.results.values()] == list(FLOW_STEPS)
    assert {i: r.message for i, r in flow.results.items() if r.outcome != "passed"} == {}
    assert all(r.dialect == dialect.value for r in flow.results.values())
    # The engine speaks the dialect: capitalised ops by default, RFC-style with the flag.
    ops = set(flow.patch_ops())
    assert ops == (
        {"Add", "Replace", "Remove"} if dialect is Dialect.DEFAULT else {"add", "replace", "remove"}
    )
    # Every resource the flow left in the target is registered for the clean-up, named
    # with the run's prefix; carol and the group were deleted by the flow itself.
    store = flow.elevate.store.snapshot()
    left = {r["id"] for r in store["User"] + store["Group"]}
    assert left == {i for _, i, _ in flow.created.items}
    assert all(name.startswith(RESOURCE_PREFIX) for _, _, name in flow.created.items)
    # alice, bob, dave, and frank and erin (assigned for the app-role step).
    assert len(store["User"]) == 5 and store["Group"] == []


def test_the_default_dialect_is_caught_where_a_server_refuses_it() -> None:
    default = Flow(Dialect.DEFAULT, "refuse-default-dialect")
    assert {"ENTRA-FLOW-UPDATE-USER", "ENTRA-FLOW-DISABLE-USER"} <= default.failed()
    update = default.results["ENTRA-FLOW-UPDATE-USER"]
    assert update.hint is not None and "?aadOptscim062020" in update.hint
    # getsentry/sentry#84941: a PATCH refused with 400 is logged as ServiceIncompatible.
    assert (
        "Entra logged: SystemForCrossDomainIdentityManagementServiceIncompatible" in update.message
    )
    assert any(e.method == "PATCH" and e.status == 400 for e in update.evidence)
    # The same server works with the flag: it is the dialect, not the server at large.
    assert Flow(Dialect.AAD_OPT_SCIM_062020, "refuse-default-dialect").failed() == set()


def test_a_member_removal_refused_for_its_value_array_fails_the_remove_step() -> None:
    flow = Flow(Dialect.DEFAULT, "refuse-value-remove")
    assert flow.failed() == {"ENTRA-FLOW-REMOVE-MEMBER"}
    hint = flow.results["ENTRA-FLOW-REMOVE-MEMBER"].hint
    assert hint is not None and "value array" in hint
    assert Flow(Dialect.AAD_OPT_SCIM_062020, "refuse-value-remove").failed() == set()


def test_a_disable_that_is_acknowledged_but_not_applied_is_read_back() -> None:
    flow = Flow(Dialect.AAD_OPT_SCIM_062020, "ignore-active")
    assert flow.failed() == {"ENTRA-FLOW-DISABLE-USER", "ENTRA-FLOW-DELETE-USER"}
    disable = flow.results["ENTRA-FLOW-DISABLE-USER"]
    assert "reads active=True" in disable.message
    assert disable.hint is not None and "acknowledged but not applied" in disable.hint


def test_users_that_vanish_when_deactivated_fail_disable_and_enable() -> None:
    flow = Flow(Dialect.DEFAULT, "hide-inactive")
    assert {"ENTRA-FLOW-DISABLE-USER", "ENTRA-FLOW-ENABLE-USER"} <= flow.failed()
    assert "404" in flow.results["ENTRA-FLOW-DISABLE-USER"].message
    assert "InvalidAnchor" in flow.results["ENTRA-FLOW-ENABLE-USER"].message


def test_an_empty_search_answered_404_fails_test_connection() -> None:
    flow = Flow(Dialect.DEFAULT, "empty-search-404")
    connection = flow.results["ENTRA-FLOW-TEST-CONNECTION"]
    assert connection.failed and "HTTP 404" in connection.message
    assert {"ENTRA-FLOW-TEST-CONNECTION", "ENTRA-FLOW-CREATE-USER"} <= flow.failed()


def test_a_token_revoked_mid_run_quarantines_the_job_and_the_rest_cannot_run() -> None:
    flow = Flow(Dialect.DEFAULT, "revoked-token", revoke_after=12)
    unrun = [r for r in flow.results.values() if r.outcome is Outcome.NOT_ESTABLISHED]
    assert unrun and all("quarantine" in r.message for r in unrun)
    # Every step after the quarantine is an error, never a pass or a skip, and names the
    # step during which the job went into quarantine.
    steps = list(flow.results.values())
    first = steps.index(unrun[0])
    assert steps[first:] == unrun and not any(r.outcome is Outcome.SKIPPED for r in steps)
    blamed = {r.blocked_by.check for r in unrun if r.blocked_by is not None}
    assert blamed == {f"{steps[first - 1].info.id} [default]"}
    assert all(r.not_established and not r.blocking for r in unrun)
    assert all(r.blocked_by and r.blocked_by.kind is BlockKind.PREREQUISITE for r in unrun)
    assert flow.results["ENTRA-FLOW-DELETE-GROUP"].outcome is Outcome.NOT_ESTABLISHED


def test_the_flow_waits_out_retry_after_and_then_succeeds() -> None:
    flow = Flow(Dialect.DEFAULT, "429-storm", storm_start=6, storm_count=2, storm_retry_after=3)
    assert flow.failed() == set()
    assert [e.status for e in flow.log].count(429) == 2
    # The engine pauses for Retry-After on the virtual clock; the run waits for real too.
    assert 3.0 in flow.waits


def test_a_burst_of_5xx_is_retried_by_the_engine_in_later_cycles() -> None:
    flow = Flow(Dialect.DEFAULT, "5xx-burst", burst_start=6, burst_count=2)
    assert flow.failed() == set()
    assert sorted(e.status for e in flow.log if e.status and e.status >= 500) == [500, 503]
