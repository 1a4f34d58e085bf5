"""RFC 7644 §3.4.2 queries: an empty result, filters (userName, externalId, a value
path, a group's displayName), excludedAttributes (§3.9) and pagination.

Entra finds every user and group with a filter before it creates one (S1), so most of
these count for Entra too.
"""

from __future__ import annotations

import json
from typing import Final

from fake_entra.dialects import PATCH_OP_SCHEMA
from fake_entra.scim_client import eq_filter
from harness.conformance.checks.clauses import (
    COUNT_LIMIT,
    ENTRA_EXCLUDED,
    ENTRA_GROUP_MATCHING,
    ENTRA_MATCHING,
    ENTRA_QUARANTINE_404,
    ENTRA_TEST_CONNECTION,
    EXCLUDED_ATTRIBUTES,
    FILTER_MATCHES,
    FILTER_OPTIONAL,
)
from harness.conformance.checks.clauses import (
    START_INDEX as START_INDEX_DEFINED,
)
from harness.conformance.checks.context import Check, CheckContext, Fixture
from harness.conformance.checks.discovery import require_supported
from harness.conformance.exchanges import Exchange, list_resources
from harness.conformance.results import ENTRA_AND_RFC, RFC_ONLY, Finding, Unmet, bad, ok


def expect_one(exchange: Exchange, wanted_id: str, what: str, hint: str) -> Finding:
    """A filtered query must answer 200 with exactly the one resource ``wanted_id``."""
    if exchange.status != 200:
        return bad(f"{what}: {exchange.describe()}, expected 200 with a ListResponse", hint)
    resources = list_resources(exchange)
    if resources is None:
        return bad(f"{what}: the 200 body is not a SCIM ListResponse", hint)
    total = exchange.json().get("totalResults")
    ids = [str(r.get("id")) for r in resources]
    if wanted_id not in ids:
        return bad(f"{what}: the test resource is not among the {total} result(s)", hint)
    if len(resources) > 1 or total != 1:
        return bad(
            f"{what}: {total} result(s) where only the test resource matches; the filter was "
            "not applied",
            "Apply the filter: answer only the resources that match it (RFC 7644 §3.4.2.2).",
        )
    return ok(f"{what}: found exactly the test resource")


def _swap_case(text: str) -> str:
    return text.swapcase() if text.swapcase() != text else text.upper()


def _finds(
    ctx: CheckContext,
    fixture: Fixture,
    filter_text: str,
    hint: str,
    *,
    what: str | None = None,
    excluded: str | None = None,
) -> Finding:
    """Query the fixture's endpoint with ``filter_text``: exactly the fixture must come back."""
    params = {"excludedAttributes": excluded} if excluded else {}
    exchange = ctx.probe.get(fixture.endpoint, {**params, "filter": filter_text})
    return expect_one(exchange, str(fixture.id), what or f"filter {filter_text}", hint)


def _empty_search(ctx: CheckContext) -> Finding:
    exchange = ctx.probe.get("Users", {"filter": eq_filter("userName", ctx.guid())})
    if exchange.status == 404:
        return bad(
            "a query matching nothing answered 404",
            "Answer a query that matches nothing with 200 and an empty ListResponse "
            '({"totalResults":0,"Resources":[]}), never 404: Entra\'s Test Connection fails and '
            "the job is quarantined (S4; jelhub/scimgateway#18, grokability/snipe-it#11913).",
        )
    if exchange.status != 200:
        return bad(f"{exchange.describe()}, expected 200 with an empty ListResponse")
    resources = list_resources(exchange)
    if resources is None:
        return bad("the 200 body is not a SCIM ListResponse with a numeric totalResults")
    total = exchange.json()["totalResults"]
    if total != 0 or resources:
        return bad(
            f"a filter no user matches returned {max(total, len(resources))} user(s)",
            "Apply the filter: a userName no user has must give totalResults 0.",
        )
    return ok("200 with totalResults 0")


EMPTY_SEARCH: Final = Check.define(
    "RFC7644-3.4.2-EMPTY-SEARCH",
    "A query that matches nothing answers 200 with an empty ListResponse",
    "RFC 7644 §3.4.2; Entra S1 (Test Connection), S4",
    FILTER_MATCHES.level,
    ENTRA_AND_RFC,
    "Answer 200 with totalResults 0 and no Resources when nothing matches.",
    _empty_search,
    clauses=(FILTER_MATCHES,),
    microsoft=(
        ENTRA_TEST_CONNECTION,
        ENTRA_QUARANTINE_404,
    ),
)


def _filter_user_name(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    return _finds(
        ctx,
        user,
        eq_filter("userName", user["userName"]),
        'Support filter=userName eq "...": Entra matches every user with it before creating '
        "one (S1), so without it every cycle creates duplicates or conflicts.",
    )


FILTER_USERNAME: Final = Check.define(
    "RFC7644-3.4.2.2-FILTER-USERNAME",
    'filter=userName eq "..." finds exactly that user',
    "RFC 7644 §3.4.2.2; Entra S1 (matching)",
    FILTER_MATCHES.level,
    ENTRA_AND_RFC,
    'Support filter=userName eq "...".',
    _filter_user_name,
    clauses=(FILTER_MATCHES,),
    microsoft=(ENTRA_MATCHING,),
)


def _user_name_case(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    variant = _swap_case(user["userName"])
    return _finds(
        ctx,
        user,
        eq_filter("userName", variant),
        "Compare userName case-insensitively (RFC 7643 §4.1.1: caseExact false). Entra matches "
        "on userPrincipalName, which is case-insensitive: a UPN whose case changed is not "
        "found, Entra POSTs it again and meets 409 (SimpleIdServer#489).",
        what=f'filter userName eq "{variant}" (the userName in other case)',
    )


USERNAME_CASE_INSENSITIVE: Final = Check.define(
    "RFC7643-4.1.1-USERNAME-CASE-INSENSITIVE",
    "userName eq compares case-insensitively (caseExact false)",
    "RFC 7643 §4.1.1; RFC 7644 §3.4.2.2",
    FILTER_MATCHES.level,
    RFC_ONLY,
    "Compare userName case-insensitively in filters.",
    _user_name_case,
    clauses=(FILTER_MATCHES,),
)


def _filter_external_id(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    return _finds(
        ctx,
        user,
        eq_filter("externalId", user["externalId"]),
        'Support filter=externalId eq "...": Entra queries users "by their username and '
        'externalId" (S1; langwatch/tasks#616).',
    )


FILTER_EXTERNALID: Final = Check.define(
    "RFC7644-3.4.2.2-FILTER-EXTERNALID",
    'filter=externalId eq "..." finds exactly that user',
    "RFC 7644 §3.4.2.2; Entra S1 (queries by userName and externalId)",
    FILTER_MATCHES.level,
    ENTRA_AND_RFC,
    'Support filter=externalId eq "...".',
    _filter_external_id,
    clauses=(FILTER_MATCHES,),
    microsoft=(ENTRA_MATCHING,),
)


def _filter_value_path(ctx: CheckContext) -> Finding:
    # RFC 7644 §3.4.2.2: a server that declares filter.supported false need not filter.
    require_supported(ctx, "filter")
    user = ctx.require_user("grace")
    address = json.dumps(ctx.email("grace", "work"))
    return _finds(
        ctx,
        user,
        f'emails[type eq "work" and value eq {address}]',
        'Support value-path filters on multi-valued attributes (emails[type eq "work" and '
        'value eq "..."], RFC 7644 §3.4.2.2 valuePath): Entra sends one when the work email '
        "is the matching attribute.",
    )


FILTER_VALUE_PATH: Final = Check.define(
    "RFC7644-3.4.2.2-FILTER-VALUE-PATH",
    'A value-path filter on emails finds the user (emails[type eq "work" and value eq ...])',
    "RFC 7644 §3.4.2.2 (valuePath); Entra S1 (users queried by work email)",
    FILTER_OPTIONAL.level,
    RFC_ONLY,
    "Support value-path filters on emails.",
    _filter_value_path,
    clauses=(FILTER_OPTIONAL,),
)


def _group_display_name(ctx: CheckContext) -> Finding:
    group = ctx.require_group("one")
    return _finds(
        ctx,
        group,
        eq_filter("displayName", group["displayName"]),
        'Support filter=displayName eq "..." on /Groups: Entra matches groups by displayName (S1).',
        excluded="members",
    )


FILTER_GROUP_DISPLAYNAME: Final = Check.define(
    "RFC7644-3.4.2.2-FILTER-GROUP-DISPLAYNAME",
    'filter=displayName eq "..." on /Groups finds exactly that group',
    "RFC 7644 §3.4.2.2; Entra S1 (groups queried by displayName)",
    FILTER_MATCHES.level,
    ENTRA_AND_RFC,
    'Support filter=displayName eq "..." on /Groups.',
    _group_display_name,
    clauses=(FILTER_MATCHES,),
    microsoft=(ENTRA_GROUP_MATCHING,),
)


def _excluded_members(ctx: CheckContext) -> Finding:
    group = ctx.require_group("one")
    member = ctx.require_user("ada")
    add = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": member.id}]}],
    }
    added = ctx.probe.patch(f"Groups/{group.id}", add)
    full = ctx.probe.get(f"Groups/{group.id}")
    members = full.json().get("members") if isinstance(full.json(), dict) else None
    if added.status not in (200, 204) or not members:
        raise Unmet(
            "needs a group with a member, but adding one failed "
            f"({added.describe()}; {full.describe()})",
            [added, full],
        )
    hint = (
        "Leave members out when excludedAttributes=members is asked (RFC 7644 §3.9): Entra "
        "queries groups that way and logs SystemForCrossDomainIdentityManagementMultipleEntries"
        "InResponse when members come back (S13; SimpleIdServer#490)."
    )
    query = ctx.probe.get(
        "Groups",
        {"excludedAttributes": "members", "filter": eq_filter("displayName", group["displayName"])},
    )
    resources = list_resources(query)
    if query.status != 200 or not resources:
        return bad(f"the group query: {query.describe()}, expected the test group", hint)
    if any(r.get("members") for r in resources):
        return bad(
            "GET /Groups?excludedAttributes=members&filter=... returned members", hint, [query]
        )
    single = ctx.probe.get(f"Groups/{group.id}", {"excludedAttributes": "members"})
    if single.status != 200 or not isinstance(single.json(), dict):
        return bad(f"GET /Groups/{{id}}?excludedAttributes=members: {single.describe()}", hint)
    if single.json().get("members"):
        return bad("GET /Groups/{id}?excludedAttributes=members returned members", hint, [single])
    return ok("members left out of the query and of the single group")


EXCLUDED_MEMBERS: Final = Check.define(
    "RFC7644-3.9-EXCLUDED-MEMBERS",
    "excludedAttributes=members leaves members out of groups",
    "RFC 7644 §3.9; Entra S1, S13",
    EXCLUDED_ATTRIBUTES.level,
    ENTRA_AND_RFC,
    "Honour excludedAttributes=members on /Groups queries and reads.",
    _excluded_members,
    clauses=(EXCLUDED_ATTRIBUTES,),
    microsoft=(ENTRA_EXCLUDED,),
)


def _pages(ctx: CheckContext) -> tuple[Exchange, Exchange]:
    """Two pages of /Users, one user each: what the count and startIndex checks judge."""
    ctx.require_user("ada")
    ctx.require_user("grace")
    return (
        ctx.probe.get("Users", {"startIndex": "1", "count": "1"}),
        ctx.probe.get("Users", {"startIndex": "2", "count": "1"}),
    )


def _count(ctx: CheckContext) -> Finding:
    for number, exchange in enumerate(_pages(ctx), start=1):
        resources = list_resources(exchange)
        if exchange.status != 200 or resources is None:
            return bad(
                f"page {number}: {exchange.describe()}, expected 200 with a ListResponse",
                evidence=[exchange],
            )
        if len(resources) > 1:
            return bad(
                f"GET /Users?startIndex={number}&count=1 returned {len(resources)} resources: "
                "count was ignored",
                "Return at most count resources per page (RFC 7644 §3.4.2.4: the service "
                "provider MUST NOT return more results than specified).",
                [exchange],
            )
        if not resources:
            return bad(
                f"page {number} (count=1) holds no resource, though two test users exist",
                "Return the page asked for: count=1 must give one resource while more exist.",
                [exchange],
            )
    return ok("count=1 gives one resource per page")


COUNT: Final = Check.define(
    "RFC7644-3.4.2.4-COUNT",
    "count caps the resources per page",
    "RFC 7644 §3.4.2.4",
    COUNT_LIMIT.level,
    RFC_ONLY,
    "Return at most count resources per page.",
    _count,
    clauses=(COUNT_LIMIT,),
)


def _start_index(ctx: CheckContext) -> Finding:
    first, second = _pages(ctx)
    ids = []
    for number, exchange in enumerate((first, second), start=1):
        resources = list_resources(exchange)
        if exchange.status != 200 or not resources:
            raise Unmet(
                f"needs a page of /Users, but page {number}: {exchange.describe()}",
                [exchange],
                blocked_by="RFC7644-3.4.2.4-COUNT",
            )
        body = exchange.json()
        if body.get("startIndex") not in (None, number):
            return bad(
                f"page {number} answers startIndex {body.get('startIndex')}", evidence=[exchange]
            )
        ids.append(resources[0].get("id"))
    if ids[0] == ids[1]:
        return bad(
            "startIndex=1 and startIndex=2 start with the same user",
            "Honour startIndex (1-based): page 2 starts with the second resource.",
            [first, second],
        )
    return ok("startIndex=2 starts with the second user")


START_INDEX: Final = Check.define(
    "RFC7644-3.4.2.4-START-INDEX",
    "startIndex is the 1-based index of the first result",
    "RFC 7644 §3.4.2.4",
    START_INDEX_DEFINED.level,
    RFC_ONLY,
    "Honour startIndex (1-based) on queries.",
    _start_index,
    clauses=(START_INDEX_DEFINED,),
)


__all__ = [
    "COUNT",
    "EMPTY_SEARCH",
    "EXCLUDED_MEMBERS",
    "FILTER_EXTERNALID",
    "FILTER_GROUP_DISPLAYNAME",
    "FILTER_USERNAME",
    "FILTER_VALUE_PATH",
    "START_INDEX",
    "USERNAME_CASE_INSENSITIVE",
    "expect_one",
]
