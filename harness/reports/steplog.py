"""A scenario's steps as they run, for the Gherkin report: a :class:`~harness.reports.shapes.ScenarioRun`.

harness.plugin feeds a :class:`StepLog` from pytest-bdd's hooks (``pytest_bdd_before_scenario``,
``pytest_bdd_before_step``, ``pytest_bdd_after_step``, ``pytest_bdd_step_error``,
``pytest_bdd_step_func_lookup_error``). Each step keeps the SCIM exchanges recorded and the
cycles finished while it ran: steps run one after another in one thread, so whatever the
recorder took in between a step's start and its end is that step's doing. The record rides on
the call-phase test report (plain data, so it crosses pytest-xdist) to the report writer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from harness.reports.redaction import redact_text
from harness.reports.shapes import ScenarioRun, StepRun

#: How long a failure message may be in the step list (the traceback has the rest).
MAX_MESSAGE_CHARS = 2_000


def exception_message(exception: BaseException) -> str:
    """The failure in words: the exception's message (an assertion's text), else its type."""
    text = str(exception).strip() or type(exception).__name__
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + "…"
    return redact_text(text)


class StepLog:
    """The steps of one scenario, filled in as pytest-bdd runs them.

    ``counts`` says how many exchanges and timeline entries the scenario's recorder holds
    at the moment of the call (0, 0 before the recorder exists); ``seqs`` gives the ``seq``
    of the exchanges at the given indexes.
    """

    def __init__(
        self,
        feature: Any,
        scenario: Any,
        example: Mapping[str, object] | None,
        counts: Callable[[], tuple[int, int]],
        seqs: Callable[[int, int], list[int]],
        now: Callable[[], float] = time.perf_counter,
        written_name: str | None = None,
    ) -> None:
        self._counts = counts
        self._seqs = seqs
        self._now = now
        self._started = 0.0
        self._marks = (0, 0)
        self.run = ScenarioRun(
            feature=str(feature.name),
            feature_file=str(getattr(feature, "rel_filename", "") or feature.filename),
            feature_line=int(getattr(feature, "line_number", 0) or 0),
            feature_tags=sorted(str(tag) for tag in feature.tags),
            feature_description=str(getattr(feature, "description", "") or ""),
            keyword=str(getattr(scenario, "keyword", "Scenario") or "Scenario"),
            name=str(scenario.name),
            written_name=str(written_name or scenario.name),
            line=int(getattr(scenario, "line_number", 0) or 0),
            tags=sorted(str(tag) for tag in scenario.tags),
            example={str(k): str(v) for k, v in (example or {}).items()},
            steps=[_planned(step) for step in scenario.steps],
        )
        self._next = 0

    def _step(self, step: Any) -> StepRun | None:
        # Steps are reported in order; find this one from where the last one left off.
        for index in range(self._next, len(self.run["steps"])):
            planned = self.run["steps"][index]
            if planned["line"] == int(step.line_number) and planned["text"] == str(step.name):
                self._next = index
                return planned
        return None

    def started(self, step: Any) -> None:
        """pytest-bdd is about to run ``step``."""
        self._step(step)
        self._started = self._now()
        self._marks = self._counts()

    def finished(self, step: Any, exception: BaseException | None = None) -> list[int]:
        """``step`` passed (``exception`` None) or failed with ``exception``; returns the
        ``seq`` of the exchanges it sent."""
        found = self._step(step)
        if found is None:
            return []
        found["duration"] = max(self._now() - self._started, 0.0)
        exchanges, cycles = self._counts()
        found["exchanges"] = self._seqs(self._marks[0], exchanges)
        found["cycles"] = list(range(self._marks[1], cycles))
        if exception is None:
            found["status"] = "passed"
        else:
            found["status"] = "failed"
            found["message"] = exception_message(exception)
        self._next += 1
        return found["exchanges"]

    def undefined(self, step: Any, message: str) -> None:
        """No step definition matches ``step``; ``message`` says so (and what comes close)."""
        found = self._step(step)
        if found is not None:
            found["status"] = "undefined"
            found["message"] = redact_text(message)


def _planned(step: Any) -> StepRun:
    return StepRun(
        keyword=str(step.keyword).strip(),
        text=str(step.name),
        line=int(step.line_number),
        status="skipped",
        duration=0.0,
        message="",
        exchanges=[],
        cycles=[],
    )
