"""Fake Elevate's SQLite persistence: restarts keep users, tokens and licences."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from fake_elevate.elevate import FakeElevate
from fake_elevate.persistence import SqliteState
from fake_entra.clock import VirtualClock
from harness.transport import scim_client

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _post(client: httpx.Client, path: str, body: dict) -> httpx.Response:
    return client.post(
        path, content=json.dumps(body), headers={"Content-Type": "application/scim+json"}
    )


def test_a_restarted_elevate_keeps_users_groups_tokens_and_licences(tmp_path: Path) -> None:
    db = tmp_path / "elevate.db"
    clock = VirtualClock()
    first = FakeElevate(now=clock.now, db=db)
    config, token = first.quick_setup(seats=1)
    with scim_client("https://api.linkedin.com", token, app=first.asgi_app()) as c:
        ada = _post(c, "/Users", {"schemas": [USER], "userName": "ada@contoso.com"}).json()
        bob = _post(c, "/Users", {"schemas": [USER], "userName": "bob@contoso.com"}).json()
        group = _post(
            c,
            "/Groups",
            {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": ada["id"]}]},
        ).json()
        c.patch(
            f"/Users/{bob['id']}",
            content=json.dumps(
                {
                    "schemas": [PATCH_OP],
                    "Operations": [{"op": "replace", "path": "title", "value": "CTO"}],
                }
            ),
            headers={"Content-Type": "application/scim+json"},
        )
    first.persistence.close()  # type: ignore[union-attr]

    second = FakeElevate(now=clock.now, db=db)
    with scim_client("https://api.linkedin.com", token, app=second.asgi_app()) as c:
        # The target ids Entra cached stay valid, and so does the token.
        assert c.get(f"/Users/{ada['id']}").json()["userName"] == "ada@contoso.com"
        assert c.get(f"/Users/{bob['id']}").json()["title"] == "CTO"
        assert c.get(f"/Groups/{group['id']}").json()["members"][0]["value"] == ada["id"]
        assert c.get(f"/Users/{ada['id']}").json()["groups"][0]["value"] == group["id"]
        assert (
            c.get("/Users", params={"filter": 'userName eq "ADA@contoso.com"'}).json()[
                "totalResults"
            ]
            == 1
        )
        duplicate = _post(c, "/Users", {"schemas": [USER], "userName": "ada@contoso.com"})
        assert duplicate.status_code == 409
        center = second.account_center
        assert center.scim_configuration(config.id).name == config.name
        assert center.user(ada["id"]).state == "Licensed"  # type: ignore[union-attr]
        assert center.user(bob["id"]).state == "NoLicenseAvailable"  # type: ignore[union-attr]
        assert center.license_pools()[0].used == 1
        # Deleting frees the seat, durably.
        assert c.delete(f"/Users/{ada['id']}").status_code == 204
    second.persistence.close()  # type: ignore[union-attr]
    third = FakeElevate(now=clock.now, db=db)
    assert third.account_center.license_pools()[0].used == 0
    assert third.store.count("User") == 1
    assert not third.store.get("Group", group["id"]).get("members")


def test_only_token_hashes_reach_the_database(tmp_path: Path) -> None:
    db = tmp_path / "elevate.db"
    elevate = FakeElevate(db=db)
    _config, token = elevate.quick_setup()
    elevate.persistence.close()  # type: ignore[union-attr]
    assert token.encode() not in db.read_bytes()
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or token.encode() not in wal.read_bytes()


def test_a_regenerated_token_stays_revoked_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "elevate.db"
    elevate = FakeElevate(db=db)
    config, old = elevate.quick_setup()
    new = elevate.account_center.generate_token(config.id)
    elevate.persistence.close()  # type: ignore[union-attr]
    again = FakeElevate(db=db)
    with scim_client("https://x", old, app=again.asgi_app()) as c:
        assert c.get("/Users").status_code == 401
    with scim_client("https://x", new, app=again.asgi_app()) as c:
        assert c.get("/Users").status_code == 200


def test_a_refused_write_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "elevate.db"
    elevate = FakeElevate(db=db)
    _config, token = elevate.quick_setup()
    with scim_client("https://x", token, app=elevate.asgi_app()) as c:
        assert _post(c, "/Users", {"schemas": [USER], "userName": 5}).status_code == 400
    assert SqliteState(db).resources("User") == []


def test_an_unusable_path_is_a_clear_os_error(tmp_path: Path) -> None:
    target = tmp_path / "not-a-dir" / "x.db"
    try:
        FakeElevate(db=target)
    except OSError as exc:
        assert "cannot use" in str(exc)
    else:
        raise AssertionError("expected an OSError")


def _start_server(db: Path, token: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "serve",
            "elevate",
            "--port",
            "0",
            "--token",
            token,
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base = None
    for line in process.stdout:
        match = re.search(r"SCIM base URL \(Tenant URL\): (\S+)", line)
        if match:
            base = match.group(1)
        if line.startswith("Press Ctrl+C"):
            break
    assert base is not None, process.stderr.read() if process.stderr else ""
    for _ in range(200):
        try:
            httpx.get(f"{base}/ServiceProviderConfig", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.02)
    return process, base


def test_kill_9_in_the_middle_of_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "elevate.db"
    token = "kill-nine-token-0123456789abcdef"
    process, base = _start_server(db, token)
    acknowledged: list[str] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}

    def writer(worker: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=5) as client:
            for i in range(10_000):
                body = json.dumps({"schemas": [USER], "userName": f"w{worker}-{i}@contoso.com"})
                try:
                    response = client.post("/Users", content=body)
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(response.json()["id"])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(acknowledged) < 200 and time.monotonic() < deadline:
            time.sleep(0.005)
        # SIGKILL while four clients have writes in flight: no shutdown hook, no flush.
        os.kill(process.pid, signal.SIGKILL)
        for thread in threads:
            thread.join(30)
    finally:
        process.kill()
        process.wait(10)
    assert len(acknowledged) >= 200
    restarted, base = _start_server(db, token)
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=5) as client:
            stored: set[str] = set()
            start = 1
            while True:
                page = client.get("/Users", params={"startIndex": start, "count": 1000}).json()
                stored.update(r["id"] for r in page["Resources"])
                start += len(page["Resources"])
                if not page["Resources"] or start > page["totalResults"]:
                    break
            missing = set(acknowledged) - stored
            assert not missing, f"{len(missing)} acknowledged writes lost"
    finally:
        restarted.terminate()
        restarted.wait(10)
