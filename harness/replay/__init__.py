"""``provisim replay``: replay a captured SCIM exchange file against any SCIM endpoint and
report where the answers differ (GitHub issue 20, item 6).

One module per concern: :mod:`~harness.replay.capture` (reading ``traffic.jsonl`` and HAR
1.2), :mod:`~harness.replay.aliases` (recorded ids to the replay target's ids),
:mod:`~harness.replay.compare` (what is compared, and how), :mod:`~harness.replay.runner`
(sending, through ``conformance``'s rate-limited, recording transport) and
:mod:`~harness.replay.report` (terminal lines, JSON, JUnit and HTML).
"""

from harness.replay.aliases import IdAliases
from harness.replay.capture import Capture, CaptureError, RecordedExchange, load_capture
from harness.replay.compare import RULES, Difference, compare_json, compare_outcome
from harness.replay.report import ReplayReportJson, ReplayResult, summary_lines, write_report
from harness.replay.runner import ReplayAbort, ReplaySettings, run_replay

__all__ = [
    "RULES",
    "Capture",
    "CaptureError",
    "Difference",
    "IdAliases",
    "RecordedExchange",
    "ReplayAbort",
    "ReplayReportJson",
    "ReplayResult",
    "ReplaySettings",
    "compare_json",
    "compare_outcome",
    "load_capture",
    "run_replay",
    "summary_lines",
    "write_report",
]
