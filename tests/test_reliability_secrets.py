"""Secrets (issue 8): a Secret Token appears in no artifact, message or help text.

A whole scenario runs with the provisim pytest plugin's ``world`` against in-process Fake
Elevate: provisioning with the token, a target that *echoes* the token back in its error
bodies, a rotated token (401 in the next cycle: quarantine and its email), a Test
Connection with a wrong token, then every artifact is written and searched: the recorded
traffic (JSON Lines), the timeline, the scenario's HTML report, the provisioning logs as
JSON and CSV, Synchronization Details, portal notifications, emails, and the text of every
exception the failures raised. The CLI's help pages carry no token-like example, and
``provisim serve elevate`` binds loopback and guards the admin API with its own key.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.reports.artifacts import load_timeline, load_traffic
from harness.reports.page import render_scenario
from harness.world import World

#: A Secret Token an admin might paste: what every artifact must not contain.
PASTED = "Pr0v1s1m-S3cr3t-" + "Zq9" * 8


def _leaks(secrets: list[str], texts: dict[str, str]) -> list[str]:
    return [
        f"{where} contains a token"
        for where, text in texts.items()
        for secret in secrets
        if secret in text
    ]


def test_a_whole_scenario_leaves_no_token_anywhere(world: World, tmp_path: Path) -> None:
    texts: dict[str, str] = {}
    world.add_scim_configuration("Entra ID provisioning", auto_assign=True, seats=10)
    world.elevate.account_center.install_token(world.configuration.id, PASTED)  # type: ignore[union-attr]
    world.tokens.append(PASTED)
    world.set_up_provisioning()
    for name in ("Britta Simon", "Carl Jones"):
        world.add_user(name)
        world.application.assign(world.users[name], "User")
    world.set_provisioning_status("On")
    assert world.target.elevate.store.count("User") == 2  # type: ignore[union-attr]

    # A careless target echoes the credential in its error detail.
    world.answer(
        "PATCH",
        "/Users/*",
        500,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "500",
            "detail": f"Authorization: Bearer {PASTED} could not update the user",
        },
        times=3,
    )
    world.change_user("Britta Simon", "job title", "Chief Secrets Officer")
    world.advance(timedelta(minutes=40))
    assert world.job.escrows

    # The token is rotated in Account Center: the old one gets 401 in the next cycle.
    rotated = world.generate_token()
    world.change_user("Carl Jones", "job title", "Keeper of Keys")
    world.advance(timedelta(hours=2))
    assert world.job.quarantine_reason() is not None or list(world.outbox)

    # Test Connection with a wrong token, then the rotated one.
    wrong = "Wr0ng-T0ken-" + "Xy7" * 8
    world.enter_credentials(world.tenant_url(), wrong)
    result = world.test_connection()
    assert not result.succeeded
    texts["Test Connection failure"] = f"{result.message} {result!r}"
    world.enter_credentials(world.tenant_url(), rotated)

    # The client's own errors when the network fails: their text must not carry the token.
    from fake_entra.scim_client import ScimClient

    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection reset by peer", request=request)

    client = ScimClient(world.tenant_url(), PASTED, transport=httpx.MockTransport(reset))
    with pytest.raises(httpx.HTTPError) as raised:
        client.get("/Users")
    client.close()
    texts["ScimClient error"] = f"{raised.value} {raised.value!r} {raised.value.args!r}"

    # Every artifact.
    traffic = world.recorder.save_jsonl(tmp_path / "traffic.jsonl")
    timeline = world.recorder.save_timeline(tmp_path / "timeline.json")
    texts["traffic"] = traffic.read_text()
    texts["timeline"] = timeline.read_text()
    texts["report"] = render_scenario(load_traffic(traffic), load_timeline(timeline))
    job = world.job
    texts["provisioning logs JSON"] = json.dumps([entry.to_json() for entry in job.log])
    texts["provisioning logs CSV"] = json.dumps(job.log.to_csv())
    texts["Synchronization Details"] = json.dumps(job.synchronization_details(), default=str)
    texts["notifications"] = repr(world.tenant.notifications)
    texts["emails"] = "\n".join(email.to_message().as_string() for email in world.outbox)
    texts["provisioning page"] = repr(vars(world.provisioning))

    assert texts["emails"], "the rotated token should have led to a notification email"
    assert '"status": 500' in texts["traffic"] or '"status":500' in texts["traffic"]
    assert "Bearer ***" in texts["traffic"]
    assert _leaks([PASTED, rotated, wrong], texts) == []


# -- the CLI ------------------------------------------------------------------------------------

#: A bearer-token-looking example: 20+ characters of a token alphabet mixing letters and digits.
_TOKEN_LIKE = re.compile(r"(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{20,}")
COMMANDS = [[], ["serve"], ["serve", "elevate"], ["run"], ["conformance"], ["bench"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "provisim")
def test_help_has_no_token_like_example(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Bearer " not in result.output
    assert _TOKEN_LIKE.findall(result.output) == []


def test_conformance_refused_token_is_one_line_without_the_token() -> None:
    # Nothing listens on this loopback port: the error line names the URL, never the token.
    result = CliRunner().invoke(
        app,
        ["conformance", "--url", "http://127.0.0.1:9/scim/v2", "--token", PASTED, "--timeout", "2"],
    )
    assert result.exit_code == 2
    assert PASTED not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str, str]]:
    """``provisim serve elevate`` on a free port: (printed base URL, admin key, output)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve", "elevate", "--port", "0", "--token", PASTED],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        output = "".join(lines)
        base = re.search(r"listening on (\S+)", output)
        key = re.search(r"admin key:\s+(\S+)", output)
        assert base and key, output
        yield base[1], key[1], output
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_binds_loopback_and_the_admin_api_needs_its_key(
    served: tuple[str, str, str],
) -> None:
    base, key, _output = served
    assert base.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=base, timeout=10) as client:
        for headers in ({}, {"Authorization": f"Bearer {PASTED}"}, {"Authorization": "Bearer x"}):
            refused = client.get("/account-center/scim-configurations", headers=headers)
            assert refused.status_code == 401, refused.text
            assert PASTED not in refused.text
        allowed = client.get(
            "/account-center/scim-configurations", headers={"Authorization": f"Bearer {key}"}
        )
        assert allowed.status_code == 200, allowed.text
        assert PASTED not in allowed.text
        # The SCIM token works for SCIM, and a wrong one is refused without being echoed.
        assert (
            client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {PASTED}"}).status_code
            == 200
        )
        wrong = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {PASTED}x"})
        assert wrong.status_code == 401 and PASTED not in wrong.text


def test_conformance_reports_against_the_served_target_carry_no_token(
    served: tuple[str, str, str], tmp_path: Path
) -> None:
    base, _key, _output = served
    reports = {name: tmp_path / f"report.{name}" for name in ("json", "junit", "html")}
    result = CliRunner().invoke(
        app,
        [
            "conformance",
            "--url",
            f"{base}/scim/v2",
            "--token",
            PASTED,
            "--rate",
            "1000",
            *(item for name, path in reports.items() for item in (f"--{name}", str(path))),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code in (0, 1), result.output
    texts = {name: path.read_text() for name, path in reports.items()}
    texts["output"] = result.output
    report = json.loads(texts["json"])
    assert report["tool"]["name"] == "provisim" and base in texts["json"]
    assert _leaks([PASTED], texts) == []
