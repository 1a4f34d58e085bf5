"""slot_init: a frozen, slotted dataclass built through its slots, nothing else changed."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import InitVar, dataclass, field
from typing import ClassVar

import pytest

from fake_entra.frozen import slot_init


@dataclass(frozen=True, slots=True)
class Plain:
    name: str
    size: int = 3
    tags: list[str] = field(default_factory=list)


@slot_init
@dataclass(frozen=True, slots=True)
class Quick:
    name: str
    size: int = 3
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Base:
    name: str


@slot_init
@dataclass(frozen=True, slots=True)
class Derived(Base):
    size: int = 0


def test_same_parameters_and_defaults_as_the_dataclass_init() -> None:
    assert str(inspect.signature(Quick)) == str(inspect.signature(Plain))
    assert "size: 'int' = 3, tags: 'list[str]' = <factory>" in str(inspect.signature(Quick))
    assert Quick.__init__.__qualname__ == "Quick.__init__"
    built = Quick("a")
    assert (built.name, built.size, built.tags) == ("a", 3, [])
    assert Quick("a").tags is not Quick("a").tags  # a fresh default per object
    given = ["x"]
    assert Quick("a", 5, given).tags is given
    assert Quick(size=7, name="b") == Quick("b", 7, [])
    with pytest.raises(TypeError):
        Quick()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Quick("a", nope=1)  # type: ignore[call-arg]


def test_equality_hash_repr_replace_pickle_and_immutability_are_the_dataclass_own() -> None:
    quick, plain = Quick("a", 1, ["t"]), Plain("a", 1, ["t"])
    assert quick == Quick("a", 1, ["t"])
    assert quick != Quick("a", 2, ["t"])
    assert repr(quick) == repr(plain).replace("Plain", "Quick")
    assert hash(Quick("a", 1, ())) == hash(Quick("a", 1, ()))  # type: ignore[arg-type]
    assert dataclasses.replace(quick, size=9) == Quick("a", 9, ["t"])
    assert dataclasses.astuple(quick) == ("a", 1, ["t"])
    assert pickle.loads(pickle.dumps(quick)) == quick
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.name = "b"  # type: ignore[misc]
    assert not hasattr(quick, "__dict__")


def test_fields_of_a_slotted_base_are_filled_too() -> None:
    derived = Derived("a", 2)
    assert (derived.name, derived.size) == ("a", 2)
    assert derived == Derived("a", 2)
    assert repr(derived) == "Derived(name='a', size=2)"


def test_refuses_what_it_would_not_build_the_same_way() -> None:
    @dataclass(frozen=True)
    class NoSlots:
        name: str

    @dataclass(slots=True)
    class NotFrozen:
        name: str

    @dataclass(frozen=True, slots=True)
    class PostInit:
        name: str

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, slots=True)
    class WithInitVar:
        name: str
        extra: InitVar[int] = 0

    @dataclass(frozen=True, slots=True)
    class WithClassVar:
        name: str
        kind: ClassVar[str] = "k"

    @dataclass(frozen=True, slots=True)
    class KeywordOnly:
        name: str = field(kw_only=True)

    @dataclass(frozen=True, slots=True)
    class NotInInit:
        name: str
        derived: str = field(init=False, default="x")

    class NotADataclass:
        pass

    for cls in (
        NoSlots,
        NotFrozen,
        PostInit,
        WithInitVar,
        WithClassVar,
        KeywordOnly,
        NotInInit,
        NotADataclass,
    ):
        with pytest.raises(TypeError):
            slot_init(cls)
