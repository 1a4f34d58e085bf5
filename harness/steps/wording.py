"""How steps are worded: shared parse types and registration helpers for the step modules.

Steps use :func:`pytest_bdd.parsers.parse` patterns, so the catalogue (docs/steps.md) shows
them as written: ``the admin assigns the user "{name}" with the role "{role}"``. A closed
set of words (``On``/``Off``, a directory role) is a parse type built by :func:`choice`, so
that ``as a {role:Role}`` cannot swallow the "n" of "as an Application Administrator".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pytest_bdd import given, parsers, when

F = TypeVar("F", bound=Callable[..., Any])

_QUOTED = re.compile(r'"([^"]*)"')


def choice(*values: str) -> Callable[[str], str]:
    """A parse type matching exactly one of ``values`` (case-sensitive)."""

    def convert(text: str) -> str:
        return text

    convert.pattern = "|".join(re.escape(value) for value in values)  # type: ignore[attr-defined]
    return convert


#: The parse types every step module may use by name in its patterns.
TYPES: dict[str, Callable[[str], Any]] = {
    "OnOff": choice("on", "off", "On", "Off"),
    "Mode": choice("Automatic", "Manual"),
    "Role": choice(
        "Global Administrator",
        "Application Administrator",
        "Cloud Application Administrator",
        "User Administrator",
        "Helpdesk Administrator",
        "Global Reader",
        "User",
    ),
    "Level": choice("success", "error", "information"),
    "Dialect": choice("default", "aadOptscim062020"),
    "Kind": choice("initial", "incremental"),
    # Graph provisioningAction and provisioningResult, as the portal shows them.
    "Action": choice("Create", "Update", "Delete", "Disable", "StagedDelete", "Other"),
    "Status": choice("Success", "Failure", "Skipped", "Warning"),
    "Side": choice("request", "response"),
}


def pattern(text: str) -> parsers.parse:
    """A parse pattern that knows the shared :data:`TYPES`."""
    return parsers.parse(text, extra_types=TYPES)


#: The subject an action may leave out after the first step: "And clicks Save".
ADMIN = "the admin "


def action(*texts: str) -> Callable[[F], F]:
    """Register an action as both a Given and a When step, under each wording.

    An action sets the scene in a Given ("Given the admin adds ... from the gallery") and
    is the thing under test in a When. A wording that starts with "the admin " is also
    registered without it, for the steps that follow: "And clicks Test Connection".
    """
    wordings = [*texts, *(text[len(ADMIN) :] for text in texts if text.startswith(ADMIN))]

    def register(func: F) -> F:
        for text in wordings:
            # stacklevel=2: pytest-bdd injects the step fixture into the module that calls
            # this decorator, one frame further out than its own.
            given(pattern(text), stacklevel=2)(func)
            when(pattern(text), stacklevel=2)(func)
        return func

    return register


def quoted(text: str) -> list[str]:
    """The quoted names in ``"Britta Simon", "Carl Jones" and "Dana Lee"``."""
    names = _QUOTED.findall(text)
    if not names:
        raise ValueError(
            f'expected quoted names, as in \'"Britta Simon" and "Carl Jones"\': {text}'
        )
    return names


def is_on(switch: str) -> bool:
    return switch.lower() == "on"


def rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    """A data table with a header row, as one dict per row."""
    if not datatable:
        raise ValueError("expected a data table with a header row")
    header, *body = datatable
    for row in body:
        if len(row) != len(header):
            raise ValueError(f"expected {len(header)} columns as in the header row, got {row}")
    return [dict(zip(header, row, strict=True)) for row in body]


def pairs(datatable: Iterable[list[str]]) -> dict[str, str]:
    """A two-column data table (name | value) as a dict."""
    result: dict[str, str] = {}
    for row in datatable:
        if len(row) != 2:
            raise ValueError(f"expected two columns (name | value), got {row}")
        result[row[0]] = row[1]
    return result
