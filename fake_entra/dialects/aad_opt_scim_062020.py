"""The ``aadOptscim062020`` PATCH dialect: the tenant URL flag for RFC 7644 PATCH (§1, §5).

S2 = application-provisioning-config-problem-scim-compatibility ("With feature flag"
samples). The flag is ignored by provision on demand (S2), which sends the default dialect.

* Ops lowercase ``add``/``replace``/``remove`` and booleans as JSON booleans (S2 "Requests
  made to disable users": ``{"op":"replace","path":"active","value":false}``).
* Several replaced attributes: one pathless ``replace`` whose value is keyed by dotted
  paths and full URNs, after the value-path ops, which keep their own (S2 "Requests to
  replace multiple attributes"). Vendors receive the same body alone (pingidentity/scim2#224:
  ``{"op":"replace","value":{"name.familyName":...,"name.formatted":...}}``).
* Several added attributes: one pathless ``add`` with dotted keys, ``{"op":"add","value":
  {"name.givenName":"John","name.familyName":"Doe","name.formatted":"John Doe"}}``
  (thomaspoignant/scim-patch#132, 2021; pond/scimitar#123, 2024, with displayName and title
  beside the name parts; SimpleIdServer#494).
* One attribute keeps its path: S2's single add is ``{"op":"add","path":"nickName",
  "value":"Babs"}`` and its disable ``{"op":"replace","path":"active","value":false}``.
  Vendors also report a group renamed "using the no-path form" (langwatch/langwatch#7131):
  setting ``lone_pathless_replace``, off by default.
* Member removal by a filtered path and no value, ``{"op":"remove","path":"members[value eq
  \\"<id>\\"]"}`` (S2 "remove a group member").
* References (manager) and complex values (roles) keep their own op (SCIM-SDK#686 shows the
  flagged manager op with its path); clearing the manager is ``{"op":"remove","path":
  "urn:...:User:manager"}``, without a value (thomaspoignant/scim-patch#453).

Shapes that depend on configuration are the default dialect's (``manager_shape``,
``member_batch_size``, ``member_patch``) and ``lone_pathless_replace``.
"""

from __future__ import annotations

from typing import Final

from .model import Dialect, DialectShapes

SHAPES: Final = DialectShapes(
    dialect=Dialect.AAD_OPT_SCIM_062020,
    op_names={"add": "add", "replace": "replace", "remove": "remove"},
    booleans_as_strings=False,
    combined_ops=frozenset({"add", "replace"}),
    # S7: "To ensure that POST and PATCH are sent in the same format, you can use
    # the feature flag".
    stringified_roles=False,
    remove_members_by_filter=True,
)
