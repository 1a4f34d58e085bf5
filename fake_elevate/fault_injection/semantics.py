"""Fault profiles that answer, but bend RFC 7644's semantics: an empty search as 404,
case-sensitive userName, members despite excludedAttributes, a create without Location,
deactivated users that vanish, a deactivation acknowledged but not applied."""

from __future__ import annotations

import json
import re
from typing import Any

from .exchange import FaultRequest, FaultResponse, Forward, scim_error
from .fault import Fault, FaultOptions

#: ``userName eq "value"``: the only user filter Entra sends (entra §1 "Queries").
_USER_NAME_EQ = re.compile(r'^\s*userName\s+eq\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$', re.I)


class EmptySearch404(Fault):
    """A filtered query that matches nothing answers 404 instead of an empty ListResponse.

    Imitates jelhub/scimgateway#18 ("when user is not found, its sending 404 response instead
    of 200 with empty array") and grokability/snipe-it#11913 (Entra quarantine: "An HTTP/404
    Not Found response was returned rather than the expected HTTP/200 OK"). Entra's Test
    Connection and every create rely on the empty ListResponse (entra §1 "Queries", S4).
    """

    name = "empty-search-404"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        response = await forward(request)
        if (
            request.method == "GET"
            and request.resource_id is None
            and request.param("filter") is not None
            and response.status == 200
        ):
            body = response.json()
            if isinstance(body, dict) and body.get("totalResults") == 0:
                self._hit()
                return scim_error(404, "Resource not found")
        return response


class CaseSensitiveUserName(Fault):
    """``userName eq "x"`` compares case-sensitively, though RFC 7643 §4.1.1 says caseExact
    false: a user created as ``Alex@contoso.com`` is not found as ``alex@contoso.com``.

    Imitates SimpleIdServer#489 ("userName attribute should be case insensitive"),
    thomaspoignant/scim2-parse-filter#115 and langfuse/langfuse#13528. Entra then POSTs and
    meets a uniqueness conflict (409), or creates a duplicate on a store that allows one.
    """

    name = "case-sensitive-username"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        response = await forward(request)
        wanted = _filter_user_name(request)
        if wanted is None or response.status != 200:
            return response
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("Resources"), list):
            return response
        kept = [r for r in body["Resources"] if isinstance(r, dict) and r.get("userName") == wanted]
        dropped = len(body["Resources"]) - len(kept)
        if not dropped:
            return response
        self._hit()
        total = body.get("totalResults")
        return response.with_json(
            {
                **body,
                "totalResults": max(0, total - dropped) if isinstance(total, int) else len(kept),
                "itemsPerPage": len(kept),
                "Resources": kept,
            }
        )


def _filter_user_name(request: FaultRequest) -> str | None:
    if request.method != "GET" or request.endpoint != "Users" or request.resource_id:
        return None
    match = _USER_NAME_EQ.match(request.param("filter") or "")
    if match is None:
        return None
    return str(json.loads(f'"{match["value"]}"'))


class MembersInExcluded(Fault):
    """``excludedAttributes=members`` is ignored: groups come back with their members.

    Imitates SimpleIdServer#490 ("excluding 'members' from a Group query does not exclude the
    attribute from the response") and wso2/product-is#8498. Entra then logs
    SystemForCrossDomainIdentityManagementMultipleEntriesInResponse (S13).
    """

    name = "members-in-excluded"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        excluded = request.param("excludedAttributes")
        if request.method != "GET" or request.endpoint != "Groups" or excluded is None:
            return await forward(request)
        names = [n for n in excluded.split(",") if n.strip() and n.strip().lower() != "members"]
        if len(names) == len([n for n in excluded.split(",") if n.strip()]):
            return await forward(request)
        self._hit()
        query = [(k, v) for k, v in request.query if k != "excludedAttributes"]
        if names:
            query.append(("excludedAttributes", ",".join(names)))
        return await forward(request.with_query(query))


class NoLocation(Fault):
    """201 Created without a ``Location`` header or ``meta.location``.

    Imitates wso2/product-is#5328 (responses without ``meta.location``) and #7317 (a wrong
    Location header); RFC 7644 §3.3 says the response SHALL carry it. Entra reads only the
    ``id`` of a created resource (entra §1), so a faithful client carries on.
    """

    name = "no-location"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        response = await forward(request)
        if request.method != "POST" or response.status != 201:
            return response
        self._hit()
        response = response.without_header("location")
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("meta"), dict):
            meta = {k: v for k, v in body["meta"].items() if k != "location"}
            response = response.with_json({**body, "meta": meta})
        return response


class HideInactive(Fault):
    """Deactivated users vanish: left out of queries, 404 on ``/Users/{id}`` (PATCH included).

    Imitates growthbook/growthbook#1680 (deactivation removes the user, so a later lookup is
    empty and the IdP creates it again), ssoready/ssoready#155 and kortix-ai/suna#4244. Entra
    needs inactive users to stay readable: "only hard-deleted users may 404" (entra §1
    "Disable"); a re-enable then fails with InvalidAnchor.
    """

    name = "hide-inactive"

    def __init__(self, options: FaultOptions) -> None:
        super().__init__(options)
        self.hidden: set[str] = set()

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        resource_id = request.resource_id
        if request.endpoint == "Users" and resource_id is not None:
            with self._lock:
                hidden = resource_id in self.hidden
            if hidden:
                self._hit()
                return scim_error(404, f"User {resource_id!r} not found")
        response = await forward(request)
        if request.endpoint != "Users" or response.status >= 300:
            return response
        body = response.json()
        if not isinstance(body, dict):
            return response
        if isinstance(body.get("Resources"), list):
            kept = [r for r in body["Resources"] if not self._note(r)]
            dropped = len(body["Resources"]) - len(kept)
            if dropped:
                self._hit()
                total = body.get("totalResults")
                return response.with_json(
                    {
                        **body,
                        "totalResults": total - dropped if isinstance(total, int) else len(kept),
                        "itemsPerPage": len(kept),
                        "Resources": kept,
                    }
                )
            return response
        self._note(body)
        return response

    def _note(self, resource: Any) -> bool:
        """Remember whether ``resource`` is inactive; True when it is to be hidden."""
        if not isinstance(resource, dict) or not isinstance(resource.get("id"), str):
            return False
        inactive = resource.get("active") is False
        with self._lock:
            if inactive:
                self.hidden.add(resource["id"])
            else:
                self.hidden.discard(resource["id"])
        return inactive


class IgnoreActive(Fault):
    """PATCH ``active`` is acknowledged (200) but not applied: deprovisioning silently fails.

    Imitates NorthlandPositronics/Cogtrix#122 ("SCIM PATCH active=false is a no-op —
    deprovisioning silently fails") and getsentry/sentry-docs#16258. Entra logs the disable
    as a success, so only the target shows the user still active (licence still held).
    """

    name = "ignore-active"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        operations = request.patch_operations() if request.endpoint == "Users" else []
        kept: list[dict[str, Any]] = []
        for operation in operations:
            if str(operation.get("path", "")).strip().lower() == "active":
                continue
            value = operation.get("value")
            if "path" not in operation and isinstance(value, dict):
                trimmed = {k: v for k, v in value.items() if k.lower() != "active"}
                if not trimmed:
                    continue
                operation = {**operation, "value": trimmed}
            kept.append(operation)
        if kept == operations:
            return await forward(request)
        self._hit()
        if not kept:
            # Nothing left to apply: answer as a PATCH that changed nothing, with the resource.
            return await forward(request.with_body(b"", method="GET"))
        raw = json.dumps({**request.json(), "Operations": kept}, separators=(",", ":")).encode()
        return await forward(request.with_body(raw))
