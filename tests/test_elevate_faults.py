"""Fault profiles of Fake Elevate, driven over HTTP in-process (and once under uvicorn)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from fake_elevate.elevate import FakeElevate
from fake_elevate.faults import (
    FAULT_PROFILES,
    FaultMiddleware,
    FaultOptions,
    parse_fault_options,
    with_faults,
)
from fake_entra.clock import VirtualClock
from harness.cli import app as cli_app
from harness.serving import serve_in_thread
from harness.transport import AsgiTransport

BASE = "https://api.linkedin.com/scim/v2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = {"Content-Type": "application/scim+json"}


class Service:
    """Fake Elevate behind some fault profiles, with an httpx client bound to it."""

    def __init__(self, *faults: str, **options: Any) -> None:
        self.clock = VirtualClock()
        self.elevate = FakeElevate(now=self.clock.now, seed=7)
        self.config, self.token = self.elevate.quick_setup(seats=10)
        self.app = with_faults(self.elevate.asgi_app(), *faults, **options)
        self.http = httpx.Client(
            base_url=BASE,
            transport=AsgiTransport(self.app),
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/scim+json"},
        )

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.http.get(path, params=params)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(path, content=json.dumps(body), headers=SCIM_JSON)

    def patch(self, path: str, operations: Sequence[dict[str, Any]]) -> httpx.Response:
        body = {"schemas": [PATCH_OP], "Operations": list(operations)}
        return self.http.patch(path, content=json.dumps(body), headers=SCIM_JSON)

    def new_user(self, user_name: str, **extra: Any) -> dict[str, Any]:
        """Create a user straight in the store, past every fault."""
        body = {"schemas": [USER], "userName": user_name, "active": True, **extra}
        return self.elevate.store.create("User", body, self.config)

    @property
    def injected(self) -> dict[str, int]:
        return self.app.injected


def scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status)
    assert body.get("scimType") == scim_type
    return body


# --- the registry --------------------------------------------------------------------------


def test_every_profile_is_registered_under_its_name_and_cites_what_it_imitates() -> None:
    assert set(FAULT_PROFILES) == {
        "refuse-default-dialect",
        "refuse-value-remove",
        "value-path-notarget",
        "empty-search-404",
        "case-sensitive-username",
        "429-storm",
        "5xx-burst",
        "flaky",
        "slow",
        "revoked-token",
        "members-in-excluded",
        "no-location",
        "hide-inactive",
        "ignore-active",
    }
    for name, profile in FAULT_PROFILES.items():
        assert profile.name == name
        assert profile.factory(FaultOptions()).name == name
        assert profile.summary.endswith(".")
        # Each docstring says what it imitates and where that comes from.
        assert "Imitates" in profile.imitates, name
        assert re.search(r"#\d+|entra §|S\d+|RFC|linkedin-scim", profile.imitates), name
        assert set(profile.options) <= set(FaultOptions.names())


def test_unknown_profiles_duplicate_names_and_unknown_options_are_refused() -> None:
    app = FakeElevate(seed=1).asgi_app()
    with pytest.raises(ValueError, match=r"unknown fault profile.*no-such-fault"):
        with_faults(app, "no-such-fault")
    with pytest.raises(ValueError, match="named once"):
        with_faults(app, "slow", "slow")
    with pytest.raises(ValueError, match=r"unknown fault option.*storm_size"):
        with_faults(app, "429-storm", storm_size=3)
    with pytest.raises(ValueError, match="storm_count cannot be negative"):
        with_faults(app, "429-storm", storm_count=-1)
    with pytest.raises(ValueError, match="5xx"):
        with_faults(app, "5xx-burst", burst_statuses=[404])
    with pytest.raises(ValueError, match="flaky_rate"):
        with_faults(app, "flaky", flaky_rate=1.5)


def test_parse_fault_options_reads_the_cli_spelling() -> None:
    assert parse_fault_options(
        ["storm_count=10", "slow_delay=2.5", "burst_statuses=500,502", "served=true"]
    ) == {"storm_count": 10, "slow_delay": 2.5, "burst_statuses": (500, 502), "served": True}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_fault_options(["storm_count"])
    with pytest.raises(ValueError, match="unknown fault option"):
        parse_fault_options(["nope=1"])
    with pytest.raises(ValueError):
        parse_fault_options(["storm_count=many"])


def test_fake_elevate_asgi_app_wraps_itself_in_the_named_faults() -> None:
    elevate = FakeElevate(seed=2)
    assert not isinstance(elevate.asgi_app(), FaultMiddleware)
    wrapped = elevate.asgi_app(faults=["429-storm"], fault_options={"storm_count": 2})
    assert isinstance(wrapped, FaultMiddleware)
    assert wrapped.fault("429-storm").options.storm_count == 2
    with pytest.raises(KeyError):
        wrapped.fault("slow")


def test_the_in_process_fast_path_stays_unless_a_fault_really_waits() -> None:
    elevate = FakeElevate(seed=3)
    scope = {"type": "http", "method": "GET", "path": "/scim/v2/Users"}
    assert with_faults(elevate.asgi_app(), "429-storm").handles_without_suspending(scope)
    in_process_slow = with_faults(elevate.asgi_app(), "slow", slow_delay=5)
    assert in_process_slow.handles_without_suspending(scope)
    served_slow = with_faults(elevate.asgi_app(), "slow", served=True)
    assert not served_slow.handles_without_suspending(scope)
    # The wrapped app's state is still reachable, as code reading app.state expects.
    assert served_slow.state.elevate is elevate


def test_without_faults_the_middleware_changes_nothing() -> None:
    service = Service()
    assert service.get("/Users", filter='userName eq "nobody"').json()["totalResults"] == 0
    created = service.post("/Users", {"schemas": [USER], "userName": "a@contoso.com"})
    assert created.status_code == 201
    assert created.headers["location"].endswith(created.json()["id"])
    assert service.get(f"/Users/{created.json()['id']}").json()["userName"] == "a@contoso.com"
    assert service.injected == {}


# --- the dialect and shape profiles --------------------------------------------------------


def test_refuse_default_dialect_refuses_capitalised_ops_and_boolean_strings() -> None:
    service = Service("refuse-default-dialect")
    user = service.new_user("alex@contoso.com")
    path = f"/Users/{user['id']}"
    body = scim_error(
        service.patch(path, [{"op": "Replace", "path": "active", "value": "False"}]),
        400,
        "invalidSyntax",
    )
    assert "Replace" in body["detail"]
    scim_error(
        service.patch(path, [{"op": "replace", "path": "active", "value": "False"}]),
        400,
        "invalidValue",
    )
    # Booleans hidden in a pathless replace are found too.
    scim_error(
        service.patch(path, [{"op": "replace", "value": {"active": "True"}}]), 400, "invalidValue"
    )
    # The aadOptscim062020 dialect passes (entra-aadOptscim062020-patch-disable.json).
    ok = service.patch(path, [{"op": "replace", "path": "active", "value": False}])
    assert ok.status_code == 200 and ok.json()["active"] is False
    assert service.injected == {"refuse-default-dialect": 3}


def test_refuse_value_remove_refuses_the_default_member_removal_only() -> None:
    service = Service("refuse-value-remove")
    user = service.new_user("bea@contoso.com")
    group = service.elevate.store.create(
        "Group", {"schemas": [GROUP], "displayName": "Sales", "members": [{"value": user["id"]}]}
    )
    path = f"/Groups/{group['id']}"
    body = scim_error(
        service.patch(
            path, [{"op": "Remove", "path": "members", "value": [{"value": user["id"]}]}]
        ),
        400,
        "invalidValue",
    )
    assert body["detail"].startswith("values must not be set for remove operation")
    removed = service.patch(path, [{"op": "remove", "path": f'members[value eq "{user["id"]}"]'}])
    assert removed.status_code == 204
    assert "members" not in service.elevate.store.get("Group", group["id"])


def test_value_path_notarget_refuses_filtered_paths_but_not_member_removal() -> None:
    service = Service("value-path-notarget")
    user = service.new_user("cal@contoso.com")
    path = f"/Users/{user['id']}"
    body = scim_error(
        service.patch(
            path, [{"op": "Add", "path": 'emails[type eq "work"].value', "value": "c@contoso.com"}]
        ),
        400,
        "noTarget",
    )
    assert "emails[type eq" in body["detail"]
    assert service.patch(path, [{"op": "Add", "path": "title", "value": "CFO"}]).status_code == 200


def test_empty_search_404_answers_404_to_an_empty_filter_result_only() -> None:
    service = Service("empty-search-404")
    scim_error(service.get("/Users", filter='userName eq "ghost@contoso.com"'), 404)
    service.new_user("dana@contoso.com")
    found = service.get("/Users", filter='userName eq "dana@contoso.com"')
    assert found.status_code == 200 and found.json()["totalResults"] == 1
    # An unfiltered list is not a search: an empty page is still 200.
    assert service.get("/Groups").status_code == 200
    assert service.injected == {"empty-search-404": 1}


def test_case_sensitive_username_misses_a_differently_cased_user() -> None:
    service = Service("case-sensitive-username")
    service.new_user("Eve.Adams@contoso.com")
    exact = service.get("/Users", filter='userName eq "Eve.Adams@contoso.com"').json()
    assert exact["totalResults"] == 1
    lower = service.get("/Users", filter='userName eq "eve.adams@contoso.com"').json()
    assert lower["totalResults"] == 0 and lower["Resources"] == [] and lower["itemsPerPage"] == 0
    # The store behind it still holds the name: a create with the other case conflicts.
    conflict = service.post("/Users", {"schemas": [USER], "userName": "eve.adams@contoso.com"})
    scim_error(conflict, 409, "uniqueness")
    # Other filters are untouched.
    by_external = service.get("/Users", filter='externalId eq "none"')
    assert by_external.status_code == 200


def test_members_in_excluded_returns_members_despite_excluded_attributes() -> None:
    service = Service("members-in-excluded")
    user = service.new_user("finn@contoso.com")
    service.elevate.store.create(
        "Group", {"schemas": [GROUP], "displayName": "Ops", "members": [{"value": user["id"]}]}
    )
    found = service.get(
        "/Groups", excludedAttributes="members", filter='displayName eq "Ops"'
    ).json()
    assert [m["value"] for m in found["Resources"][0]["members"]] == [user["id"]]
    # Other excluded attributes still go.
    both = service.get(
        "/Groups", excludedAttributes="members,externalId", filter='displayName eq "Ops"'
    ).json()
    assert "members" in both["Resources"][0]
    plain = Service().get("/Groups", excludedAttributes="members").json()
    assert plain["Resources"] == []
    assert service.injected == {"members-in-excluded": 2}


def test_no_location_drops_the_header_and_meta_location_from_creates() -> None:
    service = Service("no-location")
    created = service.post("/Users", {"schemas": [USER], "userName": "gil@contoso.com"})
    assert created.status_code == 201
    assert "location" not in created.headers
    assert "location" not in created.json()["meta"]
    assert created.json()["id"]
    fetched = service.get(f"/Users/{created.json()['id']}").json()
    assert fetched["meta"]["location"].endswith(created.json()["id"])


def test_hide_inactive_makes_deactivated_users_vanish() -> None:
    service = Service("hide-inactive")
    user = service.new_user("hal@contoso.com")
    path = f"/Users/{user['id']}"
    off = service.patch(path, [{"op": "replace", "path": "active", "value": False}])
    assert off.status_code == 200
    query = service.get("/Users", filter='userName eq "hal@contoso.com"').json()
    assert query["totalResults"] == 0 and query["Resources"] == []
    scim_error(service.get(path), 404)
    scim_error(service.patch(path, [{"op": "replace", "path": "active", "value": True}]), 404)
    # The user is still stored, inactive: only the service hides it.
    assert service.elevate.store.get("User", user["id"])["active"] is False


def test_ignore_active_acknowledges_the_disable_but_keeps_the_user_active() -> None:
    service = Service("ignore-active")
    user = service.new_user("ida@contoso.com")
    path = f"/Users/{user['id']}"
    answer = service.patch(path, [{"op": "Replace", "path": "active", "value": "False"}])
    assert answer.status_code == 200 and answer.json()["active"] is True
    mixed = service.patch(
        path,
        [
            {"op": "replace", "path": "title", "value": "CTO"},
            {"op": "replace", "value": {"active": False, "displayName": "Ida"}},
        ],
    )
    assert mixed.status_code == 200
    stored = service.elevate.store.get("User", user["id"])
    assert stored["active"] is True and stored["title"] == "CTO" and stored["displayName"] == "Ida"
    licence = service.elevate.account_center.user(user["id"])
    assert licence is not None and licence.state == "Licensed"
    assert service.injected == {"ignore-active": 2}


# --- the counted and random profiles -------------------------------------------------------


def test_429_storm_answers_a_window_of_requests_with_retry_after() -> None:
    service = Service("429-storm", storm_start=1, storm_count=3, storm_retry_after=90)
    statuses = []
    for _ in range(6):
        response = service.get("/Users", filter='userName eq "x@contoso.com"')
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.headers["retry-after"] == "90"
            assert "90 seconds" in scim_error(response, 429)["detail"]
    assert statuses == [200, 429, 429, 429, 200, 200]
    assert service.injected == {"429-storm": 3}


def test_5xx_burst_cycles_through_its_statuses_then_recovers() -> None:
    service = Service("5xx-burst", burst_count=3, burst_statuses=(500, 503))
    statuses = [service.get("/Groups").status_code for _ in range(5)]
    assert statuses == [500, 503, 500, 200, 200]


def test_flaky_is_repeatable_for_a_seed_and_differs_between_seeds() -> None:
    def run(seed: int) -> list[int]:
        service = Service("flaky", flaky_rate=0.5, seed=seed)
        return [service.get("/Groups").status_code for _ in range(24)]

    first = run(1)
    assert first == run(1)
    assert first != run(2)
    assert set(first) == {200, 503}


def test_revoked_token_refuses_everything_after_the_first_requests() -> None:
    service = Service("revoked-token", revoke_after=2)
    statuses = [service.get("/Users").status_code for _ in range(4)]
    assert statuses == [200, 200, 401, 401]
    refused = service.get("/Users")
    assert "invalid_token" in refused.headers["www-authenticate"]
    scim_error(refused, 401)


def test_faults_leave_the_account_center_admin_api_alone() -> None:
    service = Service("revoked-token", "5xx-burst", revoke_after=0)
    pools = service.http.get("https://api.linkedin.com/account-center/license-pools")
    assert pools.status_code == 200 and pools.json()["pools"][0]["seats"] == 10
    assert service.get("/Users").status_code == 401
    assert service.injected == {"revoked-token": 1, "5xx-burst": 0}


def test_faults_apply_in_the_order_named() -> None:
    # The storm sees requests first, so the burst only counts what the storm lets through.
    service = Service("429-storm", "5xx-burst", storm_count=2, burst_count=1)
    statuses = [service.get("/Groups").status_code for _ in range(4)]
    assert statuses == [429, 429, 500, 200]


def test_slow_in_process_never_sleeps_and_times_out_past_the_client_timeout() -> None:
    service = Service("slow", slow_delay=30.0)
    started = time.perf_counter()
    assert service.get("/Users").status_code == 200
    assert time.perf_counter() - started < 5  # 30 s are simulated, never waited
    timing_out = Service("slow", slow_delay=30.0, slow_timeout_after=10.0, slow_count=1)
    with pytest.raises(httpx.ReadTimeout, match=r"10\.0 s"):
        timing_out.get("/Users")
    assert timing_out.get("/Users").status_code == 200
    assert timing_out.injected == {"slow": 1}


def test_slow_served_for_real_delays_and_trips_a_client_timeout() -> None:
    elevate = FakeElevate(seed=4)
    _config, token = elevate.quick_setup(seats=1)
    app = elevate.asgi_app(faults=["slow"], fault_options={"served": True, "slow_delay": 0.3})
    headers = {"Authorization": f"Bearer {token}"}
    with serve_in_thread(app) as base:
        started = time.perf_counter()
        response = httpx.get(f"{base}/scim/v2/Users", headers=headers, timeout=5)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and elapsed >= 0.3
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{base}/scim/v2/Users", headers=headers, timeout=0.1)


# --- the CLI -------------------------------------------------------------------------------


def test_cli_refuses_unknown_faults_and_bad_options_in_one_line() -> None:
    runner = CliRunner()
    for args, message in (
        (["--fault", "gremlins"], "unknown fault profile 'gremlins'"),
        (["--fault", "slow", "--fault-option", "slow_delay"], "--fault-option: expected a fault option as KEY=VALUE"),
        (["--fault-option", "storm_count=-2"], "storm_count cannot be negative"),
    ):
        result = runner.invoke(cli_app, ["serve", "elevate", "--port", "0", *args])
        assert result.exit_code == 2, result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and message in lines[0], lines
    help_text = runner.invoke(cli_app, ["serve", "elevate", "--help"]).output
    assert "--fault" in help_text and "--fault-option" in help_text


def test_cli_serves_with_a_fault_profile() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "serve",
            "elevate",
            "--port",
            "0",
            "--fault",
            "429-storm",
            "--fault-option",
            "storm_count=1",
            "--fault-option",
            "storm_retry_after=7",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("Press Ctrl+C") for line in lines):
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else "no output"
            lines.append(line.strip())
        text = "\n".join(lines)
        assert "Fault profiles:             429-storm" in text
        base = re.search(r"Tenant URL\): (\S+)", text)
        token = re.search(r"Secret Token\): (\S+)", text)
        assert base and token
        headers = {"Authorization": f"Bearer {token[1]}"}
        # The socket is bound before uvicorn listens on it: wait for it to accept.
        deadline = time.monotonic() + 20
        while True:
            try:
                first = httpx.get(f"{base[1]}/Users", headers=headers, timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server never accepted a connection"
                time.sleep(0.05)
        assert first.status_code == 429 and first.headers["retry-after"] == "7"
        assert httpx.get(f"{base[1]}/Users", headers=headers, timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
