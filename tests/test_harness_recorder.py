"""The traffic recorder (harness.recorder): records, redaction, schema violations, timeline."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from fake_entra.clock import VirtualClock
from harness.recorder import (
    REDACTED,
    Exchange,
    RecordingTransport,
    TrafficRecorder,
)

TOKEN = "s3cret-token-0123456789"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"


def _user(**overrides: Any) -> dict[str, Any]:
    user = {
        "schemas": [USER_URN],
        "id": "2819c223",
        "userName": "britta.simon@contoso.com",
        "active": True,
        "meta": {
            "resourceType": "User",
            "created": "2026-01-05T09:00:00Z",
            "lastModified": "2026-01-05T09:00:00Z",
            "location": "https://api.linkedin.com/Users/2819c223",
        },
    }
    user.update(overrides)
    return user


def _client(
    handler: Any, clock: VirtualClock | None = None
) -> tuple[httpx.Client, TrafficRecorder, VirtualClock]:
    clock = clock or VirtualClock()
    recorder = TrafficRecorder(clock)
    transport = RecordingTransport(httpx.MockTransport(handler), recorder, clock)
    client = httpx.Client(
        transport=transport,
        base_url="https://api.linkedin.com",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/scim+json"},
    )
    return client, recorder, clock


def _created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json=_user(), headers={"Content-Type": "application/scim+json"})


def test_an_exchange_is_recorded_with_request_response_and_virtual_time() -> None:
    client, recorder, clock = _client(_created)
    clock.advance(minutes=40)
    response = client.post("/Users", json={"schemas": [USER_URN], "userName": "britta"})
    assert response.status_code == 201 and response.json()["id"] == "2819c223"
    (exchange,) = recorder.exchanges
    assert exchange["seq"] == 1
    assert exchange["virtual_time"] == "2026-01-05T09:40:00.000Z"
    assert exchange["elapsed_ms"] >= 0
    assert (exchange["method"], exchange["path"], exchange["query"]) == ("POST", "/Users", "")
    assert exchange["url"] == "https://api.linkedin.com/Users"
    assert exchange["request"]["body"] == {"schemas": [USER_URN], "userName": "britta"}
    assert exchange["response"] is not None
    assert exchange["response"]["status"] == 201
    assert exchange["response"]["body"]["userName"] == "britta.simon@contoso.com"
    assert exchange["error"] is None
    assert exchange["violations"] == []


def test_the_token_is_redacted_in_headers_urls_and_bodies() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        # A careless server that echoes the token back.
        return httpx.Response(
            400,
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "400",
                "detail": f"bad token {TOKEN}",
            },
            headers={"X-Echo": f"Bearer {TOKEN}"},
        )

    client, recorder, _ = _client(echo)
    client.get("/Users", params={"filter": f'userName eq "{TOKEN}"'})
    text = json.dumps(recorder.exchanges)
    assert TOKEN not in text
    (exchange,) = recorder.exchanges
    assert exchange["request"]["headers"]["authorization"] == f"Bearer {REDACTED}"
    assert exchange["response"] is not None
    assert exchange["response"]["headers"]["x-echo"] == f"Bearer {REDACTED}"
    assert exchange["response"]["body"]["detail"] == f"bad token {REDACTED}"
    assert REDACTED in exchange["url"] and REDACTED in exchange["query"]


def test_a_short_token_is_masked_in_the_header_only() -> None:
    clock = VirtualClock()
    recorder = TrafficRecorder(clock)
    transport = RecordingTransport(
        httpx.MockTransport(lambda r: httpx.Response(204)), recorder, clock
    )
    with httpx.Client(transport=transport, headers={"Authorization": "Bearer True"}) as client:
        client.request("PATCH", "https://x.test/Users/1", json={"active": "True"})
    (exchange,) = recorder.exchanges
    assert exchange["request"]["headers"]["authorization"] == f"Bearer {REDACTED}"
    assert exchange["request"]["body"] == {"active": "True"}


def test_secrets_added_by_hand_are_masked_too() -> None:
    client, recorder, _ = _client(lambda r: httpx.Response(200, text="new token: abcdefgh12345"))
    recorder.add_secret("abcdefgh12345")
    client.get("/ServiceProviderConfig")
    assert recorder.exchanges[0]["response"]["body"] == f"new token: {REDACTED}"  # type: ignore[index]


def test_a_broken_response_is_a_violation_naming_exchange_pointer_and_rule() -> None:
    client, recorder, _ = _client(
        lambda r: httpx.Response(201, json=_user(active="True"))  # Entra's string, wrongly
    )
    client.post("/scim/v2/Users", json={"schemas": [USER_URN], "userName": "britta"})
    (found,) = recorder.violations()
    assert found.seq == 1
    assert found.violation.pointer == "/active"
    assert found.violation.where == "response"
    text = str(found)
    assert text.startswith("exchange #1 POST /scim/v2/Users -> 201: response /active: type:")
    assert "'True' is not of type 'boolean'" in text
    assert recorder.exchanges[0]["violations"] == [str(found.violation)]
    report = recorder.violation_report()
    assert report is not None and "1 SCIM schema violation(s)" in report and "/active" in report


def test_a_broken_request_is_a_violation_too() -> None:
    client, recorder, _ = _client(lambda r: httpx.Response(204))
    client.patch(
        "/Groups/42",
        json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []},
    )
    assert [v.violation.where for v in recorder.violations()] == ["request"]


def test_an_expected_violation_no_longer_counts() -> None:
    client, recorder, _ = _client(lambda r: httpx.Response(201, json=_user(active="True")))
    client.post("/Users", json={"schemas": [USER_URN], "userName": "britta"})
    assert recorder.expect_violation("/userName") == []
    assert recorder.violation_report() is not None
    assert len(recorder.expect_violation("/active")) == 1
    assert recorder.unexpected_violations() == []
    assert recorder.violation_report() is None
    assert len(recorder.violations()) == 1


def test_a_request_that_gets_no_response_is_recorded_and_the_error_raised() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, recorder, _ = _client(timeout)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/Users")
    (exchange,) = recorder.exchanges
    assert exchange["response"] is None
    assert exchange["error"] == "ReadTimeout: timed out"
    assert exchange["violations"] == []


def test_bodies_that_are_not_json_are_kept_as_text_and_fail_validation() -> None:
    client, recorder, _ = _client(lambda r: httpx.Response(200, text="<html>proxy</html>"))
    client.get("/Users")
    exchange = recorder.exchanges[0]
    assert exchange["response"] is not None
    assert exchange["response"]["body"] == "<html>proxy</html>"
    assert [v.violation.pointer for v in recorder.violations()] == [""]


def test_exchange_listeners_hear_of_every_record() -> None:
    client, recorder, _ = _client(_created)
    heard: list[Exchange] = []
    recorder.exchange_listeners.append(heard.append)
    client.post("/Users", json={"schemas": [USER_URN], "userName": "a"})
    client.post("/Users", json={"schemas": [USER_URN], "userName": "b"})
    assert [e["seq"] for e in heard] == [1, 2]
    assert heard == recorder.exchanges


def test_the_traffic_is_saved_as_json_lines(tmp_path: Path) -> None:
    client, recorder, _ = _client(_created)
    client.post("/Users", json={"schemas": [USER_URN], "userName": "a"})
    client.delete("/Users/2819c223")
    path = recorder.save_jsonl(tmp_path / "scenario" / "traffic.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == recorder.exchanges
    assert len(lines) == 2


def test_cycles_are_kept_as_a_timeline_with_the_exchanges_tagged_as_theirs(
    tmp_path: Path,
) -> None:
    from fake_entra.scim_client import ORIGIN_EXTENSION, OriginKind, RequestOrigin

    client, recorder, clock = _client(_created)
    job = SimpleNamespace(cycle_listeners=[], on_demand_listeners=[])
    recorder.watch(job)  # type: ignore[arg-type]
    cycle = {ORIGIN_EXTENSION: RequestOrigin(OriginKind.CYCLE, "c1", "Incremental")}
    probe = {ORIGIN_EXTENSION: RequestOrigin(OriginKind.TEST_CONNECTION, "g1")}
    client.get("/Users")  # untagged: nobody's
    clock.advance(minutes=40)
    client.post("/Users", json={"schemas": [USER_URN], "userName": "a"}, extensions=cycle)
    client.get("/Users", extensions=probe)  # a Test Connection in between
    client.post("/Users", json={"schemas": [USER_URN], "userName": "b"}, extensions=cycle)
    client.get("/Users")  # sent after the cycle's last request: not the cycle's either
    stats = SimpleNamespace(created=2, updated=0, disabled=0, deleted=0, skipped=1, failed=0)
    outcome = SimpleNamespace(
        kind="Incremental", cycle_id="c1", requests=2, statistics=stats, quarantine_reason=None
    )
    for listener in job.cycle_listeners:
        listener(outcome)
    connection_test, cycle_record = recorder.timeline
    assert cycle_record == {
        "cycle_id": "c1",
        "sender": "cycle",
        "kind": "Incremental",
        "virtual_time": "2026-01-05T09:40:00.000Z",
        "requests": 2,
        "created": 2,
        "updated": 0,
        "disabled": 0,
        "deleted": 0,
        "skipped": 1,
        "failed": 0,
        "quarantine_reason": None,
        "exchanges": [2, 4],
    }
    assert connection_test["sender"] == "test-connection"
    assert connection_test["kind"] == "Test Connection" and connection_test["cycle_id"] == "g1"
    assert (connection_test["requests"], connection_test["exchanges"]) == (1, [3])
    assert recorder.sync_cycles() == [cycle_record]
    saved = json.loads(recorder.save_timeline(tmp_path / "timeline.json").read_text())
    assert saved == recorder.timeline


def test_a_real_job_fills_the_timeline() -> None:
    from fake_elevate.elevate import FakeElevate
    from fake_entra.engine import ProvisioningJob
    from fake_entra.tenant import Tenant
    from harness.transport import AsgiTransport

    clock = VirtualClock()
    recorder = TrafficRecorder(clock)
    elevate = FakeElevate(now=clock.now, seed=1)
    _, token = elevate.quick_setup(seats=5)
    transport = RecordingTransport(AsgiTransport(elevate.asgi_app()), recorder, clock)
    tenant = Tenant(1, clock=clock, scim_transport=transport)
    tenant.sign_in()
    user = tenant.directory.add_user("britta.simon@contoso.com", "Britta Simon")
    app = tenant.add_from_gallery("LinkedIn Elevate")
    app.assign(user.object_id, "User")
    job = ProvisioningJob(app, clock)
    recorder.watch(job)
    page = app.provisioning
    page.set_provisioning_mode("Automatic")
    page.set_admin_credentials("https://api.linkedin.com", token)
    assert page.test_connection().succeeded  # Save needs it (PortalKnownIssues)
    page.set_provisioning_status("On")
    page.save()
    clock.advance(minutes=40)
    kinds = [c["kind"] for c in recorder.timeline]
    assert kinds == ["Test Connection", "Initial", "Incremental"]
    initial = recorder.timeline[1]
    assert (initial["created"], initial["requests"]) == (1, 2)
    assert [e["method"] for e in recorder.exchanges] == ["GET", "GET", "POST"]
    assert initial["exchanges"] == [2, 3]
    assert recorder.violations() == []
    assert token not in json.dumps(recorder.exchanges)


# --- attribution by tag (issue 16): what sent an exchange, never its position ------------------


def _three_users_throttled_while_the_admin_tests_the_connection(
    transport: httpx.BaseTransport,
    tenant_url: str,
    token: str,
    clock: VirtualClock,
    recorder: TrafficRecorder,
) -> Any:
    """The issue's reproduction: three users, the cycle's fifth request answered 429
    (Retry-After 120 s), Test Connection clicked during the pause, then the cycle resumes
    and finishes. Test Connection was clicked before Save too (Save needs it)."""
    from fake_entra.engine import ProvisioningJob
    from fake_entra.tenant import Tenant

    tenant = Tenant(1, clock=clock, scim_transport=transport)
    tenant.sign_in()
    app = tenant.add_from_gallery("LinkedIn Elevate")
    for name in ("Alice Ames", "Bob Burns", "Cleo Cruz"):
        local = name.split()[0].lower()
        app.assign(tenant.directory.add_user(f"{local}@contoso.com", name).object_id, "User")
    job = ProvisioningJob(app, clock)
    recorder.watch(job)
    page = app.provisioning
    page.set_provisioning_mode("Automatic")
    page.set_admin_credentials(tenant_url, token)
    assert page.test_connection().succeeded
    page.set_provisioning_status("On")
    page.save()  # the initial cycle: GET, POST, GET, POST, and the fifth request gets 429
    assert job.cycle_suspended
    assert page.test_connection().succeeded  # during the Retry-After pause
    clock.advance(seconds=120)
    assert not job.cycle_suspended and job.cycles_run == 1
    return job


def _assert_the_cycle_has_its_own_exchanges(recorder: TrafficRecorder) -> None:
    statuses = [(e["method"], (e["response"] or {}).get("status")) for e in recorder.exchanges]
    assert statuses == [
        ("GET", 200),  # Test Connection's probe, before Save
        ("GET", 200),
        ("POST", 201),
        ("GET", 200),
        ("POST", 201),
        ("GET", 429),  # the cycle's fifth request
        ("GET", 200),  # Test Connection's probe, sent during the pause
        ("GET", 200),  # the throttled query, again
        ("POST", 201),
    ]
    (initial,) = [c for c in recorder.timeline if c["kind"] == "Initial"]
    # The cycle's first query is the cycle's, and neither probe is (counting from the end
    # credited the cycle with the probe sent during the pause).
    assert initial["exchanges"] == [2, 3, 4, 5, 6, 8, 9]
    assert initial["requests"] == 7 and initial["created"] == 3
    before, during = [c for c in recorder.timeline if c["kind"] == "Test Connection"]
    assert before["exchanges"] == [1]
    assert during["sender"] == "test-connection" and during["exchanges"] == [7]
    assert during["requests"] == 1
    assert during["virtual_time"] == recorder.exchanges[6]["virtual_time"]
    assert recorder.sync_cycles() == [initial]


def test_a_test_connection_during_a_retry_after_pause_is_not_the_cycles(
    clock: VirtualClock, recorder: TrafficRecorder, elevate: Any, scim_target: Any
) -> None:
    from fake_elevate.faults import with_faults

    _, token = elevate.quick_setup(seats=5)
    scim_target.wrap_app(
        lambda app: with_faults(
            app, "429-storm", storm_start=5, storm_count=1, storm_retry_after=120
        )
    )
    _three_users_throttled_while_the_admin_tests_the_connection(
        scim_target.transport, scim_target.tenant_url, token, clock, recorder
    )
    _assert_the_cycle_has_its_own_exchanges(recorder)


def test_exchanges_through_a_real_http_server_are_attributed_too(
    clock: VirtualClock, recorder: TrafficRecorder, elevate: Any
) -> None:
    from harness.serving import serve_in_thread

    _, token = elevate.quick_setup(seats=5)
    app = elevate.asgi_app(
        faults=["429-storm"],
        fault_options={"storm_start": 5, "storm_count": 1, "storm_retry_after": 120},
    )
    with serve_in_thread(app) as base:
        transport = RecordingTransport(httpx.HTTPTransport(), recorder, clock)
        _three_users_throttled_while_the_admin_tests_the_connection(
            transport, f"{base}/scim/v2", token, clock, recorder
        )
        transport.close()
    _assert_the_cycle_has_its_own_exchanges(recorder)
    assert all(e["url"].startswith(base) for e in recorder.exchanges)


def test_a_provision_on_demand_is_an_entry_of_its_own_kind() -> None:
    from engine_support import build_scenario

    scenario = build_scenario()
    clock = scenario.clock
    recorder = TrafficRecorder(clock)
    britta = scenario.add_user("britta.simon", "Britta", "Simon")
    scenario.assign(britta.object_id)
    scenario.configure()  # Test Connection included, before the recorder listens
    scenario.provisioning.save()
    transport = RecordingTransport(scenario.recorder, recorder, clock)
    scenario.provisioning.transport = transport
    job = scenario.new_job()
    recorder.watch(job)
    result = job.provision_on_demand(britta.object_id)
    assert result.succeeded and job.cycles_run == 0
    (entry,) = recorder.timeline
    assert (entry["sender"], entry["kind"]) == ("on-demand", "Provision on demand")
    (log_entry,) = result.entries
    assert entry["cycle_id"] == log_entry.cycle_id
    # Its own probe (S10 "Test connection" step), the query and the create.
    assert entry["exchanges"] == [1, 2, 3] and entry["requests"] == 3
    assert (entry["created"], entry["failed"]) == (1, 0)
    assert recorder.sync_cycles() == []


def test_a_cycle_dropped_by_restart_keeps_the_exchanges_it_sent() -> None:
    from engine_support import build_scenario

    scenario = build_scenario(
        faults=["429-storm"], fault_options={"storm_start": 2, "storm_count": 1}
    )
    clock = scenario.clock
    recorder = TrafficRecorder(clock)
    for local in ("a", "b", "c"):
        scenario.assign(scenario.add_user(local, local.upper(), "Person").object_id)
    scenario.configure()  # Test Connection included, before the recorder listens
    scenario.provisioning.save()
    scenario.provisioning.transport = RecordingTransport(scenario.recorder, recorder, clock)
    job = scenario.new_job()
    recorder.watch(job)
    scenario.provisioning.set_provisioning_status("On")
    scenario.provisioning.save()
    assert job.cycle_suspended  # the third request got 429
    job.restart()
    dropped, restarted = recorder.timeline
    assert dropped["kind"] == restarted["kind"] == "Initial"
    assert dropped["cycle_id"] != restarted["cycle_id"]
    assert (dropped["exchanges"], dropped["requests"], dropped["created"]) == ([1, 2, 3], 3, 1)
    count = len(recorder.exchanges)
    assert restarted["exchanges"] == list(range(4, count + 1))
    assert restarted["requests"] == count - 3 and restarted["created"] == 2


def test_a_large_body_is_kept_as_text_cut_with_a_marker() -> None:
    from harness.transport import EVIDENCE_BODY_LIMIT

    large = {"schemas": ["x"], "blob": "a" * (EVIDENCE_BODY_LIMIT * 3)}
    client, recorder, _ = _client(lambda r: httpx.Response(200, json=large))
    response = client.get("/Users")
    assert response.json() == large  # the engine reads all of it
    (exchange,) = recorder.exchanges
    assert exchange["response"] is not None
    kept = exchange["response"]["body"]
    assert isinstance(kept, str) and len(kept) < EVIDENCE_BODY_LIMIT + 100
    assert kept.endswith(f"the first {EVIDENCE_BODY_LIMIT} kept]")
