"""provisim's pytest plugin: a simulated (or live) provisioning run per test.

Registered as the ``provisim`` pytest11 entry point; without the installed entry point,
load it with ``-p harness.plugin``. It provides

* fixtures: ``clock`` (the virtual clock), ``recorder`` (the traffic recorder), ``elevate``
  (Fake LinkedIn Elevate), ``scim_target`` (Fake Elevate in-process, or the live endpoint of
  ``--scim-url``/``--scim-token``), ``tenant`` (the Entra tenant, talking to the target
  through the recorder) and ``world`` (all of them, for the step library);
* the step library of :mod:`harness.steps`, for any module that calls
  ``pytest_bdd.scenarios()``;
* the marker ``provisim(seed=N)`` and the feature-tag markers;
* per test that used the recorder: ``<report dir>/scenarios/<test>/traffic.jsonl`` and
  ``timeline.json``, and a failure listing every schema violation the traffic holds.

Heavy imports (FastAPI, the engine) happen inside the fixtures, so loading the plugin costs
a pytest run that doesn't use it nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.reports.shapes import SCENARIO_ATTRIBUTE, TIMELINE_PROPERTY, TRAFFIC_PROPERTY
from harness.reports.steplog import StepLog
from harness.steps import STEP_MODULES

if TYPE_CHECKING:
    from fake_elevate.elevate import FakeElevate
    from fake_entra.clock import VirtualClock
    from fake_entra.tenant import Tenant
    from harness.recorder import TrafficRecorder
    from harness.target import ScimTarget
    from harness.world import World

#: The step library rides along with the plugin.
pytest_plugins = STEP_MODULES

#: The markers this plugin declares: the ``provisim`` marker and the features' area tags.
MARKERS: dict[str, str] = {
    "provisim": "provisim(seed=0): the seed of the test's Entra tenant and Fake Elevate.",
    "tutorial": "a step or outcome of the LinkedIn Elevate provisioning tutorial.",
    "licensing": "LinkedIn licences: auto-assign, seats running out, seats released.",
    "errors": "a failure and how provisioning reports and recovers from it.",
    "dialect": "Entra's PATCH dialects: default and aadOptscim062020.",
    "conformance": "runs against any SCIM target, including a live --scim-url.",
}

#: The pytest11 entry point's name, and this module's.
PLUGIN_NAME = "provisim"
MODULE_NAME = "harness.plugin"

ENV_URL = "PROVISIM_SCIM_URL"
ENV_TOKEN = "PROVISIM_SCIM_TOKEN"

RECORDER_KEY = pytest.StashKey["TrafficRecorder"]()
WORLD_KEY = pytest.StashKey["World"]()
STEP_LOG_KEY = pytest.StashKey[StepLog]()


def pytest_plugin_registered(plugin: object, plugin_name: str, manager: Any) -> None:
    """Load once, whichever way: the ``provisim`` entry point, ``-p harness.plugin`` or
    ``pytest_plugins = ["harness.plugin"]``.

    pluggy refuses one module under two names, so once this module is registered under one
    of them the other is blocked, and a second attempt to load it is a no-op.
    """
    if plugin is sys.modules[__name__]:
        other = MODULE_NAME if plugin_name == PLUGIN_NAME else PLUGIN_NAME
        if manager.get_plugin(other) is None and not manager.is_blocked(other):
            manager.set_blocked(other)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("provisim", "provisim: provisioning scenarios")
    group.addoption(
        "--scim-url",
        default=None,
        help=f"Run against this live SCIM endpoint (its Tenant URL) instead of the in-process "
        f"Fake Elevate; default ${ENV_URL}. Only @conformance scenarios can.",
    )
    group.addoption(
        "--scim-token",
        default=None,
        help=f"The live endpoint's Secret Token; default ${ENV_TOKEN}.",
    )
    group.addoption(
        "--provisim-report-dir",
        default="reports",
        help="Where each test's traffic.jsonl and timeline.json go (default: reports).",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    live = live_endpoint(config)
    if live is not None:
        from fake_entra.directory import PortalError
        from fake_entra.provisioning import validate_tenant_url

        try:
            validate_tenant_url(live[0])
        except PortalError as error:
            raise pytest.UsageError(f"--scim-url: {error}") from None


def live_endpoint(config: pytest.Config) -> tuple[str, str] | None:
    """The live SCIM endpoint and its token, or None for the in-process Fake Elevate."""
    url = config.getoption("scim_url", None) or os.environ.get(ENV_URL) or None
    token = config.getoption("scim_token", None) or os.environ.get(ENV_TOKEN) or None
    if url is None:
        return None
    if token is None:
        raise pytest.UsageError(f"--scim-url needs its Secret Token: --scim-token or ${ENV_TOKEN}.")
    return url, token


def _seed(request: pytest.FixtureRequest) -> int:
    marker = request.node.get_closest_marker("provisim")
    return int(marker.kwargs.get("seed", 0)) if marker is not None else 0


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def clock() -> VirtualClock:
    """The virtual clock every part of the test reads time from."""
    from fake_entra.clock import VirtualClock

    return VirtualClock()


@pytest.fixture
def recorder(request: pytest.FixtureRequest, clock: VirtualClock) -> TrafficRecorder:
    """Every SCIM exchange of the test, schema-validated; saved when the test ends."""
    from harness.recorder import TrafficRecorder

    found = TrafficRecorder(clock)
    request.node.stash[RECORDER_KEY] = found
    return found


@pytest.fixture
def elevate(request: pytest.FixtureRequest, clock: VirtualClock) -> FakeElevate:
    """Fake LinkedIn Elevate (Account Center and SCIM service), in-process."""
    live = live_endpoint(request.config)
    if live is not None:
        from harness.target import TargetUnavailable

        raise TargetUnavailable(
            f"Fake Elevate is not available: the SCIM target is the live endpoint {live[0]}."
        )
    from fake_elevate.elevate import FakeElevate

    return FakeElevate(now=clock.now, seed=_seed(request))


@pytest.fixture
def scim_target(
    request: pytest.FixtureRequest, clock: VirtualClock, recorder: TrafficRecorder
) -> Iterator[ScimTarget]:
    """Where provisioning goes: Fake Elevate in-process, or the live ``--scim-url``."""
    from harness.target import ScimTarget

    live = live_endpoint(request.config)
    if live is None:
        target = ScimTarget.in_process(request.getfixturevalue("elevate"), recorder, clock)
    else:
        target = ScimTarget.live(*live, recorder=recorder, clock=clock)
    yield target
    target.close()


@pytest.fixture
def tenant(request: pytest.FixtureRequest, clock: VirtualClock, scim_target: ScimTarget) -> Tenant:
    """The Microsoft Entra tenant, whose SCIM traffic goes to the target through the recorder."""
    from fake_entra.tenant import Tenant
    from harness.transport import limits_from_environment

    # A live target's requests end by `provisim run --timeout`: the engine says the same.
    timeout = limits_from_environment().timeout
    return Tenant(
        _seed(request), clock=clock, scim_transport=scim_target.transport, scim_timeout=timeout
    )


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    clock: VirtualClock,
    tenant: Tenant,
    scim_target: ScimTarget,
    recorder: TrafficRecorder,
) -> Iterator[World]:
    """The scenario's world, for the step library; cleans a live target up afterwards."""
    from harness.world import World

    key = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:8]
    built = World(
        clock=clock,
        tenant=tenant,
        target=scim_target,
        recorder=recorder,
        seed=_seed(request),
        scenario_key=key,
    )
    request.node.stash[WORLD_KEY] = built
    yield built
    built.close()


# -- hooks ----------------------------------------------------------------------------------


def _scenario_template(node: Any) -> Any:
    """pytest-bdd's scenario as written (a Scenario Outline with its ``<placeholders>``)."""
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:  # another pytest-bdd: the rendered name stands in
        return None
    function = getattr(node, "obj", None)
    if not callable(function):
        return None
    try:
        return scenario_wrapper_template_registry.get(function)
    except TypeError:  # not weak-referenceable
        return None


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    """Start the scenario's step log (harness.reports.steplog) for the Gherkin report."""
    node = request.node
    callspec = getattr(node, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example") if callspec is not None else None
    stash = node.stash

    def counts() -> tuple[int, int]:
        recorder = stash.get(RECORDER_KEY, None)
        return (0, 0) if recorder is None else (len(recorder.exchanges), len(recorder.timeline))

    def seqs(start: int, end: int) -> list[int]:
        recorder = stash.get(RECORDER_KEY, None)
        return [] if recorder is None else [x["seq"] for x in recorder.exchanges[start:end]]

    template = _scenario_template(node)
    stash[STEP_LOG_KEY] = StepLog(
        feature,
        scenario,
        example if isinstance(example, dict) else None,
        counts,
        seqs,
        written_name=getattr(template, "name", None),
    )


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_before_step(request: pytest.FixtureRequest, step: Any) -> None:
    """A When step begins: "no SCIM request was sent" and "no cycle ran" count from here."""
    world = request.node.stash.get(WORLD_KEY, None)
    if world is not None and step.keyword.strip() == "When":
        world.mark()
    log = request.node.stash.get(STEP_LOG_KEY, None)
    if log is not None:
        log.started(step)


# tryfirst: before allure-pytest-bdd closes its step, so the exchanges attach to the step.
@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_bdd_after_step(request: pytest.FixtureRequest, step: Any) -> None:
    log = request.node.stash.get(STEP_LOG_KEY, None)
    if log is not None:
        _attach_to_allure(request, log.finished(step))


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_bdd_step_error(request: pytest.FixtureRequest, step: Any, exception: Exception) -> None:
    log = request.node.stash.get(STEP_LOG_KEY, None)
    if log is not None:
        _attach_to_allure(request, log.finished(step, exception))


#: allure-pytest-bdd's pytest plugin module (``provisim run --alluredir``).
ALLURE_PLUGIN = "allure_pytest_bdd.plugin"


def _attach_to_allure(request: pytest.FixtureRequest, seqs: list[int]) -> None:
    """With allure-pytest-bdd writing results, attach the step's SCIM exchanges to it."""
    recorder = request.node.stash.get(RECORDER_KEY, None)
    if not seqs or recorder is None or not request.config.getoption("allure_report_dir", None):
        return
    import json

    import allure

    from harness.reports.redaction import redact

    wanted = set(seqs)
    exchanges = [redact(dict(x)) for x in recorder.exchanges if x["seq"] in wanted]
    allure.attach(
        json.dumps(exchanges, indent=2, ensure_ascii=False, default=str),
        name=f"SCIM exchanges ({len(exchanges)})",
        attachment_type=allure.attachment_type.JSON,
    )


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_step_func_lookup_error(
    request: pytest.FixtureRequest, step: Any, exception: Exception
) -> None:
    """A step no definition matches: say which steps of the catalogue come closest.

    pytest-bdd raises the very exception it hands this hook once the hook returns, so the
    suggestions added to its message reach everyone who reads the failure.
    """
    from harness.steps.catalog import did_you_mean

    message = f"{exception}{did_you_mean(step.name, step.type)}"
    exception.args = (message, *exception.args[1:])
    log = request.node.stash.get(STEP_LOG_KEY, None)
    if log is not None:
        log.undefined(step, message)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The call-phase report carries the scenario's steps (a ScenarioRun) to the report."""
    report: pytest.TestReport = yield
    log = item.stash.get(STEP_LOG_KEY, None)
    if report.when == "call" and log is not None:
        setattr(report, SCENARIO_ATTRIBUTE, log.run)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Save the test's traffic and timeline; fail it on any unexpected schema violation."""
    try:
        result = yield
    except BaseException:
        recorder = item.stash.get(RECORDER_KEY, None)
        if recorder is not None:
            _save(item, recorder)
            report = recorder.violation_report()
            if report is not None:
                # The test failed for another reason; the violations may be why.
                item.add_report_section("call", "provisim schema violations", report)
        raise
    recorder = item.stash.get(RECORDER_KEY, None)
    if recorder is not None:
        _save(item, recorder)
        report = recorder.violation_report()
        if report is not None:
            pytest.fail(report, pytrace=False)
    return result


def scenario_directory(config: pytest.Config, nodeid: str) -> Path:
    """``<report dir>/scenarios/<the test id, made a safe directory name>``."""
    base = Path(config.getoption("provisim_report_dir", None) or "reports")
    if not base.is_absolute():
        base = config.invocation_params.dir / base
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", nodeid).strip("_")
    if len(safe) > 120:
        # Long ids keep a readable head and a hash that keeps them apart.
        safe = f"{safe[:110]}-{hashlib.sha256(nodeid.encode()).hexdigest()[:8]}"
    return base / "scenarios" / safe


def _save(item: pytest.Item, recorder: TrafficRecorder) -> None:
    directory = scenario_directory(item.config, item.nodeid)
    traffic = recorder.save_jsonl(directory / "traffic.jsonl")
    timeline = recorder.save_timeline(directory / "timeline.json")
    item.user_properties.append((TRAFFIC_PROPERTY, str(traffic)))
    item.user_properties.append((TIMELINE_PROPERTY, str(timeline)))
