"""Shared scaffolding for the engine tests: a tenant, Fake Elevate in-process, a recorder.

:class:`RecordingTransport` wraps the in-process ASGI transport and keeps every exchange
(method, path, query, parsed body, headers, status), so a test can assert exactly what the
provisioning engine sent. :func:`build_scenario` wires a tenant, a LinkedIn Elevate
gallery app and Fake Elevate (optionally behind fault profiles) the way the tutorial does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from fake_elevate.account_center import ScimConfiguration
from fake_elevate.elevate import FakeElevate
from fake_entra.applications import DEFAULT_LINKEDIN_CONNECTOR_TEMPLATE, EnterpriseApplication
from fake_entra.directory import DirectoryGroup, DirectoryUser
from fake_entra.engine import EngineSettings, ProvisioningJob
from fake_entra.outbox import Outbox
from fake_entra.scim_client import ORIGIN_EXTENSION, RequestOrigin
from fake_entra.tenant import Tenant
from harness.transport import AsgiTransport

PAYLOADS = Path(__file__).parent / "payloads"

DEFAULT_TENANT_URL = "https://api.linkedin.com"
FLAGGED_TENANT_URL = "https://api.linkedin.com/scim/v2/?aadOptscim062020"
NOTIFICATION_EMAIL = "admin@contoso.com"


def payload(name: str) -> Any:
    """A reference vector from tests/payloads, by file name without ``.json``."""
    return json.loads((PAYLOADS / f"{name}.json").read_text())


@dataclass(frozen=True)
class Exchange:
    """One request the engine sent and the status it got."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Any
    headers: Mapping[str, str]
    status: int | None
    #: What the request said sent it (the request extension ORIGIN_EXTENSION), if anything.
    origin: RequestOrigin | None = None

    @property
    def params(self) -> dict[str, str]:
        return dict(self.query)

    @property
    def resource(self) -> str:
        """``Users`` or ``Groups`` (the path segment after the base path)."""
        parts = [p for p in self.path.split("/") if p]
        for name in ("Users", "Groups"):
            if name in parts:
                return name
        return parts[-1] if parts else ""

    @property
    def target_id(self) -> str | None:
        parts = [p for p in self.path.split("/") if p]
        if len(parts) >= 2 and parts[-2] in ("Users", "Groups"):
            return parts[-1]
        return None

    def short(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} {self.path}{'?' + query if query else ''}"


class RecordingTransport(httpx.BaseTransport):
    """Records each exchange, then delegates to ``inner`` (an in-process ASGI transport)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raw = request.read()
        body = json.loads(raw) if raw else None
        url = urlsplit(str(request.url))
        query = tuple(parse_qsl(url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in request.headers.items()}
        status: int | None = None
        try:
            response = self.inner.handle_request(request)
            status = response.status_code
            return response
        finally:
            self.exchanges.append(
                Exchange(
                    request.method,
                    url.path,
                    query,
                    body,
                    headers,
                    status,
                    request.extensions.get(ORIGIN_EXTENSION),
                )
            )

    def close(self) -> None:
        self.inner.close()

    # -- reading --------------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.exchanges)

    def since(self, mark: int) -> list[Exchange]:
        return self.exchanges[mark:]

    def clear(self) -> None:
        self.exchanges.clear()

    def of(self, method: str, resource: str | None = None) -> list[Exchange]:
        return [
            e
            for e in self.exchanges
            if e.method == method and (resource is None or e.resource == resource)
        ]

    def __iter__(self) -> Iterator[Exchange]:
        return iter(list(self.exchanges))

    def __len__(self) -> int:
        return len(self.exchanges)


@dataclass
class Scenario:
    tenant: Tenant
    elevate: FakeElevate
    app: EnterpriseApplication
    recorder: RecordingTransport
    config: ScimConfiguration
    token: str
    asgi: Any
    job: ProvisioningJob | None = None
    users: dict[str, DirectoryUser] = field(default_factory=dict)
    groups: dict[str, DirectoryGroup] = field(default_factory=dict)

    @property
    def clock(self) -> Any:
        return self.tenant.clock

    @property
    def directory(self) -> Any:
        return self.tenant.directory

    @property
    def provisioning(self) -> Any:
        return self.app.provisioning

    def add_user(self, local: str, given: str, surname: str, **extra: Any) -> DirectoryUser:
        """A directory user with exact values: ``local@contoso.com``."""
        attributes: dict[str, Any] = {
            "given_name": given,
            "surname": surname,
            "mail": f"{local}@contoso.com",
        }
        attributes.update(extra)
        user = self.directory.add_user(f"{local}@contoso.com", f"{given} {surname}", **attributes)
        self.users[local] = user
        return user

    def add_group(self, name: str, *members: DirectoryUser) -> DirectoryGroup:
        """A security group with these direct members, kept under ``name``."""
        group = self.directory.add_group(name, members=[m.object_id for m in members])
        self.groups[name] = group
        return group

    def assign(self, *object_ids: str, role: str = "User") -> None:
        for object_id in object_ids:
            self.app.assign(object_id, role)

    def configure(
        self,
        *,
        tenant_url: str = DEFAULT_TENANT_URL,
        token: str | None = None,
        email: str | None = NOTIFICATION_EMAIL,
        send_email: bool = True,
    ) -> None:
        """Steps 11-13: Automatic mode, Admin Credentials, Test Connection, Notification Email.

        Save needs a passing Test Connection (PortalKnownIssues.save_requires_test_connection,
        on as vendors observe it), so the form is tested as the tutorial's step 12 does. The
        probe is left out of the recorder, which holds what the engine sends from here on;
        tests of the probe click Test Connection themselves. A failing Test Connection is
        left for Save to refuse."""
        page = self.provisioning
        page.set_provisioning_mode("Automatic")
        page.set_admin_credentials(tenant_url, token or self.token)
        mark = self.recorder.mark()
        # The admin tests before the faults a scenario builds in begin: the probe goes to
        # Fake Elevate without them (the store is the same).
        faulty, self.recorder.inner = self.recorder.inner, AsgiTransport(self.elevate.asgi_app())
        try:
            page.test_connection()
        finally:
            self.recorder.inner = faulty
        del self.recorder.exchanges[mark:]
        if email is not None:
            page.set_notification_email(email, send_email_on_failure=send_email)

    def start(
        self,
        *,
        settings: EngineSettings | None = None,
        outbox: Outbox | None = None,
        tenant_url: str = DEFAULT_TENANT_URL,
        email: str | None = NOTIFICATION_EMAIL,
        send_email: bool = True,
    ) -> ProvisioningJob:
        """Configure, Save, create the job, then Provisioning Status On + Save (initial cycle)."""
        self.configure(tenant_url=tenant_url, email=email, send_email=send_email)
        self.provisioning.save()
        self.new_job(settings=settings, outbox=outbox)
        self.provisioning.set_provisioning_status("On")
        self.provisioning.save()
        assert self.job is not None
        return self.job

    def new_job(
        self, *, settings: EngineSettings | None = None, outbox: Outbox | None = None
    ) -> ProvisioningJob:
        """The application's provisioning job, seeded by the tenant's seed."""
        self.job = ProvisioningJob(
            self.app, self.clock, settings=settings, outbox=outbox, seed=self.tenant.seed
        )
        return self.job

    # -- reading the target ---------------------------------------------------------------

    def target_id(self, source_id: str) -> str:
        assert self.job is not None
        return self.job.connector[source_id].target_id

    def target(self, source_id: str, kind: str = "User") -> dict[str, Any]:
        return self.elevate.store.get(kind, self.target_id(source_id))

    def target_users(self) -> list[dict[str, Any]]:
        return self.elevate.store.snapshot()["User"]


def build_scenario(
    *,
    seed: int = 1,
    seats: int = 50,
    faults: Sequence[str] = (),
    fault_options: Mapping[str, Any] | None = None,
    linkedin_connector_template: bool = DEFAULT_LINKEDIN_CONNECTOR_TEMPLATE,
) -> Scenario:
    """A signed-in tenant with a LinkedIn Elevate app and Fake Elevate in-process; with
    ``linkedin_connector_template=False`` the app has the generic SCIM template (userName
    matching, the portal's non-gallery attributes) that S1's reference vectors assume."""
    tenant = Tenant(seed=seed, linkedin_connector_template=linkedin_connector_template)
    elevate = FakeElevate(now=tenant.clock.now, seed=seed)
    config, token = elevate.quick_setup(seats=seats)
    asgi = elevate.asgi_app(faults=faults, fault_options=fault_options)
    recorder = RecordingTransport(AsgiTransport(asgi))
    tenant.scim_transport = recorder
    tenant.sign_in()
    app = tenant.add_from_gallery("LinkedIn Elevate")
    return Scenario(tenant, elevate, app, recorder, config, token, asgi)


def substitute_ids(value: Any, ids: Mapping[str, str]) -> Any:
    """``value`` with every string in ``ids`` replaced, so bodies compare with vectors."""
    text = json.dumps(value)
    for old, new in ids.items():
        text = text.replace(old, new)
    return json.loads(text)


# --- the per-object cycle tests (test_entra_cycle_*.py) ----------------------------------

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
EMPLOYEE_NUMBER = f"{ENTERPRISE}:employeeNumber"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def ordered(value: Any) -> str:
    """JSON text keeps key order, so equal text means equal shape *and* order."""
    return json.dumps(value)


def sent(scenario: Scenario, mark: int = 0) -> list[tuple[str, str]]:
    """(method, resource) of every request since ``mark``."""
    return [(e.method, e.resource) for e in scenario.recorder.since(mark)]


def cycle(scenario: Scenario, minutes: float = 40) -> list[Exchange]:
    """Let the next incremental cycle run; return what it sent."""
    mark = scenario.recorder.mark()
    scenario.clock.advance(minutes=minutes)
    return scenario.recorder.since(mark)


def without_mappings(scenario: Scenario, *targets: str) -> None:
    """Remove user mappings (Attribute Mapping page > Delete > Save)."""
    draft = scenario.provisioning.open_attribute_mapping("User")
    for target in targets:
        draft.remove_mapping(target)
    scenario.provisioning.save_attribute_mapping(draft)


def entries(scenario: Scenario, **query: Any) -> list[Any]:
    """The job's log entries matching ``query`` (the portal's filters)."""
    assert scenario.job is not None
    return scenario.job.log.query(**query)


def build_team(
    *, linkedin_connector_template: bool = DEFAULT_LINKEDIN_CONNECTOR_TEMPLATE
) -> Scenario:
    """Alex (manager of Bea) and Bea in the assigned group Sales; Cal assigned directly."""
    scenario = build_scenario(linkedin_connector_template=linkedin_connector_template)
    alex = scenario.add_user(
        "alex", "Alex", "Wilber", job_title="Engineer", department="R&D", employee_id="1001"
    )
    bea = scenario.add_user("bea", "Bea", "Ng", manager_id=alex.object_id)
    cal = scenario.add_user("cal", "Cal", "Ode")
    sales = scenario.add_group("Sales", alex, bea)
    scenario.assign(sales.object_id, cal.object_id)
    return scenario
