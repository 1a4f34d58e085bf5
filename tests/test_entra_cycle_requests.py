"""A cycle's SCIM requests (fake_entra.cycle.requests): what each carries (its sender, the
Bearer token, the SCIM media type) and what a failure means for the object at hand.

Each scenario is built like the tutorial: tenant, LinkedIn Elevate gallery app, Fake Elevate
behind an in-process transport, Provisioning Status On + Save.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from engine_support import Scenario, build_scenario, build_team, cycle, entries, sent

from fake_entra.logs import ProvisioningResult
from fake_entra.scim_client import OriginKind, RequestOrigin


@pytest.fixture
def team() -> Scenario:
    """Alex (manager of Bea) and Bea in the assigned group Sales; Cal assigned directly."""
    return build_team()


def test_every_request_says_which_cycle_sent_it(team: Scenario) -> None:
    team.start()
    initial = list(team.recorder)
    team.directory.update_user(team.users["cal"].object_id, job_title="Pilot")
    incremental = cycle(team)
    assert initial and incremental
    ids = [e.cycle_id for e in entries(team)]
    first, second = dict.fromkeys(ids)  # the cycleId of each cycle's log entries
    assert {e.origin for e in initial} == {RequestOrigin(OriginKind.CYCLE, first, "Initial")}
    assert {e.origin for e in incremental} == {
        RequestOrigin(OriginKind.CYCLE, second, "Incremental")
    }


def test_every_request_carries_the_bearer_token_and_scim_content_type(team: Scenario) -> None:
    team.start()
    for exchange in team.recorder:
        assert exchange.headers["authorization"] == f"Bearer {team.token}"
        assert exchange.headers["accept"] == "application/scim+json"
        if exchange.body is not None:
            assert exchange.headers["content-type"] == "application/scim+json"


def test_server_errors_are_escrowed_and_retried_next_cycle() -> None:
    scenario = build_scenario(
        faults=["5xx-burst"], fault_options={"burst_start": 2, "burst_count": 2}
    )
    people = [scenario.add_user(f"r{i}", f"Retry{i}", "Test") for i in range(3)]
    scenario.assign(*[p.object_id for p in people])
    job = scenario.start()
    failed = entries(scenario, status="failure")
    assert [e.error_code for e in failed] == ["InternalServerError"] * 2
    assert {e.error.http_status for e in failed} == {500, 503}
    assert len(job.escrows) == 2 and scenario.elevate.store.count("User") == 1
    held = next(iter(job.escrows.values()))
    assert held.attempts == 1 and held.error.error_code == "InternalServerError"
    retried = cycle(scenario)
    assert [(e.method, e.resource) for e in retried] == [("GET", "Users"), ("POST", "Users")] * 2
    assert not job.escrows and scenario.elevate.store.count("User") == 3


def test_a_case_sensitive_server_misses_the_user_and_the_create_conflicts() -> None:
    scenario = build_scenario(faults=["case-sensitive-username"])
    scenario.elevate.store.create(
        "User",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "Quinn@contoso.com",
        },
    )
    quinn = scenario.add_user("quinn", "Quinn", "Ash")
    scenario.assign(quinn.object_id)
    job = scenario.start()
    assert sent(scenario) == [("GET", "Users"), ("POST", "Users")]
    assert scenario.recorder.exchanges[1].status == 409
    (entry,) = entries(scenario, user="quinn")
    assert entry.error_code == "EntryConflict" and quinn.object_id in job.escrows


def test_a_server_hiding_inactive_users_makes_the_re_enable_an_invalid_anchor() -> None:
    scenario = build_scenario(faults=["hide-inactive"])
    rae = scenario.add_user("rae", "Rae", "Stone")
    scenario.assign(rae.object_id)
    job = scenario.start()
    scenario.app.unassign(rae.object_id)
    cycle(scenario)
    scenario.assign(rae.object_id)
    (enable,) = cycle(scenario)
    assert enable.status == 404
    (entry,) = entries(scenario, user="rae", status="failure")
    assert entry.error_code == "InvalidAnchor" and rae.object_id in job.escrows


class Refusing(httpx.BaseTransport):
    """Answers 400 with a SCIM Error to the first ``times`` requests of ``method``; passes
    everything else to ``inner`` (Fake Elevate). Put under the scenario's recorder, so the
    refusals are recorded too."""

    BODY = (
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"nope"}'
    )

    def __init__(self, inner: httpx.BaseTransport, method: str, times: int = 1) -> None:
        self.inner = inner
        self.method = method
        self.left = times

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == self.method and self.left > 0:
            self.left -= 1
            return httpx.Response(
                400,
                content=self.BODY.encode(),
                headers={"content-type": "application/scim+json"},
            )
        return self.inner.handle_request(request)


def test_a_400_on_create_is_logged_as_a_scim_bad_request_with_the_web_response() -> None:
    scenario = build_scenario()
    scenario.recorder.inner = Refusing(scenario.recorder.inner, "POST")
    dana = scenario.add_user("dana", "Dana", "Ray")
    scenario.assign(dana.object_id)
    scenario.start()
    (entry,) = entries(scenario, status="failure")
    # 1Password/scim-examples#82: not WebExceptionProtocolError.
    assert entry.error_code == "SystemForCrossDomainIdentityManagementBadRequest"
    assert "\nStatusCode: BadRequest\n" in entry.error.reason
    assert f"\nWeb Response: {Refusing.BODY} . " in entry.error.reason


def test_a_400_on_update_is_logged_as_service_incompatible() -> None:
    scenario = build_scenario()
    dana = scenario.add_user("dana", "Dana", "Ray")
    scenario.assign(dana.object_id)
    scenario.start()
    scenario.recorder.inner = Refusing(scenario.recorder.inner, "PATCH")
    scenario.directory.update_user(dana.object_id, job_title="Pilot")
    cycle(scenario)
    (entry,) = entries(scenario, status="failure")
    # getsentry/sentry#84941: a PATCH answered 400.
    assert entry.error_code == "SystemForCrossDomainIdentityManagementServiceIncompatible"
    assert "\nStatusCode: BadRequest\n" in entry.error.reason


def test_refused_credentials_quarantine_with_the_credential_validation_error() -> None:
    scenario = build_scenario(faults=["revoked-token"], fault_options={"revoke_after": 0})
    dana = scenario.add_user("dana", "Dana", "Ray")
    scenario.assign(dana.object_id)
    job = scenario.start()
    quarantine = job.status.quarantine
    assert quarantine is not None
    assert quarantine.reason == "EncounteredQuarantineException"
    # Q 4969398 (Microsoft): what an invalid token shows.
    assert quarantine.error is not None
    assert quarantine.error.code == (
        "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
    )


def test_an_escrowed_failure_says_how_often_it_was_retried_and_when_it_is_next() -> None:
    scenario = build_scenario(
        faults=["5xx-burst"], fault_options={"burst_start": 1, "burst_count": 2}
    )
    dana = scenario.add_user("dana", "Dana", "Ray")
    scenario.assign(dana.object_id)
    job = scenario.start()
    assert job.status.last_execution is not None
    # Retries count from the start of the cycle that failed (S5: cycles take time).
    first_at = job.status.last_execution.time_began
    cycle(scenario)  # the retry fails too (the burst's second request)
    second_at = job.status.last_execution.time_began
    first, second = entries(scenario, status="failure")
    # 1Password/scim-examples#82: "... This operation was retried 0 times. It will be
    # retried again after this date: 2019-10-30T15:13:17.6715300Z UTC"; the backoff in
    # force: 40 minutes, then 80 (S3 "gradually scaling back").
    assert first.error.reason.endswith(
        " . This operation was retried 0 times. It will be retried again after this date: "
        f"{first_at + timedelta(minutes=40):%Y-%m-%dT%H:%M:%S.%f}0Z UTC"
    )
    assert second.error.reason.endswith(
        " . This operation was retried 1 times. It will be retried again after this date: "
        f"{second_at + timedelta(minutes=80):%Y-%m-%dT%H:%M:%S.%f}0Z UTC"
    )
    # S13's "automatically retried in 40 minutes" names the delay in force instead.
    assert first.error.recommended_action == (
        "This attempt is automatically retried in 40 minutes."
    )
    assert second.error.recommended_action == (
        "This attempt is automatically retried in 1 hour 20 minutes."
    )


def test_a_failed_create_logs_a_failed_export_step_naming_the_app() -> None:
    scenario = build_scenario()
    scenario.recorder.inner = Refusing(scenario.recorder.inner, "POST")
    dana = scenario.add_user("dana", "Dana", "Ray")
    scenario.assign(dana.object_id)
    scenario.start()
    (entry,) = entries(scenario, status="failure")
    # 1Password/scim-examples#82: EventName EntryExportAdd, "Failed to create User '<upn>'".
    export = entry.provisioning_steps[-1]
    assert (export.name, export.status) == ("EntryExportAdd", ProvisioningResult.FAILURE)
    assert export.description == (
        f"Failed to create User '{dana.user_principal_name}' in LinkedIn Elevate"
    )
