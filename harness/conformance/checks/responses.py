"""Sweeps of the RFC over every response of the run: SCIM Error bodies (RFC 7644
§3.12), the media type (§3.8) and the RFC 7643/7644 JSON Schemas.

A sweep judges the whole run's exchanges, the clean-up's included, so it runs last.
"""

from __future__ import annotations

from typing import Final

from fake_entra.scim_client import SCIM_MEDIA_TYPE
from harness.conformance.checks.context import Check, CheckContext
from harness.conformance.exchanges import Exchange
from harness.conformance.results import RFC_ONLY, Finding, bad, ok
from harness.validation import validate_exchange

ERROR_SCHEMA: Final = "urn:ietf:params:scim:api:messages:2.0:Error"


def _error_problem(exchange: Exchange) -> str | None:
    body = exchange.json()
    if not isinstance(body, dict):
        return f"{exchange.describe()}: the body is not a JSON object"
    if ERROR_SCHEMA not in (body.get("schemas") or []):
        return f"{exchange.describe()}: schemas does not name {ERROR_SCHEMA}"
    status = body.get("status")
    if not isinstance(status, str):
        return f"{exchange.describe()}: status must be a JSON string, not {status!r}"
    if status != str(exchange.status):
        return f"{exchange.describe()}: the body says status {status!r}"
    return None


def _error_bodies(ctx: CheckContext) -> Finding:
    probe = ctx.probe.get(f"Users/{ctx.guid().replace('-', '')}", retry=False)
    failures: list[tuple[Exchange, str]] = []
    if probe.status != 404:
        failures.append((probe, f"GET of an unknown id: {probe.describe()}, expected 404"))
    errors = [e for e in ctx.log.all() if e.status is not None and e.status >= 400]
    for exchange in errors:
        problem = _error_problem(exchange)
        if problem is not None:
            failures.append((exchange, problem))
    if not failures:
        return ok(f"{len(errors)} error response(s), each a SCIM Error with the right status")
    first = failures[0][1]
    return bad(
        f"{len(failures)} of {len(errors)} error response(s) are not SCIM Error JSON; first: "
        f"{first}",
        evidence=[e for e, _ in failures],
    )


ERROR_BODIES: Final = Check.define(
    "RFC7644-3.12-ERROR-BODIES",
    "Every error response is SCIM Error JSON with the HTTP status",
    "RFC 7644 §3.12",
    "MUST",
    RFC_ONLY,
    'Return errors as {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],'
    '"status":"<HTTP status as a string>","detail":"..."} (RFC 7644 §3.12), 404 for an '
    "unknown id.",
    _error_bodies,
    sweep=True,
)


def _media_type(ctx: CheckContext) -> Finding:
    with_body = [e for e in ctx.log.all() if e.status is not None and e.response_body]
    wrong = [e for e in with_body if e.media_type != SCIM_MEDIA_TYPE]
    if not wrong:
        return ok(f"{len(with_body)} response(s), all application/scim+json")
    types = sorted({str(e.media_type) for e in wrong})
    return bad(
        f"{len(wrong)} of {len(with_body)} response(s) are {', '.join(types)}",
        evidence=wrong,
    )


MEDIA_TYPE: Final = Check.define(
    "RFC7644-3.8-MEDIA-TYPE",
    "Responses are application/scim+json",
    "RFC 7644 §3.1, §3.8, §8.1; Entra S1",
    "SHOULD",
    RFC_ONLY,
    "Send Content-Type: application/scim+json on every SCIM response (the client asks for "
    "it with Accept: application/scim+json; pond/scimitar#59).",
    _media_type,
    sweep=True,
)


def _schema_validation(ctx: CheckContext) -> Finding:
    checked = 0
    findings: list[tuple[Exchange, str]] = []
    for exchange in ctx.log.all():
        if exchange.status is None or not exchange.response_body:
            continue
        body = exchange.json()
        if body is None:
            if exchange.status < 300 and exchange.method != "DELETE":
                findings.append((exchange, f"{exchange.describe()}: the body is not JSON"))
            continue
        checked += 1
        for violation in validate_exchange(
            exchange.method, exchange.path, exchange.status, None, body
        ):
            findings.append((exchange, str(violation)))
    if not findings:
        return ok(f"{checked} response bod(ies) valid")
    shown = "; ".join(text for _, text in findings[:3])
    return bad(
        f"{len(findings)} schema violation(s) in {len({e.index for e, _ in findings})} "
        f"response(s): {shown}",
        evidence=list({e.index: e for e, _ in findings}.values()),
    )


SCHEMA_VALIDATION: Final = Check.define(
    "RFC7643-SCHEMA-VALIDATION",
    "Every response body validates against the RFC 7643/7644 JSON Schemas",
    "RFC 7643 §2-§8; RFC 7644 §3 (provisim's JSON Schemas)",
    "MUST",
    RFC_ONLY,
    "Fix the response bodies named in the evidence: each violation gives the JSON pointer "
    "and the rule it breaks.",
    _schema_validation,
    sweep=True,
)


__all__ = ["ERROR_BODIES", "MEDIA_TYPE", "SCHEMA_VALIDATION"]
