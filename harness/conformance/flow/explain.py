"""The flow's explaining phase: a failed step quotes what the engine logged, carries the
exchanges about the object in question, and gets a hint in Entra's terms from what the
endpoint refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fake_entra.dialects import AD_SCIM_GROUP_SCHEMA, Dialect
from harness.conformance.exchanges import Exchange
from harness.conformance.flow.state import FlowState


def failures(state: FlowState, about: str | None = None, *, whole_run: bool = False) -> list[Any]:
    """The engine's failed log entries in the step (or the run), about one object or all."""
    if state.job is None:
        return []
    since = None if whole_run else state.since
    entries = state.job.log.query(status="failure", since=since)
    if about is not None:
        entries = [e for e in entries if e.source_identity.id == about]
    return entries


def engine_errors(state: FlowState, about: str | None) -> str:
    # The object's failures in this step; else earlier ones (an escrowed object is held
    # back by a failure of a previous cycle); else whatever failed in this step.
    entries = (
        failures(state, about)
        or (failures(state, about, whole_run=True) if about is not None else [])
        or failures(state)
    )
    texts = []
    for entry in entries:
        error = entry.error
        if error is None:
            continue
        text = f"{error.error_code} for {entry.source_identity.display_name}: {error.reason}"
        if error.additional_details:
            text += f" ({error.additional_details})"
        texts.append(text)
    unique = list(dict.fromkeys(texts))
    shown = "; ".join(unique[:3])
    return shown + (f"; and {len(unique) - 3} more" if len(unique) > 3 else "")


def refused_in_step(state: FlowState) -> list[Exchange]:
    """The engine's requests the endpoint refused (4xx) during the current step."""
    return [
        e
        for e in [*state.carried, *state.log.since(state.step_mark)]
        if e.origin == "entra" and e.status is not None and 400 <= e.status < 500
    ]


def exchanges_about(
    state: FlowState, exchanges: Sequence[Exchange], source_id: str | None
) -> list[Exchange]:
    """The exchanges that name the object: its target id, UPN, display name or id."""
    if source_id is None:
        return []
    needles = set(state.seeded.names.get(source_id, ()))
    entry = state.job.connector.get(source_id) if state.job is not None else None
    if entry is not None:
        needles.add(entry.target_id)
    needles |= {quote(n, safe="") for n in needles}
    return [
        e
        for e in exchanges
        if any(n in e.url or n in e.request_body.decode("utf-8", "replace") for n in needles)
    ]


def step_hint(state: FlowState, about: str | None) -> str | None:
    """A hint from what the endpoint refused of the engine's requests, in Entra's
    terms: about the object in question first, in this step, then earlier."""
    everything = [
        e
        for e in state.log.all()
        if e.origin == "entra" and e.status is not None and 400 <= e.status < 500
    ]
    for pool in (
        exchanges_about(state, refused_in_step(state), about),
        exchanges_about(state, everything, about),
        refused_in_step(state),
    ):
        for exchange in reversed(pool):
            hint = refusal_hint(state.dialect, exchange)
            if hint is not None:
                return hint
    return None


def refusal_hint(dialect: Dialect, exchange: Exchange) -> str | None:
    """Why the endpoint may have refused one of Entra's requests, and what to do; None
    when nothing more specific than the step's own hint can be said."""
    error = exchange.json()
    scim_type = error.get("scimType") if isinstance(error, dict) else None
    body = exchange.request_json()
    path = exchange.path.split("?", 1)[0]
    if exchange.status in (401, 403):
        return "The endpoint refused Entra's token: keep the Secret Token valid for the job's life."
    if exchange.method == "GET" and exchange.status == 404 and "filter=" in exchange.path:
        return (
            "Answer a query that matches nothing with 200 and an empty ListResponse, never "
            "404 (S1; Entra quarantines the job, S4)."
        )
    if exchange.method == "POST" and exchange.status == 409:
        return (
            "Entra's filter did not find the existing resource, so it created it again and met "
            "409: let filter=userName eq (displayName eq for groups) find it, case-insensitively."
        )
    schemas = body.get("schemas") if isinstance(body, dict) else None
    if (
        exchange.method == "POST"
        and path.endswith("/Groups")
        and AD_SCIM_GROUP_SCHEMA in (schemas or [])
    ):
        return (
            "Accept the second schema URN Entra names on POST /Groups "
            f"({AD_SCIM_GROUP_SCHEMA}, S1): ignore schema URNs you do not serve instead of "
            "refusing the group."
        )
    if exchange.method == "PATCH":
        return patch_hint(dialect, exchange, scim_type)
    return None


def patch_hint(dialect: Dialect, exchange: Exchange, scim_type: str | None = None) -> str | None:
    """Why the endpoint may have refused one of Entra's PATCH bodies, and what to do."""
    body = exchange.request_json()
    operations = body.get("Operations") if isinstance(body, dict) else None
    if not isinstance(operations, list):
        return None
    ops = [op for op in operations if isinstance(op, dict)]
    # The server's own scimType says most: noTarget on a value path is no dialect matter.
    if scim_type == "noTarget" and any("[" in str(o.get("path", "")) for o in ops):
        return (
            'Create the element when Entra adds or replaces emails[type eq "work"].value and '
            "the user has none (S1; scim-for-keycloak#73)."
        )
    flag = "append ?aadOptscim062020 to the Tenant URL for RFC-style PATCH (S2)"
    if dialect is Dialect.DEFAULT:
        # The member removal first: it is the more specific shape of the two.
        if any(str(o.get("op")).lower() == "remove" and "value" in o for o in ops):
            return (
                "Entra's default dialect removes members with a capitalised op and a value "
                'array ({"op":"Remove","path":"members","value":[{"value":"<id>"}]}): accept '
                "it and remove exactly those members (azure-docs#30826), or have customers "
                f"{flag}."
            )
        if any(isinstance(o.get("op"), str) and o["op"] != o["op"].lower() for o in ops):
            return (
                "Entra's default dialect capitalises op names (Add, Replace, Remove) and sends "
                'booleans as the strings "True"/"False" (S1, S2): accept them, or have '
                f"customers {flag}."
            )
    return None


__all__ = [
    "engine_errors",
    "exchanges_about",
    "failures",
    "patch_hint",
    "refusal_hint",
    "refused_in_step",
    "step_hint",
]
