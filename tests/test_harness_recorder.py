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


def test_cycles_are_kept_as_a_timeline_with_their_exchanges(tmp_path: Path) -> None:
    client, recorder, clock = _client(_created)
    job = SimpleNamespace(cycle_listeners=[])
    recorder.watch(job)  # type: ignore[arg-type]
    client.get("/Users")
    clock.advance(minutes=40)
    client.post("/Users", json={"schemas": [USER_URN], "userName": "a"})
    client.post("/Users", json={"schemas": [USER_URN], "userName": "b"})
    stats = SimpleNamespace(created=2, updated=0, disabled=0, deleted=0, skipped=1, failed=0)
    outcome = SimpleNamespace(
        kind="Incremental", cycle_id="c1", requests=2, statistics=stats, quarantine_reason=None
    )
    for listener in job.cycle_listeners:
        listener(outcome)
    (cycle,) = recorder.timeline
    assert cycle == {
        "cycle_id": "c1",
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
        "exchanges": [2, 3],
    }
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
    page.set_provisioning_status("On")
    page.save()
    clock.advance(minutes=40)
    assert [c["kind"] for c in recorder.timeline] == ["Initial", "Incremental"]
    initial = recorder.timeline[0]
    assert (initial["created"], initial["requests"]) == (1, 2)
    assert [e["method"] for e in recorder.exchanges] == ["GET", "POST"]
    assert initial["exchanges"] == [1, 2]
    assert recorder.violations() == []
    assert token not in json.dumps(recorder.exchanges)
