"""What provisim attaches to pytest's reports, and the names it goes under.

A scenario's artifacts reach the reports as ``item.user_properties`` entries; the figures,
the carried pytest-bdd scenario report and the pytest-html extras ride on pytest's
``TestReport`` as attributes (plain attributes survive pytest-xdist's serialization). Each
shape has its definition here, so the JSON these tools end up writing has one in code.
"""

from __future__ import annotations

from typing import Any, Final, TypedDict

#: ``item.user_properties`` names of a scenario's artifacts (written by harness.plugin).
TRAFFIC_PROPERTY: Final = "provisim_traffic"
TIMELINE_PROPERTY: Final = "provisim_timeline"
#: ``TestReport`` attributes: a :class:`ScenarioSummary` and a :class:`CarriedScenario`.
SUMMARY_ATTRIBUTE: Final = "provisim_summary"
BDD_CONTEXT_ATTRIBUTE: Final = "provisim_bdd_context"
#: The ``TestReport`` attribute pytest-html reads extras from: a list of :class:`HtmlExtra`.
EXTRAS_ATTRIBUTE: Final = "extras"


class ScenarioSummary(TypedDict):
    """Per-scenario figures shown as columns of the pytest-html results table."""

    exchanges: int
    violations: int
    cycles: int


class CarriedScenario(TypedDict):
    """pytest-bdd's scenario report of a test, as it crosses from an xdist worker."""

    #: The scenario as pytest-bdd serializes it (``ScenarioReport.serialize()``): its
    #: feature, name, tags and steps, each step with ``keyword``, ``name`` and ``failed``.
    scenario: dict[str, Any]
    name: str


class HtmlExtra(TypedDict):
    """One pytest-html extra: the shape of ``pytest_html.extras.html()``, built without
    importing pytest-html on xdist workers."""

    name: None
    format_type: str
    content: str
    mime_type: None
    extension: None


#: The ``TestReport`` attribute of a call-phase report: a :class:`ScenarioRun`.
SCENARIO_ATTRIBUTE: Final = "provisim_scenario"


class StepRun(TypedDict):
    """One Gherkin step as it ran: what the feature file says, how it went, what it sent."""

    keyword: str
    text: str
    line: int
    #: "passed", "failed", "undefined" (no step definition matched) or "skipped" (not
    #: reached: an earlier step failed).
    status: str
    duration: float
    #: The failure in words (the exception's message); "" when the step did not fail.
    message: str
    #: The ``seq`` of every SCIM exchange recorded while the step ran.
    exchanges: list[int]
    #: The indexes in ``timeline.json`` of the cycles (and provisions on demand, Test
    #: Connections) that finished while the step ran.
    cycles: list[int]


class ScenarioRun(TypedDict):
    """A Gherkin scenario as it ran, recorded by harness.plugin from pytest-bdd's hooks."""

    feature: str
    feature_file: str
    feature_line: int
    feature_tags: list[str]
    feature_description: str
    keyword: str
    #: The scenario's name with a Scenario Outline's placeholders filled in, and as written.
    name: str
    written_name: str
    line: int
    tags: list[str]
    #: The Examples row of a Scenario Outline's test (column -> value); {} for a Scenario.
    example: dict[str, str]
    steps: list[StepRun]
