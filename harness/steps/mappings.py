"""Attribute Mappings: review and edit how Entra attributes become LinkedIn's SCIM attributes.

Tutorial step 15 (linkedin-scim.md §6): review the user and group attribute mappings; the
"Matching" properties find existing accounts and groups for updates; save any changes.
Saving a mapping makes the next cycle re-evaluate every object (entra §2 "Restart").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_bdd import then

from harness.steps.wording import action, pattern, rows

if TYPE_CHECKING:
    from harness.world import World


@action('the admin opens the attribute mapping "{mapping}"')
def open_mapping(world: World, mapping: str) -> None:
    """Select "Provision Microsoft Entra ID Users" (or Groups) in the Mappings list."""
    world.open_mapping(mapping)


@then("the attribute mapping includes:")
def mapping_includes(world: World, datatable: list[list[str]]) -> None:
    """Rows of ``| target attribute | source | matching precedence |``; the source is the
    attribute name, an expression, or a quoted constant."""
    draft = world.draft_mapping()
    for row in rows(datatable):
        mapping = draft.mapping_for(row["target attribute"])
        assert mapping.describe_source() == row["source"], (
            f"{mapping.target_attribute} comes from {mapping.describe_source()}, "
            f"not {row['source']}."
        )
        wanted = row.get("matching precedence", "")
        actual = "" if mapping.matching_precedence is None else str(mapping.matching_precedence)
        assert actual == wanted, f"{mapping.target_attribute} has matching precedence {actual!r}."


@then(pattern('the matching property of "{mapping}" is "{attribute}"'))
def matching_property(world: World, mapping: str, attribute: str) -> None:
    """The attribute with matching precedence 1: how existing accounts are found."""
    first = world.saved_mapping(mapping).matching_mappings()[0]
    assert first.target_attribute == attribute, f"Objects match on {first.target_attribute}."


@action('the admin maps the expression {expression} to "{target}"')
def map_expression(world: World, expression: str, target: str) -> None:
    """Edit (or add) the mapping to ``target`` as an Expression, e.g.
    ``Join(".", [givenName], [surname])``."""
    world.map_attribute(target, "Expression", expression)


@action('the admin tries to map the expression {expression} to "{target}"')
def try_map_expression(world: World, expression: str, target: str) -> None:
    """The same, keeping the portal's refusal of an invalid expression."""
    world.attempt(
        f"Map {expression} to {target}",
        lambda: world.map_attribute(target, "Expression", expression),
    )


@action('the admin maps the source attribute "{source}" to "{target}"')
def map_direct(world: World, source: str, target: str) -> None:
    """A Direct mapping from an Entra attribute."""
    world.map_attribute(target, "Direct", source)


@action('the admin maps the constant "{value}" to "{target}"')
def map_constant(world: World, value: str, target: str) -> None:
    """A Constant mapping: every object gets ``value``."""
    world.map_attribute(target, "Constant", value)


@action('the admin matches objects using "{target}" with precedence {precedence:d}')
def match_using(world: World, target: str, precedence: int) -> None:
    """Set "Match objects using this attribute" to Yes; matching tries attributes in
    precedence order and the first hit wins."""
    world.set_matching(target, precedence)


@action('the admin stops matching objects using "{target}"')
def stop_matching(world: World, target: str) -> None:
    """Set "Match objects using this attribute" to No."""
    world.set_matching(target, None)


@action('the admin adds the scoping filter "{title}" where "{attribute}" {operator} "{value}"')
def add_scoping_filter(world: World, title: str, attribute: str, operator: str, value: str) -> None:
    """Source Object Scope > Add scoping filter: one clause, e.g. department EQUALS Sales."""
    world.add_scoping_filter(title, attribute, operator, value)


@action("the admin disables the group mapping")
def disable_group_mapping(world: World) -> None:
    """Set "Provision Microsoft Entra ID Groups" to Enabled: No and save; users still
    provision."""
    world.open_mapping("Provision Microsoft Entra ID Groups").enabled = False
    world.save_mapping()


@action("the admin saves the attribute mapping")
def save_mapping(world: World) -> None:
    """Save on the Attribute Mapping page: the next cycle re-evaluates every object."""
    world.save_mapping()


@action("the admin tries to save the attribute mapping")
def try_save_mapping(world: World) -> None:
    """Save, keeping the portal's refusal for a Then step."""
    world.attempt("Save the attribute mapping", world.save_mapping)
