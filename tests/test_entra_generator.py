from __future__ import annotations

import random
import re
from typing import Any

import pytest

from fake_entra.clock import VirtualClock
from fake_entra.directory import Directory
from fake_entra.generator import DEPARTMENTS, GeneratedDirectory, build_directory


def new_directory() -> Directory:
    return Directory(VirtualClock(), random.Random(99))


def snapshot(directory: Directory) -> list[Any]:
    users = [user.source_attributes() for user in directory.all_users()]
    groups = [(g.object_id, g.display_name, sorted(g.members)) for g in directory.groups()]
    return [users, groups]


def test_the_same_seed_gives_the_same_directory() -> None:
    first, second = new_directory(), new_directory()
    a = build_directory(first, users=200, groups=12, seed=5)
    b = build_directory(second, users=200, groups=12, seed=5)
    assert a == b
    assert snapshot(first) == snapshot(second)


def test_another_seed_gives_another_directory() -> None:
    first, second = new_directory(), new_directory()
    a = build_directory(first, users=50, groups=3, seed=1)
    b = build_directory(second, users=50, groups=3, seed=2)
    assert set(a.user_ids).isdisjoint(b.user_ids)
    assert snapshot(first) != snapshot(second)


def test_the_directory_has_the_asked_size_and_realistic_users() -> None:
    directory = new_directory()
    built = build_directory(directory, users=300, groups=20, seed=3)
    assert isinstance(built, GeneratedDirectory)
    assert len(built.user_ids) == directory.user_count == 300
    assert len(built.group_ids) == directory.group_count == 20
    upns = [u.user_principal_name for u in directory.users()]
    assert len(set(upns)) == 300
    # Two people with the same name get a numbered user principal name.
    assert any(re.search(r"[0-9]@", upn) for upn in upns)
    for user in directory.users():
        assert re.fullmatch(r"[a-z0-9]+\.[a-z0-9]+[0-9]*@contoso\.com", user.user_principal_name)
        assert user.mail == user.user_principal_name
        assert user.display_name == f"{user.given_name} {user.surname}"
        assert user.mail_nickname == user.user_principal_name.split("@")[0]
        assert user.department is None or user.department in DEPARTMENTS
        assert user.employee_id is not None and user.employee_id.isdigit()
        assert user.telephone_number is not None and user.telephone_number.startswith("+1 ")
        assert user.country == "United States"
        assert user.proxy_addresses == (f"SMTP:{user.user_principal_name}",)
    assert len({u.employee_id for u in directory.users()}) == 300


def test_users_form_a_manager_hierarchy() -> None:
    directory = new_directory()
    built = build_directory(directory, users=200, groups=0, seed=4, manager_span=5)
    first = directory.get_user(built.user_ids[0])
    assert first.manager_id is None
    position = {user_id: index for index, user_id in enumerate(built.user_ids)}
    managers = set()
    for user_id in built.user_ids[1:]:
        manager_id = directory.get_user(user_id).manager_id
        assert manager_id is not None
        # Managers come earlier, so the hierarchy has no cycles.
        assert position[manager_id] < position[user_id]
        managers.add(manager_id)
    assert 1 < len(managers) <= 200 // 5


def test_disabled_fraction_is_honoured() -> None:
    directory = new_directory()
    build_directory(directory, users=400, groups=0, seed=6, disabled_fraction=0.25)
    disabled = sum(not user.account_enabled for user in directory.users())
    assert 60 < disabled < 140


def test_groups_have_unique_names_bounded_sizes_and_nesting() -> None:
    directory = new_directory()
    built = build_directory(
        directory, users=100, groups=30, seed=8, max_group_size=7, nested_group_fraction=1.0
    )
    groups = [directory.get_group(group_id) for group_id in built.group_ids]
    assert len({g.display_name for g in groups}) == 30
    users = set(built.user_ids)
    for index, group in enumerate(groups):
        user_members = group.members & users
        assert 1 <= len(user_members) <= 7
        nested = group.members - users
        # With fraction 1.0 every group but the first holds one earlier group.
        assert len(nested) == (0 if index == 0 else 1)
        assert nested <= set(built.group_ids[:index])


def test_non_ascii_locales_still_give_ascii_user_principal_names() -> None:
    directory = new_directory()
    build_directory(directory, users=150, groups=2, seed=9, locale="de_DE")
    for user in directory.users():
        assert user.user_principal_name.isascii()
        assert user.preferred_language == "de-DE"
        assert user.telephone_number is not None and user.telephone_number.startswith("+49 ")


def test_explicit_users_live_alongside_generated_ones() -> None:
    directory = new_directory()
    explicit = directory.add_user("b.simon@contoso.com", "B. Simon", department="Sales")
    built = build_directory(directory, users=100, groups=3, seed=10)
    assert directory.user_count == 101
    assert explicit.object_id not in built.user_ids
    # A second batch (another seed: the same seed would redraw the same ids)
    # never reuses a user principal name.
    build_directory(directory, users=100, groups=0, seed=12)
    upns = [u.user_principal_name for u in directory.users()]
    assert len(upns) == len(set(upns)) == 201


def test_a_custom_domain_must_be_verified() -> None:
    directory = new_directory()
    directory.add_verified_domain("fabrikam.com")
    build_directory(directory, users=5, groups=0, seed=11, domain="fabrikam.com")
    assert all(u.user_principal_name.endswith("@fabrikam.com") for u in directory.users())


def test_empty_and_invalid_sizes() -> None:
    directory = new_directory()
    assert build_directory(directory, users=0, groups=2, seed=1).user_ids == ()
    assert all(g.members == set() for g in directory.groups())
    with pytest.raises(ValueError, match="zero or more"):
        build_directory(directory, users=-1)
    with pytest.raises(ValueError, match="at least 1"):
        build_directory(directory, users=1, manager_span=0)
