"""Property tests for the Gherkin step parameters (issue 8: bad input never crashes).

Every wording of the step library is a ``parse`` pattern. Three properties:

- any text either does not match a wording or yields arguments of the declared types
  (``{count:d}`` an int, ``{role:Role}`` one of the closed words);
- a wording filled with generated values reads them back exactly (names with spaces,
  unicode, negative and huge numbers);
- a step given an argument it cannot act on (an unknown name, a negative or astronomically
  long duration, a status that is no HTTP status, an unknown fault profile, a malformed
  data table) fails with an AssertionError or ValueError that names the problem, never an
  unrelated KeyError, OverflowError or TypeError from deep inside.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_bdd.parsers import parse as ParseParser
from pytest_bdd.steps import step_function_context_registry

from harness.steps import STEP_MODULES, cycles, entra_admin, target
from harness.steps.catalog import step_definitions
from harness.steps.wording import TYPES, pairs, quoted, rows
from harness.world import World

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_PLACEHOLDER = re.compile(r"\{(?P<name>\w+)(?::(?P<type>\w+))?\}")


def _parsers() -> dict[str, ParseParser]:
    step_definitions()  # imports every step module, so the registry is complete
    found: dict[str, ParseParser] = {}
    for context in step_function_context_registry.values():
        if context.step_func.__module__ in STEP_MODULES and isinstance(context.parser, ParseParser):
            found[context.parser.name] = context.parser
    return dict(sorted(found.items()))


PARSERS = _parsers()
WORDINGS = sorted(PARSERS)
CHOICES = {
    name: set(getattr(convert, "pattern", "").replace("\\ ", " ").split("|"))
    for name, convert in TYPES.items()
}


def test_the_library_has_parameterised_wordings() -> None:
    # The properties below are only worth something if they range over real steps.
    parameterised = [w for w in WORDINGS if _PLACEHOLDER.search(w)]
    assert len(parameterised) > 80
    assert {"d", "Role", "OnOff", "Action"} <= {
        m["type"] for w in parameterised for m in _PLACEHOLDER.finditer(w) if m["type"]
    }


def _check_types(wording: str, arguments: dict[str, Any]) -> None:
    for match in _PLACEHOLDER.finditer(wording):
        value = arguments[match["name"]]
        kind = match["type"]
        if kind == "d":
            assert type(value) is int, (wording, value)
        elif kind == "f":
            assert type(value) is float, (wording, value)
        elif kind in CHOICES:
            assert value in CHOICES[kind], (wording, value)
        else:
            assert isinstance(value, str) and value, (wording, value)


@PROPERTY
@given(wording=st.sampled_from(WORDINGS), text=st.text(max_size=120))
def test_arbitrary_text_matches_with_typed_arguments_or_not_at_all(wording: str, text: str) -> None:
    parser = PARSERS[wording]
    if parser.is_matching(text):
        _check_types(wording, parser.parse_arguments(text))


# Free text in quotes: anything but a double quote or a line break (Gherkin steps are one
# line); unquoted free text: one word (the patterns separate adjacent placeholders by spaces).
_QUOTED_TEXT = st.text(
    st.characters(
        blacklist_characters='"\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029',
        blacklist_categories=("Cs",),
    ),
    min_size=1,
    max_size=30,
)
_WORD = st.text(
    st.characters(blacklist_characters='"', blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
    min_size=1,
    max_size=20,
)
_INTS = st.one_of(st.integers(-1000, 100_000), st.integers(-(10**30), 10**30))
# parse's "f" is a fixed-point number: digits with a decimal point ("0.0001", not "0").
_FIXED = st.decimals(
    min_value=-(10**6), max_value=10**6, places=6, allow_nan=False, allow_infinity=False
).map(lambda d: f"{d:.6f}")


def _value(wording: str, match: re.Match[str]) -> st.SearchStrategy[Any]:
    kind = match["type"]
    if kind == "d":
        return _INTS
    if kind == "f":
        return _FIXED
    if kind in CHOICES:
        return st.sampled_from(sorted(CHOICES[kind]))
    before, after = wording[: match.start()], wording[match.end() :]
    return _QUOTED_TEXT if before.endswith('"') and after.startswith('"') else _WORD


@st.composite
def _filled(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    wording = draw(st.sampled_from([w for w in WORDINGS if _PLACEHOLDER.search(w)]))
    values = {m["name"]: draw(_value(wording, m)) for m in _PLACEHOLDER.finditer(wording)}
    text = _PLACEHOLDER.sub(lambda m: str(values[m["name"]]), wording)
    return wording, text, values


@PROPERTY
@given(filled=_filled())
def test_a_filled_wording_reads_its_values_back(filled: tuple[str, str, dict[str, Any]]) -> None:
    wording, text, values = filled
    parser = PARSERS[wording]
    assert parser.is_matching(text), text
    arguments = parser.parse_arguments(text)
    for match in _PLACEHOLDER.finditer(wording):
        if match["type"] == "f":  # drawn as fixed-point text; read back as the same float
            values[match["name"]] = float(values[match["name"]])
    # parse matches choice words case-insensitively; the step compares them in lower case.
    for match in _PLACEHOLDER.finditer(wording):
        if match["type"] in CHOICES:
            name = match["name"]
            assert arguments[name].lower() == values[name].lower()
            arguments[name] = values[name]
    assert arguments == values
    _check_types(wording, arguments)


# -- steps acting on what they were given -----------------------------------------------------


def _clear_failure(call: Callable[[], object], *mentions: str) -> None:
    """``call`` succeeds, or fails with a message that names what was wrong."""
    try:
        call()
    except (AssertionError, ValueError) as error:
        message = str(error)
        assert message, f"{type(error).__name__} without a message"
        assert any(m in message for m in mentions), message


@pytest.fixture
def set_up_world(world: World) -> World:
    world.sign_in("Global Administrator")
    world.add_user("Britta Simon")
    world.add_application("LinkedIn Elevate")
    return world


@PROPERTY
@given(amount=_INTS, step=st.sampled_from(["minutes_pass", "hours_pass", "days_pass"]))
def test_time_passes_or_the_step_says_why_not(set_up_world: World, amount: int, step: str) -> None:
    before = set_up_world.clock.now()
    function = getattr(cycles, step)
    _clear_failure(lambda: function(set_up_world, amount), str(amount))
    if amount < 0:
        assert set_up_world.clock.now() == before


@PROPERTY
@given(name=_QUOTED_TEXT.filter(lambda n: n != "Britta Simon"))
def test_an_unknown_name_is_named_in_the_failure(set_up_world: World, name: str) -> None:
    steps: list[Callable[[], object]] = [
        lambda: entra_admin.disable_account(set_up_world, name),
        lambda: entra_admin.soft_delete(set_up_world, name),
        lambda: entra_admin.assign_user(set_up_world, name, "User"),
        lambda: entra_admin.unassign(set_up_world, name),
        lambda: entra_admin.change_attribute(set_up_world, "job title", name, "CEO"),
        lambda: entra_admin.add_member(set_up_world, name, "Sales"),
        lambda: target.preexisting_user(set_up_world, name),
    ]
    for step in steps:
        with pytest.raises(AssertionError, match="was added to the directory"):
            step()


@PROPERTY
@given(status=_INTS, method=_WORD, resource=_WORD)
def test_a_canned_answer_needs_an_http_status(
    set_up_world: World, status: int, method: str, resource: str
) -> None:
    if 100 <= status <= 599:
        target.answers_always(set_up_world, method, resource, status)
    else:
        with pytest.raises(AssertionError, match=re.escape(f"HTTP {status}")):
            target.answers_once(set_up_world, method, resource, status)


@PROPERTY
@given(profile=_QUOTED_TEXT, options=st.lists(st.lists(_WORD, min_size=0, max_size=3)))
def test_an_unknown_fault_profile_or_option_is_refused_clearly(
    set_up_world: World, profile: str, options: list[list[str]]
) -> None:
    _clear_failure(
        lambda: target.fault_profile_with(set_up_world, profile, options),
        profile,
        "option",
        "two columns",
        "fault",
    )


@PROPERTY
@given(text=st.text(max_size=80))
def test_quoted_names_are_found_or_refused(text: str) -> None:
    _clear_failure(lambda: quoted(text), "quoted names")


@PROPERTY
@given(table=st.lists(st.lists(st.text(max_size=5), max_size=4), max_size=4))
def test_data_tables_convert_or_are_refused(table: list[list[str]]) -> None:
    _clear_failure(lambda: pairs(table), "two columns")
    _clear_failure(lambda: rows(table), "header row", "columns")
