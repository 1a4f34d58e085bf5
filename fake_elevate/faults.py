"""Fault profiles by name: the registry, their options, and ``with_faults``.

Fault profiles are switchable, realistic ways a SCIM service provider deviates.

Each profile imitates a deviation vendors have shipped (each docstring cites the bug
report or document it comes from), so a scenario can show how the Entra provisioning
engine copes: quarantine, escrow and retry, Retry-After, DuplicateTargetEntries,
SCIM-compliance failures.

The profiles (in :mod:`fake_elevate.fault_injection`, one family per module) run in one
pure ASGI middleware (:class:`FaultMiddleware`) wrapped around Fake Elevate's app, so they
work in-process (``harness.transport.AsgiTransport``) and under uvicorn alike. They touch
only SCIM traffic: the Account Center admin API (``/account-center``) always passes
through, so a scenario can still steer the account.

Determinism: counters (the n-th SCIM request) and a seeded ``random.Random``, never the
wall clock. Only ``slow`` waits, and only when served for real (``served=True``): in-process
there is no socket, so no client timeout can fire; the profile then answers at once, or,
when its delay reaches ``slow_timeout_after`` (the client's timeout), raises the
``httpx.ReadTimeout`` a real client would have raised; in-process transports pass app
exceptions through to the caller.

Usage::

    app = with_faults(elevate.asgi_app(), "429-storm", storm_count=3, storm_retry_after=120)
    app = elevate.asgi_app(faults=["empty-search-404"])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .fault_injection.availability import (
    Flaky,
    RevokedToken,
    ServerErrorBurst,
    Slow,
    TooManyRequestsStorm,
)
from .fault_injection.dialect import RefuseDefaultDialect, RefuseValueRemove, ValuePathNoTarget
from .fault_injection.exchange import FaultRequest, FaultResponse, scim_error
from .fault_injection.fault import Fault, FaultOptions
from .fault_injection.middleware import AsgiApp, FaultMiddleware
from .fault_injection.query_encoding import LiteralPlusQuery
from .fault_injection.semantics import (
    CaseSensitiveUserName,
    EmptySearch404,
    HideInactive,
    IgnoreActive,
    MembersInExcluded,
    NoLocation,
)


@dataclass(frozen=True)
class FaultProfile:
    """A named deviation: what it does and what it imitates (the class docstring)."""

    name: str
    factory: Callable[[FaultOptions], Fault]
    summary: str
    options: tuple[str, ...] = field(default=())

    @property
    def imitates(self) -> str:
        return (self.factory.__doc__ or "").strip()


_PROFILES: tuple[FaultProfile, ...] = (
    FaultProfile(
        "refuse-default-dialect",
        RefuseDefaultDialect,
        'PATCH with capitalised op names or "True"/"False" strings answers 400.',
    ),
    FaultProfile(
        "refuse-value-remove",
        RefuseValueRemove,
        "A remove op carrying a value answers 400 invalidValue.",
    ),
    FaultProfile(
        "value-path-notarget",
        ValuePathNoTarget,
        'PATCH on emails[type eq "work"].value and the like answers 400 noTarget.',
    ),
    FaultProfile(
        "empty-search-404",
        EmptySearch404,
        "A filtered query that matches nothing answers 404, not an empty ListResponse.",
    ),
    FaultProfile(
        "literal-plus-query",
        LiteralPlusQuery,
        'A "+" in the query string reads as a plus sign, not a space (filter=userName+eq+...).',
    ),
    FaultProfile(
        "case-sensitive-username",
        CaseSensitiveUserName,
        "userName eq compares case-sensitively.",
    ),
    FaultProfile(
        "429-storm",
        TooManyRequestsStorm,
        "N consecutive requests answered 429 with Retry-After, then normal.",
        ("storm_start", "storm_count", "storm_retry_after"),
    ),
    FaultProfile(
        "5xx-burst",
        ServerErrorBurst,
        "N consecutive requests answered 500/503, then normal.",
        ("burst_start", "burst_count", "burst_statuses"),
    ),
    FaultProfile(
        "flaky",
        Flaky,
        "Each request fails with 503 at a seeded random rate.",
        ("flaky_rate", "seed"),
    ),
    FaultProfile(
        "slow",
        Slow,
        "Responses arrive late (a real delay only when served for real).",
        ("slow_delay", "slow_timeout_after", "slow_start", "slow_count", "served"),
    ),
    FaultProfile(
        "revoked-token",
        RevokedToken,
        "Every request after the first K answers 401.",
        ("revoke_after",),
    ),
    FaultProfile(
        "members-in-excluded",
        MembersInExcluded,
        "Groups come back with members despite excludedAttributes=members.",
    ),
    FaultProfile(
        "no-location",
        NoLocation,
        "201 Created without a Location header or meta.location.",
    ),
    FaultProfile(
        "hide-inactive",
        HideInactive,
        "Deactivated users disappear: left out of queries, 404 on /Users/{id}.",
    ),
    FaultProfile(
        "ignore-active",
        IgnoreActive,
        "PATCH active is acknowledged but not applied.",
    ),
)

#: Every profile by name.
FAULT_PROFILES: dict[str, FaultProfile] = {profile.name: profile for profile in _PROFILES}


def build_options(**options: Any) -> FaultOptions:
    """FaultOptions from keywords; an unknown name is a ValueError naming the known ones."""
    unknown = sorted(set(options) - set(FaultOptions.names()))
    if unknown:
        raise ValueError(
            f"unknown fault option(s) {', '.join(unknown)}; "
            f"known: {', '.join(FaultOptions.names())}"
        )
    if "burst_statuses" in options:
        options["burst_statuses"] = tuple(options["burst_statuses"])
    return FaultOptions(**options)


def parse_fault_options(items: Iterable[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings (the CLI's ``--fault-option``) as checked FaultOptions keywords.

    Values read as booleans (true/false), integers, floats or comma lists of those.
    """
    options: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected a fault option as KEY=VALUE, not {item!r}")
        options[key.strip()] = _option_value(raw.strip())
    try:
        build_options(**options)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    return options


def _option_value(raw: str) -> Any:
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if "," in raw:
        return tuple(_option_value(part.strip()) for part in raw.split(",") if part.strip())
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            continue
    return raw


def with_faults(app: AsgiApp, *names: str, **options: Any) -> FaultMiddleware:
    """Wrap ``app`` so the named profiles apply; ``options`` are :class:`FaultOptions` fields."""
    unknown = [name for name in names if name not in FAULT_PROFILES]
    if unknown:
        raise ValueError(
            f"unknown fault profile(s) {', '.join(unknown)}; known: {', '.join(FAULT_PROFILES)}"
        )
    if len(set(names)) != len(names):
        raise ValueError("each fault profile can be named once")
    settings = build_options(**options)
    return FaultMiddleware(app, [FAULT_PROFILES[name].factory(settings) for name in names])


__all__ = [
    "FAULT_PROFILES",
    "Fault",
    "FaultMiddleware",
    "FaultOptions",
    "FaultProfile",
    "FaultRequest",
    "FaultResponse",
    "build_options",
    "parse_fault_options",
    "scim_error",
    "with_faults",
]
