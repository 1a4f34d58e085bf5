"""RFC 7643/7644 semantics that real servers get wrong and Entra's traffic alone does not
show: userName uniqueness that ignores case (RFC 7643 §4.1.1, ``caseExact`` false),
filter attribute names that ignore case (RFC 7644 §3.4.2.2) and null as unassigned
(RFC 7643 §2.5)."""

from __future__ import annotations

from typing import Any, Final

from fake_entra.dialects import CORE_USER_SCHEMA
from fake_entra.scim_client import eq_filter
from harness.conformance.checks.clauses import (
    FILTER_MATCHES,
    FILTER_NAMES_CASE,
    NULL_UNASSIGNED,
    USERNAME_UNIQUE,
)
from harness.conformance.checks.context import Check, CheckContext
from harness.conformance.checks.queries import expect_one
from harness.conformance.results import RFC_ONLY, Finding, bad, ok


def _swap_case(text: str) -> str:
    return text.swapcase() if text.swapcase() != text else text.upper()


def _unique_ignoring_case(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    variant = _swap_case(user["userName"])
    duplicate = dict(user.body, userName=variant, externalId=f"{ctx.prefix}rfc-ada-case")
    exchange = ctx.probe.post("Users", duplicate)
    ctx.register("Users", exchange, f"{variant} (case duplicate)")
    if exchange.status == 409:
        return ok("409: a userName that differs only in case is a duplicate")
    hint = (
        "Compare userName case-insensitively when you enforce its uniqueness: the User "
        'schema declares it "caseExact" false and "uniqueness" server (RFC 7643 §4.1.1, '
        "§8.7.1), so a second user whose userName differs only in case is a duplicate "
        '(409, scimType "uniqueness", RFC 7644 §3.3).'
    )
    if exchange.status is not None and 200 <= exchange.status < 300:
        return bad(
            f"POST /Users with userName {variant!r} created a second user, though "
            f"{user['userName']!r} exists and differs only in case",
            hint,
            [user.exchange, exchange],
        )
    return bad(f"{exchange.describe()}, expected 409 Conflict", hint, [exchange])


USERNAME_UNIQUE_CASE: Final = Check.define(
    "RFC7643-4.1.1-USERNAME-UNIQUE-CASE",
    "A userName that differs only in case is refused as a duplicate (409)",
    "RFC 7643 §4.1.1, §8.7.1 (caseExact false); RFC 7644 §3.3",
    USERNAME_UNIQUE.level,
    RFC_ONLY,
    "Enforce userName uniqueness case-insensitively.",
    _unique_ignoring_case,
    clauses=(USERNAME_UNIQUE,),
)


def _attribute_name_case(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    filter_text = eq_filter("USERNAME", user["userName"])
    exchange = ctx.probe.get("Users", {"filter": filter_text})
    hint = (
        'Match filter attribute names case-insensitively (RFC 7644 §3.4.2.2: "Attribute '
        'names and attribute operators used in filters are case insensitive."): '
        '"USERNAME eq" must find what "userName eq" finds.'
    )
    finding = expect_one(exchange, str(user.id), f"filter {filter_text}", hint)
    if finding.passed:
        return finding
    return bad(finding.message, hint, [exchange])


FILTER_ATTRIBUTE_CASE: Final = Check.define(
    "RFC7644-3.4.2.2-FILTER-ATTRIBUTE-CASE",
    'Filter attribute names ignore case (USERNAME eq "..." finds the user)',
    "RFC 7644 §3.4.2.2",
    FILTER_NAMES_CASE.level,
    RFC_ONLY,
    "Match filter attribute names case-insensitively.",
    _attribute_name_case,
    clauses=(FILTER_NAMES_CASE, FILTER_MATCHES),
)

#: Optional attributes the null check sends as null (RFC 7643 §4.1.1, §4.1.2).
NULL_ATTRIBUTES: Final = ("nickName", "title", "preferredLanguage")


def _null_unassigned(ctx: CheckContext) -> Finding:
    local = f"{ctx.prefix}rfc-nora"
    body: dict[str, Any] = {
        "schemas": [CORE_USER_SCHEMA],
        "userName": f"{local}@example.com",
        "externalId": local,
        "name": {"givenName": "Nora", "familyName": "Conformance", "middleName": None},
        "active": True,
        **{name: None for name in NULL_ATTRIBUTES},
    }
    exchange = ctx.probe.post("Users", body)
    ctx.register("Users", exchange, body["userName"])
    hint = (
        "Accept null for an optional attribute and treat it as unassigned (RFC 7643 §2.5: "
        '"Unassigned attributes, the null value, or empty array ... SHALL be considered to '
        "be equivalent in 'state'\"), instead of refusing the request."
    )
    if exchange.status != 201:
        return bad(
            f"POST /Users with {', '.join(NULL_ATTRIBUTES)} null: {exchange.describe()}, "
            "expected 201 Created",
            hint,
            [exchange],
        )
    created = exchange.json()
    if not isinstance(created, dict):
        return bad("the 201 body is not a JSON object", hint, [exchange])
    kept = [name for name in NULL_ATTRIBUTES if created.get(name) not in (None, "", [])]
    if kept:
        return bad(
            f"the created user has a value for {', '.join(kept)}, sent as null",
            "Store a null attribute as unassigned, not as a value (RFC 7643 §2.5).",
            [exchange],
        )
    return ok("201: the null attributes are unassigned")


NULL_IS_UNASSIGNED: Final = Check.define(
    "RFC7643-2.5-NULL-UNASSIGNED",
    "null for an optional attribute is accepted as unassigned",
    "RFC 7643 §2.5",
    NULL_UNASSIGNED.level,
    RFC_ONLY,
    "Accept null as unassigned.",
    _null_unassigned,
    clauses=(NULL_UNASSIGNED,),
)


__all__ = ["FILTER_ATTRIBUTE_CASE", "NULL_ATTRIBUTES", "NULL_IS_UNASSIGNED", "USERNAME_UNIQUE_CASE"]
