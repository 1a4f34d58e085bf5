"""Replaying (harness.replay.runner) a HAR 1.2 file the test writes itself: traffic really
recorded against one Fake Elevate, replayed against another one served on a free loopback
port, whose ids all differ."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from harness.replay.capture import load_capture
from harness.replay.report import render_html, render_json, render_junit, summary_lines
from harness.replay.runner import ReplayAbort, ReplaySettings, run_replay
from harness.serving import free_port, serve_in_thread
from harness.transport import AsgiTransport

RECORDED = "https://vendor.example/scim/v2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class HarWriter(httpx.BaseTransport):
    """Records every exchange through ``inner`` as a HAR 1.2 entry, as a proxy would."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.entries: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        response = self.inner.handle_request(request)
        content = response.read()
        entry: dict[str, Any] = {
            "startedDateTime": "2026-12-01T10:00:00.000Z",
            "time": 1,
            "request": {
                "method": request.method,
                "url": str(request.url),
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": k, "value": v} for k, v in request.headers.items()],
                "queryString": [],
                "cookies": [],
                "headersSize": -1,
                "bodySize": len(body),
            },
            "response": {
                "status": response.status_code,
                "statusText": "",
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": k, "value": v} for k, v in response.headers.items()],
                "cookies": [],
                "content": {"size": len(content), "mimeType": "application/scim+json"},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": len(content),
            },
            "cache": {},
            "timings": {"send": 0, "wait": 1, "receive": 0},
        }
        if body:
            entry["request"]["postData"] = {
                "mimeType": "application/scim+json",
                "text": body.decode(),
            }
        if content:
            entry["response"]["content"]["text"] = content.decode()
        self.entries.append(entry)
        return httpx.Response(response.status_code, headers=response.headers, content=content)


def _write_har(path: Path) -> tuple[Path, str, dict[str, str]]:
    """Drive a realistic exchange against one Fake Elevate in-process and save it as HAR.
    Returns the path, the recorded token and the recorded ids by name."""
    recorded = FakeElevate(seed=101)
    _, token = recorded.quick_setup(seats=10)
    writer = HarWriter(AsgiTransport(recorded.asgi_app()))
    client = httpx.Client(
        transport=writer,
        base_url=RECORDED,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/scim+json"},
    )
    ids: dict[str, str] = {}
    with client:
        client.get("/Users", params={"filter": 'userName eq "britta@contoso.com"'})
        for name in ("britta", "carl"):
            user = {"schemas": [USER], "userName": f"{name}@contoso.com", "active": True}
            ids[name] = client.post("/Users", json=user).json()["id"]
        ids["sales"] = client.post(
            "/Groups", json={"schemas": [GROUP], "displayName": "Sales"}
        ).json()["id"]
        members = [{"value": ids["britta"]}, {"value": ids["carl"]}]
        operations: list[dict[str, Any]] = [{"op": "add", "path": "members", "value": members}]
        client.patch(f"/Groups/{ids['sales']}", json={"schemas": [PATCH], "Operations": operations})
        operations = [{"op": "remove", "path": f'members[value eq "{ids["carl"]}"]'}]
        client.patch(f"/Groups/{ids['sales']}", json={"schemas": [PATCH], "Operations": operations})
        client.get(f"/Groups/{ids['sales']}")
        manager = [{"op": "replace", "path": f"{ENTERPRISE}:manager", "value": ids["britta"]}]
        client.patch(f"/Users/{ids['carl']}", json={"schemas": [PATCH], "Operations": manager})
        client.get("/Users", params={"filter": f'id eq "{ids["carl"]}"'})
        client.delete(f"/Users/{ids['carl']}")
        client.get(f"/Users/{ids['carl']}")
    # What a browser or proxy capture also holds: requests that are not SCIM.
    page = json.loads(json.dumps(writer.entries[0]))
    page["request"]["url"] = "https://portal.vendor.example/app.js"
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "test", "version": "1"},
            "entries": [page, *writer.entries],
        }
    }
    path.write_text(json.dumps(har), encoding="utf-8")
    return path, token, ids


class Spy(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@contextmanager
def target(*faults: str, **options: Any) -> Iterator[tuple[str, str, FakeElevate]]:
    elevate = FakeElevate(seed=202)
    _, token = elevate.quick_setup(seats=10)
    with serve_in_thread(elevate.asgi_app(faults=faults, fault_options=options)) as base:
        yield f"{base}/scim/v2", token, elevate


def test_a_har_replays_against_another_server_with_no_differences(tmp_path: Path) -> None:
    path, recorded_token, recorded_ids = _write_har(tmp_path / "capture.har")
    capture = load_capture(path)
    assert capture.base_url == RECORDED and capture.ignored == 1
    spy = Spy()
    with target() as (url, token, _):
        report = run_replay(ReplaySettings(url=url, token=token, rate=500), capture, transport=spy)
        auth = {"Authorization": f"Bearer {token}"}
        britta = _one(url, "Users", 'userName eq "britta@contoso.com"', auth)
        sales = _one(url, "Groups", 'displayName eq "Sales"', auth)
    lines = summary_lines(report)
    assert report["verdict"] == {"same": True, "exitCode": 0, "different": []}, "\n".join(lines)
    assert report["summary"] == {"same": 11, "different": 0, "skipped": 0}
    # The replay target gave every resource an id of its own: the aliases did the work.
    sent = [str(r.url) for r in spy.requests]
    assert not any(old in u for old in recorded_ids.values() for u in sent)
    bodies = [json.loads(r.content) for r in spy.requests if r.content]
    paths = [op.get("path") for b in bodies for op in b.get("Operations", [])]
    (remove,) = [p for p in paths if p.startswith("members[value eq")]
    assert remove.split('"')[1] not in recorded_ids.values()
    # Only the replay's token went out, and nothing else recorded but the media types.
    for request in spy.requests:
        assert request.headers["authorization"] == f"Bearer {token}"
        assert recorded_token not in request.content.decode()
        assert {k.lower() for k in request.headers} <= {
            "host",
            "accept",
            "accept-encoding",
            "connection",
            "user-agent",
            "authorization",
            "content-type",
            "content-length",
        }
    # The target's state is the recorded one, in its own ids: britta is Sales' one member.
    assert britta["id"] not in recorded_ids.values()
    assert [m["value"] for m in sales["members"]] == [britta["id"]]


def _one(url: str, endpoint: str, filter_: str, auth: dict[str, str]) -> dict[str, Any]:
    found = httpx.get(f"{url}/{endpoint}", params={"filter": filter_}, headers=auth).json()
    (resource,) = found["Resources"]
    return dict(resource)


def test_differences_name_the_pointer_with_evidence_and_no_token(tmp_path: Path) -> None:
    path, recorded_token, _ = _write_har(tmp_path / "capture.har")
    har = json.loads(path.read_text())
    # The recorded group read-back said another name: the replay must tell.
    entry = next(
        e
        for e in har["log"]["entries"]
        if e["request"]["method"] == "GET" and "/Groups/" in e["request"]["url"]
    )
    body = json.loads(entry["response"]["content"]["text"])
    body["displayName"] = "Marketing"
    entry["response"]["content"]["text"] = json.dumps(body)
    path.write_text(json.dumps(har))
    with target() as (url, token, _):
        report = run_replay(ReplaySettings(url=url, token=token, rate=500), load_capture(path))
    assert report["verdict"]["exitCode"] == 1
    (row,) = [r for r in report["results"] if r["outcome"] == "different"]
    assert row["differences"] == [
        {"pointer": "/displayName", "kind": "changed", "recorded": "Marketing", "replayed": "Sales"}
    ]
    assert row["recorded"]["status"] == 200 and row["evidence"][0]["response"]["status"] == 200
    assert row["evidence"][0]["request"]["headers"]["authorization"] == "Bearer <redacted>"
    rendered = (
        render_json(report)
        + render_junit(report)
        + render_html(report)
        + "\n".join(summary_lines(report))
    )
    assert 'body /displayName: recorded "Marketing", replay returned "Sales"' in rendered
    assert token not in rendered and recorded_token not in rendered


def test_a_429_is_waited_out_as_retry_after_says(tmp_path: Path) -> None:
    path, _, _ = _write_har(tmp_path / "capture.har")
    waits: list[float] = []
    with target("429-storm", storm_start=2, storm_count=2, storm_retry_after=3) as (url, token, _):
        report = run_replay(
            ReplaySettings(url=url, token=token, rate=500),
            load_capture(path),
            sleep=lambda seconds: waits.append(seconds) if seconds >= 1 else None,
        )
    assert waits == [3.0, 3.0]
    assert report["verdict"]["same"], summary_lines(report)
    assert report["run"]["requests"] == 11 + 2


def test_recorded_429s_are_skipped(tmp_path: Path) -> None:
    path, _, _ = _write_har(tmp_path / "capture.har")
    har = json.loads(path.read_text())
    throttled = json.loads(json.dumps(har["log"]["entries"][2]))  # a POST /Users, throttled
    throttled["response"]["status"] = 429
    har["log"]["entries"].insert(2, throttled)
    path.write_text(json.dumps(har))
    with target() as (url, token, _):
        report = run_replay(ReplaySettings(url=url, token=token, rate=500), load_capture(path))
    assert report["summary"] == {"same": 11, "different": 0, "skipped": 1}
    assert report["run"]["requests"] == 11


def test_a_failed_create_is_named_by_what_uses_its_id(tmp_path: Path) -> None:
    path, _, ids = _write_har(tmp_path / "capture.har")
    with target() as (url, token, _):
        # carl already exists on the target: his create answers 409.
        httpx.post(
            f"{url}/Users",
            json={"schemas": [USER], "userName": "carl@contoso.com"},
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()
        report = run_replay(ReplaySettings(url=url, token=token, rate=500), load_capture(path))
    rows = {r["number"]: r for r in report["results"]}
    create = next(
        n
        for n, r in rows.items()
        if r["method"] == "POST" and r["differences"] and r["differences"][0]["recorded"] == 201
    )
    blocked = [r for r in rows.values() if r["usesFailedCreates"] == [create]]
    assert blocked and all(ids["carl"] in r["path"] or r["method"] == "PATCH" for r in blocked)
    assert "which the replay could not create" in blocked[0]["message"]


def test_the_preflight_refuses_a_wrong_token_and_an_unreachable_endpoint(tmp_path: Path) -> None:
    path, _, _ = _write_har(tmp_path / "capture.har")
    capture = load_capture(path)
    with target() as (url, _, _), pytest.raises(ReplayAbort, match=r"refused the token .*HTTP 401"):
        run_replay(ReplaySettings(url=url, token="not-the-token"), capture)
    closed = f"http://127.0.0.1:{free_port()}/scim/v2"
    with pytest.raises(ReplayAbort, match=r"cannot reach http://127.0.0.1"):
        run_replay(ReplaySettings(url=closed, token="t", timeout=5), capture)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"url": "http://vendor.example/scim"}, "must use https"),
        ({"url": "https://vendor.example/scim?aadOptscim062020"}, "without a query"),
        ({"url": "https://vendor.example/scim", "token": " "}, "--token must not be empty"),
        ({"url": "https://vendor.example/scim", "rate": 0.5}, "--rate must be at least 1"),
        ({"url": "https://vendor.example/scim", "timeout": 0}, "--timeout must be positive"),
    ],
)
def test_settings_refuse_what_conformance_refuses(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ReplayAbort, match=message):
        ReplaySettings(**{"token": "t", **settings})
