"""The Graph face of one tenant: the domain behind the routes of :mod:`fake_entra.graph.app`.

One :class:`GraphService` per tenant holds what Graph adds to the tenant (application
objects, jobs by service principal, the secrets last PUT) and the virtual clock's side
channel. Calls are serialized by one lock: the engine is single-threaded, as a cycle is.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fake_entra.directory import PortalError
from fake_entra.engine import EngineSettings, ProvisioningJob
from fake_entra.graph.applications import Applications
from fake_entra.graph.bodies import json_object
from fake_entra.graph.directory_audits import admin_initiator, authorize_audit_read
from fake_entra.graph.directory_objects import DirectoryObjects
from fake_entra.graph.durations import parse_duration
from fake_entra.graph.errors import GraphError, bad_request
from fake_entra.graph.settings import GraphSettings
from fake_entra.graph.synchronization import Synchronization
from fake_entra.logs import MASKED_SECRET, graph_datetime, parse_graph_datetime
from fake_entra.tenant import Tenant


class GraphService:
    """Everything the Graph routes ask of the tenant."""

    def __init__(
        self,
        tenant: Tenant,
        settings: GraphSettings | None = None,
        *,
        engine_settings: EngineSettings | None = None,
    ) -> None:
        self.tenant = tenant
        self.settings = settings or GraphSettings()
        self.lock = threading.RLock()
        self._request_ids = random.Random(f"{tenant.seed}:graph:requests")
        self.directory = DirectoryObjects(tenant.directory)
        self.applications = Applications(
            tenant, random.Random(f"{tenant.seed}:graph:applications"), self.authorize
        )
        self.synchronization = Synchronization(
            clock=tenant.clock,
            settings=self.settings,
            seed=tenant.seed,
            authorize=self.authorize,
            engine_settings=engine_settings,
        )
        #: Every job served here names the signed-in admin in its audit entries.
        self.synchronization.job_listeners.append(self._name_initiator)

    @contextmanager
    def acting_as_caller(self) -> Iterator[None]:
        """For one call: the token's holder (``GraphSettings.caller_role``) is the signed-in
        admin, and the portal's own session comes back afterwards."""
        role = self.settings.caller_role
        if role is None:
            yield
            return
        tenant = self.tenant
        portal_session = tenant.session
        tenant.sign_in(
            role,
            self.settings.caller_user_principal_name
            or f"graph-client@{tenant.directory.default_domain}",
        )
        try:
            yield
        finally:
            tenant.session = portal_session

    def authorize(self, action: str) -> None:
        """The signed-in admin's directory role, as Graph's 403 when it falls short."""
        try:
            self.tenant.require_application_admin(action)
        except PortalError as error:
            raise GraphError(
                403,
                "Authorization_RequestDenied",
                f"Insufficient privileges to complete the operation. {error.notification}",
            ) from None

    def authorize_audit_read(self) -> None:
        """``GET /auditLogs/directoryAudits``: AuditLog.Read.All and a role that reads them."""
        authorize_audit_read(self.tenant)

    def adopt(self, job: ProvisioningJob) -> None:
        """Serve a job created outside Graph (a scenario's portal steps) through Graph too."""
        self.synchronization.adopt(job)
        self._name_initiator(job)

    def _name_initiator(self, job: ProvisioningJob) -> None:
        job.audit.initiator = admin_initiator(self.tenant)

    # -- ids, masking ------------------------------------------------------------------------

    def request_id(self) -> str:
        return str(uuid.UUID(int=self._request_ids.getrandbits(128), version=4))

    def now_text(self) -> str:
        return graph_datetime(self.tenant.clock.now())

    def mask(self, text: str) -> str:
        """Every Secret Token seen, replaced by value wherever it appears."""
        for secret in sorted(self.synchronization.secret_values, key=len, reverse=True):
            if len(secret) >= 4:
                text = text.replace(secret, MASKED_SECRET)
        return text

    # -- the virtual clock (outside Graph's namespace) ---------------------------------------

    def clock_json(self) -> dict[str, Any]:
        clock = self.tenant.clock
        due = clock.next_due()
        return {
            "now": graph_datetime(clock.now()),
            "nextDue": None if due is None else graph_datetime(due),
        }

    def advance_clock(self, raw: bytes) -> dict[str, Any]:
        """``{"duration": "PT40M"}`` or ``{"until": "<date-time>"}``: timers fire on the way."""
        body = json_object(raw)
        clock = self.tenant.clock
        if "duration" in body:
            text = body["duration"]
            try:
                delta = parse_duration(text) if isinstance(text, str) else None
            except ValueError:
                delta = None
            if delta is None:
                raise bad_request("duration must be an ISO 8601 duration such as PT40M.")
            fired = clock.advance(delta)
        elif "until" in body:
            text = body["until"]
            try:
                when = parse_graph_datetime(text) if isinstance(text, str) else None
            except ValueError:
                when = None
            if when is None or when.tzinfo is None:
                raise bad_request(
                    "until must be a date-time with a time zone, such as 2026-01-05T10:00:00Z."
                )
            if when < clock.now():
                raise bad_request("The virtual clock cannot go backwards.")
            fired = clock.advance_to(when)
        else:
            raise bad_request('Send {"duration": "PT40M"} or {"until": "<date-time>"}.')
        return {**self.clock_json(), "timersFired": fired}
