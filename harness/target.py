"""The SCIM target a scenario provisions into: Fake Elevate in-process, or a live endpoint.

Fake Entra reaches the target only through :attr:`ScimTarget.transport`, which records every
exchange (:mod:`harness.recorder`) on its way through the simulated :mod:`harness.network`.
The harness itself inspects the target (what did provisioning leave there?), seeds it and
cleans it up through the other methods; those reads and writes are not part of the recorded
traffic. In-process they go straight to Fake Elevate's store; against a live endpoint they
are SCIM requests with the configured token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from fake_elevate.scim.errors import ScimError
from fake_entra.scim_client import SCIM_MEDIA_TYPE, TenantUrl, eq_filter
from harness.network import Direct, Network
from harness.recorder import Clock, RecordingTransport, TrafficRecorder
from harness.transport import AsgiTransport

if TYPE_CHECKING:
    from fake_elevate.elevate import FakeElevate

#: linkedin-scim.md §1: the Tenant URL of the tutorial, unchanged from 2019 to 2026.
LINKEDIN_TENANT_URL = "https://api.linkedin.com"

#: The store's type names, by endpoint.
_TYPE_NAMES = {"Users": "User", "Groups": "Group"}

AsgiMiddleware = Callable[[Any], Any]


class TargetUnavailable(AssertionError):
    """A scenario step needs the in-process Fake Elevate, but the target is live."""


class ScimTarget:
    """Where provisioning goes, and how the harness looks at what arrived."""

    def __init__(
        self,
        tenant_url: str,
        network: Network,
        recorder: TrafficRecorder,
        clock: Clock,
        *,
        elevate: FakeElevate | None = None,
        token: str | None = None,
    ) -> None:
        #: What the admin enters as the Tenant URL to reach this target.
        self.tenant_url = tenant_url
        self.network = network
        self.recorder = recorder
        #: The transport Fake Entra's SCIM client uses: recorded, then routed.
        self.transport = RecordingTransport(network, recorder, clock)
        self.elevate = elevate
        #: The Secret Token of a live target (in-process, Account Center issues tokens).
        self.token = token
        self._app: Any = None
        self._client: httpx.Client | None = None
        if token:
            recorder.add_secret(token)

    @classmethod
    def in_process(
        cls, elevate: FakeElevate, recorder: TrafficRecorder, clock: Clock
    ) -> ScimTarget:
        """Fake Elevate answering for the tutorial's Tenant URL host, in-process."""
        target = cls(LINKEDIN_TENANT_URL, Network(), recorder, clock, elevate=elevate)
        target._serve(elevate.asgi_app())
        return target

    @classmethod
    def live(cls, url: str, token: str, recorder: TrafficRecorder, clock: Clock) -> ScimTarget:
        """A SCIM endpoint over real HTTP; no other host is reachable."""
        network = Network()
        host = httpx.URL(TenantUrl(url).base_url)
        network.route(
            f"{host.host}:{host.port}" if host.port is not None else host.host,
            httpx.HTTPTransport(),
        )
        return cls(url, network, recorder, clock, token=token)

    @property
    def is_live(self) -> bool:
        return self.elevate is None

    def require_elevate(self, what: str) -> FakeElevate:
        """Fake Elevate, for steps that reach past SCIM (Account Center, fault profiles)."""
        if self.elevate is None:
            raise TargetUnavailable(
                f"{what} needs the in-process Fake Elevate, but the SCIM target is the live "
                f"endpoint {self.tenant_url}. Only @conformance scenarios run against a live "
                "target: select them with -m conformance."
            )
        return self.elevate

    # -- shaping the in-process target ------------------------------------------------------

    def wrap_app(self, middleware: AsgiMiddleware) -> None:
        """Put an ASGI middleware in front of Fake Elevate (tests that break it on purpose)."""
        self.require_elevate("Wrapping the SCIM service in a middleware")
        self._serve(middleware(self._app))

    def _serve(self, app: Any) -> None:
        self._app = app
        self.network.route(httpx.URL(LINKEDIN_TENANT_URL).host, AsgiTransport(app))

    # -- looking at the target --------------------------------------------------------------

    def find(self, endpoint: str, attribute: str, value: str) -> list[dict[str, Any]]:
        """The resources of ``endpoint`` ("Users", "Groups") whose ``attribute`` eq ``value``."""
        if self.elevate is not None:
            page = self.elevate.store.search(_TYPE_NAMES[endpoint], eq_filter(attribute, value))
            return page.resources
        response = self._http().get(f"/{endpoint}", params={"filter": eq_filter(attribute, value)})
        response.raise_for_status()
        return list(response.json().get("Resources") or [])

    def get(self, endpoint: str, resource_id: str) -> dict[str, Any] | None:
        if self.elevate is not None:
            try:
                return self.elevate.store.get(_TYPE_NAMES[endpoint], resource_id)
            except ScimError:
                return None
        response = self._http().get(f"/{endpoint}/{resource_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def create(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        """Put a resource in the target before provisioning meets it."""
        if self.elevate is not None:
            return self.elevate.store.create(_TYPE_NAMES[endpoint], body)
        response = self._http().post(f"/{endpoint}", json=body)
        response.raise_for_status()
        created: dict[str, Any] = response.json()
        return created

    def delete(self, endpoint: str, resource_id: str) -> None:
        """Remove a resource; one that is already gone is fine."""
        if self.elevate is not None:
            with contextlib.suppress(ScimError):
                self.elevate.store.delete(_TYPE_NAMES[endpoint], resource_id)
            return
        response = self._http().delete(f"/{endpoint}/{resource_id}")
        if response.status_code not in (200, 204, 404):
            response.raise_for_status()

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                base_url=TenantUrl(self.tenant_url).base_url,
                transport=Direct(self.network),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Accept": SCIM_MEDIA_TYPE,
                    "Content-Type": SCIM_MEDIA_TYPE,
                },
                timeout=30.0,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self.network.close()
