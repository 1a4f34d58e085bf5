"""The request shapes Entra's engine can send, and which of them a run exercised.

A *shape* is what tells two of Entra's requests apart for a SCIM server, not their data:
the method and path template, the query's filter attribute and ``excludedAttributes``,
the schemas and role layout of a POST, and for a PATCH each operation's op (as the dialect
spells it), its path class (``<attr>``, ``<attr>.<sub>``, ``<extension>:<attr>``, a value
path; ``active``, ``members``, ``roles`` and the manager by name) and its value kind
(string, boolean, ``"True"``/``"False"``, an object of attribute paths, a list and the
keys of its elements, stringified JSON). A PATCH has one shape per operation.

The catalogue (:func:`catalogue`) is computed, not written down: the PATCH and POST
bodies come from the engine's own dialect builders (:mod:`fake_entra.dialects`) run
over representative changes in each dialect and under each setting that changes a shape
(:class:`~fake_entra.dialects.DialectSettings`), and each app-role expression of S7; the
queries, reads by id and deletes are those the engine's cycles send (S1, S3). A shape
that only a setting or a role mapping produces names it, so a vendor reads which shapes
depend on the customer's configuration. :func:`coverage` marks what a run's Entra
traffic exercised.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, TypedDict

from fake_entra.dialects import (
    DEFAULT_SETTINGS,
    ENTERPRISE_USER_SCHEMA,
    MANAGER_PATH,
    AttributeChange,
    Dialect,
    DialectSettings,
    JsonObject,
    create_group_body,
    create_user_body,
    disable_body,
    enable_body,
    group_update_body,
    member_bodies,
    update_body,
)
from fake_entra.dialects.app_roles import AppRoleValue, complex_app_role, single_app_role
from fake_entra.scim_client import eq_filter
from harness.conformance.causes import ShapeJson, path_template, request_shape

_ROLE_PATHS: Final = tuple(
    f'roles[primary eq "True"].{sub}' for sub in ("value", "display", "type")
)


class CatalogueShapeJson(TypedDict):
    shape: str
    dialect: str
    #: The configuration that makes the engine send it; None for the defaults.
    condition: str | None
    exercised: bool
    count: int


@dataclass(frozen=True)
class _Variant:
    condition: str | None
    settings: DialectSettings


#: Each DialectSettings value that changes a request's shape (fake_entra/dialects/model.py
#: gives each one's source; most are unconfirmed and settings for that reason).
_VARIANTS: Final = (
    _Variant(None, DEFAULT_SETTINGS),
    _Variant("manager_shape=s1-array", replace(DEFAULT_SETTINGS, manager_shape="s1-array")),
    _Variant("member_patch=mixed", replace(DEFAULT_SETTINGS, member_patch="mixed")),
    _Variant("member_patch=replace", replace(DEFAULT_SETTINGS, member_patch="replace")),
    _Variant("lone_pathless_replace", replace(DEFAULT_SETTINGS, lone_pathless_replace=True)),
)


# --- signatures ------------------------------------------------------------------------------


def _path_class(path: Any) -> str:
    if path is None:
        return "(no path)"
    text = re.sub(r'"[^"]*"', '"…"', str(path))
    lowered = text.lower()
    if lowered == MANAGER_PATH.lower():
        return "urn:…:enterprise:2.0:User:manager"
    if lowered.split("[", 1)[0].split(".", 1)[0] in ("active", "members", "roles", "manager"):
        return text
    if lowered.startswith("urn:"):
        return "<extension>:<attr>"
    if "[" in text:
        return re.sub(r"^[^\[]+", "<attr>", re.sub(r"\]\.\w+$", "].<sub>", text))
    return "<attr>.<sub>" if "." in text else "<attr>"


def _stringified(value: Any) -> bool:
    if not isinstance(value, str) or not value.startswith("{"):
        return False
    try:
        return isinstance(json.loads(value), dict)
    except ValueError:
        return False


def _value_kind(operation: JsonObject) -> str:
    if "value" not in operation:
        return "no value"
    value = operation["value"]
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return '"True"/"False"' if value in ("True", "False") else "string"
    if isinstance(value, dict):
        return "{<attribute paths>}"
    if isinstance(value, list):
        if not value:
            return "[]"
        elements = [e for e in value if isinstance(e, dict)]
        if elements and all(_stringified(e.get("value")) for e in elements):
            return "[{value: <stringified role>}]"
        keys = sorted({key for element in elements for key in element})
        return "[{" + ",".join(keys) + "}]"
    return type(value).__name__


def shapes_of_request(method: str, url: str, body: Any = None) -> list[str]:
    """The shapes one request exercises (see the module docstring)."""
    base = f"{method.upper()} {path_template(url)}"
    if method.upper() == "PATCH" and isinstance(body, dict):
        operations = body.get("Operations")
        if isinstance(operations, list) and operations:
            ops = [op for op in operations if isinstance(op, dict)]
            shapes = [
                f"{base} [{op.get('op', '?')} {_path_class(op.get('path'))} = {_value_kind(op)}]"
                for op in ops
            ]
            # member_patch "mixed": an add and a remove of members in one body.
            on_members = {
                str(op.get("op"))
                for op in ops
                if str(op.get("path", "")).lower().startswith("members")
            }
            if len(on_members) > 1:
                shapes.append(f"{base} [{' + '.join(sorted(on_members))} members in one body]")
            return shapes
    shapes = [request_shape(method, url, body, detailed=True)]
    roles = body.get("roles") if isinstance(body, dict) else None
    if method.upper() == "POST" and isinstance(roles, list) and roles:
        elements = [r for r in roles if isinstance(r, dict)]
        keys = sorted({key for role in elements for key in role})
        primary = sorted({str(role.get("primary")) for role in elements})
        shapes.append(f"{base} [roles: {{{','.join(keys)}}}, primary {'/'.join(primary)}]")
    return shapes


# --- the catalogue ---------------------------------------------------------------------------

_ROLE = {"id": "00000000-0000-0000-0000-00000000r01e", "value": "Admin", "displayName": "Admin"}


def _role_mappings() -> list[tuple[str, dict[str, Any]]]:
    """S7's three role expressions: the target paths and values each maps."""
    single = single_app_role(_ROLE)
    complex_roles: list[AppRoleValue] = [complex_app_role(_ROLE, assertive=False)]
    assertive: list[AppRoleValue] = [complex_app_role(_ROLE, assertive=True)]
    return [
        # "There are three role attributes to choose from": each is a mapping of its own.
        *((f"roles: SingleAppRoleAssignment to {path}", {path: single}) for path in _ROLE_PATHS),
        ("roles: AppRoleAssignmentsComplex", {"roles": complex_roles}),
        ("roles: AssertiveAppRoleAssignmentsComplex", {"roles": assertive}),
    ]


def _user_changes() -> list[list[AttributeChange]]:
    """Representative user changes: one and several replaces and adds, a value path, an
    extension attribute, a clear, and the manager set, changed and cleared."""
    department = f"{ENTERPRISE_USER_SCHEMA}:department"
    return [
        [AttributeChange("title", "a", "b")],
        [AttributeChange("nickName", None, "b")],
        [AttributeChange("name.familyName", "a", "b")],
        [AttributeChange(department, "a", "b")],
        [
            AttributeChange("title", "a", "b"),
            AttributeChange("name.familyName", "a", "b"),
            AttributeChange(department, "a", "b"),
            AttributeChange('emails[type eq "work"].value', "a@x", "b@x"),
        ],
        [AttributeChange("title", None, "b"), AttributeChange("name.givenName", None, "b")],
        [AttributeChange('emails[type eq "work"].value', None, "b@x")],
        [AttributeChange(department, None, "b")],
        [AttributeChange("title", "a", None)],
        [AttributeChange(MANAGER_PATH, None, "m1")],
        [AttributeChange(MANAGER_PATH, "m1", "m2")],
        [AttributeChange(MANAGER_PATH, "m1", None)],
    ]


def _requests(dialect: Dialect, settings: DialectSettings) -> list[tuple[str, str, Any]]:
    """What the engine sends in ``dialect`` under ``settings``, without role mappings."""
    users, groups = "https://target/scim/Users", "https://target/scim/Groups"
    user, group = f"{users}/u1", f"{groups}/g1"
    sent: list[tuple[str, str, Any]] = [
        # S1 Test Connection and user matching; S1 "Groups": displayName, without members.
        ("GET", f"{users}?filter={eq_filter('userName', 'x')}", None),
        (
            "GET",
            f"{groups}?excludedAttributes=members&filter={eq_filter('displayName', 'x')}",
            None,
        ),
        # S3: an initial cycle (and a Restart) reads each linked object by id.
        ("GET", user, None),
        ("GET", f"{group}?excludedAttributes=members", None),
        ("POST", users, create_user_body({"userName": "x", "active": True})),
        ("POST", groups, create_group_body({"displayName": "x"})),
        ("PATCH", user, disable_body(dialect)),
        ("PATCH", user, enable_body(dialect)),
        # S1 "Delete"; S3 hard delete.
        ("DELETE", user, None),
        ("DELETE", group, None),
    ]
    for changes in _user_changes():
        body = update_body(dialect, changes, settings=settings)
        if body is not None:
            sent.append(("PATCH", user, body))
    rename = group_update_body(
        dialect, [AttributeChange("displayName", "a", "b")], settings=settings
    )
    if rename is not None:
        sent.append(("PATCH", group, rename))
    for add, remove in ((["u1"], []), ([], ["u2"]), (["u1"], ["u2"])):
        members = ["u3", *add]
        for body in member_bodies(
            dialect, add=add, remove=remove, members=members, settings=settings
        ):
            sent.append(("PATCH", group, body))
    return sent


def _role_requests(dialect: Dialect, mapped: dict[str, Any]) -> list[tuple[str, str, Any]]:
    user = "https://target/scim/Users/u1"
    sent: list[tuple[str, str, Any]] = [
        ("POST", "https://target/scim/Users", create_user_body({"userName": "x", **mapped}))
    ]
    changes = [AttributeChange(path, None, value) for path, value in mapped.items()]
    body = update_body(dialect, changes)
    if body is not None:
        sent.append(("PATCH", user, body))
    return sent


@dataclass(frozen=True)
class CatalogueShape:
    shape: str
    dialect: str
    condition: str | None


def catalogue(dialects: Sequence[str] = tuple(Dialect)) -> list[CatalogueShape]:
    """Every shape the engine can send in ``dialects``: first those of the default
    configuration, then those only a setting or a role mapping produces."""
    shapes: list[CatalogueShape] = []
    for name in dialects:
        dialect = Dialect(name)
        seen: set[str] = set()
        sources: list[tuple[str | None, list[tuple[str, str, Any]]]] = [
            (variant.condition, _requests(dialect, variant.settings)) for variant in _VARIANTS
        ]
        sources += [(condition, _role_requests(dialect, m)) for condition, m in _role_mappings()]
        for condition, requests in sources:
            for method, url, body in requests:
                for shape in shapes_of_request(method, url, body):
                    if shape not in seen:
                        seen.add(shape)
                        shapes.append(CatalogueShape(shape, dialect.value, condition))
    return shapes


def coverage(
    dialects: Sequence[str], sent: Iterable[tuple[str, str, str, Any]]
) -> list[CatalogueShapeJson]:
    """The catalogue of ``dialects`` with what ``sent`` (dialect, method, url, body: the
    run's Entra traffic) exercised; shapes sent that the catalogue lacks come last."""
    counts: dict[tuple[str, str], int] = {}
    for dialect, method, url, body in sent:
        for shape in shapes_of_request(method, url, body):
            counts[(dialect, shape)] = counts.get((dialect, shape), 0) + 1
    rows: list[CatalogueShapeJson] = []
    for entry in catalogue(dialects):
        count = counts.pop((entry.dialect, entry.shape), 0)
        rows.append(
            {
                "shape": entry.shape,
                "dialect": entry.dialect,
                "condition": entry.condition,
                "exercised": count > 0,
                "count": count,
            }
        )
    for (dialect, shape), count in counts.items():
        rows.append(
            {
                "shape": shape,
                "dialect": dialect,
                "condition": None,
                "exercised": True,
                "count": count,
            }
        )
    return rows


# --- rendering -------------------------------------------------------------------------------


def catalogue_counts(rows: Sequence[CatalogueShapeJson]) -> tuple[int, int, int]:
    """(exercised, catalogued, not exercised of the default configuration)."""
    exercised = sum(r["exercised"] for r in rows)
    default_gap = sum(not r["exercised"] and r["condition"] is None for r in rows)
    return exercised, len(rows), default_gap


def catalogue_line(rows: Sequence[CatalogueShapeJson]) -> str | None:
    """The terminal summary's line about the shapes; None without a flow."""
    if not rows:
        return None
    exercised, total, default_gap = catalogue_counts(rows)
    conditional = total - exercised - default_gap
    return (
        f"Entra request shapes exercised: {exercised} of {total} the engine can send in these "
        f"dialects; not exercised: {default_gap} of the default configuration, {conditional} "
        "that depend on the customer's configuration (listed in the JSON and HTML reports)"
    )


def sent_html(shapes: Sequence[ShapeJson]) -> str:
    """The requests the engine sent, each with its operations as sent, and how often."""
    items = "".join(
        f"<li><code>{html.escape(s['shape'])}</code> × {s['count']}</li>" for s in shapes
    )
    title = f"<summary>Entra requests as sent ({len(shapes)})</summary>"
    return f"<details>{title}<ul>{items}</ul></details>" if shapes else ""


def catalogue_html(rows: Sequence[CatalogueShapeJson]) -> str:
    """The catalogue as an HTML table, the shapes not exercised first."""
    if not rows:
        return ""
    exercised, total, _ = catalogue_counts(rows)
    ordered = sorted(rows, key=lambda r: r["exercised"])
    body = "".join(
        f"<tr><td>{'yes × ' + str(r['count']) if r['exercised'] else '<b>no</b>'}</td>"
        f"<td>{html.escape(r['dialect'])}</td>"
        f"<td>{html.escape(r['condition'] or 'default configuration')}</td>"
        f"<td><code>{html.escape(r['shape'])}</code></td></tr>"
        for r in ordered
    )
    return (
        f"<details><summary>Entra request shapes exercised: {exercised} of {total} the "
        "engine can send</summary><table><tr><th>Exercised</th><th>Dialect</th>"
        f"<th>Sent when</th><th>Shape</th></tr>{body}</table></details>"
    )


__all__ = [
    "CatalogueShape",
    "CatalogueShapeJson",
    "catalogue",
    "catalogue_counts",
    "catalogue_html",
    "catalogue_line",
    "coverage",
    "sent_html",
    "shapes_of_request",
]
