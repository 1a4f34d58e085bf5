"""``provisim load``: Entra-shaped load on a SCIM endpoint, on Locust (GitHub issue 14).

One module per concern: :mod:`~harness.load.settings` (what a run is asked, and which
targets it refuses), :mod:`~harness.load.workload` (one simulated tenant: the real Fake
Entra engine), :mod:`~harness.load.transport` (the tenant's wire: pacing, 429, validation,
request kinds), :mod:`~harness.load.tally` (provisim's own counts, merged across workers),
:mod:`~harness.load.process` (the Locust processes; the only module that imports Locust,
inside its functions), :mod:`~harness.load.runner` (starting them from the command),
:mod:`~harness.load.cleanup`, :mod:`~harness.load.report` and :mod:`~harness.load.bench`.
Importing this package never imports Locust.
"""
