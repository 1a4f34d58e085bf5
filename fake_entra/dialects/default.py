"""Entra's default PATCH dialect: what the provisioning service sends without a tenant URL flag.

S1 = use-scim-to-provision-users-and-groups, S2 =
application-provisioning-config-problem-scim-compatibility ("Without feature flag" samples).

* Ops capitalised ``Add``/``Replace``/``Remove`` (S1 "Update User"; S2 every sample).
* Booleans as the strings ``"True"``/``"False"`` (S2 "Requests made to disable users":
  ``{"op":"Replace","path":"active","value":"False"}``).
* One op per attribute, each with its path, never a pathless op: S2 "Requests to replace
  multiple attributes" sends six ``Replace`` ops, one a value path (``emails[type eq
  "work"].value``), and S2 "add a single-value string attribute" sends
  ``{"op":"Add","path":"nickName","value":"Babs"}``.
* Member removal with a value array, ``{"op":"Remove","path":"members","value":[{"value":
  id}]}`` (S2 "remove a group member"; S1 "Update Group [Remove Members]" adds ``"$ref":
  null``).
* ``Remove`` without a value: a cleared attribute and a cleared manager,
  ``{"op":"Remove","path":"urn:...:User:manager"}`` (thomaspoignant/scim-patch#453;
  setting ``clear_with_remove``).

Shapes that depend on configuration (:class:`~fake_entra.dialects.model.DialectSettings`):
the manager's shape (``manager_shape``), members per PATCH (``member_batch_size``), and how
member changes travel (``member_patch``: separate bodies, add and remove in one body, or
``Replace`` of the whole list).
"""

from __future__ import annotations

from typing import Final

from .model import Dialect, DialectShapes

SHAPES: Final = DialectShapes(
    dialect=Dialect.DEFAULT,
    op_names={"add": "Add", "replace": "Replace", "remove": "Remove"},
    booleans_as_strings=True,
    combined_ops=frozenset(),
    # S7 "Provisioning a role to a SCIM app": SingleAppRoleAssignment and
    # AppRoleAssignmentsComplex PATCH Add on roles with each role as a JSON string.
    stringified_roles=True,
    remove_members_by_filter=False,
)
