"""Attribute definitions for the resources Fake Elevate serves: RFC 7643 §4 and §8.7.1.

The definitions drive everything that depends on an attribute's
characteristics: case-insensitive name resolution, caseExact comparison in
filters, uniqueness, mutability, which attributes are ``returned``, and the
truthful ``/Schemas`` document. They advertise only what the service
implements.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

#: RFC 7644 §8.1: the media type of SCIM requests and responses.
SCIM_MEDIA_TYPE = "application/scim+json"

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
# Entra sends this extra URN when it creates a group (entra-provisioning-service §1).
ENTRA_GROUP_EXTENSION = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

AttrType = Literal[
    "string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"
]
Mutability = Literal["readOnly", "readWrite", "immutable", "writeOnly"]
Returned = Literal["always", "never", "default", "request"]
Uniqueness = Literal["none", "server", "global"]


@dataclass(frozen=True)
class Attribute:
    """One attribute definition (RFC 7643 §7 ``attributes``)."""

    name: str
    type: AttrType = "string"
    multi_valued: bool = False
    description: str = ""
    required: bool = False
    case_exact: bool = False
    mutability: Mutability = "readWrite"
    returned: Returned = "default"
    uniqueness: Uniqueness = "none"
    canonical_values: tuple[str, ...] = ()
    reference_types: tuple[str, ...] = ()
    sub_attributes: tuple[Attribute, ...] = ()
    #: Names a user or group (fake_elevate.scim.text): no control character at all.
    #: Not part of the RFC 7643 definition, so not in to_json.
    identifier: bool = False
    # Sub-attributes by lower-cased name, and by their own spelling (the common case):
    # sub() is asked for every sub-attribute of every PATCH value and filter.
    _subs: dict[str, Attribute] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        subs: dict[str, Attribute] = {}
        for attr in self.sub_attributes:
            subs.setdefault(attr.name.lower(), attr)  # the first match wins, as a scan would
        for attr in self.sub_attributes:
            subs.setdefault(attr.name, subs[attr.name.lower()])
        object.__setattr__(self, "_subs", subs)

    def sub(self, name: str) -> Attribute | None:
        """Resolve a sub-attribute by name, case-insensitively (RFC 7643 §2.1)."""
        found = self._subs.get(name)
        if found is None:
            found = self._subs.get(name.lower())
        return found

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "multiValued": self.multi_valued,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": self.mutability,
            "returned": self.returned,
            "uniqueness": self.uniqueness,
        }
        if self.canonical_values:
            doc["canonicalValues"] = list(self.canonical_values)
        if self.reference_types:
            doc["referenceTypes"] = list(self.reference_types)
        if self.sub_attributes:
            doc["subAttributes"] = [a.to_json() for a in self.sub_attributes]
        return doc


@dataclass(frozen=True)
class Schema:
    """A schema: an id (URN), a name and its attributes (RFC 7643 §7)."""

    id: str
    name: str
    description: str
    attributes: tuple[Attribute, ...]
    _by_name: dict[str, Attribute] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {a.name.lower(): a for a in self.attributes})

    def attribute(self, name: str) -> Attribute | None:
        return self._by_name.get(name.lower())

    def to_json(self, location: str | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schemas": [SCHEMA_SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": [a.to_json() for a in self.attributes],
            "meta": {"resourceType": "Schema"},
        }
        if location:
            doc["meta"]["location"] = location
        return doc


def _with_sub(attribute: Attribute, sub: Attribute) -> Attribute:
    """``attribute`` with one more sub-attribute."""
    return dataclasses.replace(attribute, sub_attributes=(*attribute.sub_attributes, sub))


def _multi(
    name: str,
    description: str,
    *,
    types: tuple[str, ...],
    value_type: AttrType = "string",
    value_case_exact: bool = False,
    with_primary: bool = True,
    with_display: bool = True,
    value_identifier: bool = False,
) -> Attribute:
    """A multi-valued complex attribute with value/display/type/primary (RFC 7643 §2.4)."""
    subs: list[Attribute] = [
        Attribute("value", value_type, case_exact=value_case_exact, identifier=value_identifier)
    ]
    if with_display:
        subs.append(
            Attribute(
                "display", description="A human-readable name, primarily used for display purposes."
            )
        )
    subs.append(
        Attribute(
            "type",
            canonical_values=types,
            description="A label indicating the attribute's function.",
        )
    )
    if with_primary:
        subs.append(
            Attribute(
                "primary",
                "boolean",
                description="Indicates the preferred value for this attribute.",
            )
        )
    return Attribute(
        name, "complex", multi_valued=True, description=description, sub_attributes=tuple(subs)
    )


# Common attributes (RFC 7643 §3.1): id, externalId and meta are on every resource.
ID = Attribute(
    "id",
    case_exact=True,
    mutability="readOnly",
    returned="always",
    uniqueness="server",
    description="Unique identifier for the SCIM resource, issued by the service provider.",
)
EXTERNAL_ID = Attribute(
    "externalId",
    case_exact=True,
    identifier=True,
    description="An identifier for the resource as defined by the provisioning client.",
)
META = Attribute(
    "meta",
    "complex",
    mutability="readOnly",
    description="Resource metadata.",
    sub_attributes=(
        Attribute("resourceType", case_exact=True, mutability="readOnly"),
        Attribute("created", "dateTime", mutability="readOnly"),
        Attribute("lastModified", "dateTime", mutability="readOnly"),
        Attribute(
            "location",
            "reference",
            case_exact=True,
            mutability="readOnly",
            reference_types=("uri",),
        ),
        Attribute("version", case_exact=True, mutability="readOnly"),
    ),
)
COMMON_ATTRIBUTES = (ID, EXTERNAL_ID, META)

USER = Schema(
    USER_SCHEMA,
    "User",
    "User Account",
    (
        # RFC 7643 §4.1: userName is required, unique and caseExact=false.
        Attribute(
            "userName",
            required=True,
            uniqueness="server",
            identifier=True,
            description="Unique identifier for the User.",
        ),
        Attribute(
            "name",
            "complex",
            description="The components of the user's real name.",
            sub_attributes=(
                Attribute("formatted"),
                Attribute("familyName"),
                Attribute("givenName"),
                Attribute("middleName"),
                Attribute("honorificPrefix"),
                Attribute("honorificSuffix"),
            ),
        ),
        Attribute(
            "displayName",
            identifier=True,
            description="The name of the User, suitable for display to end-users.",
        ),
        Attribute("nickName"),
        Attribute("profileUrl", "reference", reference_types=("external",)),
        Attribute("title", description="The user's title, such as 'Vice President'."),
        Attribute("userType"),
        Attribute("preferredLanguage"),
        Attribute("locale"),
        Attribute("timezone"),
        Attribute("active", "boolean", description="The User's administrative status."),
        Attribute("password", mutability="writeOnly", returned="never"),
        _multi(
            "emails",
            "Email addresses for the user.",
            types=("work", "home", "other"),
            value_identifier=True,
        ),
        _multi(
            "phoneNumbers",
            "Phone numbers for the User.",
            types=("work", "home", "mobile", "fax", "pager", "other"),
        ),
        _multi(
            "ims",
            "Instant messaging addresses for the User.",
            types=("aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
        ),
        _multi(
            "photos",
            "URLs of photos of the User.",
            types=("photo", "thumbnail"),
            value_type="reference",
        ),
        Attribute(
            "addresses",
            "complex",
            multi_valued=True,
            description="A physical mailing address for this User.",
            sub_attributes=(
                Attribute("formatted"),
                Attribute("streetAddress"),
                Attribute("locality"),
                Attribute("region"),
                Attribute("postalCode"),
                Attribute("country"),
                Attribute("type", canonical_values=("work", "home", "other")),
                Attribute("primary", "boolean"),
            ),
        ),
        Attribute(
            "groups",
            "complex",
            multi_valued=True,
            mutability="readOnly",
            description="A list of groups to which the user belongs.",
            sub_attributes=(
                Attribute("value", mutability="readOnly"),
                Attribute("$ref", "reference", mutability="readOnly", reference_types=("Group",)),
                Attribute("display", mutability="readOnly"),
                Attribute("type", mutability="readOnly", canonical_values=("direct", "indirect")),
            ),
        ),
        _multi("entitlements", "A list of entitlements for the User.", types=()),
        # Entra sends roles (SingleAppRoleAssignment) with a stringified-JSON value (entra §1).
        _with_sub(
            _multi("roles", "A list of roles for the User.", types=()),
            # Entra's AppRoleAssignmentsComplex POST names a role's display "displayName"
            # (customize-application-attributes, "Provisioning a role to a SCIM app").
            Attribute("displayName", description="The role's name, as Entra sends it."),
        ),
        _multi(
            "x509Certificates",
            "A list of certificates issued to the User.",
            types=(),
            value_type="binary",
        ),
    ),
)

ENTERPRISE_USER = Schema(
    ENTERPRISE_USER_SCHEMA,
    "EnterpriseUser",
    "Enterprise User",
    (
        Attribute("employeeNumber"),
        Attribute("costCenter"),
        Attribute("organization"),
        Attribute("division"),
        Attribute("department"),
        Attribute(
            "manager",
            "complex",
            description="The User's manager.",
            sub_attributes=(
                Attribute("value", required=True),
                Attribute("$ref", "reference", reference_types=("User",)),
                Attribute("displayName", mutability="readOnly"),
            ),
        ),
    ),
)

GROUP = Schema(
    GROUP_SCHEMA,
    "Group",
    "Group",
    (
        # Entra needs a unique displayName on groups (entra-provisioning-service §1).
        Attribute(
            "displayName",
            required=True,
            uniqueness="server",
            identifier=True,
            description="A human-readable name for the Group.",
        ),
        Attribute(
            "members",
            "complex",
            multi_valued=True,
            description="A list of members of the Group.",
            sub_attributes=(
                Attribute("value", mutability="immutable", identifier=True),
                Attribute(
                    "$ref", "reference", mutability="immutable", reference_types=("User", "Group")
                ),
                Attribute("display", mutability="readOnly"),
                Attribute("type", mutability="immutable", canonical_values=("User", "Group")),
            ),
        ),
    ),
)

SCHEMAS: dict[str, Schema] = {s.id: s for s in (USER, ENTERPRISE_USER, GROUP)}


@dataclass(frozen=True)
class ResourceType:
    """A resource type (RFC 7643 §6): its endpoint, core schema and extensions."""

    name: str
    endpoint: str
    schema: Schema
    extensions: tuple[Schema, ...] = ()
    description: str = ""
    # Extensions by lower-cased URN and by their own spelling; see Attribute._subs.
    _extensions: dict[str, Schema] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        extensions: dict[str, Schema] = {}
        for ext in self.extensions:
            extensions.setdefault(ext.id.lower(), ext)
        for ext in self.extensions:
            extensions.setdefault(ext.id, extensions[ext.id.lower()])
        object.__setattr__(self, "_extensions", extensions)

    @property
    def schema_ids(self) -> tuple[str, ...]:
        return (self.schema.id, *(e.id for e in self.extensions))

    def schemas_in_order(self) -> Iterator[Schema]:
        yield self.schema
        yield from self.extensions

    def extension(self, urn: str) -> Schema | None:
        found = self._extensions.get(urn)
        if found is None:
            found = self._extensions.get(urn.lower())
        return found

    def to_json(self, location: str | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": self.name,
            "name": self.name,
            "endpoint": self.endpoint,
            "description": self.description,
            "schema": self.schema.id,
            "schemaExtensions": [{"schema": e.id, "required": False} for e in self.extensions],
            "meta": {"resourceType": "ResourceType"},
        }
        if location:
            doc["meta"]["location"] = location
        return doc


USER_TYPE = ResourceType("User", "/Users", USER, (ENTERPRISE_USER,), "User Account")
GROUP_TYPE = ResourceType("Group", "/Groups", GROUP, (), "Group")
RESOURCE_TYPES: dict[str, ResourceType] = {"User": USER_TYPE, "Group": GROUP_TYPE}


@dataclass(frozen=True)
class ResolvedAttribute:
    """An attribute name resolved against a resource type.

    ``schema`` is the URN that owns the attribute; ``key`` is where its value
    lives in the JSON (the attribute name for the core schema, the extension
    URN for extension attributes, whose values nest under that key).
    """

    schema: Schema
    attribute: Attribute
    extension: bool

    @property
    def name(self) -> str:
        return self.attribute.name


def resolve(resource_type: ResourceType, name: str) -> ResolvedAttribute | None:
    """Resolve ``name`` (``userName``, ``USERNAME``, or a full URN-prefixed name).

    RFC 7643 §2.1: attribute names are case-insensitive. RFC 7644 §3.10: a
    name may be prefixed by its schema URN, e.g.
    ``urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department``.
    Common attributes (id, externalId, meta) belong to every resource.
    """
    lowered = name.lower()
    for schema in resource_type.schemas_in_order():
        prefix = schema.id.lower() + ":"
        if lowered.startswith(prefix):
            attr = schema.attribute(name[len(prefix) :])
            if attr is None and schema is resource_type.schema:
                attr = _common(name[len(prefix) :])
            if attr is None:
                return None
            return ResolvedAttribute(schema, attr, schema is not resource_type.schema)
    common = _common(name)
    if common is not None:
        return ResolvedAttribute(resource_type.schema, common, False)
    attr = resource_type.schema.attribute(name)
    if attr is not None:
        return ResolvedAttribute(resource_type.schema, attr, False)
    # An attribute only an extension defines may be named without its URN
    # (Entra S1 sends "path":"manager"); core names win on a clash.
    for ext in resource_type.extensions:
        attr = ext.attribute(name)
        if attr is not None:
            return ResolvedAttribute(ext, attr, True)
    return None


def _common(name: str) -> Attribute | None:
    lowered = name.lower()
    for attr in COMMON_ATTRIBUTES:
        if attr.name.lower() == lowered:
            return attr
    return None


def all_attributes(resource_type: ResourceType) -> Iterable[ResolvedAttribute]:
    for attr in COMMON_ATTRIBUTES:
        yield ResolvedAttribute(resource_type.schema, attr, False)
    for schema in resource_type.schemas_in_order():
        for attr in schema.attributes:
            yield ResolvedAttribute(schema, attr, schema is not resource_type.schema)


_T = TypeVar("_T")


def per_resource_type(
    cache: dict[int, tuple[ResourceType, _T]],
    resource_type: ResourceType,
    make: Callable[[ResourceType], _T],
) -> _T:
    """What ``cache`` holds for ``resource_type``, made by ``make(resource_type)`` the first time.

    Keyed by ``id()`` (resource types are not hashable by value, and hashing one per call
    would cost more than the lookup); each entry holds the resource type itself, so its id
    stays its own, and a cache past 64 types starts again (types built by tests come and go).
    """
    cached = cache.get(id(resource_type))
    if cached is not None and cached[0] is resource_type:
        return cached[1]
    if len(cache) >= 64:
        cache.clear()
    value = make(resource_type)
    cache[id(resource_type)] = (resource_type, value)
    return value
