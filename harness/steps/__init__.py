"""The step library: the tutorial's actions and outcomes as pytest-bdd steps.

One module per part of the tutorial. The pytest plugin (:mod:`harness.plugin`) registers
every module of :data:`STEP_MODULES`, so any test module that calls
``pytest_bdd.scenarios()`` can use them all; ``docs/steps.md`` lists them, generated from
this code by :mod:`harness.steps.catalog`. Each step is one call on the scenario's
:class:`harness.world.World`.
"""

#: The step modules, in the order of the tutorial (and of docs/steps.md).
STEP_MODULES: tuple[str, ...] = (
    "harness.steps.account_center",
    "harness.steps.entra_admin",
    "harness.steps.provisioning",
    "harness.steps.mappings",
    "harness.steps.cycles",
    "harness.steps.monitoring",
    "harness.steps.target",
    "harness.steps.wire",
    "harness.steps.graph",
    "harness.steps.ui",
)

__all__ = ["STEP_MODULES"]
