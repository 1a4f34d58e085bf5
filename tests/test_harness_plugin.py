"""The provisim pytest plugin (harness.plugin), black-box: throwaway features and conftests
run with pytester, judged by their outcome counts, output and artifacts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from harness.plugin import PLUGIN_NAME, scenario_directory
from harness.serving import serve_in_thread

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
LIVE_TOKEN = "live-endpoint-token-0123456789"

TEST_MODULE = """
from pytest_bdd import scenarios

scenarios("provisioning.feature")
"""

# A QA engineer's new feature, written from the step library alone.
FEATURE = """
Feature: A new scenario from existing steps

  Background:
    Given the directory has the users "Britta Simon" and "Carl Jones"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"

  @conformance
  Scenario: One user is provisioned, then disabled
    When the admin sets Provisioning Status to On and saves
    Then the initial cycle provisions 1 user
    When the admin removes the assignment of "Britta Simon"
    And 40 minutes pass
    Then the SCIM target's user "Britta Simon" is inactive

  @licensing
  Scenario: The user takes a licence
    When the admin sets Provisioning Status to On and saves
    Then Account Center shows "Britta Simon" as "Licensed"
"""

# An ASGI middleware that breaks Fake Elevate: "active" comes back as a string.
CORRUPTING_CONFTEST = """
import json

import pytest


class StringActive:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        held = {}

        async def corrupt(message):
            if message["type"] == "http.response.start":
                held["start"] = message
                return
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                try:
                    data = json.loads(body)
                except ValueError:
                    data = None
                if isinstance(data, dict) and isinstance(data.get("active"), bool):
                    data["active"] = str(data["active"])
                    body = json.dumps(data).encode()
                start = dict(held["start"])
                start["headers"] = [
                    (k, str(len(body)).encode() if k.lower() == b"content-length" else v)
                    for k, v in start["headers"]
                ]
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, corrupt)


@pytest.fixture
def scim_target(scim_target):
    scim_target.wrap_app(StringActive)
    return scim_target
"""

BROKEN_FEATURE = """
Feature: A target that sends active as a string

  Scenario: The user is provisioned
    Given the directory has the user "Britta Simon"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has the user "Britta Simon"
"""


def _write(pytester: pytest.Pytester, feature: str, conftest: str | None = None) -> None:
    pytester.makefile(".feature", provisioning=feature)
    pytester.makepyfile(test_provisioning=TEST_MODULE)
    if conftest is not None:
        pytester.makeconftest(conftest)


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # pytest-benchmark only warns that it is off under xdist; its noise helps no one here.
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark", *args)


def test_the_plugin_is_the_provisim_pytest11_entry_point() -> None:
    found = [ep for ep in entry_points(group="pytest11") if ep.name == PLUGIN_NAME]
    assert found, "reinstall provisim (pip install -e .) to register its pytest11 entry point"
    assert [ep.value for ep in found] == ["harness.plugin"]
    assert '[project.entry-points.pytest11]\nprovisim = "harness.plugin"' in (
        ROOT / "pyproject.toml"
    ).read_text(encoding="utf-8")


def test_a_new_feature_runs_from_library_steps_and_leaves_artifacts(
    pytester: pytest.Pytester,
) -> None:
    _write(pytester, FEATURE)
    result = _run(pytester, "--junitxml=junit.xml")
    result.assert_outcomes(passed=2)
    scenarios = pytester.path / "reports" / "scenarios"
    directory = scenarios / "test_provisioning.py_test_one_user_is_provisioned_then_disabled"
    traffic = [json.loads(line) for line in (directory / "traffic.jsonl").read_text().splitlines()]
    timeline = json.loads((directory / "timeline.json").read_text())
    assert [(e["method"], e["response"]["status"]) for e in traffic] == [
        ("GET", 200),  # Test Connection
        ("GET", 200),
        ("POST", 201),
        ("PATCH", 200),
    ]
    assert [(c["kind"], c["created"], c["disabled"], c["exchanges"]) for c in timeline] == [
        ("Test Connection", 0, 0, [1]),
        ("Initial", 1, 0, [2, 3]),
        ("Incremental", 0, 1, [4]),
    ]
    assert all(e["request"]["headers"]["authorization"] == "Bearer ***" for e in traffic)
    properties = {
        p.get("name"): p.get("value")
        for p in ET.parse(pytester.path / "junit.xml").iter("property")
    }
    assert properties["provisim_traffic"].endswith("traffic.jsonl")
    assert properties["provisim_timeline"].endswith("timeline.json")


def test_a_scenario_run_twice_records_the_same_traffic(pytester: pytest.Pytester) -> None:
    runs = []
    for run in ("first", "second"):
        _write(pytester, FEATURE)
        _run(pytester, "--provisim-report-dir", run).assert_outcomes(passed=2)
        recorded = []
        for path in sorted((pytester.path / run / "scenarios").rglob("*.json*")):
            text = path.read_text(encoding="utf-8")
            lines = (
                [json.loads(line) for line in text.splitlines()]
                if path.suffix == ".jsonl"
                else [json.loads(text)]
            )
            for line in lines:
                if isinstance(line, dict):
                    line.pop("elapsed_ms")  # wall time: the only thing allowed to differ
            recorded.append((path.relative_to(pytester.path / run).as_posix(), lines))
        runs.append(recorded)
    assert runs[0] == runs[1]
    assert len(runs[0]) == 4


def test_the_feature_tags_are_markers(pytester: pytest.Pytester) -> None:
    _write(pytester, FEATURE)
    result = _run(pytester, "--strict-markers", "-m", "licensing")
    result.assert_outcomes(passed=1, deselected=1)


def test_a_broken_response_fails_the_scenario_and_names_the_pointer(
    pytester: pytest.Pytester,
) -> None:
    _write(pytester, BROKEN_FEATURE, CORRUPTING_CONFTEST)
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*SCIM schema violation(s) in the recorded traffic*",
            "*exchange #3 POST /Users -> 201: response /active: type: 'True' is not of type "
            "'boolean'*",
        ]
    )
    assert "'boolean' [user.schema.json]" in result.stdout.str()
    # The artifacts are written for a failed scenario too, violations included.
    (directory,) = (pytester.path / "reports" / "scenarios").iterdir()
    traffic = [json.loads(line) for line in (directory / "traffic.jsonl").read_text().splitlines()]
    assert any("/active" in v for e in traffic for v in e["violations"])


def test_a_scenario_that_expects_the_violation_passes(pytester: pytest.Pytester) -> None:
    feature = BROKEN_FEATURE + '    And schema validation flags the response at "/active"\n'
    _write(pytester, feature, CORRUPTING_CONFTEST)
    _run(pytester).assert_outcomes(passed=1)


def test_a_plain_test_can_use_the_fixtures_and_the_seed_marker(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_plain="""
        import pytest

        @pytest.mark.provisim(seed=7)
        def test_seeded(tenant, elevate, scim_target, recorder, clock):
            assert tenant.seed == 7
            assert scim_target.elevate is elevate
            assert tenant.scim_transport is scim_target.transport
            _, token = elevate.quick_setup(seats=1)
            tenant.sign_in()
            app = tenant.add_from_gallery("LinkedIn Elevate")
            app.provisioning.set_provisioning_mode("Automatic")
            app.provisioning.set_admin_credentials(scim_target.tenant_url, token)
            assert app.provisioning.test_connection().succeeded
            assert len(recorder.exchanges) == 1

        def test_default_seed(tenant):
            assert tenant.seed == 0
        """
    )
    result = _run(pytester, "--provisim-report-dir", "out")
    result.assert_outcomes(passed=2)
    assert (pytester.path / "out" / "scenarios" / "test_plain.py_test_seeded").is_dir()


def test_loading_the_plugin_twice_is_harmless(pytester: pytest.Pytester) -> None:
    _write(pytester, FEATURE)
    pytester.makeconftest('pytest_plugins = ["harness.plugin"]')
    _run(pytester, "-p", "harness.plugin").assert_outcomes(passed=2)


def test_a_scim_url_needs_its_token(pytester: pytest.Pytester) -> None:
    _write(pytester, FEATURE)
    result = _run(pytester, "--scim-url", "https://scim.example")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--scim-url needs its Secret Token*"])


def test_a_scim_url_must_be_https_unless_on_loopback(pytester: pytest.Pytester) -> None:
    _write(pytester, FEATURE)
    result = _run(pytester, "--scim-url", "http://scim.example", "--scim-token", "t")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--scim-url: The Tenant URL must use https*"])


@pytest.fixture
def live_elevate() -> Iterator[tuple[str, FakeElevate]]:
    """Fake Elevate served over real HTTP: a live SCIM endpoint."""
    elevate = FakeElevate(seed=5)
    elevate.quick_setup(seats=100, token=LIVE_TOKEN)
    with serve_in_thread(elevate.asgi_app()) as url:
        yield f"{url}/scim/v2", elevate


def test_conformance_scenarios_run_against_a_live_endpoint_and_clean_up(
    pytester: pytest.Pytester, live_elevate: tuple[str, FakeElevate]
) -> None:
    url, elevate = live_elevate
    _write(pytester, FEATURE)
    result = _run(pytester, "--scim-url", url, "--scim-token", LIVE_TOKEN)
    # The Account Center scenario can't run live, and says why.
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*TargetUnavailable: LinkedIn Account Center needs the in-process Fake Elevate*"]
    )
    assert elevate.store.count("User") == 0, "the scenarios left users behind"
    (directory,) = (pytester.path / "reports" / "scenarios").glob("*one_user*")
    traffic = (directory / "traffic.jsonl").read_text()
    assert LIVE_TOKEN not in traffic
    assert '"userName": "provisim-' in traffic
    first = json.loads(traffic.splitlines()[0])
    assert first["url"].startswith(url)


def test_the_live_endpoint_can_come_from_the_environment(
    pytester: pytest.Pytester,
    live_elevate: tuple[str, FakeElevate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, elevate = live_elevate
    monkeypatch.setenv("PROVISIM_SCIM_URL", url)
    monkeypatch.setenv("PROVISIM_SCIM_TOKEN", LIVE_TOKEN)
    _write(pytester, FEATURE)
    result = _run(pytester, "-m", "conformance")
    result.assert_outcomes(passed=1, deselected=1)
    assert elevate.store.count("User") == 0


def test_the_tutorials_conformance_scenarios_pass_against_a_live_endpoint(
    pytester: pytest.Pytester, live_elevate: tuple[str, FakeElevate]
) -> None:
    url, elevate = live_elevate
    pytester.makepyfile(
        test_live=f"""
        from pytest_bdd import scenarios

        scenarios({str(ROOT / "features")!r})
        """
    )
    result = _run(
        pytester,
        "-p",
        "no:cacheprovider",
        "-m",
        "conformance",
        "--scim-url",
        url,
        "--scim-token",
        LIVE_TOKEN,
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 40
    assert elevate.store.count("User") == 0 and elevate.store.count("Group") == 0


def test_a_long_test_id_gets_a_short_safe_directory(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    short = scenario_directory(config, "tests/test_x.py::test_a[b-c d]")
    assert short == pytester.path / "reports" / "scenarios" / "tests_test_x.py_test_a_b-c_d"
    long_id = "tests/test_x.py::test_" + "x" * 300
    name = scenario_directory(config, long_id).name
    assert len(name) <= 120
    assert name != scenario_directory(config, long_id + "y").name


def test_the_live_transport_reaches_only_the_scim_url_host() -> None:
    from fake_entra.clock import VirtualClock
    from harness.recorder import TrafficRecorder
    from harness.target import ScimTarget

    clock = VirtualClock()
    target = ScimTarget.live(
        "https://scim.example/v2", "t0ken-0123456789", TrafficRecorder(clock), clock
    )
    with (
        httpx.Client(transport=target.transport) as client,
        pytest.raises(httpx.ConnectError, match=r"api\.linkedin\.com"),
    ):
        client.get("https://api.linkedin.com/Users")
    assert target.recorder.exchanges[0]["error"].startswith("ConnectError")
