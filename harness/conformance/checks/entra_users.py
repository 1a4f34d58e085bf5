"""What Entra's user updates need beyond the RFC (entra-provisioning-service.md §1).

Entra adds or replaces ``emails[type eq "work"].value`` on users that have no work email
yet, and needs the element created; RFC 7644 §3.5.2.3 answers a replace on an unmatched
value filter with 400 noTarget instead, so that check is Entra's alone and goes against
the letter of the RFC. Entra also reads deactivated users back to re-enable or delete
them, so they must stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from fake_entra.dialects import PATCH_OP_SCHEMA
from fake_entra.scim_client import eq_filter
from fake_entra.target_values import read_value
from harness.conformance.checks.clauses import (
    ENTRA_DISABLE,
    ENTRA_USER_UPDATE,
)
from harness.conformance.checks.context import Check, CheckContext
from harness.conformance.checks.queries import expect_one
from harness.conformance.results import ENTRA_ONLY, Finding, Unmet, bad, ok


def _emails(resource: Mapping[str, Any]) -> list[dict[str, Any]]:
    value = read_value(resource, "emails")
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _typed(emails: Sequence[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    return [e for e in emails if str(e.get("type", "")).lower() == kind]


def _value_path_write(ctx: CheckContext, key: str, op: str) -> Finding:
    user = ctx.require_user(key)
    address = f"{ctx.prefix}rfc-{key}-{op}@example.com"
    path = 'emails[type eq "work"].value'
    body = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": op, "path": path, "value": address}],
    }
    exchange = ctx.probe.patch(f"Users/{user.id}", body)
    hint = (
        f"Create the element on {op} to {path} when the user has no work email: Entra sends "
        "exactly this to users that have none yet (S1; sourcegraph#49119, "
        "scim-for-keycloak#73)."
    )
    if op == "replace":
        hint += " RFC 7644 §3.5.2.3 would answer 400 noTarget, but Entra cannot recover from it."
    if exchange.status not in (200, 204):
        return bad(f"{exchange.describe()}, expected 200 or 204", hint)
    read = ctx.probe.get(f"Users/{user.id}")
    if read.status != 200 or not isinstance(read.json(), dict):
        return bad(f"reading the user back: {read.describe()}", hint)
    emails = _emails(read.json())
    if not any(e.get("value") == address for e in _typed(emails, "work")):
        return bad(
            f"the PATCH answered {exchange.status}, but the user has no work email {address}", hint
        )
    had = [e["value"] for e in user.body.get("emails", ())]
    lost = [value for value in had if not any(e.get("value") == value for e in emails)]
    if lost:
        return bad(f"the email(s) the user had are gone: {', '.join(lost)}", hint)
    return ok(f"{op} created the work email")


def _value_path_add(ctx: CheckContext) -> Finding:
    return _value_path_write(ctx, "linus", "add")


PATCH_ADD_VALUE_PATH: Final = Check.define(
    "ENTRA-S1-PATCH-ADD-VALUE-PATH",
    'PATCH add on emails[type eq "work"].value creates the element when none matches',
    "Entra S1 (User update); RFC 7644 §3.5.2.1",
    "MUST",
    ENTRA_ONLY,
    "Create the work email on add when the user has none.",
    _value_path_add,
    microsoft=(ENTRA_USER_UPDATE,),
)


def _value_path_replace(ctx: CheckContext) -> Finding:
    return _value_path_write(ctx, "ada", "replace")


PATCH_REPLACE_VALUE_PATH: Final = Check.define(
    "ENTRA-S1-PATCH-REPLACE-VALUE-PATH",
    'PATCH replace on emails[type eq "work"].value creates the element when none matches',
    "Entra S1 (User update); differs from RFC 7644 §3.5.2.3 (noTarget)",
    "MUST",
    ENTRA_ONLY,
    "Create the work email on replace when the user has none, as Entra expects; RFC 7644 "
    "§3.5.2.3 would answer 400 noTarget here, which Entra cannot recover from.",
    _value_path_replace,
    microsoft=(ENTRA_USER_UPDATE,),
)


def _inactive_returned(ctx: CheckContext) -> Finding:
    user = ctx.require_user("hedy")
    body = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    patched = ctx.probe.patch(f"Users/{user.id}", body)
    if patched.status not in (200, 204):
        raise Unmet(f"needs an inactive user, but {patched.describe()}", [patched])
    read = ctx.probe.get(f"Users/{user.id}")
    hint = (
        "Keep deactivated users readable (GET /Users/{id} and filters) with active false; only "
        "deleted users may answer 404. Entra reads them to re-enable or delete them (S1; "
        "growthbook#1680)."
    )
    if read.status != 200 or not isinstance(read.json(), dict):
        return bad(f"GET of the deactivated user: {read.describe()}", hint, [patched, read])
    if read.json().get("active") is not False:
        return bad(
            f"after PATCH active false the user reads active={read.json().get('active')!r}",
            "Apply PATCH replace of active: the PATCH was acknowledged but the user is still "
            "active, so deprovisioning silently fails (Cogtrix#122).",
            [patched, read],
        )
    query = ctx.probe.get("Users", {"filter": eq_filter("userName", user["userName"])})
    found = expect_one(query, str(user.id), "filter userName eq on the inactive user", hint)
    if not found.passed:
        return found
    return ok("the inactive user is returned by id and by filter, with active false")


INACTIVE_USER_RETURNED: Final = Check.define(
    "ENTRA-S1-INACTIVE-USER-RETURNED",
    "A deactivated user is still returned, with active false",
    "Entra S1 (Disable: only hard-deleted users may 404)",
    "MUST",
    ENTRA_ONLY,
    "Keep deactivated users readable with active false.",
    _inactive_returned,
    microsoft=(ENTRA_DISABLE,),
)


__all__ = ["INACTIVE_USER_RETURNED", "PATCH_ADD_VALUE_PATH", "PATCH_REPLACE_VALUE_PATH"]
