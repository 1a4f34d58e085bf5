"""The catalogue of request shapes the engine can send, and the run's coverage of it."""

from __future__ import annotations

from fake_entra.dialects import Dialect, DialectSettings, member_bodies
from harness.conformance.shapes import (
    catalogue,
    catalogue_html,
    catalogue_line,
    coverage,
    shapes_of_request,
)

GROUP = "https://t/scim/Groups/g1"


def _by(dialect: str) -> dict[str, str | None]:
    return {s.shape: s.condition for s in catalogue([dialect])}


def test_the_catalogue_names_the_configuration_each_conditional_shape_needs() -> None:
    default = _by("default")
    assert default['PATCH /Users/{id} [Replace active = "True"/"False"]'] is None
    assert default["PATCH /Groups/{id} [Remove members = [{$ref,value}]]"] is None
    assert default["PATCH /Users/{id} [Add manager = [{$ref,value}]]"] == "manager_shape=s1-array"
    assert default["PATCH /Groups/{id} [Add + Remove members in one body]"] == "member_patch=mixed"
    assert default["PATCH /Groups/{id} [Replace members = [{$ref,value}]]"] == (
        "member_patch=replace"
    )
    # S7: the stringified PATCH of roles, and the POST of each role expression.
    single = 'roles: SingleAppRoleAssignment to roles[primary eq "True"]'
    assert default["PATCH /Users/{id} [Add roles = [{value: <stringified role>}]]"] == (
        f"{single}.value"
    )
    assert default["POST /Users [roles: {primary,value}, primary True]"] == f"{single}.value"
    assert default["PATCH /Users/{id} [Replace roles = [{display,primary,type,value}]]"] == (
        "roles: AssertiveAppRoleAssignmentsComplex"
    )
    assert "GET /Users/{id}" in default and "GET /Groups/{id}?excludedAttributes=members" in default
    flagged = _by("aadOptscim062020")
    assert flagged["PATCH /Users/{id} [replace active = boolean]"] is None
    assert flagged['PATCH /Groups/{id} [remove members[value eq "…"] = no value]'] is None
    assert flagged["PATCH /Users/{id} [replace (no path) = {<attribute paths>}]"] is None
    assert flagged["PATCH /Groups/{id} [replace (no path) = {<attribute paths>}]"] == (
        "lone_pathless_replace"
    )
    assert flagged['PATCH /Users/{id} [add roles[primary eq "…"].type = string]'] == (
        f"{single}.type"
    )
    assert not set(default) & set(flagged) - {s for s in default if not s.startswith("PATCH")}


def test_the_catalogue_follows_the_engine_builders() -> None:
    # What the engine's builder sends is what the catalogue lists, shape for shape.
    settings = DialectSettings(member_patch="mixed")
    [body] = member_bodies(Dialect.DEFAULT, add=["u1"], remove=["u2"], settings=settings)
    sent = set(shapes_of_request("PATCH", GROUP, body))
    assert sent <= set(_by("default"))
    assert "PATCH /Groups/{id} [Add + Remove members in one body]" in sent


def test_coverage_marks_what_was_sent_per_dialect_and_keeps_unknown_shapes() -> None:
    disable = {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
    odd = {"Operations": [{"op": "Frobnicate", "path": "x", "value": 1}]}
    rows = coverage(
        ["default"],
        [
            ("default", "PATCH", "https://t/scim/Users/u1", disable),
            ("default", "PATCH", "https://t/scim/Users/u1", disable),
            ("aadOptscim062020", "PATCH", "https://t/scim/Users/u1", disable),
            ("default", "PATCH", "https://t/scim/Users/u1", odd),
        ],
    )
    by_shape = {(r["dialect"], r["shape"]): r for r in rows}
    row = by_shape[("default", 'PATCH /Users/{id} [Replace active = "True"/"False"]')]
    assert row["exercised"] and row["count"] == 2
    assert not by_shape[("default", "GET /Users/{id}")]["exercised"]
    assert by_shape[("default", "PATCH /Users/{id} [Frobnicate <attr> = int]")]["exercised"]
    assert rows[-1]["shape"] == "PATCH /Users/{id} [Frobnicate <attr> = int]"
    line = catalogue_line(rows)
    assert line is not None and line.startswith(f"Entra request shapes exercised: 3 of {len(rows)}")
    table = catalogue_html(rows)
    assert "<b>no</b>" in table and "roles: AppRoleAssignmentsComplex" in table
    assert catalogue_line([]) is None and catalogue_html([]) == ""
