"""The RFC 7643/7644 checks Entra relies on and vendors break, one module per area.

RFC areas: :mod:`~.discovery` (§4), :mod:`~.auth` (§2), :mod:`~.queries` (§3.4.2, §3.9),
:mod:`~.writes` (§3.3, §3.6) and :mod:`~.responses` (sweeps over every response: §3.12,
§3.8, the JSON Schemas). Entra areas: :mod:`~.entra_users` (what Entra's user updates
need beyond the RFC) and :mod:`~.entra_operations` (sweeps: throttling, 5xx, timeouts,
the token). :mod:`~.context` holds what the checks share; :mod:`~.registry` the order
they run in.
"""

from harness.conformance.checks.context import Check, CheckContext, Fixture
from harness.conformance.checks.registry import CHECKS, check_by_id

__all__ = ["CHECKS", "Check", "CheckContext", "Fixture", "check_by_id"]
