"""Validate SCIM payloads against provisim's JSON Schemas (Draft 2020-12).

The schemas live in `harness/schemas/*.schema.json`, one per RFC 7643 resource
(User, EnterpriseUser, Group, ServiceProviderConfig, ResourceType, Schema) and per
RFC 7644 message (ListResponse, PatchOp, SearchRequest, Error). Each has a stable
`$id` under `https://provisim.dev/schemas/` and they reference one another by it.

Direction. A resource schema's root describes the representation a client sends
(POST/PUT body: `id` and `meta` optional). Resource schemas also define two response
forms in `$defs`, chosen here rather than by the caller:

* `$defs/response`: the root plus `id` and `meta` required (RFC 7644 §3.3) and, for
  User, no `password` (RFC 7643 §4.1.1, returned "never");
* `$defs/projection`: used for responses to a request carrying `attributes` or
  `excludedAttributes` (RFC 7644 §3.9), where only `id` is certain (returned "always").

Schemas without those `$defs` (messages, discovery resources) read the same both ways.

ListResponse. `list-response.schema.json` checks the envelope only; the resources
are validated one by one against the queried endpoint's resource schema, and their
violations carry pointers into the whole body, e.g. `/Resources/3/userName`.

Validators are compiled once per (schema, form) and cached, so validating tens of
thousands of recorded payloads costs no schema rebuilding. jsonschema
(`Draft202012Validator` over a `referencing.Registry`) is the reference engine and
produces every reported violation. When `jsonschema_rs` is importable it answers the
common question first: a body it finds valid is not re-validated, and anything it
rejects goes to jsonschema for the detailed report. Both engines get format functions
with the same verdicts so that the Rust one is never the more lenient; the tests check
that they agree. An exchange whose bodies the Rust engine all accepts is answered
without building any report. Bodies are JSON-decoded values (dict, list, str, int,
float, bool, None).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal
from urllib.parse import parse_qs, urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

try:  # Optional accelerator: the Rust engine answers "valid?" tens of times faster.
    import jsonschema_rs
except ImportError:  # pragma: no cover - depends on the environment
    _ACCELERATED = False
else:
    _ACCELERATED = True

Direction = Literal["request", "response"]
# Which part of a resource schema applies: the root, $defs/response or $defs/projection.
_Form = Literal["representation", "response", "projection"]

SCHEMA_BASE_URI: Final = "https://provisim.dev/schemas/"

USER: Final = "user.schema.json"
ENTERPRISE_USER: Final = "enterprise-user.schema.json"
GROUP: Final = "group.schema.json"
LIST_RESPONSE: Final = "list-response.schema.json"
PATCH_OP: Final = "patch-op.schema.json"
SEARCH_REQUEST: Final = "search-request.schema.json"
ERROR: Final = "error.schema.json"
SERVICE_PROVIDER_CONFIG: Final = "service-provider-config.schema.json"
RESOURCE_TYPE: Final = "resource-type.schema.json"
SCHEMA: Final = "schema.schema.json"

USER_URN: Final = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN: Final = "urn:ietf:params:scim:schemas:core:2.0:Group"

# RFC 7644 §3.2: the resource endpoints provisim serves and queries.
_RESOURCE_ENDPOINTS: Final[Mapping[str, str]] = {"Users": USER, "Groups": GROUP}
# RFC 7644 §4: the discovery endpoints.
_DISCOVERY_ENDPOINTS: Final[Mapping[str, str]] = {
    "ServiceProviderConfig": SERVICE_PROVIDER_CONFIG,
    "ResourceTypes": RESOURCE_TYPE,
    "Schemas": SCHEMA,
}
_SEARCH: Final = ".search"
# RFC 7644 §3.4.3: a search at the server root may return resources of any type,
# so each is matched to its schema by its core schema URN.
_SCHEMA_BY_CORE_URN: Final[Mapping[str, str]] = {USER_URN: USER, GROUP_URN: GROUP}
# RFC 7644 §3.9: these parameters narrow which attributes a response carries.
_PROJECTION_PARAMETERS: Final = ("attributes", "excludedAttributes")
_KNOWN_ENDPOINTS: Final = frozenset({*_RESOURCE_ENDPOINTS, *_DISCOVERY_ENDPOINTS})

_RULE_MESSAGE_LIMIT: Final = 200


@dataclass(frozen=True)
class Violation:
    """One place where a body breaks its schema."""

    exchange: str  # e.g. "POST /scim/v2/Users -> 201" (given by the caller)
    where: Direction
    pointer: str  # RFC 6901 JSON pointer into the body, "" for the root
    rule: str  # failing keyword and message: "type: 'True' is not of type 'boolean'"
    schema: str  # schema file name, e.g. "user.schema.json"

    def __str__(self) -> str:
        place = self.pointer or "(root)"
        prefix = f"{self.exchange}: " if self.exchange else ""
        return f"{prefix}{self.where} {place}: {self.rule} [{self.schema}]"


class SchemaViolationError(AssertionError):
    """Raised by `assert_valid_exchange`; `violations` holds every finding."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        super().__init__("\n".join(str(violation) for violation in self.violations))


# --- formats -----------------------------------------------------------------------------
# An own FormatChecker, so results do not depend on which optional format packages
# happen to be installed next to jsonschema.
_FORMATS: Final = FormatChecker(formats=())
# RFC 7643 §2.3.5: xsd:dateTime, e.g. 2008-01-23T04:56:22Z; xsd makes the offset optional.
_DATE_TIME: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?"
)
# RFC 3986 §2 and Appendix C: no spaces, controls or the excluded delimiters.
_URI_CHARACTERS: Final = re.compile(r"[^\x00-\x20\x7f<>\"{}|\\^`]*")
_URI_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE_TIME.fullmatch(value) is None:
        return False
    # Range check (month 13, hour 25): fromisoformat raises ValueError.
    datetime.fromisoformat(value.upper())
    return True


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return _URI_SCHEME.match(value) is not None and _URI_CHARACTERS.fullmatch(value) is not None


@_FORMATS.checks("uri-reference")
def _is_uri_reference(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return _URI_CHARACTERS.fullmatch(value) is not None


# --- loading -----------------------------------------------------------------------------
@cache
def _documents() -> Mapping[str, Mapping[str, Any]]:
    """Every schema file by name, read once through importlib.resources."""
    documents: dict[str, Mapping[str, Any]] = {}
    for entry in files("harness.schemas").iterdir():
        if entry.name.endswith(".schema.json"):
            documents[entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return documents


@cache
def _registry() -> Registry[Any]:
    pairs = [
        (document["$id"], Resource.from_contents(document)) for document in _documents().values()
    ]
    return Registry().with_resources(pairs).crawl()


def schema_names() -> list[str]:
    """The file names of every schema provisim ships, sorted."""
    return sorted(_documents())


def load_schema(schema_name: str) -> dict[str, Any]:
    """A copy of one schema document, e.g. for `Draft202012Validator.check_schema`."""
    return deepcopy(dict(_document(schema_name)))


def _document(schema_name: str) -> Mapping[str, Any]:
    try:
        return _documents()[schema_name]
    except KeyError:
        known = ", ".join(schema_names())
        raise ValueError(f"unknown schema {schema_name!r}; known: {known}") from None


def _root_schema(schema_name: str, form: _Form) -> dict[str, Any]:
    """The schema both engines validate a (schema, form) against: a reference into the registry."""
    uri = SCHEMA_BASE_URI + schema_name
    if form != "representation" and form in _document(schema_name).get("$defs", {}):
        uri = f"{uri}#/$defs/{form}"
    return {"$ref": uri}


@cache
def _validator(schema_name: str, form: _Form) -> Draft202012Validator:
    return Draft202012Validator(
        _root_schema(schema_name, form), registry=_registry(), format_checker=_FORMATS
    )


def _is_date_time_value(value: object) -> bool:
    try:
        return _is_date_time(value)
    except ValueError:
        return False


@cache
def _fast_registry() -> jsonschema_rs.Registry:
    # Called by `_fast_validator` only, once it knows the accelerator is there.
    return jsonschema_rs.Registry(
        [(document["$id"], dict(document)) for document in _documents().values()]
    )


# The Rust engine calls a Python function for every string with a format; those calls
# (a Python frame each, a regex or two, fromisoformat) were most of the time it took to
# check a User. It gets the same verdicts from callables that run no Python frame: the
# compiled patterns' own fullmatch (a Match is truthy, None falsy, as jsonschema_rs reads
# them) and, for date-time, a memo of `_is_date_time_value` (timestamps repeat: a
# simulation writes many resources at the same virtual instant). The Rust engine calls a
# format function with strings only, so the non-string branches are never needed there.
# `_is_uri` holds when a scheme prefix matches and every character is allowed; scheme
# characters are all allowed characters, so one pattern says the same.
_URI: Final = re.compile(_URI_SCHEME.pattern + _URI_CHARACTERS.pattern)
_MAX_REMEMBERED_DATE_TIMES: Final = 4096


class _DateTimeVerdicts(dict[str, bool]):
    """`_is_date_time_value` per string, computed on first use; lookups stay in C."""

    def __missing__(self, value: str) -> bool:
        if len(self) >= _MAX_REMEMBERED_DATE_TIMES:
            self.clear()  # bodies come from clients: bound what a stream of odd ones costs
        verdict = self[value] = _is_date_time_value(value)
        return verdict


_DATE_TIME_VERDICTS: Final = _DateTimeVerdicts()


@cache
def _fast_validator(schema_name: str, form: _Form) -> jsonschema_rs.Draft202012Validator | None:
    """The jsonschema_rs twin of `_validator`, or None without the accelerator."""
    if not _ACCELERATED:
        return None
    return jsonschema_rs.Draft202012Validator(
        _root_schema(schema_name, form),
        registry=_fast_registry(),
        validate_formats=True,
        formats={
            "date-time": _DATE_TIME_VERDICTS.__getitem__,
            # jsonschema_rs's stubs want format functions that return bool; it reads their
            # result's truth, so a pattern's fullmatch (a Match or None) serves, frame-free.
            "uri": _URI.fullmatch,  # type: ignore[dict-item]
            "uri-reference": _URI_CHARACTERS.fullmatch,  # type: ignore[dict-item]
        },
    )


def accelerated() -> bool:
    """Whether the jsonschema_rs fast path is in use."""
    return _ACCELERATED


@cache
def _error_status_validator(status: int) -> Draft202012Validator:
    # RFC 7644 §3.12: "status" is the HTTP status code of the response it travels in.
    return Draft202012Validator({"properties": {"status": {"const": str(status)}}})


# --- reporting ---------------------------------------------------------------------------
def _pointer(path: Iterable[str | int]) -> str:
    # RFC 6901 §3: "~" is written "~0" and "/" is written "~1".
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _rule(error: ValidationError) -> str:
    if error.validator == "not" and error.validator_value == {}:
        # An attribute that must be absent (password in a response, RFC 7643 §4.1.1):
        # name it, but never echo its value into reports and logs.
        return (
            f"not: {error.path[-1]!r} must not be present" if error.path else "not: must be absent"
        )
    if error.validator is None:
        return "false: no value is allowed here"  # a boolean `false` subschema
    message = " ".join(error.message.split())
    if len(message) > _RULE_MESSAGE_LIMIT:
        message = message[: _RULE_MESSAGE_LIMIT - 1] + "…"
    return f"{error.validator}: {message}"


def _leaf(error: ValidationError) -> ValidationError:
    # anyOf/oneOf failures wrap the real reasons; report the most relevant one.
    if error.validator in ("anyOf", "oneOf") and error.context:
        chosen = best_match(error.context)
        if chosen is not None:
            return _leaf(chosen)
    return error


#: The schemas of RFC 7643 resources and RFC 7644 messages, where a null attribute is unassigned.
_SCIM_SCHEMAS: Final = frozenset(
    {
        USER,
        ENTERPRISE_USER,
        GROUP,
        LIST_RESPONSE,
        PATCH_OP,
        SEARCH_REQUEST,
        ERROR,
        SERVICE_PROVIDER_CONFIG,
        RESOURCE_TYPE,
        SCHEMA,
    }
)


def _unassigned_dropped(schema_name: str, body: Any) -> Any:
    """``body`` without its null attributes, for the SCIM schemas.

    RFC 7643 §2.5: "Unassigned attributes, the null value, or empty array (in the case of
    a multi-valued attribute) SHALL be considered to be equivalent in 'state'." So an
    attribute whose value is null is validated as if it were absent: accepted where the
    attribute is optional, and still a violation where it is required. Only object
    members are dropped, never array elements (``"emails": [null]`` stays invalid).
    """
    if schema_name not in _SCIM_SCHEMAS:
        return body
    return _drop_nulls(body)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_nulls(item) for item in value]
    return value


def _check(
    schema_name: str,
    form: _Form,
    body: Any,
    *,
    prefix: tuple[str | int, ...],
    exchange: str,
    where: Direction,
) -> list[Violation]:
    body = _unassigned_dropped(schema_name, body)
    fast = _fast_validator(schema_name, form)
    if fast is not None:
        try:
            if fast.is_valid(body):
                return []
        except ValueError:
            pass  # not plain JSON (e.g. a non-string key): jsonschema gives the verdict
    return _collect(
        _validator(schema_name, form),
        body,
        prefix=prefix,
        exchange=exchange,
        where=where,
        schema_name=schema_name,
    )


def _collect(
    validator: Draft202012Validator,
    body: Any,
    *,
    prefix: tuple[str | int, ...],
    exchange: str,
    where: Direction,
    schema_name: str,
) -> list[Violation]:
    violations = []
    for raw in validator.iter_errors(body):
        error = _leaf(raw)
        violations.append(
            Violation(
                exchange=exchange,
                where=where,
                pointer=_pointer((*prefix, *error.absolute_path)),
                rule=_rule(error),
                schema=schema_name,
            )
        )
    return violations


# --- validation --------------------------------------------------------------------------
_ItemSchemaChooser = Callable[[Mapping[str, Any]], str | None]


def _form(where: Direction, projection: bool) -> _Form:
    if where == "request":
        return "representation"
    return "projection" if projection else "response"


def _validate(
    body: Any,
    schema_name: str,
    *,
    exchange: str,
    where: Direction,
    projection: bool,
    item_schema: _ItemSchemaChooser | None,
) -> list[Violation]:
    form = _form(where, projection)
    violations = _check(schema_name, form, body, prefix=(), exchange=exchange, where=where)
    if item_schema is None or not isinstance(body, Mapping):
        return sorted(violations, key=_order)
    resources = body.get("Resources")
    if isinstance(resources, list):
        for index, resource in enumerate(resources):
            # Non-objects are already reported by the envelope (Resources items: object).
            if not isinstance(resource, Mapping):
                continue
            resource_schema = item_schema(resource)
            if resource_schema is None:
                continue
            violations += _check(
                resource_schema,
                form,
                resource,
                prefix=("Resources", index),
                exchange=exchange,
                where=where,
            )
    return sorted(violations, key=_order)


def _order(violation: Violation) -> tuple[str, str, str]:
    return (violation.pointer, violation.schema, violation.rule)


def validate_body(
    body: Any,
    schema_name: str,
    *,
    exchange: str = "",
    where: Direction = "response",
    projection: bool = False,
    resources_schema: str | None = None,
) -> list[Violation]:
    """Validate one body against `schema_name`, in the form `where` calls for.

    `projection` marks a response narrowed by `attributes`/`excludedAttributes`
    (RFC 7644 §3.9). With `resources_schema`, a ListResponse's `Resources[i]` are also
    validated against that schema. Violations are sorted by pointer.
    """
    _document(schema_name)
    chooser: _ItemSchemaChooser | None = None
    if resources_schema is not None:
        _document(resources_schema)
        chooser = _constant_chooser(resources_schema)
    return _validate(
        body,
        schema_name,
        exchange=exchange,
        where=where,
        projection=projection,
        item_schema=chooser,
    )


def _constant_chooser(schema_name: str) -> _ItemSchemaChooser:
    def choose(_resource: Mapping[str, Any]) -> str:
        return schema_name

    return choose


def _schema_by_core_urn(resource: Mapping[str, Any]) -> str | None:
    schemas = resource.get("schemas")
    if not isinstance(schemas, list):
        return None
    for urn in schemas:
        if isinstance(urn, str) and urn in _SCHEMA_BY_CORE_URN:
            return _SCHEMA_BY_CORE_URN[urn]
    return None


# --- routing -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    endpoint: str  # "Users", "Groups", a discovery endpoint, or ".search"
    has_id: bool  # /Users/{id} rather than /Users
    search_base: str | None  # for ".search": "Users", "Groups", or None at the root
    projected: bool  # the query string carries attributes or excludedAttributes


def _target(path: str) -> _Target | None:
    """Find the SCIM endpoint in a path with any base prefix (/scim/v2/Users, /Users/abc)."""
    split = _split_plain(path)
    if split is not None:
        route, query = split
        projected = _projects(query) if query else False
    else:
        parts = urlsplit(path)
        route, query = parts.path, parts.query
        projected = False
        if query:
            parsed = parse_qs(query, keep_blank_values=True)
            projected = any(name in parsed for name in _PROJECTION_PARAMETERS)
    segments = [segment for segment in route.split("/") if segment]
    if not segments:
        return None
    known = _KNOWN_ENDPOINTS
    last = segments[-1]
    if last == _SEARCH:
        # RFC 7644 §3.4.3: POST {base}/.search, or {base}/Users/.search for one type.
        previous = segments[-2] if len(segments) >= 2 else None
        base = previous if previous in _RESOURCE_ENDPOINTS else None
        return _routed(_SEARCH, False, base, projected)
    if last in known:
        return _routed(last, False, None, projected)
    if len(segments) >= 2 and segments[-2] in known:
        return _routed(segments[-2], True, None, projected)
    return None


# Every route is one of a few dozen; each is built once (a frozen dataclass costs
# more to build than the rest of routing).
_ROUTES: dict[tuple[str, bool, str | None, bool], _Target] = {}


def _routed(endpoint: str, has_id: bool, search_base: str | None, projected: bool) -> _Target:
    key = (endpoint, has_id, search_base, projected)
    target = _ROUTES.get(key)
    if target is None:
        target = _ROUTES[key] = _Target(endpoint, has_id, search_base, projected)
    return target


# Routing ran urlsplit and parse_qs for every exchange. A path as a client library
# writes it (/Users?filter=...) needs neither: urlsplit strips tabs and newlines, takes
# "//" as a network location and "#" as a fragment, and parse_qs decodes "%" and "+" in
# names; without those, the path ends at the first "?" and every name is as written.
_NOT_PLAIN: Final = re.compile(r"[\t\r\n#]")


def _split_plain(path: str) -> tuple[str, str] | None:
    """(path, query) as urlsplit gives them, or None when urlsplit must decide."""
    if not path.startswith("/") or path.startswith("//") or _NOT_PLAIN.search(path):
        return None
    route, _, query = path.partition("?")
    return route, query


def _projects(query: str) -> bool:
    """Whether a query string names attributes or excludedAttributes (RFC 7644 §3.9)."""
    for field in query.split("&"):
        name = field.partition("=")[0]
        if "%" in name or "+" in name:
            parsed = parse_qs(query, keep_blank_values=True)
            return any(name in parsed for name in _PROJECTION_PARAMETERS)
        if name in _PROJECTION_PARAMETERS:
            return True
    return False


def _request_schema(method: str, target: _Target) -> str | None:
    if target.endpoint == _SEARCH:
        return SEARCH_REQUEST if method == "POST" else None
    resource = _RESOURCE_ENDPOINTS.get(target.endpoint)
    if resource is None:
        return None  # discovery endpoints take no request bodies (RFC 7644 §4: GET only)
    if not target.has_id:
        return resource if method == "POST" else None  # RFC 7644 §3.3
    if method == "PUT":
        return resource  # RFC 7644 §3.5.1
    if method == "PATCH":
        return PATCH_OP  # RFC 7644 §3.5.2
    return None


def _response_schema(method: str, target: _Target) -> str | None:
    if target.endpoint == _SEARCH:
        return LIST_RESPONSE if method == "POST" else None
    resource = _RESOURCE_ENDPOINTS.get(target.endpoint)
    if resource is not None:
        if not target.has_id:
            # RFC 7644 §3.4.2: a query always answers with a ListResponse; §3.3: create.
            return {"GET": LIST_RESPONSE, "POST": resource}.get(method)
        return resource if method in ("GET", "PUT", "PATCH") else None
    if method != "GET":
        return None
    if target.endpoint == "ServiceProviderConfig":
        return None if target.has_id else SERVICE_PROVIDER_CONFIG
    # RFC 7644 §4: /ResourceTypes and /Schemas list with a ListResponse, /{name} gives one.
    return _DISCOVERY_ENDPOINTS[target.endpoint] if target.has_id else LIST_RESPONSE


def schema_for(method: str, path: str, status: int | None, where: Direction) -> str | None:
    """The schema file for one side of an exchange, or None when there is none to apply.

    Requests: POST to a resource collection and PUT to a resource take the resource
    schema, PATCH takes patch-op, POST .search takes search-request. Responses: any
    status >= 400 takes error; 204 and other non-2xx take None; 2xx takes list-response
    for queries and searches (and /ResourceTypes, /Schemas lists), the resource schema
    for a single resource, service-provider-config for /ServiceProviderConfig.
    Paths may carry any base prefix and a query string; unknown endpoints give None.
    """
    target = _target(path)
    if target is None:
        return None
    return _schema_for_target(method.upper(), target, status, where)


def _schema_for_target(
    method: str, target: _Target, status: int | None, where: Direction
) -> str | None:
    """`schema_for` once the path is routed; `method` is upper-case."""
    if where == "request":
        return _request_schema(method, target)
    if status is None:
        return None
    if status >= 400:
        return ERROR  # RFC 7644 §3.12
    if not 200 <= status < 300 or status == 204:
        return None
    return _response_schema(method, target)


def _resources_chooser(target: _Target) -> _ItemSchemaChooser | None:
    if target.endpoint == _SEARCH:
        if target.search_base is None:
            return _schema_by_core_urn
        return _constant_chooser(_RESOURCE_ENDPOINTS[target.search_base])
    item = _RESOURCE_ENDPOINTS.get(target.endpoint) or _DISCOVERY_ENDPOINTS.get(target.endpoint)
    return _constant_chooser(item) if item is not None else None


def _describe(method: str, path: str, status: int | None) -> str:
    outcome = "(no response)" if status is None else str(status)
    return f"{method.upper()} {path} -> {outcome}"


def validate_exchange(
    method: str,
    path: str,
    status: int | None,
    request_body: Any,
    response_body: Any,
) -> list[Violation]:
    """Validate both bodies of one HTTP exchange; None means that side had no body.

    For a ListResponse every `Resources[i]` is validated against the endpoint's
    resource schema too; an Error's `status` must match the HTTP status.
    """
    # Route the path once for both sides: routing is a measurable share of the
    # per-exchange cost when every request of a 10,000-user cycle is validated.
    target = _target(path)
    if target is None:
        return []
    if _accepted_at_once(method.upper(), target, status, request_body, response_body):
        return []
    return _report_exchange(method, path, status, request_body, response_body, target)


def _accepted_at_once(
    method: str, target: _Target, status: int | None, request_body: Any, response_body: Any
) -> bool:
    """Whether the Rust engine accepts every body `_report_exchange` would check.

    Nearly every exchange is valid, and `_report_exchange` would then find no violation
    after the same `is_valid` calls made here (`_check` trusts them), so True means it
    would return nothing. False means "not sure": it reports, with jsonschema's words.
    Error responses always go there, for their status check.
    """
    if not _ACCELERATED:
        return False
    if request_body is not None:
        name = _schema_for_target(method, target, status, "request")
        if name is not None and not _fast_valid(name, "representation", request_body):
            return False
    if response_body is None:
        return True
    name = _schema_for_target(method, target, status, "response")
    if name is None:
        return True
    if name == ERROR:
        return False
    form = _form("response", _projected(target, request_body))
    if not _fast_valid(name, form, response_body):
        return False
    if name != LIST_RESPONSE or not isinstance(response_body, Mapping):
        return True
    item_schema = _resources_chooser(target)
    resources = response_body.get("Resources")
    if item_schema is None or not isinstance(resources, list):
        return True
    for resource in resources:
        if not isinstance(resource, Mapping):
            continue
        resource_schema = item_schema(resource)
        if resource_schema is not None and not _fast_valid(resource_schema, form, resource):
            return False
    return True


def _fast_valid(schema_name: str, form: _Form, body: Any) -> bool:
    fast = _fast_validator(schema_name, form)
    try:
        return fast is not None and bool(fast.is_valid(_unassigned_dropped(schema_name, body)))
    except ValueError:
        return False  # not plain JSON (e.g. a non-string key): jsonschema gives the verdict


def _projected(target: _Target, request_body: Any) -> bool:
    return target.projected or (
        # RFC 7644 §3.4.3: a SearchRequest carries the projection in its body.
        target.endpoint == _SEARCH
        and isinstance(request_body, Mapping)
        and any(parameter in request_body for parameter in _PROJECTION_PARAMETERS)
    )


def _report_exchange(
    method: str,
    path: str,
    status: int | None,
    request_body: Any,
    response_body: Any,
    target: _Target,
) -> list[Violation]:
    """`validate_exchange` in full, once the path is routed: every violation, described."""
    exchange = _describe(method, path, status)
    violations: list[Violation] = []
    method = method.upper()
    if request_body is not None:
        name = _schema_for_target(method, target, status, "request")
        if name is not None:
            violations += _validate(
                request_body,
                name,
                exchange=exchange,
                where="request",
                projection=False,
                item_schema=None,
            )
    if response_body is None:
        return violations
    name = _schema_for_target(method, target, status, "response")
    if name is None:
        return violations
    projected = _projected(target, request_body)
    violations += _validate(
        response_body,
        name,
        exchange=exchange,
        where="response",
        projection=projected,
        item_schema=_resources_chooser(target) if name == LIST_RESPONSE else None,
    )
    if (
        name == ERROR
        and status is not None
        and isinstance(response_body, Mapping)
        and isinstance(response_body.get("status"), str)
    ):
        violations += _collect(
            _error_status_validator(status),
            response_body,
            prefix=(),
            exchange=exchange,
            where="response",
            schema_name=ERROR,
        )
    return violations


def assert_valid_exchange(
    method: str,
    path: str,
    status: int | None,
    request_body: Any,
    response_body: Any,
) -> None:
    """Like `validate_exchange`, but raise `SchemaViolationError` on any violation."""
    violations = validate_exchange(method, path, status, request_body, response_body)
    if violations:
        raise SchemaViolationError(violations)
