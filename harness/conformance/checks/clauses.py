"""The RFC sentences the checks judge against, quoted exactly, and the Microsoft pages
that say Entra relies on a behaviour. One place, so that every quote can be audited
against https://www.rfc-editor.org/rfc/rfc7643 and .../rfc7644.

A check's level comes from its first clause's RFC 2119 keyword
(:class:`harness.conformance.sources.Clause`); tests/test_conformance_clauses.py fails
when a check has no clause or its level disagrees with the keyword.
"""

from __future__ import annotations

from typing import Final

from harness.conformance.sources import Clause, MicrosoftSource

# -- RFC 7644 -------------------------------------------------------------------------------

SPC_SCHEMA: Final = Clause(
    7644,
    "4",
    'This endpoint SHALL return responses with a JSON object using a "schemas" attribute of '
    '"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig".',
)
SCHEMAS_LIST: Final = Clause(
    7644,
    "4",
    'An HTTP GET to the endpoint "/Schemas" SHALL return all supported schemas in '
    "ListResponse format (see Figure 3).",
)
RESOURCE_TYPES_DEFINED: Final = Clause(
    7644,
    "4",
    "An HTTP GET to this endpoint is used to discover the types of resources available on a "
    "SCIM service provider (e.g., Users and Groups).",
    keyword=None,
)
UNAUTHORIZED: Final = Clause(
    7644,
    "3.12",
    "Authorization failure. The authorization header is invalid or missing.",
    keyword=None,
    context="401 Unauthorized",
)
FILTER_MATCHES: Final = Clause(
    7644,
    "3.4.2.2",
    "When specified, only those resources matching the filter expression SHALL be returned.",
)
FILTER_OPTIONAL: Final = Clause(
    7644, "3.4.2.2", "Filtering is an OPTIONAL parameter for SCIM service providers."
)
FILTER_NAMES_CASE: Final = Clause(
    7644,
    "3.4.2.2",
    "Attribute names and attribute operators used in filters are case insensitive.",
    keyword=None,
)
CREATED_201: Final = Clause(
    7644,
    "3.3",
    "When the service provider successfully creates the new resource, an HTTP response SHALL "
    "be returned with HTTP status code 201 (Created).",
)
CREATED_LOCATION: Final = Clause(
    7644,
    "3.3",
    'The URI of the created resource SHALL include, in the HTTP "Location" header and the '
    'HTTP body, a JSON representation [RFC7159] with the attribute "meta.location".',
)
UNIQUENESS_409: Final = Clause(
    7644,
    "3.3",
    "If the service provider determines that the creation of the requested resource "
    'conflicts with existing resources (e.g., a "User" resource with a duplicate '
    '"userName"), the service provider MUST return HTTP status code 409 (Conflict) with a '
    '"scimType" error code of "uniqueness", as per Section 3.12.',
)
COUNT_LIMIT: Final = Clause(
    7644,
    "3.4.2.4",
    "When specified, the service provider MUST NOT return more results than specified, "
    "although it MAY return fewer results.",
    keyword="MUST NOT",
)
START_INDEX: Final = Clause(
    7644, "3.4.2.4", "The 1-based index of the first query result.", keyword=None
)
EXCLUDED_ATTRIBUTES: Final = Clause(
    7644,
    "3.9",
    "When specified, each resource returned MUST contain the minimum set of resource attributes.",
    context="Additionally, the default set of attributes minus those attributes listed in "
    '"excludedAttributes" is returned.',
)
DELETE_204: Final = Clause(
    7644,
    "3.6",
    "In response to a successful DELETE, the server SHALL return a successful HTTP status "
    "code 204 (No Content).",
)
DELETE_404: Final = Clause(
    7644,
    "3.6",
    "Service providers MAY choose not to permanently delete the resource, but MUST return a "
    "404 (Not Found) error code for all operations associated with the previously deleted "
    "resource.",
    keyword="MUST",
)
DELETE_OMITTED: Final = Clause(
    7644, "3.6", "Service providers MUST omit the resource from future query results."
)
ERROR_JSON: Final = Clause(
    7644,
    "3.12",
    "In addition to returning an HTTP response code, implementers MUST return the errors in "
    "the body of the response in a JSON format, using the attributes described below.",
)

# -- RFC 7643 -------------------------------------------------------------------------------

USERNAME_UNIQUE: Final = Clause(
    7643,
    "4.1.1",
    "This identifier MUST be unique across the service provider's entire set of Users.",
)
USERNAME_REQUIRED: Final = Clause(
    7643, "4.1.1", "Each User MUST include a non-empty userName value."
)
NULL_UNASSIGNED: Final = Clause(
    7643,
    "2.5",
    "Unassigned attributes, the null value, or empty array (in the case of a multi-valued "
    'attribute) SHALL be considered to be equivalent in "state".',
)

# -- Microsoft ------------------------------------------------------------------------------

ENTRA_TEST_CONNECTION: Final = MicrosoftSource(
    "S1", "Test Connection queries a user that does not exist and expects an empty result"
)
ENTRA_QUARANTINE_404: Final = MicrosoftSource(
    "S4", "a 404 to a query is a SCIM compliance reason for quarantine"
)
ENTRA_MATCHING: Final = MicrosoftSource(
    "S1", "users are queried by userName and externalId before they are created"
)
ENTRA_GROUP_MATCHING: Final = MicrosoftSource("S1", "groups are queried by displayName")
ENTRA_CREATE: Final = MicrosoftSource("S1", "POST /Users expects 201 with the new id")
ENTRA_USER_UPDATE: Final = MicrosoftSource("S1", "user updates are PATCH requests")
ENTRA_DIALECTS: Final = MicrosoftSource("S2", "the default and aadOptscim062020 PATCH dialects")
ENTRA_DISABLE: Final = MicrosoftSource(
    "S1", "a disabled user is PATCHed active false and must still be returned"
)
ENTRA_GROUPS: Final = MicrosoftSource("S1", "group create, update, member add and remove")
ENTRA_HOW: Final = MicrosoftSource("S3", "initial and incremental cycles, soft and hard delete")
ENTRA_EXCLUDED: Final = MicrosoftSource(
    "S13", "members returned despite excludedAttributes=members: MultipleEntriesInResponse"
)
ENTRA_THROUGHPUT: Final = MicrosoftSource(
    "S1", "endpoints must handle 25 requests per second per tenant"
)
ENTRA_ERRORS: Final = MicrosoftSource(
    "S13", "InternalServerError and Timeout are retried 40 minutes later"
)
ENTRA_CREDENTIALS: Final = MicrosoftSource("S4", "refused credentials put the job in quarantine")
ENTRA_DUPLICATES: Final = MicrosoftSource(
    "S13", "more than one user matching is DuplicateTargetEntries"
)
ENTRA_RESTART: Final = MicrosoftSource(
    "S3",
    "an initial cycle (and a Restart) queries the target for each object and updates it with "
    "the source's attributes",
)
ENTRA_APP_ROLES: Final = MicrosoftSource(
    "S7",
    'SingleAppRoleAssignment maps a user\'s app role to roles[primary eq "True"].value; '
    "POST and PATCH send it in different formats unless aadOptscim062020 is set",
)
ENTRA_MANAGER: Final = MicrosoftSource(
    "S7", "the manager attribute is mapped and provisioned as a reference"
)
