"""Target attribute paths, value types and the settings of Entra's request bodies."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, Literal

from .app_roles import AppRoleValue

PATCH_OP_SCHEMA: Final = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CORE_USER_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA: Final = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# §1 "Groups": Entra's POST /Groups names this Microsoft schema next to the core one.
AD_SCIM_GROUP_SCHEMA: Final = (
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
)
MANAGER_PATH: Final = f"{ENTERPRISE_USER_SCHEMA}:manager"

#: The tenant URL flag that selects the RFC-compliant PATCH dialect (§1, §5.3).
AAD_OPT_SCIM_062020_FLAG: Final = "aadOptscim062020"

TargetType = Literal["string", "boolean", "reference", "complex", "integer"]
JsonObject = dict[str, Any]


class Dialect(StrEnum):
    """How the provisioning service writes PATCH bodies (§5)."""

    DEFAULT = "default"
    AAD_OPT_SCIM_062020 = "aadOptscim062020"


# Target attribute types of the default mappings (§4). A path not listed is a
# string; filtered paths are also looked up without their filter
# (``emails[type eq "work"].primary`` -> ``emails.primary``).
DEFAULT_USER_TARGET_TYPES: Final[Mapping[str, TargetType]] = {
    "active": "boolean",
    "emails.primary": "boolean",
    "phoneNumbers.primary": "boolean",
    "addresses.primary": "boolean",
    "roles": "complex",
    # S7 "Provisioning a role to a SCIM app": SingleAppRoleAssignment's three targets,
    # roles[primary eq "True"].display, .type and .value.
    "roles.display": "string",
    "roles.type": "string",
    "roles.value": "string",
    "roles.primary": "boolean",
    MANAGER_PATH: "reference",
}
DEFAULT_GROUP_TARGET_TYPES: Final[Mapping[str, TargetType]] = {
    "members": "complex",
}


@dataclass(frozen=True)
class AttributeChange:
    """One target attribute whose mapped value differs from what the target holds.

    ``old`` None: the target lacks the attribute. ``new`` None: the value was
    cleared at the source.
    """

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class DialectSettings:
    """Behaviours the reference leaves open (§8 "Unconfirmed (make configurable)")."""

    # §1 "User update": "Add when the target lacks the attribute, else Replace" is
    # inferred, unconfirmed (§8).
    add_when_absent: bool = True
    # A value cleared at the source is sent as a Remove on its path (RFC 7644
    # §3.5.2.2). Unconfirmed: Entra's known issues say null attributes are skipped
    # (S14 "Null attribute can't be provisioned"), while vendors do receive Entra
    # Remove ops (AzureAD/SCIMReferenceCode PR#87 on emails[type eq "work"].value,
    # thomaspoignant/scim-patch#453 on manager).
    clear_with_remove: bool = True
    # §1 "Groups": vendors see one member per PATCH (snipe-it PR#19115); the batch
    # size is unconfirmed (§8).
    member_batch_size: int = 1
    # §1 "User update": "bare" is what vendors see today (SCIM-SDK#686):
    # {"op":"Add","path":"urn:...:manager","value":"<id>"}; "s1-array" is S1's old
    # example {"op":"Add","path":"manager","value":[{"$ref":...,"value":"<id>"}]}.
    # Today's shape is unconfirmed (§8).
    manager_shape: Literal["bare", "s1-array"] = "bare"
    # Base URL for the "$ref" of an "s1-array" reference (S1: "http://.../scim/Users/<id>").
    # None gives the relative form RFC 7643 §8.3 uses ("../Users/<id>").
    reference_base_url: str | None = None
    # aadOptscim062020: one replaced attribute as a pathless op, {"op":"replace","value":
    # {"displayName":"x"}}. Vendors report Entra renaming groups "using the no-path form"
    # (langwatch/langwatch#7131); S2's flagged disable keeps its path
    # ({"op":"replace","path":"active","value":false}), so off by default. Probable only.
    lone_pathless_replace: bool = False
    # How member changes of one group travel. "separate": adds, then removes, each in
    # bodies of their own (S1 documents "Add Members" and "Remove Members" apart and its
    # samples never mix them). "mixed": each body carries an add op and the remove ops of
    # its batch (RFC 7644 §3.5.2 allows several ops per PATCH; Entra mixes ops in one
    # user PATCH, laravel-scim-server#34). "replace": one {"op":"Replace","path":"members",
    # "value":[every member]} (RFC 7644 §3.5.2.3's member-list example). No Microsoft sample
    # shows "mixed" or "replace": both are probable only (issue 19 lists them).
    member_patch: Literal["separate", "mixed", "replace"] = "separate"

    def __post_init__(self) -> None:
        if self.member_batch_size < 1:
            raise ValueError(f"member_batch_size must be at least 1, not {self.member_batch_size}")
        if self.manager_shape not in ("bare", "s1-array"):
            raise ValueError(f"unknown manager_shape {self.manager_shape!r}")
        if self.member_patch not in ("separate", "mixed", "replace"):
            raise ValueError(f"unknown member_patch {self.member_patch!r}")


@dataclass(frozen=True)
class DialectShapes:
    """How one dialect writes PATCH bodies; each dialect's module gives it with its sources."""

    dialect: Dialect
    #: "add", "replace", "remove" as the dialect spells them on the wire.
    op_names: Mapping[str, str]
    #: Booleans as the strings "True"/"False" rather than JSON booleans.
    booleans_as_strings: bool
    #: The ops whose several scalar changes travel as one pathless op keyed by dotted
    #: paths and URNs (RFC 7644 §3.5.2.1/§3.5.2.3 "path" omitted).
    combined_ops: frozenset[str]
    #: Member removal by a filtered path without a value, rather than a value array.
    remove_members_by_filter: bool
    #: Roles PATCHed as stringified JSON values, in another format than the POST's (S7).
    stringified_roles: bool


DEFAULT_SETTINGS: Final = DialectSettings()


# --- paths ------------------------------------------------------------------------------

_PATH = re.compile(
    r"""^(?:(?P<urn>urn:[^\[\]]+):)?        # schema URN (RFC 7644 §3.10: urn:...:attr)
        (?P<attribute>[A-Za-z$][\w$-]*)
        (?:\[(?P<filter>[^\]]*)\])?          # value filter (RFC 7644 §3.5.2)
        (?:\.(?P<sub>[A-Za-z$][\w$-]*))?$""",
    re.VERBOSE,
)
_TERM = re.compile(r"^\s*(?P<name>[A-Za-z$][\w$-]*)\s+eq\s+(?P<value>.+?)\s*$", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_CORE_SCHEMAS: Final = frozenset(s.lower() for s in (CORE_USER_SCHEMA, CORE_GROUP_SCHEMA))

# RFC 7643 §4.1.2: canonical spelling of sub-attributes; Entra's mapping table
# writes some capitalised (§4: emails[type eq "other"].Value, addresses[...].Formatted).
_CANONICAL_SUB_ATTRIBUTES: Final[Mapping[str, str]] = {
    name.lower(): name
    for name in (
        "value",
        "display",
        "type",
        "primary",
        "$ref",
        "formatted",
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    )
}


@dataclass(frozen=True)
class TargetPath:
    """A target attribute path split into schema, attribute, value filter and sub-attribute."""

    text: str
    schema: str | None  # an extension URN; None for the core schema
    attribute: str
    filter_terms: tuple[tuple[str, Any], ...] | None
    sub_attribute: str | None

    @property
    def is_value_path(self) -> bool:
        """``emails[type eq "work"].value``: has a value filter (RFC 7644 §3.5.2 valuePath)."""
        return self.filter_terms is not None

    @property
    def unfiltered(self) -> str:
        """The path without its filter, used to look up the target type."""
        name = self.attribute if self.schema is None else f"{self.schema}:{self.attribute}"
        return name if self.sub_attribute is None else f"{name}.{self.sub_attribute}"


@lru_cache(maxsize=1024)
def parse_target_path(path: str) -> TargetPath:
    """Split a mapping's target attribute path; ValueError for a path Entra cannot write.

    Cached: a cycle parses the same few dozen mapping paths for every object."""
    match = _PATH.match(path.strip())
    if match is None:
        raise ValueError(f"not a target attribute path: {path!r}")
    schema = match["urn"]
    if schema is not None and schema.lower() in _CORE_SCHEMAS:
        schema = None  # core-qualified names are core attributes (RFC 7644 §3.10)
    terms = None if match["filter"] is None else _parse_filter(match["filter"], path)
    return TargetPath(path, schema, match["attribute"], terms, match["sub"])


def _parse_filter(text: str, path: str) -> tuple[tuple[str, Any], ...]:
    # Entra's mapping paths filter by equality only (§4: emails[type eq "work"]), so
    # each term also describes the element to create when nothing matches (§1).
    terms: list[tuple[str, Any]] = []
    for part in _AND.split(text.strip()):
        term = _TERM.match(part)
        if term is None:
            raise ValueError(f"unsupported value filter in {path!r}: only 'attr eq value' terms")
        try:
            value = json.loads(term["value"])
        except json.JSONDecodeError:
            raise ValueError(f"unsupported value filter in {path!r}: {term['value']!r}") from None
        name = canonical_sub_attribute(term["name"])
        if name == "primary" and isinstance(value, str) and value.lower() in ("true", "false"):
            # S7's role targets filter roles[primary eq "True"]: the element is primary: true.
            value = value.lower() == "true"
        terms.append((name, value))
    return tuple(terms)


def canonical_sub_attribute(name: str) -> str:
    return _CANONICAL_SUB_ATTRIBUTES.get(name.lower(), name)


# --- values -----------------------------------------------------------------------------


def target_type_of(
    path: str | TargetPath, target_types: Mapping[str, str], value: Any = None
) -> TargetType:
    """The declared type of a target path: exact path, then the unfiltered path,
    compared case-insensitively (RFC 7643 §2.1); lists and objects are complex."""
    parsed = path if isinstance(path, TargetPath) else parse_target_path(path)
    declared = declared_type(parsed, target_types)
    if declared:
        return declared  # type: ignore[return-value]
    return "complex" if isinstance(value, (list, dict)) else "string"


def declared_type(parsed: TargetPath, target_types: Mapping[str, str]) -> str:
    """The type ``target_types`` declares for the path, or "" when it declares none."""
    lowered = _lowered(target_types)
    declared = lowered.get("\0" + parsed.text)
    if declared is None:
        declared = ""
        for candidate in (parsed.text, parsed.unfiltered):
            kind = target_types.get(candidate) or lowered.get(candidate.lower())
            if kind is not None:
                if kind not in ("string", "boolean", "reference", "complex", "integer"):
                    raise ValueError(f"unknown target type {kind!r} for {parsed.text!r}")
                declared = kind
                break
        # Memoised beside the lower-cased keys ("\0" cannot start a path).
        lowered["\0" + parsed.text] = declared
    return declared


_LOWERED: dict[int, tuple[Mapping[str, str], dict[str, str]]] = {}


def _lowered(target_types: Mapping[str, str]) -> dict[str, str]:
    """``target_types`` keyed by lower-case path, computed once per mapping object."""
    cached = _LOWERED.get(id(target_types))
    if cached is not None and cached[0] is target_types:
        return cached[1]
    lowered = {key.lower(): kind for key, kind in target_types.items()}
    if len(_LOWERED) > 64:
        _LOWERED.clear()
    _LOWERED[id(target_types)] = (target_types, lowered)
    return lowered


def to_boolean(value: Any) -> bool:
    """Expression output to a boolean: the default ``active`` mapping yields the
    strings "True"/"False" (§4: Switch([IsSoftDeleted], , "False", "True", "True", "False"))."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"not a boolean: {value!r}")


def scim_value(value: Any, target_type: str, *, booleans_as_strings: bool = False) -> Any:
    """A mapped value in the JSON type of its target attribute.

    ``booleans_as_strings``: Entra's default dialect sends "True"/"False" (§1
    "Disable"); creates and the aadOptscim062020 dialect send JSON booleans.
    References come back as the bare id; the callers shape them.
    """
    if type(value) is str and (target_type == "string" or target_type == "reference"):
        return value  # what the deepcopy at the end gives for a str: the str itself
    if isinstance(value, AppRoleValue) and target_type != "complex":
        # SingleAppRoleAssignment mapped to a plain attribute: the role's value.
        value = value.get("value")
    if target_type == "boolean":
        flag = to_boolean(value)
        if booleans_as_strings:
            return "True" if flag else "False"  # .NET Boolean.ToString()
        return flag
    if target_type == "integer":
        # Unconfirmed: no Entra sample carries an integer; RFC 7643 §2.3.4 makes it a JSON number.
        if isinstance(value, bool):
            raise ValueError(f"not an integer: {value!r}")
        return int(value)
    if target_type == "complex":
        return copy.deepcopy(value)
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    if target_type == "reference" and not isinstance(value, str):
        raise ValueError(f"a reference must be the target's SCIM id, not {value!r}")
    return copy.deepcopy(value)
