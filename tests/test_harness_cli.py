"""The provisim CLI, black-box: real processes, real sockets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from harness.cli import app

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output
    serve = runner.invoke(app, ["serve", "--help"])
    assert serve.exit_code == 0 and "elevate" in serve.output and "entra" in serve.output
    for side in ("elevate", "entra"):
        sub = runner.invoke(app, ["serve", side, "--help"], env={"COLUMNS": "200"})
        assert sub.exit_code == 0 and "--token" in sub.output and "--port" in sub.output
    entra = runner.invoke(app, ["serve", "entra", "--help"], env={"COLUMNS": "200"})
    assert "--seed" in entra.output and "PROVISIM_GRAPH_TOKEN" in entra.output
    assert "--allow-anonymous" in entra.output


def test_bench_help_names_the_extra_with_its_brackets() -> None:
    # Typer renders help as Rich markup, where an unescaped "[bench]" is a style tag and vanishes.
    result = runner.invoke(app, ["bench", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert "provisim[bench]" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("provisim ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["serve", "elevate", "--host", "not a host", "--port", "0"],
            "--host must be an IP address",
        ),
        (["serve", "elevate", "--port", "0", "--token", "short"], "at least 16 characters"),
        (["serve", "entra", "--host", "not a host", "--port", "0"], "--host must be an IP address"),
        (["serve", "entra", "--port", "0", "--token", "two words"], "--token must be a bearer"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("provisim: error:")


def test_unknown_command_exits_non_zero() -> None:
    assert runner.invoke(app, ["frobnicate"]).exit_code != 0


def test_serve_elevate_answers_the_test_connection_probe() -> None:
    token = "cli-test-token-0123456789abcdef"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve", "elevate", "--port", "0", "--token", token],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        printed = _banner(proc)
        match = re.search(r"SCIM base URL \(Tenant URL\): (\S+)", "\n".join(printed))
        assert match is not None, printed
        base = match.group(1)
        assert any(token in line for line in printed)
        assert base.startswith("http://127.0.0.1:")
        for _ in range(100):
            try:
                r = httpx.get(
                    f"{base}/Users",
                    params={"filter": 'userName eq "3f2b9a0e-1111-4222-8333-944455556666"'},
                    headers={"Authorization": f"Bearer {token}"},
                )
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert r.status_code == 200 and r.json()["totalResults"] == 0
        refused = httpx.get(f"{base}/Users", headers={"Authorization": "Bearer wrong"})
        assert refused.status_code == 401
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_elevate_takes_its_token_from_the_environment_and_limits_patch_operations() -> None:
    token = "env-test-token-0123456789abcdef"
    command = [sys.executable, "-m", "harness.cli", "serve", "elevate", "--port", "0"]
    proc = subprocess.Popen(
        [*command, "--max-patch-operations", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PROVISIM_ELEVATE_TOKEN": token},
    )
    try:
        printed = _banner(proc)
        match = re.search(r"SCIM base URL \(Tenant URL\): (\S+)", "\n".join(printed))
        assert match is not None, printed
        auth = {"Authorization": f"Bearer {token}"}
        for _ in range(100):
            try:
                created = httpx.post(
                    f"{match.group(1)}/Users",
                    json={
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                        "userName": "ada@example.com",
                    },
                    headers=auth,
                )
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert created.status_code == 201, created.text
        operation = {"op": "replace", "path": "displayName", "value": "Ada"}
        patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}
        user = f"{match.group(1)}/Users/{created.json()['id']}"
        two = httpx.patch(user, json={**patch, "Operations": [operation] * 2}, headers=auth)
        three = httpx.patch(user, json={**patch, "Operations": [operation] * 3}, headers=auth)
        assert two.status_code == 200, two.text
        assert three.status_code == 400 and three.json()["scimType"] == "invalidValue"
    finally:
        proc.terminate()
        proc.wait(10)


def _banner(proc: subprocess.Popen[str]) -> list[str]:
    """The lines a server prints up to "Press Ctrl+C to stop."."""
    printed: list[str] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.stdout is not None:
        line = proc.stdout.readline()
        if not line:
            break
        printed.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl+C"):
            break
    return printed


BRITTA = {
    "accountEnabled": True,
    "displayName": "Britta Simon",
    "mailNickname": "britta.simon",
    "userPrincipalName": "britta.simon@contoso.com",
    "passwordProfile": {"password": "x-Passw0rd!"},
}


def _first_user_id(seed: int) -> str:
    from fake_entra.graph import GraphService, GraphSettings, create_app
    from fake_entra.tenant import Tenant
    from harness.transport import AsgiTransport

    app = create_app(GraphService(Tenant(seed=seed), GraphSettings(token="t")))
    with httpx.Client(
        transport=AsgiTransport(app), base_url="https://graph.microsoft.com/v1.0"
    ) as client:
        created = client.post("/users", json=BRITTA, headers={"Authorization": "Bearer t"})
    user_id: str = created.json()["id"]
    return user_id


def _serve_entra(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve", "entra", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_serve_entra_prints_what_the_readme_says_and_answers_with_its_token() -> None:
    proc = _serve_entra("--seed", "1")
    try:
        printed = _banner(proc)
        text = "\n".join(printed)
        match = re.search(
            r"Graph base URL: (http://127\.0\.0\.1:(\d+))/v1\.0 \(and \1/beta\)", text
        )
        assert match is not None and match.group(2) != "0", text
        root = match.group(1)
        token_line = re.search(r"Bearer token:   (\S+)", text)
        assert token_line is not None, text
        token = token_line.group(1)
        assert len(token) >= 40  # secrets.token_urlsafe(32)
        assert f"Virtual clock:  {root}/_provisim/clock" in text
        auth = {"Authorization": f"Bearer {token}"}
        for version in ("v1.0", "beta"):
            listed = httpx.get(f"{root}/{version}/applicationTemplates", headers=auth)
            assert listed.status_code == 200
            assert "LinkedIn Elevate" in {t["displayName"] for t in listed.json()["value"]}
        refused = httpx.get(f"{root}/v1.0/applicationTemplates")
        assert refused.status_code == 401
        error = refused.json()["error"]
        assert error["code"] == "InvalidAuthenticationToken"
        assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
        wrong = httpx.get(f"{root}/v1.0/users", headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 401
        clock = httpx.get(f"{root}/_provisim/clock", headers=auth)
        assert clock.status_code == 200 and clock.json()["now"] == "2026-01-05T09:00:00.000Z"
        # --seed 1: the same object ids as an in-process tenant seeded with 1.
        created = httpx.post(f"{root}/v1.0/users", json=BRITTA, headers=auth)
        assert created.status_code == 201
        assert created.json()["id"] == _first_user_id(seed=1) != _first_user_id(seed=0)
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_entra_takes_its_token_from_the_environment_and_never_prints_it() -> None:
    token = "env-graph-token-0123456789"
    proc = _serve_entra("--allow-anonymous", env={**os.environ, "PROVISIM_GRAPH_TOKEN": token})
    try:
        printed = _banner(proc)
        text = "\n".join(printed)
        assert "Press Ctrl+C to stop." in text and token not in text
        assert "Bearer token:   (as given by --token or PROVISIM_GRAPH_TOKEN)" in text
        match = re.search(r"Graph base URL: (\S+)/v1\.0", text)
        assert match is not None
        ok = httpx.get(
            f"{match.group(1)}/v1.0/applicationTemplates",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert ok.status_code == 200
        # --allow-anonymous: no header at all is let in, a wrong token is not.
        assert "Anonymous:" in text
        assert httpx.get(f"{match.group(1)}/v1.0/users").status_code == 200
        wrong = httpx.get(f"{match.group(1)}/v1.0/users", headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 401
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert token not in stderr


def test_serve_entra_with_a_bad_flag_says_one_line_and_exits_non_zero() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "serve", "entra", "--port", "eighty"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("provisim: error:") and "--port" in lines[0]
