"""The SCIM resource routes: list, search, create, get, replace, patch and delete Users and Groups.

Each handler takes a :class:`ScimRequest` (and the resource id, for item routes) and
returns a :class:`ScimReply`; refusals are raised as :class:`ScimError`. The same
handlers answer through the ASGI fast path (:mod:`fake_elevate.web.asgi`) and, wrapped,
through FastAPI's router.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..account import ElevateAccount
from ..account_center import ScimConfiguration, TokenRefused
from ..scim.errors import ScimError, invalid_syntax, invalid_value
from ..scim.filter.fast_path import simple_equality
from ..scim.resource import parse_attribute_list, project
from ..scim.schema import (
    LIST_RESPONSE_SCHEMA,
    RESOURCE_TYPES,
    SCIM_MEDIA_TYPE,
    SEARCH_REQUEST_SCHEMA,
    ResourceType,
)
from ..store import MAX_RESULTS, Page, ScimStore
from .json_body import decode_body
from .reply import Handler, ScimReply, Unauthorized, entity_reply, scim_reply
from .request import LightCheck, ScimRequest

_ACCEPTED_MEDIA_TYPES = ("application/scim+json", "application/json")

#: The largest request body a light create (see ResourceRoute.light) may carry: a body
#: this size is normalised and stored in well under a millisecond.
LIGHT_BODY_LIMIT = 16 * 1024
#: A light user PATCH: its body (a few operations) and how many values, in all, the
#: user's multi-valued attributes may hold (each operation reads or copies them).
LIGHT_PATCH_BODY_LIMIT = 4 * 1024
LIGHT_VALUES_LIMIT = 64
#: The longest query string of a light filtered GET.
LIGHT_QUERY_LIMIT = 1024
#: Per resource type, the filter attributes the store looks up in an index (ScimStore's
#: unique name, externalId and id): ``attr eq "value"`` on one of them finds its few
#: candidates at once, without a scan.
_INDEXED = {"User": ("username", "externalid", "id"), "Group": ("displayname", "externalid", "id")}
_EQUALITY = re.compile(r'\s*([A-Za-z]+)\s+eq\s+"(?:[^"\\]|\\.)*"\s*', re.ASCII)


@dataclass(frozen=True)
class ResourceRoute:
    """One resource route: method, path under the base path, handler, OpenAPI summary.

    ``light``, when set, tells whether a request to this route is small enough to be
    answered on the event loop rather than in a worker thread (ScimFastPath): its work
    is bounded by a small constant, so no other client waits noticeably for it, and the
    thread hand-over it saves is a large share of such a request's cost.
    """

    method: str
    path: str
    handler: Handler
    summary: str
    light: LightCheck | None = None


def _small_body(request: ScimRequest, _params: dict[str, str]) -> bool:
    return len(request.body) <= LIGHT_BODY_LIMIT


def light_user_patch(store: ScimStore) -> LightCheck:
    """Whether a user PATCH is light: a short body (a few operations) on a user whose
    multi-valued attributes are short (ScimStore.is_compact), so that applying it reads
    and copies little. Called with the store's lock held."""

    def light(request: ScimRequest, params: dict[str, str]) -> bool:
        return len(request.body) <= LIGHT_PATCH_BODY_LIMIT and store.is_compact(
            "User", params.get("resource_id", ""), LIGHT_VALUES_LIMIT
        )

    return light


def light_filter(type_name: str) -> LightCheck:
    """Whether a GET of ``type_name``s is an indexed equality filter: at most a few
    candidates (the ones sharing an externalId), no sorting, and for Groups without
    their members (which Entra excludes; a group's members are unbounded)."""
    indexed = _INDEXED[type_name]

    def light(request: ScimRequest, _params: dict[str, str]) -> bool:
        if len(request.scope.get("query_string", b"")) > LIGHT_QUERY_LIMIT:
            return False
        query = request.query_params()
        flt = query.get("filter")
        if flt is None or query.get("sortBy") is not None:
            return False
        parts = simple_equality(flt)
        if parts is not None:
            # _EQUALITY below matches such a text exactly when its word is all letters and
            # its operator is "eq"; the split is remembered for the store's search.
            word, operator, _ = parts
            if operator != "eq" or not word.isalpha() or word.lower() not in indexed:
                return False
        else:
            match = _EQUALITY.fullmatch(flt)
            if match is None or match.group(1).lower() not in indexed:
                return False
        if type_name == "Group":
            excluded = (query.get("excludedAttributes") or "").lower()
            return "members" in excluded.replace(" ", "").split(",")
        return True

    return light


class ResourceHandlers:
    """The resource handlers of one account, and what they share: authentication, bodies,
    searching and rendering."""

    def __init__(self, account: ElevateAccount) -> None:
        self.account = account
        self.settings = account.settings

    # --- what every handler does -----------------------------------------------------------

    def authenticate(self, request: ScimRequest) -> ScimConfiguration:
        header = request.header("authorization")
        if not header:
            raise Unauthorized("missing bearer token")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        try:
            return self.account.account_center.authenticate(token)
        except TokenRefused as refused:
            raise Unauthorized(refused.reason) from None

    def read_json(self, request: ScimRequest) -> Any:
        content_type = request.header("content-type") or ""
        # Nearly always sent as one of them exactly (no parameter, lower case): accepted
        # as the media type it is, without splitting it off.
        media_type = content_type
        if media_type not in _ACCEPTED_MEDIA_TYPES:
            media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type not in _ACCEPTED_MEDIA_TYPES:
            raise ScimError(
                415,
                f"Content-Type must be {SCIM_MEDIA_TYPE} (or application/json), not {media_type or 'missing'}",
            )
        limit = self.settings.max_payload_size
        declared = request.header("content-length")
        if (
            declared is not None and declared.isdigit() and int(declared) > limit
        ) or request.body_too_large:
            raise ScimError(413, f"The request body is larger than the {limit} bytes allowed")
        return decode_body(request.body)

    def search(
        self,
        request: ScimRequest,
        prefix: str,
        resource_types: list[ResourceType],
        *,
        filter_text: str | None,
        start_index: int | None,
        count: int | None,
        sort_by: str | None,
        sort_order: str | None,
        attributes: str | None,
        excluded: str | None,
    ) -> ScimReply:
        if sort_order is not None and sort_order.lower() not in ("ascending", "descending"):
            raise invalid_value("sortOrder must be 'ascending' or 'descending'")
        descending = (sort_order or "").lower() == "descending"
        start = start_index if start_index is not None else 1
        size = count if count is not None else self.settings.default_page_size
        store = self.account.store
        if len(resource_types) == 1:
            (resource_type,) = resource_types
            page = store.search(
                resource_type.name,
                filter_text,
                start_index=start,
                count=size,
                sort_by=sort_by,
                descending=descending,
            )
            wanted = parse_attribute_list(attributes, resource_type)
            dropped = parse_attribute_list(excluded, resource_type)
            return page_reply(request, prefix, resource_type, page, wanted, dropped)
        # RFC 7644 §3.4.3: a search at the root spans every resource type. A filter
        # or attribute that one type does not know simply matches none of it.
        collected: list[dict[str, Any]] = []
        total = 0
        refusals: list[ScimError] = []
        for resource_type in resource_types:
            try:
                page = store.search(
                    resource_type.name,
                    filter_text,
                    count=MAX_RESULTS,
                    sort_by=sort_by,
                    descending=descending,
                )
            except ScimError as refused:
                refusals.append(refused)
                continue
            wanted = parse_attribute_list(attributes, resource_type, strict=False)
            dropped = parse_attribute_list(excluded, resource_type, strict=False)
            total += page.total
            collected.extend(
                render(request, prefix, resource_type, r, wanted, dropped) for r in page.resources
            )
        if len(refusals) == len(resource_types):
            raise refusals[0]
        first = max(start, 1)
        window = collected[first - 1 : first - 1 + max(min(size, MAX_RESULTS), 0)]
        return scim_reply(list_response(window, total, first))

    # --- the routes --------------------------------------------------------------------------

    def routes(self, prefix: str, resource_type: ResourceType) -> list[ResourceRoute]:
        """The seven routes of ``resource_type`` under the base path ``prefix``."""
        account = self.account
        authenticate, read_json, search = self.authenticate, self.read_json, self.search
        settings = self.settings
        endpoint = resource_type.endpoint
        name = resource_type.name

        def list_resources(request: ScimRequest) -> ScimReply:
            authenticate(request)
            query = request.query_params()
            filter_text = query.get("filter")
            if filter_text is not None and len(query) == 1:
                # Entra's GET before every create: a filter alone, every other parameter
                # at its default (as search() reads them), without reading each.
                page = account.store.search(name, filter_text, count=settings.default_page_size)
                return page_reply(request, prefix, resource_type, page)
            return search(
                request,
                prefix,
                [resource_type],
                filter_text=query.get("filter"),
                start_index=int_param(query, "startIndex"),
                count=int_param(query, "count"),
                sort_by=query.get("sortBy"),
                sort_order=query.get("sortOrder"),
                attributes=query.get("attributes"),
                excluded=query.get("excludedAttributes"),
            )

        def search_resources(request: ScimRequest) -> ScimReply:
            authenticate(request)
            params = read_search_request(read_json(request))
            return search(request, prefix, [resource_type], **params)

        def create_resource(request: ScimRequest) -> ScimReply:
            config = authenticate(request)
            body = read_json(request)
            created = account.store.create(name, body, config)
            wanted, dropped = projection(request, resource_type)
            rendered = render(request, prefix, resource_type, created, wanted, dropped)
            return entity_reply(
                rendered, 201, created["meta"]["version"], rendered["meta"]["location"]
            )

        def get_resource(request: ScimRequest, resource_id: str) -> ScimReply:
            authenticate(request)
            found = account.store.get(name, resource_id)
            wanted, dropped = projection(request, resource_type)
            return entity_reply(
                render(request, prefix, resource_type, found, wanted, dropped),
                200,
                found["meta"]["version"],
            )

        def replace_resource(request: ScimRequest, resource_id: str) -> ScimReply:
            config = authenticate(request)
            body = read_json(request)
            replaced = account.store.replace(name, resource_id, body, config)
            wanted, dropped = projection(request, resource_type)
            return entity_reply(
                render(request, prefix, resource_type, replaced, wanted, dropped),
                200,
                replaced["meta"]["version"],
            )

        def patch_resource(request: ScimRequest, resource_id: str) -> ScimReply:
            config = authenticate(request)
            body = read_json(request)
            patched = account.store.patch(
                name, resource_id, body, config, max_operations=settings.max_patch_operations
            )
            wanted, dropped = projection(request, resource_type)
            # entra §1: group PATCH should answer 204 (returning members is discouraged);
            # users get 200 with the resource, as RFC 7644 §3.5.2 allows.
            if name == "Group" and not (wanted or dropped):
                return ScimReply(204, headers={"ETag": patched["meta"]["version"]})
            return entity_reply(
                render(request, prefix, resource_type, patched, wanted, dropped),
                200,
                patched["meta"]["version"],
            )

        def delete_resource(request: ScimRequest, resource_id: str) -> ScimReply:
            authenticate(request)
            account.store.delete(name, resource_id)
            return ScimReply(204)

        item = f"{endpoint}/{{resource_id}}"
        return [
            ResourceRoute(
                "GET", endpoint, list_resources, f"List or filter {name}s", light_filter(name)
            ),
            ResourceRoute(
                "POST", f"{endpoint}/.search", search_resources, f"Search {name}s (RFC 7644 §3.4.3)"
            ),
            ResourceRoute("POST", endpoint, create_resource, f"Create a {name}", _small_body),
            ResourceRoute("GET", item, get_resource, f"Get a {name}"),
            ResourceRoute("PUT", item, replace_resource, f"Replace a {name}"),
            # A group's PATCH checks every member the group keeps: never light.
            ResourceRoute(
                "PATCH",
                item,
                patch_resource,
                f"Modify a {name}",
                light_user_patch(account.store) if name == "User" else None,
            ),
            ResourceRoute("DELETE", item, delete_resource, f"Delete a {name}"),
        ]

    def search_everything(self, prefix: str) -> Handler:
        """``POST {prefix}/.search``: one search over every resource type (RFC 7644 §3.4.3)."""

        def search_everything(request: ScimRequest) -> ScimReply:
            self.authenticate(request)
            params = read_search_request(self.read_json(request))
            return self.search(request, prefix, list(RESOURCE_TYPES.values()), **params)

        return search_everything


# --- reading parameters and rendering resources ------------------------------------------------


def int_param(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise invalid_value(f"{name} must be an integer, not {raw!r}") from None


def read_search_request(body: Any) -> dict[str, Any]:
    """Check a SearchRequest body (RFC 7644 §3.4.3) and return its parameters."""
    if not isinstance(body, dict) or SEARCH_REQUEST_SCHEMA not in (body.get("schemas") or []):
        raise invalid_syntax(f"A search request must list the schema {SEARCH_REQUEST_SCHEMA}")

    def opt(key: str, kind: type) -> Any:
        value = body.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise invalid_value(f"'{key}' has the wrong type")
        return value

    def names(key: str) -> str | None:
        value = body.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid_value(f"'{key}' must be an array of attribute names")
        return ",".join(value)

    return {
        "filter_text": opt("filter", str),
        "start_index": opt("startIndex", int),
        "count": opt("count", int),
        "sort_by": opt("sortBy", str),
        "sort_order": opt("sortOrder", str),
        "attributes": names("attributes"),
        "excluded": names("excludedAttributes"),
    }


def projection(request: ScimRequest, resource_type: ResourceType) -> tuple[Any, Any]:
    """The ``attributes`` and ``excludedAttributes`` of the query (RFC 7644 §3.9)."""
    query = request.query_params()
    if not query:
        return [], []
    return (
        parse_attribute_list(query.get("attributes"), resource_type),
        parse_attribute_list(query.get("excludedAttributes"), resource_type),
    )


def render(
    request: ScimRequest,
    prefix: str,
    resource_type: ResourceType,
    resource: dict[str, Any],
    attributes: list[tuple[str, str | None]] | None = None,
    excluded: list[tuple[str, str | None]] | None = None,
) -> dict[str, Any]:
    resource["meta"]["location"] = (
        f"{request.base_url}{prefix}{resource_type.endpoint}/{resource['id']}"
    )
    return project(resource, resource_type, attributes, excluded)


def page_reply(
    request: ScimRequest,
    prefix: str,
    resource_type: ResourceType,
    page: Page,
    attributes: list[tuple[str, str | None]] | None = None,
    excluded: list[tuple[str, str | None]] | None = None,
) -> ScimReply:
    """The ListResponse of one page of ``resource_type``s, each rendered as asked."""
    items = []
    for resource in page.resources:
        items.append(render(request, prefix, resource_type, resource, attributes, excluded))
    return scim_reply(list_response(items, page.total, page.start_index))


def list_response(resources: list[dict[str, Any]], total: int, start_index: int) -> dict[str, Any]:
    # RFC 7644 §3.4.2: an empty result is 200 with totalResults 0.
    return {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
