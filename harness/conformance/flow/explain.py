"""The flow's explaining phase: a failed step quotes what the engine logged, carries the
exchanges about the object in question, and gets a hint in Entra's terms from what the
endpoint refused."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

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
    # back by a failure of a previous cycle). Another object's failure is never quoted for
    # this one: it may have nothing to do with it. Without an object: the step's failures.
    if about is not None:
        entries = failures(state, about) or failures(state, about, whole_run=True)
    else:
        entries = failures(state)
    texts = []
    for entry in entries:
        error = entry.error
        if error is None:
            continue
        # The reason's first line: Entra's own reason goes on with the whole HTTP response,
        # which the evidence shows anyway.
        reason = (error.reason or "").strip().splitlines()[0] if error.reason else ""
        text = f"{error.error_code} for {entry.source_identity.display_name}: {reason}"
        if error.additional_details:
            text += f" ({error.additional_details})"
        texts.append(text)
    unique = list(dict.fromkeys(texts))
    shown = "; ".join(unique[:3])
    return shown + (f"; and {len(unique) - 3} more" if len(unique) > 3 else "")


def _refused(exchange: Exchange) -> bool:
    """An engine request the endpoint refused: 4xx or 5xx (a 501 is a refusal too)."""
    return exchange.origin == "entra" and exchange.status is not None and exchange.status >= 400


def refused_in_step(state: FlowState) -> list[Exchange]:
    """The engine's requests the endpoint refused (4xx, 5xx) during the current step."""
    return [e for e in [*state.carried, *state.log.since(state.step_mark)] if _refused(e)]


def exchanges_about(
    state: FlowState, exchanges: Sequence[Exchange], source_id: str | None
) -> list[Exchange]:
    """The exchanges that name the object: its target id, UPN, display name or id."""
    if source_id is None:
        return []
    names = set(state.seeded.names.get(source_id, ()))
    entry = state.job.connector.get(source_id) if state.job is not None else None
    target_id = entry.target_id if entry is not None else None
    return [e for e in exchanges if names_object(e, names, target_id)]


def names_object(exchange: Exchange, names: Iterable[str], target_id: str | None) -> bool:
    """Whether an exchange is about an object: one of its (long, unique) names anywhere in
    the URL or the request body, or its target id as a whole segment of the URL's path.
    The id is matched only there: a server's ids may be short and per resource type, so
    ``2`` is in ``127.0.0.1:34023``, and a group ``1`` is not the member or manager ``1``
    that another request's body names."""
    body = exchange.request_body.decode("utf-8", "replace")
    needles = set(names)
    needles |= {quote(n, safe="") for n in needles}
    if any(n in exchange.url or n in body for n in needles):
        return True
    if target_id is None:
        return False
    segments = urlsplit(exchange.url).path.split("/")
    return target_id in segments or quote(target_id, safe="") in segments


def step_hint(state: FlowState, about: str | None) -> str | None:
    """A hint from what the endpoint refused of the engine's requests, in Entra's
    terms: about the object in question first, in this step, then earlier."""
    everything = [e for e in state.log.all() if _refused(e)]
    pools = [
        exchanges_about(state, refused_in_step(state), about),
        exchanges_about(state, everything, about),
    ]
    if about is None:
        pools.append(refused_in_step(state))
    for pool in pools:
        for exchange in reversed(pool):
            hint = refusal_hint(state.dialect, exchange)
            if hint is not None:
                return hint
    # Nothing more specific: say what the endpoint refused of the object's own requests.
    for pool in pools:
        if pool:
            return answered_hint(pool[-1])
    return None


def answered_hint(exchange: Exchange) -> str:
    """A hint that follows from one refused exchange alone: what was sent, what came back."""
    error = exchange.json()
    detail = error.get("detail") if isinstance(error, dict) else None
    scim_type = error.get("scimType") if isinstance(error, dict) else None
    answer = f"{exchange.status}" + (f" {scim_type}" if scim_type else "")
    # The server's own words, cut, and with no control character (remote text).
    shown = "".join(c if c.isprintable() else " " for c in str(detail)[:160]) if detail else ""
    said = f' ("{shown}")' if shown else ""
    return (
        f"The endpoint answered {answer}{said} to Entra's {exchange.method} "
        f"{_template(exchange)}: accept the request as Entra sends it (the evidence shows "
        "it), since Entra retries it unchanged every cycle (S13)."
    )


def _template(exchange: Exchange) -> str:
    segments = [s for s in exchange.path.split("?", 1)[0].split("/") if s]
    for position, segment in enumerate(segments):
        if segment in ("Users", "Groups"):
            return f"/{segment}" + ("/{id}" if position + 1 < len(segments) else "")
    return exchange.path.split("?", 1)[0]


def refusal_hint(dialect: Dialect, exchange: Exchange) -> str | None:
    """Why the endpoint may have refused one of Entra's requests, and what to do; None
    when nothing more specific than the step's own hint can be said."""
    error = exchange.json()
    scim_type = error.get("scimType") if isinstance(error, dict) else None
    body = exchange.request_json()
    path = exchange.path.split("?", 1)[0]
    if exchange.status == 501:
        return (
            f"The endpoint answered 501 Not Implemented to Entra's {exchange.method} "
            f"{_template(exchange)}: implement it. Entra changes "
            + (
                "groups (renames and member changes) only by PATCH (S1)"
                if exchange.method == "PATCH" and "/Groups" in exchange.path
                else "users and groups with exactly these requests (S1)"
            )
            + ", and the object stays escrowed, retried every cycle, until it succeeds."
        )
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
    if exchange.method == "PATCH" and exchange.status == 400:
        # Only a 400 says the body was refused; a 5xx says nothing about its dialect.
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
    managers = [o for o in ops if str(o.get("path", "")).rsplit(":", 1)[-1] == "manager"]
    if any(isinstance(o.get("value"), str) for o in managers):
        return (
            "Accept the manager as Entra sends it: a bare id on the enterprise manager path "
            '({"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:'
            'manager","value":"<manager id>"}, seen by vendors: SCIM-SDK#686), as well as '
            '{"value":"<manager id>"}; store it as manager.value.'
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
        # Capitalised ops are to blame only when the server could not read the operations.
        capitalised = any(isinstance(o.get("op"), str) and o["op"] != o["op"].lower() for o in ops)
        if capitalised and scim_type in (None, "invalidSyntax"):
            return (
                "Entra's default dialect capitalises op names (Add, Replace, Remove) and sends "
                'booleans as the strings "True"/"False" (S1, S2): accept them, or have '
                f"customers {flag}."
            )
    return None


__all__ = [
    "answered_hint",
    "engine_errors",
    "exchanges_about",
    "failures",
    "names_object",
    "patch_hint",
    "refusal_hint",
    "refused_in_step",
    "step_hint",
]
