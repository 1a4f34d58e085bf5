"""Each ``provisim run`` leaves a report directory of its own: no stale files, and a run
that collects nothing leaves the last good report in place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

#: What a run writes at the top of its report directory (besides scenarios/).
REPORT_FILES = ("junit.xml", "cucumber.json", "report.html")


class FreshReports:
    """A pytest plugin object that makes each run's report directory its own.

    The reports a run writes at the top (:data:`REPORT_FILES`) go to a staging directory
    first; the per-scenario folders (``scenarios/``) of the last run are removed once this
    run has collected something, before any scenario runs. When the run ends,
    :meth:`publish` moves the staged files in if anything was collected, and otherwise drops
    them, so a run that selects nothing leaves the last good report as it was.
    """

    def __init__(self, reports: Path) -> None:
        self.reports = reports
        self.staging = Path(tempfile.mkdtemp(prefix=".provisim-run-", dir=reports))
        self.collected = 0

    def _collected(self, count: int) -> None:
        if count and not self.collected:
            shutil.rmtree(self.reports / "scenarios", ignore_errors=True)
        self.collected = max(self.collected, count)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._collected(len(session.items))

    @pytest.hookimpl(optionalhook=True)  # only under pytest-xdist
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        self._collected(len(ids))

    def publish(self) -> bool:
        """Move the staged reports in when the run collected scenarios; True if it did."""
        try:
            if not self.collected:
                return False
            for name in REPORT_FILES:
                staged = self.staging / name
                if staged.exists():
                    os.replace(staged, self.reports / name)
                else:
                    (self.reports / name).unlink(missing_ok=True)
            return True
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
