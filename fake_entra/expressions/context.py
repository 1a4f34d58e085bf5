"""What an evaluation may use besides the source object: its clock, randomness and roles.

The evaluator and the function library both need this type, so it lives below both
of them: the functions read it, the evaluator hands it to them, and neither imports
the other for it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fake_entra.clock import EPOCH

#: The attribute the role functions read; see :class:`EvaluationContext`.
APP_ROLE_ASSIGNMENTS = "appRoleAssignments"


def _epoch_now() -> datetime:
    return EPOCH


@dataclass
class EvaluationContext:
    """What an evaluation may use besides the source object.

    ``now`` feeds ``Now()`` and FormatDateTime's default date; ``rng`` feeds
    ``Guid()`` and ``RandomString``; ``app_role_assignments`` (each
    ``{"id", "value", "displayName"}``) is what ``[appRoleAssignments]`` reads when
    the source object itself has no ``appRoleAssignments`` key. The defaults are
    fixed, so a bare ``EvaluationContext()`` is deterministic.
    """

    now: Callable[[], datetime] = _epoch_now
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    app_role_assignments: list[dict[str, Any]] = field(default_factory=list)
