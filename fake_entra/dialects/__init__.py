"""The SCIM request bodies Entra's provisioning service sends, in its two PATCH dialects.

The provisioning engine evaluates attribute mappings into a flat dict of *target
attribute paths* to values (``userName``, ``name.givenName``,
``emails[type eq "work"].value``, ``urn:...:enterprise:2.0:User:department``...)
and hands it, or the changes between two such dicts, to the builders here. Each
builder returns a fresh JSON-ready dict; the tests compare them with the request
bodies Microsoft documents and vendors capture (entra-provisioning-service.md §1, §5;
payload files ``tests/payloads/entra-*.json``).

One module per concern: :mod:`.model` (paths, value types, settings), :mod:`.create`
(POST bodies), :mod:`.patch` (the PATCH planner), and one module per dialect giving its
shapes with their sources: :mod:`.default` (no flag) and :mod:`.aad_opt_scim_062020`
(tenant URL flag ``aadOptscim062020``).
"""

from .create import create_group_body, create_user_body
from .model import (
    AAD_OPT_SCIM_062020_FLAG,
    AD_SCIM_GROUP_SCHEMA,
    CORE_GROUP_SCHEMA,
    CORE_USER_SCHEMA,
    DEFAULT_GROUP_TARGET_TYPES,
    DEFAULT_SETTINGS,
    DEFAULT_USER_TARGET_TYPES,
    ENTERPRISE_USER_SCHEMA,
    MANAGER_PATH,
    PATCH_OP_SCHEMA,
    AttributeChange,
    Dialect,
    DialectSettings,
    DialectShapes,
    JsonObject,
    TargetPath,
    TargetType,
    parse_target_path,
    scim_value,
    target_type_of,
    to_boolean,
)
from .patch import (
    disable_body,
    enable_body,
    group_update_body,
    member_bodies,
    patch_body,
    shapes_of,
    update_body,
)

__all__ = [
    "AAD_OPT_SCIM_062020_FLAG",
    "AD_SCIM_GROUP_SCHEMA",
    "CORE_GROUP_SCHEMA",
    "CORE_USER_SCHEMA",
    "DEFAULT_GROUP_TARGET_TYPES",
    "DEFAULT_SETTINGS",
    "DEFAULT_USER_TARGET_TYPES",
    "ENTERPRISE_USER_SCHEMA",
    "MANAGER_PATH",
    "PATCH_OP_SCHEMA",
    "AttributeChange",
    "Dialect",
    "DialectSettings",
    "DialectShapes",
    "JsonObject",
    "TargetPath",
    "TargetType",
    "create_group_body",
    "create_user_body",
    "disable_body",
    "enable_body",
    "group_update_body",
    "member_bodies",
    "parse_target_path",
    "patch_body",
    "scim_value",
    "shapes_of",
    "target_type_of",
    "to_boolean",
    "update_body",
]
