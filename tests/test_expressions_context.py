"""EvaluationContext: the clock, randomness and app role assignments an evaluation may use."""

from __future__ import annotations

from fake_entra.clock import EPOCH
from fake_entra.expressions import EvaluationContext
from fake_entra.expressions.context import APP_ROLE_ASSIGNMENTS


def test_a_bare_context_is_deterministic() -> None:
    first, second = EvaluationContext(), EvaluationContext()
    assert first.now() == second.now() == EPOCH
    assert [first.rng.random() for _ in range(3)] == [second.rng.random() for _ in range(3)]
    assert first.app_role_assignments == []


def test_contexts_share_no_state() -> None:
    first, second = EvaluationContext(), EvaluationContext()
    first.app_role_assignments.append({"id": "1", "value": "Admin", "displayName": "Admin"})
    first.rng.random()
    assert second.app_role_assignments == []
    assert second.rng is not first.rng


def test_the_role_functions_read_the_app_role_assignments_attribute() -> None:
    # [S7] "Provisioning a role to a SCIM app": the functions take [appRoleAssignments].
    assert APP_ROLE_ASSIGNMENTS == "appRoleAssignments"
