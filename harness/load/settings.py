"""What a ``provisim load`` run is asked to do, checked before anything is sent.

The settings travel from the command to the Locust processes as JSON (a file for the local
master, a Locust message for the workers); the bearer token never does: every process
reads it from its own environment (:data:`TOKEN_ENV`), so it is never written to a file,
a report or a worker's network channel.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Final
from urllib.parse import urlsplit

from fake_entra.dialects import Dialect
from harness.transport import DEFAULT_MAX_BODY_BYTES

#: Where every process of a run reads the bearer token (as ``provisim conformance`` does).
TOKEN_ENV: Final = "PROVISIM_SCIM_TOKEN"
#: The rate Entra asks a SCIM endpoint to sustain per tenant ("Support at least 25 requests
#: per second per tenant", a gallery requirement: learn.microsoft.com/entra/identity/
#: enterprise-apps/app-gallery-user-provisioning-requirements).
ENTRA_RATE_PER_TENANT: Final = 25.0
#: Every test resource's name starts with this, so a vendor can find and remove leftovers.
LOAD_PREFIX: Final = "provisim-load-"
_RUN_ID = re.compile(r"^[a-z0-9]{4,16}$")


class LoadAbort(Exception):
    """A run that cannot start or go on: one line for the user."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_target(url: str, *, i_own_it: bool) -> None:
    """Refuse what a load run must not hit: plain http beyond loopback, and any other host
    unless its owner says so (``--i-own-this-endpoint``)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LoadAbort(f"--url: {url!r} is not an absolute http(s) URL")
    if parts.username or parts.password:
        raise LoadAbort("--url: credentials in the URL are refused; use PROVISIM_SCIM_TOKEN")
    loopback = is_loopback(parts.hostname)
    if parts.scheme == "http" and not loopback:
        raise LoadAbort("--url: plain http is allowed only on a loopback host; use https")
    if not loopback and not i_own_it:
        raise LoadAbort(
            f"--url: {parts.hostname} is not a loopback host: a load test on someone else's "
            "service is an attack; pass --i-own-this-endpoint if it is yours"
        )


@dataclass(frozen=True)
class LoadSettings:
    """One run's settings (no secret among them)."""

    url: str
    run_id: str
    tenants: int = 2
    users_per_tenant: int = 50
    groups_per_tenant: int = 2
    #: Requests per second per tenant, at most (Entra's floor: 25).
    rate: float = ENTRA_RATE_PER_TENANT
    duration: float = 30.0
    dialect: str = Dialect.DEFAULT.value
    #: Validate one response in ``validate_every`` against the JSON Schemas (1: all).
    validate_every: int = 1
    #: Seconds to connect and to wait for each response.
    timeout: float = 30.0
    #: Largest response body read, in bytes; a larger one is a failure.
    max_body: int = DEFAULT_MAX_BODY_BYTES
    #: Share of the tenant's users changed before each incremental cycle.
    change_share: float = 0.1
    #: The longest Retry-After waited out for real, in seconds (longer ones are capped).
    max_retry_after: float = 60.0
    #: Seconds a tenant waits when an incremental cycle had nothing to send.
    idle_pause: float = 1.0

    def __post_init__(self) -> None:
        if not _RUN_ID.match(self.run_id):
            raise LoadAbort(f"run id {self.run_id!r}: 4 to 16 lowercase letters or digits")
        if self.tenants < 1:
            raise LoadAbort(f"--tenants must be at least 1, not {self.tenants}")
        if self.users_per_tenant < 1:
            raise LoadAbort(f"--users-per-tenant must be at least 1, not {self.users_per_tenant}")
        if self.groups_per_tenant < 0:
            raise LoadAbort(f"--groups-per-tenant must not be negative: {self.groups_per_tenant}")
        if not self.rate > 0:
            raise LoadAbort(f"--rate must be positive, not {self.rate}")
        if not self.duration > 0:
            raise LoadAbort(f"--duration must be positive, not {self.duration}")
        if self.dialect not in {d.value for d in Dialect}:
            names = ", ".join(d.value for d in Dialect)
            raise LoadAbort(f"--dialect must be one of {names}, not {self.dialect!r}")
        if self.validate_every < 1:
            raise LoadAbort(f"--validate-every must be at least 1, not {self.validate_every}")
        if not self.timeout > 0:
            raise LoadAbort(f"--timeout must be positive, not {self.timeout}")
        if self.max_body < 1024:
            raise LoadAbort(f"--max-body must be at least 1024 bytes, not {self.max_body}")

    @property
    def prefix(self) -> str:
        """The run's resource name prefix: ``provisim-load-<run>-``."""
        return f"{LOAD_PREFIX}{self.run_id}-"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> LoadSettings:
        data: Any = json.loads(text)
        if not isinstance(data, dict):
            raise LoadAbort("load settings: a JSON object was expected")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def default_validate_every(rate: float, tenants: int) -> int:
    """Validate every response up to 100 requests/s in all; above, one in N, so the
    validation costs the generator about as much as at 100/s (stated in the report)."""
    total = rate * tenants
    return 1 if total <= 100 else max(1, round(total / 100))


__all__ = [
    "ENTRA_RATE_PER_TENANT",
    "LOAD_PREFIX",
    "TOKEN_ENV",
    "LoadAbort",
    "LoadSettings",
    "check_target",
    "default_validate_every",
    "is_loopback",
]
