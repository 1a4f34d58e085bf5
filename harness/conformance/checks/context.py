"""What the RFC checks share: the context they run in, their test resources, and the
:class:`Check` that binds a check's description to its body.

Checks build on shared test resources (users and a group named with the
``provisim-conformance-<run>`` prefix), created on first use; a check whose resources
could not be created cannot run, and is an *error* with the reason and the failed
exchange, never a pass. Every resource created is registered for the clean-up at the end
of the run. The server's /ServiceProviderConfig is read once and kept, for the checks
that apply only to what it declares.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from fake_entra.dialects import CORE_GROUP_SCHEMA, CORE_USER_SCHEMA
from harness.conformance.exchanges import Exchange, ExchangeLog
from harness.conformance.probe import ScimProbe
from harness.conformance.resources import RESOURCE_PREFIX, CreatedResources
from harness.conformance.results import (
    CheckInfo,
    CheckResult,
    Finding,
    Level,
    Scope,
    Unmet,
    evaluate,
)
from harness.conformance.sources import Clause, MicrosoftSource


@dataclass(frozen=True)
class Check:
    """An RFC or Entra check: what it is (``info``) and the body that judges the endpoint."""

    info: CheckInfo
    body: Callable[[CheckContext], Finding]
    #: Sweeps judge the whole run's exchanges, so they run last.
    sweep: bool = False

    @property
    def id(self) -> str:
        return self.info.id

    def run(self, ctx: CheckContext) -> CheckResult:
        return evaluate(self.info, ctx.log, lambda: self.body(ctx))

    @classmethod
    def define(
        cls,
        check_id: str,
        title: str,
        source: str,
        level: Level,
        scopes: frozenset[Scope],
        hint: str,
        body: Callable[[CheckContext], Finding],
        *,
        sweep: bool = False,
        clauses: tuple[Clause, ...] = (),
        microsoft: tuple[MicrosoftSource, ...] = (),
    ) -> Check:
        """A check from its description's parts, as the area modules declare them. An RFC
        check's ``level`` is its first clause's (``CheckInfo`` refuses a mismatch)."""
        info = CheckInfo(check_id, title, source, level, scopes, hint, clauses, microsoft)
        return cls(info, body, sweep)


@dataclass(frozen=True)
class Fixture:
    """A test resource created for the checks: its create exchange and what came back."""

    key: str
    endpoint: str
    body: dict[str, Any]
    exchange: Exchange

    @property
    def resource(self) -> dict[str, Any]:
        found = self.exchange.json()
        return found if isinstance(found, dict) else {}

    @property
    def id(self) -> str | None:
        value = self.resource.get("id")
        return str(value) if isinstance(value, str | int) and str(value) else None

    @property
    def usable(self) -> bool:
        status = self.exchange.status
        return status is not None and 200 <= status < 300 and self.id is not None

    def __getitem__(self, name: str) -> Any:
        return self.body[name]


class CheckContext:
    """What checks share: the probe, the log, the run's names and its test resources."""

    def __init__(
        self,
        probe: ScimProbe,
        log: ExchangeLog,
        *,
        run_id: str,
        rate: float,
        rng: random.Random,
        created: CreatedResources | None = None,
    ) -> None:
        self.probe = probe
        self.log = log
        self.run_id = run_id
        self.rate = rate
        self.rng = rng
        self.created = created if created is not None else CreatedResources()
        self._fixtures: dict[str, Fixture] = {}
        self._service_provider_config: Exchange | None = None

    @property
    def prefix(self) -> str:
        return f"{RESOURCE_PREFIX}{self.run_id}-"

    def guid(self) -> str:
        """A random GUID from the run's seeded generator (Entra's Test Connection probe)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def service_provider_config(self) -> Exchange:
        """GET /ServiceProviderConfig, sent on first use (whatever the answer) and kept."""
        if self._service_provider_config is None:
            self._service_provider_config = self.probe.get("ServiceProviderConfig")
        return self._service_provider_config

    # -- users ---------------------------------------------------------------------------

    def email(self, key: str, kind: str) -> str:
        return f"{self.prefix}rfc-{key}-{kind}@example.com"

    def user_body(self, key: str) -> dict[str, Any]:
        """The POST body of test user ``key``; some carry an email a check needs."""
        local = f"{self.prefix}rfc-{key}"
        body: dict[str, Any] = {
            "schemas": [CORE_USER_SCHEMA],
            "userName": f"{local}@example.com",
            "externalId": local,
            "name": {"givenName": key.title(), "familyName": "Conformance"},
            "displayName": f"{key.title()} Conformance",
            "active": True,
        }
        # grace: a work email to filter on; linus: a home email only, so that no "work"
        # element matches an add on emails[type eq "work"].value.
        kind = _USER_EMAILS.get(key)
        if kind is not None:
            body["emails"] = [{"type": kind, "value": self.email(key, kind), "primary": True}]
        return body

    def user(self, key: str) -> Fixture:
        """The test user ``key``, POSTed on first use (whatever the answer)."""
        slot = f"Users/{key}"
        if slot not in self._fixtures:
            self._fixtures[slot] = self._create("Users", key, self.user_body(key))
        return self._fixtures[slot]

    def require_user(self, key: str) -> Fixture:
        fixture = self.user(key)
        if not fixture.usable:
            raise Unmet(
                f"needs a test user, but {fixture.exchange.describe()} did not create one",
                [fixture.exchange],
                # The create check judges exactly that POST (of "ada"): the failure to name.
                blocked_by=_CREATE_CHECK if key == _CREATE_CHECK_USER else None,
            )
        return fixture

    # -- groups --------------------------------------------------------------------------

    def group(self, key: str) -> Fixture:
        """The test group ``key``, POSTed on first use (whatever the answer)."""
        slot = f"Groups/{key}"
        if slot not in self._fixtures:
            body = {
                "schemas": [CORE_GROUP_SCHEMA],
                "displayName": f"{self.prefix}rfc-group-{key}",
                "externalId": f"{self.prefix}rfc-group-{key}",
            }
            self._fixtures[slot] = self._create("Groups", key, body)
        return self._fixtures[slot]

    def require_group(self, key: str) -> Fixture:
        fixture = self.group(key)
        if not fixture.usable:
            raise Unmet(
                f"needs a test group, but {fixture.exchange.describe()} did not create one",
                [fixture.exchange],
            )
        return fixture

    def _create(self, endpoint: str, key: str, body: dict[str, Any]) -> Fixture:
        exchange = self.probe.post(endpoint, body)
        fixture = Fixture(key, endpoint, body, exchange)
        self.register(endpoint, exchange, body.get("userName") or body.get("displayName"))
        return fixture

    def register(self, endpoint: str, exchange: Exchange, name: Any) -> None:
        """Remember a resource a POST created, for the clean-up."""
        found = exchange.json()
        status = exchange.status
        if status is not None and 200 <= status < 300 and isinstance(found, dict):
            resource_id = found.get("id")
            if isinstance(resource_id, str) and resource_id:
                self.created.add(endpoint, resource_id, str(name))


#: The check that judges the POST of one test user, which other checks then build on.
_CREATE_CHECK: Final = "RFC7644-3.3-CREATE-USER"
_CREATE_CHECK_USER: Final = "ada"

_USER_EMAILS: Final[Mapping[str, str]] = {"grace": "work", "linus": "home"}


__all__ = ["Check", "CheckContext", "Fixture"]
