"""provisim's own counts of a load run, drained by workers and merged by the master."""

from __future__ import annotations

import json

from harness.load.tally import MAX_EXAMPLES, Tally


def test_a_drained_tally_merges_into_the_same_counts_and_starts_again() -> None:
    worker = Tally()
    worker.validated = 5
    worker.throttled = 2
    worker.throttled_by_kind["POST /Users (create)"] = 2
    worker.retry_after.extend([1.0, 3.0])
    worker.created.append(["Users", "id1", "provisim-load-x-a"])
    worker.unanswered.append(["Groups", "provisim-load-x-g"])
    worker.tenant("t1").add(10.0, throttled=False)
    worker.tenant("t1").add(12.0, throttled=True)
    worker.violation("bad")
    data = json.loads(json.dumps(worker.drain()))  # what travels is plain JSON
    assert worker.as_json() == Tally().as_json()

    master = Tally()
    master.tenant("t1").add(9.0, throttled=False)
    master.merge(data)
    master.merge(data)
    assert master.validated == 10 and master.throttled == 4
    assert master.throttled_by_kind == {"POST /Users (create)": 4}
    assert master.created == [["Users", "id1", "provisim-load-x-a"]] * 2
    assert master.unanswered == [["Groups", "provisim-load-x-g"]] * 2
    t1 = master.tenants["t1"]
    assert (t1.requests, t1.throttled, t1.first, t1.last) == (5, 2, 9.0, 12.0)
    assert master.violations == 2 and master.examples == ["bad", "bad"]


def test_violation_examples_are_capped_but_counted() -> None:
    tally = Tally()
    for index in range(MAX_EXAMPLES + 5):
        tally.violation(f"v{index}")
    other = Tally()
    other.merge(tally.as_json())
    other.merge(tally.as_json())
    assert other.violations == 2 * (MAX_EXAMPLES + 5)
    assert len(other.examples) == MAX_EXAMPLES
