"""The connector data store's records (fake_entra.cycle.job): an entry's exported values
read and change as a dict does, compactly; members are shared until an entry has its own."""

from __future__ import annotations

import pytest

from fake_entra.cycle.job import NO_MEMBERS, ConnectorEntry, ExportedValues


def test_exported_values_read_and_change_as_the_dict_they_stand_for() -> None:
    source = {"userName": "a@contoso.com", "active": True, "title": None}
    values = ExportedValues(source)
    assert values == source and dict(values) == source and list(values) == list(source)
    assert repr(values) == repr(source) and len(values) == 3
    assert values["active"] is True and values.get("title") is None
    assert values.get("missing", "default") == "default" and "missing" not in values
    with pytest.raises(KeyError):
        values["missing"]
    values["title"] = "Lead"
    values["manager"] = "m-1"  # a new path goes last, as in a dict
    source["title"] = "Lead"
    source["manager"] = "m-1"
    assert list(values.items()) == list(source.items())
    del values["active"]
    del source["active"]
    assert list(values.items()) == list(source.items())
    values.update({"active": False})
    assert values["active"] is False and list(values)[-1] == "active"
    with pytest.raises(TypeError):
        hash(values)


def test_entries_with_the_same_paths_share_them() -> None:
    first = ExportedValues({"userName": "a", "active": True})
    second = ExportedValues({"userName": "b", "active": False})
    first["manager"] = "x"
    second["manager"] = "y"
    assert first._layout is second._layout
    assert (first["userName"], second["userName"]) == ("a", "b")


def test_an_entry_shares_the_empty_members_until_it_has_some() -> None:
    user = ConnectorEntry("s-1", "User", "t-1", "a", ExportedValues())
    group = ConnectorEntry("s-2", "Group", "t-2", "g", ExportedValues())
    assert user.members is NO_MEMBERS and group.members is NO_MEMBERS
    group.member_set().update({"t-1"})
    assert group.members == {"t-1"} and user.members == set()
    assert group.member_set() is group.members
