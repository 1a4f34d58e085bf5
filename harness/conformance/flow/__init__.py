"""The Entra flow: the real provisioning engine against the endpoint under test, one
module per phase.

:mod:`~.setup` seeds the tenant as an admin leaves it; :mod:`~.entra_flow` runs the
steps (:mod:`~.steps`) and drives the engine's cycles (:mod:`~.cycles`); each outcome is
read back with GET (:mod:`~.readback`) and a failure is explained in Entra's terms
(:mod:`~.explain`). :mod:`~.state` holds what the phases share.
"""

from harness.conformance.flow.entra_flow import EntraFlow
from harness.conformance.flow.explain import names_object, patch_hint, refusal_hint
from harness.conformance.flow.readback import Mismatch
from harness.conformance.flow.setup import GALLERY_APP, tenant_url_for
from harness.conformance.flow.steps import FLOW_STEPS

__all__ = [
    "FLOW_STEPS",
    "GALLERY_APP",
    "EntraFlow",
    "Mismatch",
    "names_object",
    "patch_hint",
    "refusal_hint",
    "tenant_url_for",
]
