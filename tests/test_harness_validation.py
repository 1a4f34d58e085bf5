"""Tests for harness.validation and the JSON Schemas in harness/schemas.

Payloads in tests/payloads are named after their source: `rfc7643-8.x-*` and
`rfc7644-3.x-*` are the RFC examples, `entra-*` the Entra provisioning vectors from
shared/reference/entra-provisioning-service.md §1 and §5. The files hold pure JSON, so
the few places where the RFC text is not valid JSON as printed are noted here:

* RFC 7643 §8.2 and §8.3 print the x509Certificates value across several lines inside
  one JSON string (raw line breaks are not allowed in JSON strings); the lines are
  joined without whitespace, which gives the base64 of the example certificate.
* RFC 7644 §3.12's second example (400, scimType "mutability") lacks the comma after
  `"scimType":"mutability"`; it is added (the RFC Editor erratum for this example is
  reported as 7898 in secondary sources).

RFC 7643 §8.2 and §8.3 also carry `password`, which RFC 7643 §4.1.1 says is returned
"never": they are representations, so they validate in the request form and are
rejected in the response form (see `test_rfc_full_users_are_not_valid_responses`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from harness import validation
from harness.validation import (
    ERROR,
    GROUP,
    LIST_RESPONSE,
    PATCH_OP,
    RESOURCE_TYPE,
    SCHEMA,
    SEARCH_REQUEST,
    SERVICE_PROVIDER_CONFIG,
    USER,
    Direction,
    SchemaViolationError,
    Violation,
    assert_valid_exchange,
    schema_for,
    validate_body,
    validate_exchange,
)

PAYLOADS = Path(__file__).parent / "payloads"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# Every payload file, the schema it is an instance of, and the side it travels on.
PAYLOAD_SCHEMAS: dict[str, tuple[str, Direction]] = {
    "rfc7643-8.1-minimal-user.json": (USER, "response"),
    "rfc7643-8.2-full-user.json": (USER, "request"),
    "rfc7643-8.3-enterprise-user.json": (USER, "request"),
    "rfc7643-8.4-group.json": (GROUP, "response"),
    "rfc7643-8.5-service-provider-config.json": (SERVICE_PROVIDER_CONFIG, "response"),
    # RFC 7643 §8.6 shows the two resource types as a bare JSON array.
    "rfc7643-8.6-resource-types.json": (RESOURCE_TYPE, "response"),
    "rfc7644-3.4.2-list-response.json": (LIST_RESPONSE, "response"),
    "rfc7644-3.4.3-search-request.json": (SEARCH_REQUEST, "request"),
    "rfc7644-3.5.2.1-patch-add-member.json": (PATCH_OP, "request"),
    "rfc7644-3.12-error.json": (ERROR, "response"),
    "rfc7644-3.12-error-mutability.json": (ERROR, "response"),
    "entra-create-user.json": (USER, "request"),
    "entra-create-group.json": (GROUP, "request"),
    "entra-default-patch-replace.json": (PATCH_OP, "request"),
    "entra-default-patch-replace-username.json": (PATCH_OP, "request"),
    "entra-default-patch-disable.json": (PATCH_OP, "request"),
    "entra-default-patch-add-member.json": (PATCH_OP, "request"),
    "entra-default-patch-remove-member.json": (PATCH_OP, "request"),
    "entra-default-patch-add-role.json": (PATCH_OP, "request"),
    "entra-aadOptscim062020-patch-disable.json": (PATCH_OP, "request"),
    "entra-aadOptscim062020-patch-multi-replace.json": (PATCH_OP, "request"),
    "entra-aadOptscim062020-remove-member.json": (PATCH_OP, "request"),
    "entra-aadOptscim062020-patch-multi-add.json": (PATCH_OP, "request"),
    "entra-aadOptscim062020-patch-pathless-replace.json": (PATCH_OP, "request"),
    "entra-single-app-role-assignment-create-user.json": (USER, "request"),
    "entra-single-app-role-assignment-patch.json": (PATCH_OP, "request"),
    "entra-app-role-assignments-complex-create-user.json": (USER, "request"),
    "entra-app-role-assignments-complex-patch.json": (PATCH_OP, "request"),
    "entra-assertive-app-role-assignments-complex-create-user.json": (USER, "request"),
    "entra-assertive-app-role-assignments-complex-patch.json": (PATCH_OP, "request"),
    "entra-list-response-empty.json": (LIST_RESPONSE, "response"),
}


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def found(violations: list[Violation]) -> list[tuple[str, str]]:
    """(pointer, keyword) of each violation, the pair the tests pin."""
    return [(violation.pointer, violation.rule.split(":", 1)[0]) for violation in violations]


def form_of(where: Direction) -> Literal["representation", "response"]:
    return "representation" if where == "request" else "response"


def engines_agree(body: Any, schema_name: str, form: Literal["representation", "response"]) -> bool:
    """jsonschema_rs (the fast path) and jsonschema (the reporter) agree on validity."""
    reference = not list(validation._validator(schema_name, form).iter_errors(body))
    fast = validation._fast_validator(schema_name, form)
    if fast is None:
        return not validation.accelerated()
    return bool(fast.is_valid(body)) == reference


def entra_created_user() -> dict[str, Any]:
    """The 201 body for entra-create-user.json: the request plus id and meta (Entra docs §1)."""
    body = load("entra-create-user.json")
    body["id"] = "48af03ac28ad4fb88478"
    body["meta"] = {
        "resourceType": "User",
        "created": "2018-03-27T19:59:26.000Z",
        "lastModified": "2018-03-27T19:59:26.000Z",
    }
    return body


# --- the payload corpus ------------------------------------------------------------------
def test_every_payload_file_has_a_schema() -> None:
    on_disk = {path.name for path in PAYLOADS.glob("*.json")}
    assert on_disk == set(PAYLOAD_SCHEMAS)


@pytest.mark.parametrize("name", sorted(PAYLOAD_SCHEMAS))
def test_payload_validates_against_its_schema(name: str) -> None:
    schema_name, where = PAYLOAD_SCHEMAS[name]
    payload = load(name)
    bodies = payload if isinstance(payload, list) else [payload]
    for body in bodies:
        assert validate_body(body, schema_name, where=where, exchange=name) == []


def test_rfc_full_users_are_not_valid_responses() -> None:
    # RFC 7643 §4.1.1: password is returned "never"; the violation names the key only.
    for name in ("rfc7643-8.2-full-user.json", "rfc7643-8.3-enterprise-user.json"):
        violations = validate_body(load(name), USER, where="response")
        assert found(violations) == [("/password", "not")]
        assert "t1meMa$heen" not in str(violations[0])


# --- broken variants ---------------------------------------------------------------------
Mutation = Callable[[Any], None]


def set_at(*path: str | int, value: Any) -> Mutation:
    def mutate(body: Any) -> None:
        target = body
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def delete_at(*path: str | int) -> Mutation:
    def mutate(body: Any) -> None:
        target = body
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


def delete_each(*keys: str) -> Mutation:
    def mutate(body: Any) -> None:
        for key in keys:
            del body[key]

    return mutate


BROKEN: list[tuple[str, str, Mutation, str, Direction, list[tuple[str, str]]]] = [
    (
        "userName as a number",
        "rfc7643-8.1-minimal-user.json",
        set_at("userName", value=42),
        USER,
        "response",
        [("/userName", "type")],
    ),
    (
        "empty userName (RFC 7643 §4.1.1 non-empty)",
        "entra-create-user.json",
        set_at("userName", value=""),
        USER,
        "request",
        [("/userName", "minLength")],
    ),
    (
        'active as the string "True" in a User resource',
        "rfc7643-8.1-minimal-user.json",
        set_at("active", value="True"),
        USER,
        "response",
        [("/active", "type")],
    ),
    (
        "missing schemas",
        "entra-create-user.json",
        delete_at("schemas"),
        USER,
        "request",
        [("", "required")],
    ),
    (
        "schemas without the core User URN",
        "rfc7643-8.1-minimal-user.json",
        set_at("schemas", value=["urn:ietf:params:scim:schemas:core:2.0:Group"]),
        USER,
        "response",
        [("/schemas", "contains")],
    ),
    (
        "enterprise attributes without the extension URN in schemas",
        "rfc7643-8.3-enterprise-user.json",
        set_at("schemas", value=["urn:ietf:params:scim:schemas:core:2.0:User"]),
        USER,
        "request",
        [("/schemas", "contains")],
    ),
    (
        "enterprise manager as a bare id (only PatchOp values may do that)",
        "rfc7643-8.3-enterprise-user.json",
        set_at(ENTERPRISE_URN, "manager", value="26118915-6090-4610-87e4-49d8ca9f808d"),
        USER,
        "request",
        [(f"/{ENTERPRISE_URN}/manager", "type")],
    ),
    (
        "emails[0].value of the wrong type",
        "rfc7643-8.2-full-user.json",
        set_at("emails", 0, "value", value=["bjensen@example.com"]),
        USER,
        "request",
        [("/emails/0/value", "type")],
    ),
    (
        "emails[1].primary as a string",
        "rfc7643-8.2-full-user.json",
        set_at("emails", 1, "primary", value="false"),
        USER,
        "request",
        [("/emails/1/primary", "type")],
    ),
    (
        "x509Certificates value with the RFC's line breaks left in",
        "rfc7643-8.2-full-user.json",
        set_at("x509Certificates", 0, "value", value="MIIDQzCC\n        EzARBgNV"),
        USER,
        "request",
        [("/x509Certificates/0/value", "pattern")],
    ),
    (
        "profileUrl that is not a URI",
        "rfc7643-8.2-full-user.json",
        set_at("profileUrl", value="login.example.com/bjensen"),
        USER,
        "request",
        [("/profileUrl", "format")],
    ),
    (
        "meta.created that is not a dateTime",
        "rfc7643-8.1-minimal-user.json",
        set_at("meta", "created", value="23/01/2010"),
        USER,
        "response",
        [("/meta/created", "format")],
    ),
    (
        'id is the reserved "bulkId" (RFC 7643 §3.1)',
        "rfc7643-8.1-minimal-user.json",
        set_at("id", value="bulkId"),
        USER,
        "response",
        [("/id", "not")],
    ),
    (
        "a created User returned without id and meta (RFC 7644 §3.3)",
        "rfc7643-8.1-minimal-user.json",
        delete_each("id", "meta"),
        USER,
        "response",
        [("", "required"), ("", "required")],
    ),
    (
        "Group without displayName",
        "rfc7643-8.4-group.json",
        delete_at("displayName"),
        GROUP,
        "response",
        [("", "required")],
    ),
    (
        "Group member without value",
        "rfc7643-8.4-group.json",
        delete_at("members", 1, "value"),
        GROUP,
        "response",
        [("/members/1", "required")],
    ),
    (
        "ListResponse without totalResults",
        "entra-list-response-empty.json",
        delete_at("totalResults"),
        LIST_RESPONSE,
        "response",
        [("", "required")],
    ),
    (
        "ListResponse with results but no Resources (RFC 7644 §3.4.2)",
        "rfc7644-3.4.2-list-response.json",
        delete_at("Resources"),
        LIST_RESPONSE,
        "response",
        [("", "required")],
    ),
    (
        "ListResponse with startIndex 0",
        "entra-list-response-empty.json",
        set_at("startIndex", value=0),
        LIST_RESPONSE,
        "response",
        [("/startIndex", "minimum")],
    ),
    (
        "ListResponse with a negative totalResults",
        "entra-list-response-empty.json",
        set_at("totalResults", value=-1),
        LIST_RESPONSE,
        "response",
        [("/totalResults", "minimum")],
    ),
    (
        "error with status as an integer (RFC 7644 §3.12 says string)",
        "rfc7644-3.12-error.json",
        set_at("status", value=404),
        ERROR,
        "response",
        [("/status", "type")],
    ),
    (
        "error with a scimType outside RFC 7644 Table 9",
        "rfc7644-3.12-error-mutability.json",
        set_at("scimType", value="readOnly"),
        ERROR,
        "response",
        [("/scimType", "enum")],
    ),
    (
        'PatchOp with an unknown op "Move"',
        "entra-default-patch-replace.json",
        set_at("Operations", 0, "op", value="Move"),
        PATCH_OP,
        "request",
        [("/Operations/0/op", "pattern")],
    ),
    (
        "PatchOp with no Operations",
        "entra-default-patch-disable.json",
        delete_at("Operations"),
        PATCH_OP,
        "request",
        [("", "required")],
    ),
    (
        "PatchOp with an empty Operations array",
        "entra-default-patch-disable.json",
        set_at("Operations", value=[]),
        PATCH_OP,
        "request",
        [("/Operations", "minItems")],
    ),
    (
        "remove without path (RFC 7644 §3.5.2.2 noTarget)",
        "entra-aadOptscim062020-remove-member.json",
        delete_at("Operations", 0, "path"),
        PATCH_OP,
        "request",
        [("/Operations/0", "required")],
    ),
    (
        "replace without value",
        "entra-default-patch-replace-username.json",
        delete_at("Operations", 0, "value"),
        PATCH_OP,
        "request",
        [("/Operations/0", "required")],
    ),
    (
        "pathless replace whose value is not an object",
        "entra-aadOptscim062020-patch-multi-replace.json",
        set_at("Operations", 1, "value", value="Bjfe"),
        PATCH_OP,
        "request",
        [("/Operations/1/value", "type")],
    ),
    (
        'misspelt operation member "Path"',
        "entra-default-patch-disable.json",
        set_at("Operations", 0, value={"op": "Replace", "Path": "active", "value": "False"}),
        PATCH_OP,
        "request",
        # Without path the replace targets the resource, so its value must be an object too.
        [("/Operations/0", "additionalProperties"), ("/Operations/0/value", "type")],
    ),
    (
        "members value that is a bare id",
        "entra-default-patch-add-member.json",
        set_at("Operations", 0, "value", value="f648f8d5ea4e4cd38e9c"),
        PATCH_OP,
        "request",
        [("/Operations/0/value", "type")],
    ),
    (
        "members value entry without value",
        "rfc7644-3.5.2.1-patch-add-member.json",
        delete_at("Operations", 0, "value", 0, "value"),
        PATCH_OP,
        "request",
        [("/Operations/0/value/0", "required")],
    ),
    (
        'active value "Flase"',
        "entra-default-patch-disable.json",
        set_at("Operations", 0, "value", value="Flase"),
        PATCH_OP,
        "request",
        [("/Operations/0/value", "pattern")],
    ),
    (
        "bulk supported without its limits (RFC 7643 §5)",
        "rfc7643-8.5-service-provider-config.json",
        set_at("bulk", value={"supported": True}),
        SERVICE_PROVIDER_CONFIG,
        "response",
        [("/bulk", "required"), ("/bulk", "required")],
    ),
    (
        "authentication scheme of an unknown type",
        "rfc7643-8.5-service-provider-config.json",
        set_at("authenticationSchemes", 1, "type", value="basic"),
        SERVICE_PROVIDER_CONFIG,
        "response",
        [("/authenticationSchemes/1/type", "enum")],
    ),
    (
        "resource type without endpoint",
        "rfc7643-8.6-resource-types.json",
        delete_at(0, "endpoint"),
        RESOURCE_TYPE,
        "response",
        [("", "required")],
    ),
    (
        "search request with an unknown sortOrder",
        "rfc7644-3.4.3-search-request.json",
        set_at("sortOrder", value="up"),
        SEARCH_REQUEST,
        "request",
        [("/sortOrder", "enum")],
    ),
]


@pytest.mark.parametrize(
    ("source", "mutate", "schema_name", "where", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in BROKEN],
)
def test_broken_variant_is_reported_where_it_breaks(
    source: str,
    mutate: Mutation,
    schema_name: str,
    where: Direction,
    expected: list[tuple[str, str]],
) -> None:
    body = load(source)
    mutate(body)
    if isinstance(body, list):  # the §8.6 array: its first resource type
        body = body[0]
    assert found(validate_body(body, schema_name, where=where)) == expected
    # The fast path must reject it too, or the violation would never be reported.
    assert engines_agree(body, schema_name, form_of(where))


# --- Entra dialects and request/response forms -------------------------------------------
@pytest.mark.parametrize("value", ["False", False, "false"])
def test_every_disable_form_entra_sends_is_accepted(value: object) -> None:
    # Entra docs §1: default dialect "False", aadOptscim062020 false, the S1 sample
    # Replace + false; all three must validate.
    body = load("entra-default-patch-disable.json")
    body["Operations"][0]["value"] = value
    assert validate_exchange("PATCH", "/scim/v2/Users/abc", 204, body, None) == []


def test_entra_create_user_round_trip_validates_both_sides() -> None:
    request = load("entra-create-user.json")
    assert validate_exchange("POST", "/scim/v2/Users", 201, request, entra_created_user()) == []


def test_response_form_requires_what_the_request_form_does_not() -> None:
    request = load("entra-create-user.json")
    assert validate_body(request, USER, where="request") == []
    # Entra sends meta {"resourceType": "User"} in the POST body, so only id is missing.
    violations = validate_body(request, USER, where="response")
    assert [violation.rule for violation in violations] == ["required: 'id' is a required property"]
    del request["meta"]
    assert [violation.rule for violation in validate_body(request, USER, where="response")] == [
        "required: 'id' is a required property",
        "required: 'meta' is a required property",
    ]


def test_list_response_items_are_validated_against_the_endpoint_schema() -> None:
    page = load("entra-list-response-empty.json")
    page["totalResults"] = 2
    good = entra_created_user()
    bad = copy.deepcopy(good)
    bad["userName"] = 7
    page["Resources"] = [good, bad]
    violations = validate_exchange("GET", '/scim/v2/Users?filter=userName eq "x"', 200, None, page)
    assert found(violations) == [("/Resources/1/userName", "type")]
    assert violations[0].schema == USER
    assert violations[0].exchange == 'GET /scim/v2/Users?filter=userName eq "x" -> 200'


def test_validate_body_can_check_list_items_too() -> None:
    page = load("rfc7644-3.4.2-list-response.json")
    # Not None: null is unassigned (RFC 7643 §2.5), and a projection need not carry userName.
    page["Resources"][1]["userName"] = 7
    violations = validate_body(page, LIST_RESPONSE, resources_schema=USER, projection=True)
    assert found(violations) == [("/Resources/1/userName", "type")]


def test_attributes_parameter_relaxes_required_attributes_of_items() -> None:
    # RFC 7644 §3.4.2's own example answers GET /Users?attributes=userName with items
    # holding only id and userName.
    page = load("rfc7644-3.4.2-list-response.json")
    assert validate_exchange("GET", "/Users?attributes=userName", 200, None, page) == []
    unprojected = validate_exchange("GET", "/Users", 200, None, page)
    assert found(unprojected) == [
        ("/Resources/0", "required"),
        ("/Resources/0", "required"),
        ("/Resources/1", "required"),
        ("/Resources/1", "required"),
    ]


def test_excluded_members_group_lookup_validates() -> None:
    # Entra docs §1: GET /Groups?excludedAttributes=members&filter=displayName eq "...".
    group = load("rfc7643-8.4-group.json")
    del group["members"]
    page = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1,
        "Resources": [group],
    }
    path = '/scim/v2/Groups?excludedAttributes=members&filter=displayName eq "Tour Guides"'
    assert validate_exchange("GET", path, 200, None, page) == []
    group["members"] = [{"display": "Babs Jensen"}]
    assert found(validate_exchange("GET", path, 200, None, page)) == [
        ("/Resources/0/members/0", "required")
    ]


def test_root_search_matches_each_resource_to_its_schema() -> None:
    # RFC 7644 §3.4.3: a search at the root may return Users and Groups together.
    user = load("rfc7643-8.1-minimal-user.json")
    group = load("rfc7643-8.4-group.json")
    page = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "Resources": [user, group],
    }
    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}
    assert validate_exchange("POST", "/scim/v2/.search", 200, search, page) == []
    group["displayName"] = ["Tour Guides"]
    violations = validate_exchange("POST", "/scim/v2/.search", 200, search, page)
    assert found(violations) == [("/Resources/1/displayName", "type")]
    assert violations[0].schema == GROUP


def test_search_request_projection_relaxes_items() -> None:
    # RFC 7644 §3.4.3: attributes travel in the SearchRequest body, not the query string.
    search = load("rfc7644-3.4.3-search-request.json")
    page = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1,
        "Resources": [{"id": "2819c223-7f76-413861904646", "userName": "jsmith"}],
    }
    assert validate_exchange("POST", "/Users/.search", 200, search, page) == []
    del search["attributes"]
    assert found(validate_exchange("POST", "/Users/.search", 200, search, page)) == [
        ("/Resources/0", "required"),
        ("/Resources/0", "required"),
    ]


def test_error_status_must_match_the_http_status() -> None:
    body = load("rfc7644-3.12-error.json")
    assert validate_exchange("GET", "/scim/v2/Users/2819c223", 404, None, body) == []
    violations = validate_exchange("GET", "/scim/v2/Users/2819c223", 400, None, body)
    assert [violation.rule for violation in violations] == ["const: '400' was expected"]
    assert violations[0].pointer == "/status"


def test_bodies_without_a_schema_are_not_validated() -> None:
    assert validate_exchange("DELETE", "/scim/v2/Users/abc", 204, None, None) == []
    assert validate_exchange("GET", "/scim/v2/Bulk", 200, None, {"anything": 1}) == []


# --- routing -----------------------------------------------------------------------------
ROUTES: list[tuple[str, str, int | None, Direction, str | None]] = [
    ("POST", "/scim/v2/Users", None, "request", USER),
    ("POST", "/scim/v2/Users", 201, "response", USER),
    ("GET", '/scim/v2/Users?filter=userName eq "x"', 200, "response", LIST_RESPONSE),
    (
        "GET",
        '/scim/v2/Users?aadOptscim062020&filter=userName eq "x"',
        200,
        "response",
        LIST_RESPONSE,
    ),
    ("GET", "/Users", 200, "response", LIST_RESPONSE),
    ("GET", "/scim/Users/abc", 200, "response", USER),
    ("get", "/Users/abc", 200, "response", USER),
    ("GET", "https://api.linkedin.com/scim/v2/Users/abc", 200, "response", USER),
    ("PUT", "/Users/abc", None, "request", USER),
    ("PUT", "/Users/abc", 200, "response", USER),
    ("PATCH", "/scim/v2/Users/abc", None, "request", PATCH_OP),
    ("PATCH", "/scim/v2/Users/abc", 200, "response", USER),
    ("PATCH", "/scim/v2/Groups/abc", None, "request", PATCH_OP),
    ("PATCH", "/scim/v2/Groups/abc", 204, "response", None),
    ("DELETE", "/scim/v2/Users/abc", None, "request", None),
    ("DELETE", "/scim/v2/Users/abc", 204, "response", None),
    ("GET", "/scim/v2/Users/abc", None, "request", None),
    ("GET", "/scim/v2/Users/abc", None, "response", None),
    ("GET", "/scim/v2/Users/abc", 304, "response", None),
    ("GET", "/scim/v2/Users/abc", 404, "response", ERROR),
    ("POST", "/scim/v2/Users", 409, "response", ERROR),
    ("GET", "/scim/v2/Users", 401, "response", ERROR),
    ("PATCH", "/scim/v2/Groups/abc", 500, "response", ERROR),
    ("POST", "/scim/v2/Groups", None, "request", GROUP),
    ("POST", "/scim/v2/Groups", 201, "response", GROUP),
    ("GET", "/scim/v2/Groups?excludedAttributes=members", 200, "response", LIST_RESPONSE),
    ("GET", "/scim/v2/Groups/abc?excludedAttributes=members", 200, "response", GROUP),
    ("GET", "/ServiceProviderConfig", 200, "response", SERVICE_PROVIDER_CONFIG),
    ("GET", "/scim/v2/ServiceProviderConfig", 200, "response", SERVICE_PROVIDER_CONFIG),
    ("POST", "/scim/v2/ServiceProviderConfig", None, "request", None),
    ("GET", "/scim/v2/ResourceTypes", 200, "response", LIST_RESPONSE),
    ("GET", "/scim/v2/ResourceTypes/User", 200, "response", RESOURCE_TYPE),
    ("GET", "/scim/v2/Schemas", 200, "response", LIST_RESPONSE),
    ("GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", 200, "response", SCHEMA),
    ("GET", "/scim/v2/Schemas/nope", 404, "response", ERROR),
    ("POST", "/scim/v2/.search", None, "request", SEARCH_REQUEST),
    ("POST", "/scim/v2/.search", 200, "response", LIST_RESPONSE),
    ("POST", "/.search", 200, "response", LIST_RESPONSE),
    ("POST", "/scim/v2/Users/.search", None, "request", SEARCH_REQUEST),
    ("POST", "/scim/v2/Users/.search", 200, "response", LIST_RESPONSE),
    ("POST", "/scim/v2/Users/abc", None, "request", None),
    ("GET", "/scim/v2/Users/abc/extra", 200, "response", None),
    ("GET", "/scim/v2/Bulk", 200, "response", None),
    ("GET", "/scim/v2/Foo/abc", 404, "response", None),
    ("GET", "/scim/v2/?aadOptscim062020", 200, "response", None),
    ("GET", "/", 200, "response", None),
]


@pytest.mark.parametrize(("method", "path", "status", "where", "expected"), ROUTES)
def test_schema_for_routes_by_endpoint_method_and_status(
    method: str, path: str, status: int | None, where: Direction, expected: str | None
) -> None:
    assert schema_for(method, path, status, where) == expected


# --- the schema files --------------------------------------------------------------------
SCHEMA_DIR = Path(validation.__file__).parent / "schemas"


def test_every_schema_file_is_loaded() -> None:
    assert validation.schema_names() == sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json"))
    for required in (USER, GROUP, LIST_RESPONSE, PATCH_OP, ERROR, SCHEMA, RESOURCE_TYPE):
        assert required in validation.schema_names()
    assert "enterprise-user.schema.json" in validation.schema_names()


@pytest.mark.parametrize("schema_name", sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json")))
def test_schema_file_is_valid_draft_2020_12_with_a_stable_id(schema_name: str) -> None:
    document = validation.load_schema(schema_name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == validation.SCHEMA_BASE_URI + schema_name


def test_unknown_schema_name_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown schema 'users\.json'"):
        validate_body({}, "users.json")


# --- reporting ---------------------------------------------------------------------------
def test_violation_reads_as_one_line() -> None:
    body = load("rfc7643-8.1-minimal-user.json")
    body["active"] = "True"
    [violation] = validate_exchange("POST", "/scim/v2/Users", 201, None, body)
    assert violation == Violation(
        exchange="POST /scim/v2/Users -> 201",
        where="response",
        pointer="/active",
        rule="type: 'True' is not of type 'boolean'",
        schema=USER,
    )
    assert str(violation) == (
        "POST /scim/v2/Users -> 201: response /active: "
        "type: 'True' is not of type 'boolean' [user.schema.json]"
    )


def test_root_violation_names_the_root() -> None:
    [violation] = validate_body({"totalResults": 0}, LIST_RESPONSE, exchange="GET /Users -> 200")
    assert str(violation) == (
        "GET /Users -> 200: response (root): "
        "required: 'schemas' is a required property [list-response.schema.json]"
    )


def test_long_messages_are_cut_to_one_short_line() -> None:
    body = load("rfc7643-8.4-group.json")
    body["members"] = "x" * 1000
    [violation] = validate_body(body, GROUP)
    assert "\n" not in str(violation)
    assert len(violation.rule) <= 210


def test_pointer_escapes_tilde_and_slash() -> None:
    # RFC 6901 §3.
    assert validation._pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"
    assert validation._pointer([]) == ""


def test_assert_valid_exchange_raises_with_every_violation() -> None:
    body = load("rfc7643-8.1-minimal-user.json")
    body["userName"] = 1
    body["active"] = "yes"
    with pytest.raises(SchemaViolationError) as raised:
        assert_valid_exchange("GET", "/scim/v2/Users/2819c223", 200, None, body)
    assert [violation.pointer for violation in raised.value.violations] == ["/active", "/userName"]
    assert str(raised.value).splitlines() == [str(v) for v in raised.value.violations]
    assert isinstance(raised.value, AssertionError)
    assert_valid_exchange(
        "GET", "/scim/v2/Users/2819c223", 200, None, load("rfc7643-8.1-minimal-user.json")
    )


# --- formats -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("created", "valid"),
    [
        ("2010-01-23T04:56:22Z", True),
        ("2018-03-27T19:59:26.000Z", True),  # Entra's 201 sample
        ("2010-01-23T04:56:22+05:30", True),
        ("2010-01-23T04:56:22", True),  # xsd:dateTime allows no offset
        ("2010-13-23T04:56:22Z", False),
        ("2010-01-23 04:56:22Z", False),
        ("2010-01-23", False),
    ],
)
def test_date_time_format(created: str, valid: bool) -> None:
    body = load("rfc7643-8.1-minimal-user.json")
    body["meta"]["created"] = created
    assert (validate_body(body, USER) == []) is valid


@pytest.mark.parametrize(
    ("location", "valid"),
    [
        ("https://example.com/v2/Users/2819c223", True),
        ("urn:ietf:params:scim:schemas:core:2.0:User", True),
        # RFC 7643 §2.3.7: a reference may be an absolute or a relative URI, resolved per
        # RFC 3986 §5.2 (scimmy-routers answers relative locations; §8.7.1 uses them too).
        ("/v2/Users/2819c223", True),
        ("https://example.com/v2/Users/with space", False),
        ("/v2/Users/with space", False),
    ],
)
def test_uri_format(location: str, valid: bool) -> None:
    body = load("rfc7643-8.1-minimal-user.json")
    body["meta"]["location"] = location
    assert (validate_body(body, USER) == []) is valid


# --- the two engines agree ---------------------------------------------------------------
CORPUS_FORMS = [
    (name, schema_name, form_of(where))
    for name, (schema_name, where) in sorted(PAYLOAD_SCHEMAS.items())
]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def value_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            paths += value_paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            paths += value_paths(child, (*prefix, index))
    return paths


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_engines_agree_on_mutated_payloads(data: st.DataObject) -> None:
    name, schema_name, form = data.draw(st.sampled_from(CORPUS_FORMS))
    body = load(name)
    if isinstance(body, list):
        body = body[0]
    path = data.draw(st.sampled_from(value_paths(body)))
    set_at(*path, value=data.draw(JSON_VALUES))(body)
    assert engines_agree(body, schema_name, form)


# --- the fast paths answer as the full ones ------------------------------------------------
# validate_exchange routes plain paths without urlsplit/parse_qs, hands the Rust engine
# C-level format functions, and returns at once when it accepts every body; each must
# give what the full computation gives.
def reference_target(path: str) -> Any:
    """_target as it was: urlsplit and parse_qs for every path."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(path)
    projected = False
    if parts.query:
        query = parse_qs(parts.query, keep_blank_values=True)
        projected = any(name in query for name in ("attributes", "excludedAttributes"))
    segments = [segment for segment in parts.path.split("/") if segment]
    if not segments:
        return None
    return (tuple(segments), projected)


QUERY_NAMES = [
    "attributes", "excludedAttributes", "attrib%75tes", "excluded+Attributes", "excludedattributes",
    "filter", "count", "", "x#", "attri\tbutes",
]  # fmt: skip
query_fields = st.builds(
    lambda name, value: name + value,
    st.sampled_from(QUERY_NAMES),
    st.sampled_from(["", "=", "=userName", "=a=b", "=%22x%22", "=#x", "=a+b"]),
)
paths = st.builds(
    lambda prefix, endpoint, tail, query: prefix + endpoint + tail + query,
    st.sampled_from(["", "/scim/v2", "//host", "https://x", " ", "\t", "/a\nb", "x"]),
    st.sampled_from(["/Users", "/Groups", "/.search", "/Schemas", "/ResourceTypes", "/Bogus", ""]),
    st.sampled_from(["", "/", "/2819c223", "/.search", "/a/b", "#frag", "/x\ty"]),
    st.one_of(st.just(""), st.lists(query_fields, max_size=3).map(lambda f: "?" + "&".join(f))),
)


ROUTING_CASES = [
    "/Users?excludedAttributes=emails", "/Users?attrib%75tes=userName", "/Users?attri\tbutes=x",
    "/Us\ters", "//Users/abc", "/Users#x/Groups", "/Users/abc?x=1#attributes",
    "/Users?filter=a&attributes", "https://host/scim/v2/Users/1", "/Users?=attributes",
    "/scim/v2/Groups/.search?excludedAttributes", "/Users?count=1&&attributes=",
]  # fmt: skip


@pytest.mark.parametrize("path", ROUTING_CASES)
def test_routing_of_paths_urlsplit_reads_its_own_way(path: str) -> None:
    check_routing(path)


@settings(max_examples=300, deadline=None)
@given(path=st.one_of(paths, st.text(max_size=12)))
def test_routing_reads_paths_as_urlsplit_and_parse_qs_do(path: str) -> None:
    check_routing(path)


def check_routing(path: str) -> None:
    target = validation._target(path)
    reference = reference_target(path)
    if reference is None:
        assert target is None
        return
    segments, projected = reference
    expected = validation._target("/" + "/".join(segments))
    if expected is None:
        assert target is None
        return
    assert target is not None
    assert (target.endpoint, target.has_id, target.search_base) == (
        expected.endpoint,
        expected.has_id,
        expected.search_base,
    )
    assert target.projected is projected


URI_SAMPLES = [
    "urn:ietf:params:scim:schemas:core:2.0:User", "https://x/a b", "/relative", "a:", ":a",
    "1a:b", "a+b.c-d:x", "mailto:x@y", "x:\x7f", "x:é", "",
]  # fmt: skip
DATE_TIME_SAMPLES = [
    "2010-01-23T04:56:22Z", "2010-13-23T04:56:22Z", "2010-01-23t04:56:22z", "2010-01-23",
    "2010-01-23T04:56:22.123+05:30", "2010-02-30T00:00:00Z", "x", "",
]  # fmt: skip


@pytest.mark.parametrize("value", URI_SAMPLES)
def test_rust_engine_uri_formats_give_the_python_verdicts(value: str) -> None:
    assert (validation._URI.fullmatch(value) is not None) is validation._is_uri(value)
    reference = validation._is_uri_reference(value)
    assert (validation._URI_CHARACTERS.fullmatch(value) is not None) is reference


@pytest.mark.parametrize("value", DATE_TIME_SAMPLES)
def test_rust_engine_date_times_give_the_python_verdicts(value: str) -> None:
    verdict = validation._is_date_time_value(value)
    assert validation._DATE_TIME_VERDICTS[value] is verdict
    assert validation._DATE_TIME_VERDICTS[value] is verdict  # remembered, same answer
    body = load("rfc7643-8.1-minimal-user.json")
    body["meta"]["created"] = value
    fast = validation._fast_validator(USER, "response")
    assert fast is None or bool(fast.is_valid(body)) is verdict


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=10))
def test_uri_formats_agree_on_any_text(text: str) -> None:
    assert (validation._URI.fullmatch(text) is not None) is validation._is_uri(text)
    assert (validation._URI_CHARACTERS.fullmatch(text) is not None) is (
        validation._is_uri_reference(text)
    )


EXCHANGES: list[tuple[str, str, int | None, Any, Any]] = [
    ("POST", "/scim/v2/Users", 201, load("entra-create-user.json"), entra_created_user()),
    ("GET", "/Users?filter=userName%20eq%20%22a%22", 200, None, load(
        "rfc7644-3.4.2-list-response.json")),
    ("PATCH", "/Users/48af03ac28ad4fb88478", 200, load("entra-default-patch-disable.json"),
     entra_created_user()),
    ("PATCH", "/Groups/g1", 204, load("entra-default-patch-add-member.json"), None),
    ("POST", "/.search", 200, load("rfc7644-3.4.3-search-request.json"), load(
        "rfc7644-3.4.2-list-response.json")),
    ("GET", "/Users/x?attributes=userName", 200, None, {"id": "x"}),
    ("POST", "/Users", 409, load("entra-create-user.json"), load("rfc7644-3.12-error.json")),
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_quick_verdict_agrees_with_the_full_report(data: st.DataObject) -> None:
    method, path, status, request_body, response_body = copy.deepcopy(
        data.draw(st.sampled_from(EXCHANGES))
    )
    for body in (request_body, response_body):
        if isinstance(body, dict) and data.draw(st.booleans()):
            where = data.draw(st.sampled_from(value_paths(body)))
            set_at(*where, value=data.draw(JSON_VALUES))(body)
    status = data.draw(st.sampled_from([status, status, 200, 400]))
    target = validation._target(path)
    assert target is not None
    full = validation._report_exchange(method, path, status, request_body, response_body, target)
    assert validate_exchange(method, path, status, request_body, response_body) == full
