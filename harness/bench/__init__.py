"""``provisim bench``: initial and incremental cycles at tenant scale, and server throughput.

One module per concern: :mod:`~harness.bench.scenarios` (the cycle scenarios, peak RSS and
command wall times), :mod:`~harness.bench.throughput` (Entra's request mix against Fake
Elevate and scim2-server), :mod:`~harness.bench.servers` (``python -m harness.bench.servers``:
one SCIM server under uvicorn), :mod:`~harness.bench.worker` (``python -m
harness.bench.worker``: one scenario in its own interpreter),
:mod:`~harness.bench.runner` (orchestration and the JSON report) and
:mod:`~harness.bench.pin` (``python -m harness.bench.pin``: digests of the scenario's traffic,
store and logs, which tests/test_harness_bench_pin.py pins so that performance work changes
no behaviour).

Figures are measured, never asserted in tests; benchmarks/README.md at the top of the
repository records the before/after numbers of each optimisation.
"""

from harness.bench.runner import TARGETS, run_benchmarks, write_report

__all__ = ["TARGETS", "run_benchmarks", "write_report"]
