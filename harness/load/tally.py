"""provisim's own counts of a load run, beside Locust's statistics.

Locust counts requests, failures and latencies per request kind; a :class:`Tally` counts
what only provisim sees: schema violations, 429s and their Retry-After, the resources each
tenant created (for the clean-up and the report), cycles run, per-tenant request counts.
Each Locust process keeps one; a worker sends what it gathered since its last report to the
master with Locust's ``report_to_master`` event (:meth:`Tally.drain`), and the master adds
it up (:meth:`Tally.merge`). Plain JSON values throughout, since that is what travels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

#: Violations quoted in the report (the count covers all of them).
MAX_EXAMPLES: Final = 20


@dataclass
class TenantCounts:
    """One tenant's requests, and the wall-clock span they were sent in."""

    requests: int = 0
    throttled: int = 0
    first: float | None = None
    last: float | None = None

    def add(self, now: float, *, throttled: bool) -> None:
        self.requests += 1
        self.throttled += int(throttled)
        self.first = now if self.first is None else min(self.first, now)
        self.last = now if self.last is None else max(self.last, now)

    def merge(self, other: dict[str, Any]) -> None:
        self.requests += int(other.get("requests", 0))
        self.throttled += int(other.get("throttled", 0))
        for name, pick in (("first", min), ("last", max)):
            value = other.get(name)
            if value is not None:
                mine = getattr(self, name)
                setattr(self, name, float(value) if mine is None else pick(mine, float(value)))

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "throttled": self.throttled,
            "first": self.first,
            "last": self.last,
        }


@dataclass
class Tally:
    """What one process (or, merged, the whole run) saw beyond Locust's statistics."""

    validated: int = 0
    violations: int = 0
    examples: list[str] = field(default_factory=list)
    throttled: int = 0
    #: 429s per request kind (Locust counts them among the kind's failures).
    throttled_by_kind: dict[str, int] = field(default_factory=dict)
    retry_after: list[float] = field(default_factory=list)
    transport_errors: int = 0
    oversized: int = 0
    #: (endpoint, id, name) of every resource a create was acknowledged for (201 + id).
    created: list[list[str]] = field(default_factory=list)
    #: (endpoint, name) of creates cut off before their answer (the run ended meanwhile).
    unanswered: list[list[str]] = field(default_factory=list)
    #: (endpoint, id) of resources the engine deleted itself.
    deleted: list[list[str]] = field(default_factory=list)
    test_connections: int = 0
    test_connection_failures: list[str] = field(default_factory=list)
    initial_cycles: int = 0
    incremental_cycles: int = 0
    tenants: dict[str, TenantCounts] = field(default_factory=dict)

    def violation(self, text: str) -> None:
        self.violations += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(text)

    def tenant(self, name: str) -> TenantCounts:
        counts = self.tenants.get(name)
        if counts is None:
            counts = self.tenants[name] = TenantCounts()
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "validated": self.validated,
            "violations": self.violations,
            "examples": list(self.examples),
            "throttled": self.throttled,
            "throttled_by_kind": dict(self.throttled_by_kind),
            "retry_after": list(self.retry_after),
            "transport_errors": self.transport_errors,
            "oversized": self.oversized,
            "created": [list(c) for c in self.created],
            "unanswered": [list(u) for u in self.unanswered],
            "deleted": [list(d) for d in self.deleted],
            "test_connections": self.test_connections,
            "test_connection_failures": list(self.test_connection_failures),
            "initial_cycles": self.initial_cycles,
            "incremental_cycles": self.incremental_cycles,
            "tenants": {name: counts.as_json() for name, counts in self.tenants.items()},
        }

    def drain(self) -> dict[str, Any]:
        """Everything gathered so far, as JSON, and start again from zero."""
        data = self.as_json()
        fresh = Tally()
        self.__dict__.update(fresh.__dict__)
        return data

    def merge(self, data: dict[str, Any]) -> None:
        """Add what another process drained."""
        for name in (
            "validated",
            "violations",
            "throttled",
            "transport_errors",
            "oversized",
            "test_connections",
            "initial_cycles",
            "incremental_cycles",
        ):
            setattr(self, name, getattr(self, name) + int(data.get(name, 0)))
        for kind, count in dict(data.get("throttled_by_kind", {})).items():
            self.throttled_by_kind[str(kind)] = self.throttled_by_kind.get(str(kind), 0) + int(
                count
            )
        room = MAX_EXAMPLES - len(self.examples)
        self.examples.extend(str(e) for e in data.get("examples", [])[: max(0, room)])
        self.retry_after.extend(float(v) for v in data.get("retry_after", []))
        self.created.extend([str(x) for x in c] for c in data.get("created", []))
        self.unanswered.extend([str(x) for x in u] for u in data.get("unanswered", []))
        self.deleted.extend([str(x) for x in d] for d in data.get("deleted", []))
        self.test_connection_failures.extend(
            str(f) for f in data.get("test_connection_failures", [])
        )
        for name, counts in dict(data.get("tenants", {})).items():
            self.tenant(str(name)).merge(dict(counts))


__all__ = ["MAX_EXAMPLES", "Tally", "TenantCounts"]
