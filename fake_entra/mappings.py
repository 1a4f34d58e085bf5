"""Attribute mappings: how Entra source attributes become SCIM target attributes.

Source: MicrosoftDocs/entra-docs customize-application-attributes.md (S7) and
use-scim-to-provision-users-and-groups.md (S1); entra-provisioning-service.md §4.
An :class:`ObjectMapping` is one row of the portal's **Mappings** list ("Provision
Microsoft Entra ID Users"); each of its :class:`AttributeMapping` rows has a
mapping type, a "Default value if null", "Apply this mapping" and, for matching
attributes, a matching precedence. Mappings are edited as a draft and validated
when saved, as the portal does.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from fake_entra.directory import (
    GROUP_SOURCE_ATTRIBUTES,
    USER_SOURCE_ATTRIBUTES,
    ObjectType,
    PortalError,
)
from fake_entra.expressions import (
    IGNORE_FLOW,
    EvaluationContext,
    Expression,
    ExpressionError,
    parse_expression,
)
from fake_entra.scoping import ScopingFilter, ScopingResult, evaluate_scoping_filters

#: S14: "expressions max 10,000 characters".
MAX_EXPRESSION_LENGTH = 10_000

ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

#: S7: custom target attributes are named like this (single-valued, not references).
_CUSTOM_ATTRIBUTE = re.compile(
    r"^urn:ietf:params:scim:schemas:extension:[A-Za-z0-9_.-]+:2\.0:(User|Group):[A-Za-z][A-Za-z0-9_]*$"
)

#: The portal's default IsSoftDeleted -> active expression (§4 "Portal non-gallery template").
ACTIVE_EXPRESSION = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'


class MappingType(StrEnum):
    DIRECT = "Direct"
    CONSTANT = "Constant"
    EXPRESSION = "Expression"
    NONE = "None"


class ApplyMode(StrEnum):
    """The "Apply this mapping" choice."""

    ALWAYS = "Always"
    ONLY_DURING_CREATION = "Only during object creation"


class TargetObjectAction(StrEnum):
    CREATE = "Create"
    UPDATE = "Update"
    DELETE = "Delete"


ALL_TARGET_OBJECT_ACTIONS: frozenset[TargetObjectAction] = frozenset(TargetObjectAction)

_ONLY_DURING_CREATION = ApplyMode.ONLY_DURING_CREATION
_DIRECT = MappingType.DIRECT
_EXPRESSION = MappingType.EXPRESSION
_CONSTANT = MappingType.CONSTANT
_NONE = MappingType.NONE


@dataclass(slots=True)
class AttributeMapping:
    """One row of an object mapping: where one target attribute gets its value."""

    target_attribute: str
    mapping_type: MappingType = MappingType.DIRECT
    source_attribute: str | None = None
    constant_value: str | None = None
    expression: str | None = None
    default_value: str | None = None
    apply: ApplyMode = ApplyMode.ALWAYS
    matching_precedence: int | None = None
    _compiled: Expression | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The portal's dropdowns hold these words; accept them as strings too, so that
        # "Expression" and MappingType.EXPRESSION mean the same mapping.
        try:
            self.mapping_type = MappingType(self.mapping_type)
            self.apply = ApplyMode(self.apply)
        except ValueError as error:
            raise PortalError(f"{self.target_attribute}: {error}.") from None

    @classmethod
    def direct(
        cls, source_attribute: str, target_attribute: str, **options: Any
    ) -> AttributeMapping:
        return cls(
            target_attribute, MappingType.DIRECT, source_attribute=source_attribute, **options
        )

    @classmethod
    def constant(cls, value: str, target_attribute: str, **options: Any) -> AttributeMapping:
        return cls(target_attribute, MappingType.CONSTANT, constant_value=value, **options)

    @classmethod
    def of_expression(cls, text: str, target_attribute: str, **options: Any) -> AttributeMapping:
        return cls(target_attribute, MappingType.EXPRESSION, expression=text, **options)

    @classmethod
    def none(cls, target_attribute: str, **options: Any) -> AttributeMapping:
        return cls(target_attribute, MappingType.NONE, **options)

    @property
    def is_matching(self) -> bool:
        """Whether "Match objects using this attribute" is Yes."""
        return self.matching_precedence is not None

    def compiled(self) -> Expression:
        """The parsed expression (Expression mappings only), parsed once."""
        if self.mapping_type is not MappingType.EXPRESSION or self.expression is None:
            raise ValueError(f"the mapping to {self.target_attribute} has no expression")
        if self._compiled is None:
            self._compiled = parse_expression(self.expression)
        return self._compiled

    @property
    def referenced_attributes(self) -> frozenset[str]:
        """The source attributes this mapping reads."""
        if self.mapping_type is MappingType.DIRECT and self.source_attribute:
            return frozenset({self.source_attribute})
        if self.mapping_type is MappingType.EXPRESSION:
            return frozenset(self.compiled().referenced_attributes)
        return frozenset()

    def describe_source(self) -> str:
        match self.mapping_type:
            case MappingType.DIRECT:
                return self.source_attribute or ""
            case MappingType.CONSTANT:
                return f'"{self.constant_value}"'
            case MappingType.EXPRESSION:
                return self.expression or ""
            case _:
                return "(none)"

    def validate(self, source_attributes: frozenset[str], target_attributes: Iterable[str]) -> None:
        """The checks of the "Edit Attribute" dialog; raises PortalError."""
        target = self.target_attribute
        if target not in set(target_attributes):
            raise PortalError(
                f"'{target}' is not in the target attribute list; add it with "
                '"Edit attribute list" first.'
            )
        match self.mapping_type:
            case MappingType.DIRECT:
                if not self.source_attribute:
                    raise PortalError(f"Choose a source attribute for {target}.")
                if self.source_attribute not in source_attributes:
                    raise PortalError(
                        f"'{self.source_attribute}' is not a source attribute of this object."
                    )
            case MappingType.CONSTANT:
                if self.constant_value is None or self.constant_value == "":
                    raise PortalError(f"Enter a constant value for {target}.")
            case MappingType.EXPRESSION:
                self._validate_expression(source_attributes)
            case MappingType.NONE:
                if self.is_matching:
                    raise PortalError(
                        f"{target} is used for matching, so its mapping type can't be None."
                    )
        if self.matching_precedence is not None and self.matching_precedence < 1:
            raise PortalError(f"The matching precedence of {target} must be 1 or more.")

    def _validate_expression(self, source_attributes: frozenset[str]) -> None:
        target = self.target_attribute
        text = self.expression or ""
        if not text.strip():
            raise PortalError(f"Enter an expression for {target}.")
        if len(text) > MAX_EXPRESSION_LENGTH:
            raise PortalError(
                f"The expression for {target} is {len(text):,} characters long; expressions "
                f"are limited to {MAX_EXPRESSION_LENGTH:,}."
            )
        self._compiled = None
        try:
            compiled = self.compiled()
        except ExpressionError as error:
            raise PortalError(f"The expression for {target} is invalid. {error}") from error
        unknown = sorted(set(compiled.referenced_attributes) - source_attributes)
        if unknown:
            raise PortalError(
                f"The expression for {target} reads "
                + ", ".join(f"[{name}]" for name in unknown)
                + ", which isn't a source attribute of this object."
            )

    def evaluate(
        self,
        source: Mapping[str, Any],
        context: EvaluationContext,
        *,
        creating: bool,
        target_empty: bool = False,
    ) -> Any:
        """The value to send, or IGNORE_FLOW when this mapping doesn't flow now.

        S7: "Only during object creation" flows on create only; "Default value if
        null" is used only when the object is created; a None mapping flows
        nothing, except its default when the target attribute is empty.
        """
        # Module-level aliases of the members: a cycle evaluates every mapping of every
        # object, and looking a member up on its Enum class is the slow part.
        if self.apply is _ONLY_DURING_CREATION and not creating:
            return IGNORE_FLOW
        mapping_type = self.mapping_type
        if mapping_type == _DIRECT:
            value: Any = source.get(self.source_attribute or "")
        elif mapping_type == _EXPRESSION:
            value = self.compiled().evaluate(source, context)
        elif mapping_type == _CONSTANT:
            value = self.constant_value
        elif mapping_type == _NONE:
            if (creating or target_empty) and self.default_value is not None:
                return self.default_value
            return IGNORE_FLOW
        if value is IGNORE_FLOW:
            return IGNORE_FLOW
        if creating and self.default_value is not None and (value is None or value == ""):
            return self.default_value
        return value


#: S7: a custom target attribute must be named by its extension URN.
def is_custom_attribute_name(name: str) -> bool:
    return _CUSTOM_ATTRIBUTE.match(name) is not None


@dataclass(slots=True)
class ObjectMapping:
    """One entry of the Mappings list, for users or for groups."""

    name: str
    source_object: ObjectType
    target_object: str
    attribute_mappings: list[AttributeMapping]
    target_attributes: set[str]
    enabled: bool = True
    target_object_actions: frozenset[TargetObjectAction] = ALL_TARGET_OBJECT_ACTIONS
    scoping_filters: list[ScopingFilter] = field(default_factory=list)

    @property
    def source_attributes(self) -> frozenset[str]:
        if self.source_object is ObjectType.USER:
            return USER_SOURCE_ATTRIBUTES
        return GROUP_SOURCE_ATTRIBUTES

    def copy(self) -> ObjectMapping:
        """A draft to edit; saving it replaces the configuration's mapping."""
        return ObjectMapping(
            self.name,
            self.source_object,
            self.target_object,
            [dataclasses.replace(mapping) for mapping in self.attribute_mappings],
            set(self.target_attributes),
            self.enabled,
            self.target_object_actions,
            list(self.scoping_filters),
        )

    # -- attribute mappings ----------------------------------------------

    def mapping_for(self, target_attribute: str) -> AttributeMapping:
        for mapping in self.attribute_mappings:
            if mapping.target_attribute == target_attribute:
                return mapping
        raise PortalError(f"No mapping targets {target_attribute} in {self.name}.")

    def add_mapping(self, mapping: AttributeMapping) -> AttributeMapping:
        """ "Add New Mapping": one mapping per target attribute."""
        if any(m.target_attribute == mapping.target_attribute for m in self.attribute_mappings):
            raise PortalError(
                f"{mapping.target_attribute} already has a mapping in {self.name}; edit it instead."
            )
        mapping.validate(self.source_attributes, self.target_attributes)
        self.attribute_mappings.append(mapping)
        return mapping

    def edit_mapping(self, target_attribute: str, /, **changes: Any) -> AttributeMapping:
        """Change fields of the mapping to ``target_attribute`` (AttributeMapping field names)."""
        current = self.mapping_for(target_attribute)
        new_target = changes.get("target_attribute", target_attribute)
        if new_target != target_attribute and any(
            m.target_attribute == new_target for m in self.attribute_mappings
        ):
            raise PortalError(f"{new_target} already has a mapping in {self.name}.")
        try:
            edited = dataclasses.replace(current, **changes)
        except TypeError as error:
            raise PortalError(f"Unknown mapping setting: {error}.") from None
        edited.validate(self.source_attributes, self.target_attributes)
        self.attribute_mappings[self.attribute_mappings.index(current)] = edited
        return edited

    def remove_mapping(self, target_attribute: str) -> None:
        self.attribute_mappings.remove(self.mapping_for(target_attribute))

    def matching_mappings(self) -> list[AttributeMapping]:
        """Matching attributes in precedence order: S7 tries them one by one."""
        matching = [m for m in self.attribute_mappings if m.matching_precedence is not None]
        return sorted(matching, key=lambda m: m.matching_precedence or 0)

    def add_target_attribute(self, name: str) -> None:
        """ "Edit attribute list": add a custom attribute to the target schema."""
        if name in self.target_attributes:
            raise PortalError(f"{name} is already in the target attribute list.")
        if not is_custom_attribute_name(name):
            raise PortalError(
                f"'{name}' is not a valid custom attribute name; use "
                f"urn:ietf:params:scim:schemas:extension:<Extension>:2.0:{self.target_object}:<name>."
            )
        self.target_attributes.add(name)

    # -- settings --------------------------------------------------------

    def set_target_object_actions(
        self, *, create: bool = True, update: bool = True, delete: bool = True
    ) -> None:
        chosen = {
            TargetObjectAction.CREATE: create,
            TargetObjectAction.UPDATE: update,
            TargetObjectAction.DELETE: delete,
        }
        self.target_object_actions = frozenset(action for action, on in chosen.items() if on)

    def allows(self, action: TargetObjectAction) -> bool:
        return action in self.target_object_actions

    def add_scoping_filter(self, scoping_filter: ScopingFilter) -> None:
        if any(f.title == scoping_filter.title for f in self.scoping_filters):
            raise PortalError(f"A scoping filter titled '{scoping_filter.title}' already exists.")
        scoping_filter.validate(self.source_attributes)
        self.scoping_filters.append(scoping_filter)

    def remove_scoping_filter(self, title: str) -> None:
        for scoping_filter in self.scoping_filters:
            if scoping_filter.title == title:
                self.scoping_filters.remove(scoping_filter)
                return
        raise PortalError(f"No scoping filter titled '{title}'.")

    def evaluate_scope(self, source: Mapping[str, Any]) -> ScopingResult:
        return evaluate_scoping_filters(self.scoping_filters, source)

    # -- save ------------------------------------------------------------

    def validate(self) -> None:
        """Everything the portal checks when the Attribute Mapping page is saved."""
        if not self.enabled and self.source_object is ObjectType.USER:
            # S7: the group mapping can be disabled; the user mapping can't.
            raise PortalError(f"{self.name} can't be disabled; only the group mapping can.")
        seen: set[str] = set()
        for mapping in self.attribute_mappings:
            if mapping.target_attribute in seen:
                raise PortalError(f"{mapping.target_attribute} is mapped more than once.")
            seen.add(mapping.target_attribute)
            mapping.validate(self.source_attributes, self.target_attributes)
        matching = self.matching_mappings()
        if not matching:
            raise PortalError(
                f'{self.name} needs at least one attribute with "Match objects using this '
                'attribute" set to Yes.'
            )
        precedences = [m.matching_precedence for m in matching]
        if len(set(precedences)) != len(precedences):
            duplicate = next(p for p in precedences if precedences.count(p) > 1)
            raise PortalError(
                f"Matching precedence {duplicate} is used by more than one attribute; each "
                "matching attribute needs its own precedence."
            )
        for scoping_filter in self.scoping_filters:
            scoping_filter.validate(self.source_attributes)


# -- the LinkedIn Elevate defaults ------------------------------------------


def _ent(attribute: str) -> str:
    return f"{ENTERPRISE_USER}:{attribute}"


#: The SCIM user attributes of the target attribute list (§4 table and template).
DEFAULT_USER_TARGET_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "userName",
        "active",
        "displayName",
        "title",
        "preferredLanguage",
        "externalId",
        "name.givenName",
        "name.familyName",
        "name.formatted",
        'emails[type eq "work"].value',
        'emails[type eq "other"].value',
        'addresses[type eq "work"].formatted',
        'addresses[type eq "work"].streetAddress',
        'addresses[type eq "work"].locality',
        'addresses[type eq "work"].region',
        'addresses[type eq "work"].postalCode',
        'addresses[type eq "work"].country',
        'addresses[type eq "other"].formatted',
        'phoneNumbers[type eq "work"].value',
        'phoneNumbers[type eq "mobile"].value',
        'phoneNumbers[type eq "fax"].value',
        "roles",
        # S7 "Provisioning a role to a SCIM app": "There are three role attributes to
        # choose from" for SingleAppRoleAssignment.
        'roles[primary eq "True"].display',
        'roles[primary eq "True"].type',
        'roles[primary eq "True"].value',
        _ent("employeeNumber"),
        _ent("department"),
        _ent("manager"),
    }
)

DEFAULT_GROUP_TARGET_ATTRIBUTES: frozenset[str] = frozenset(
    {"displayName", "externalId", "members"}
)

#: The SCIM user attributes of LinkedIn's API: the table of the LinkedIn Learning provisioning
#: tutorial (azure-docs saas-apps/linkedin-learning-provisioning-tutorial.md, 2020, step 5.9).
#: ``active`` is not in that table; it is here because the LinkedIn Elevate tutorial has the
#: service "create, update and disable" users (inferred).
LINKEDIN_USER_TARGET_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "externalId",
        "userName",
        "active",
        "name.givenName",
        "name.familyName",
        "displayName",
        'addresses[type eq "work"].locality',
        "title",
        'emails[type eq "work"].value',
        _ent("manager"),
        _ent("department"),
    }
)

USER_MAPPING_NAME = "Provision Microsoft Entra ID Users"
GROUP_MAPPING_NAME = "Provision Microsoft Entra ID Groups"


def default_user_mapping() -> ObjectMapping:
    """The portal's SCIM user template (§4 "Portal non-gallery template").

    LinkedIn's own gallery mappings exist only as screenshots (linkedin-scim.md §4),
    so the generic Entra SCIM defaults stand in for them.
    """
    direct = AttributeMapping.direct
    mappings = [
        direct("userPrincipalName", "userName", matching_precedence=1),
        AttributeMapping.of_expression(ACTIVE_EXPRESSION, "active"),
        direct("displayName", "displayName"),
        direct("jobTitle", "title"),
        direct("mail", 'emails[type eq "work"].value'),
        direct("preferredLanguage", "preferredLanguage"),
        direct("givenName", "name.givenName"),
        direct("surname", "name.familyName"),
        AttributeMapping.of_expression('Join(" ", [givenName], [surname])', "name.formatted"),
        direct("physicalDeliveryOfficeName", 'addresses[type eq "work"].formatted'),
        direct("streetAddress", 'addresses[type eq "work"].streetAddress'),
        direct("city", 'addresses[type eq "work"].locality'),
        direct("state", 'addresses[type eq "work"].region'),
        direct("postalCode", 'addresses[type eq "work"].postalCode'),
        direct("country", 'addresses[type eq "work"].country'),
        direct("telephoneNumber", 'phoneNumbers[type eq "work"].value'),
        direct("mobile", 'phoneNumbers[type eq "mobile"].value'),
        direct("facsimileTelephoneNumber", 'phoneNumbers[type eq "fax"].value'),
        direct("mailNickname", "externalId"),
        direct("employeeId", _ent("employeeNumber")),
        direct("department", _ent("department")),
        direct("manager", _ent("manager")),
    ]
    return ObjectMapping(
        USER_MAPPING_NAME,
        ObjectType.USER,
        "User",
        mappings,
        set(DEFAULT_USER_TARGET_ATTRIBUTES),
    )


class ConnectorTemplate(StrEnum):
    """Which default mappings a new application's Provisioning page starts with."""

    #: The portal's non-gallery SCIM template: non-gallery apps and ``provisim conformance``.
    GENERIC_SCIM = "Generic SCIM (non-gallery)"
    #: The LinkedIn connector: the attributes and matching LinkedIn's SCIM API supports.
    LINKEDIN = "LinkedIn connector"


def linkedin_user_mapping() -> ObjectMapping:
    """The LinkedIn connector's user mapping, as the LinkedIn Learning tutorial lists it.

    Documented (linkedin-learning-provisioning-tutorial.md step 5.9): the target attributes,
    and that ``externalId`` is the only one "Supported for filtering", so it is the matching
    attribute ("If you choose to change the matching target attribute, you will need to
    ensure that the LinkedIn Learning API supports filtering users based on that
    attribute"). Inferred: the Entra sources (the tutorial names only targets; these are the
    generic template's sources for the same targets, mailNickname for externalId), the
    ``active`` mapping, and that LinkedIn Elevate's gallery app uses the same connector as
    Learning (its own mappings exist only as a screenshot, linkedin_elevate4.PNG).
    """
    direct = AttributeMapping.direct
    mappings = [
        direct("mailNickname", "externalId", matching_precedence=1),
        direct("userPrincipalName", "userName"),
        AttributeMapping.of_expression(ACTIVE_EXPRESSION, "active"),
        direct("displayName", "displayName"),
        direct("givenName", "name.givenName"),
        direct("surname", "name.familyName"),
        direct("jobTitle", "title"),
        direct("mail", 'emails[type eq "work"].value'),
        direct("city", 'addresses[type eq "work"].locality'),
        direct("department", _ent("department")),
        direct("manager", _ent("manager")),
    ]
    return ObjectMapping(
        USER_MAPPING_NAME,
        ObjectType.USER,
        "User",
        mappings,
        set(LINKEDIN_USER_TARGET_ATTRIBUTES),
    )


def template_mappings(template: ConnectorTemplate) -> tuple[ObjectMapping, ObjectMapping]:
    """The user and group mappings a new Provisioning page starts with. The LinkedIn
    tutorial's group table (displayName filterable, members, externalId) is the generic
    group template's, so both templates share it."""
    if template is ConnectorTemplate.LINKEDIN:
        return linkedin_user_mapping(), default_group_mapping()
    return default_user_mapping(), default_group_mapping()


def default_group_mapping() -> ObjectMapping:
    """S1: displayName (matching), objectId -> externalId, members."""
    return ObjectMapping(
        GROUP_MAPPING_NAME,
        ObjectType.GROUP,
        "Group",
        [
            AttributeMapping.direct("displayName", "displayName", matching_precedence=1),
            AttributeMapping.direct("objectId", "externalId"),
            AttributeMapping.direct("members", "members"),
        ],
        set(DEFAULT_GROUP_TARGET_ATTRIBUTES),
    )
