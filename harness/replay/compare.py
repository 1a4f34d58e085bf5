"""Comparing a replayed response with the recorded one.

What is compared, in this order (the first difference in status stops the comparison,
since a body that answers another status says nothing comparable):

1. **The outcome**: the HTTP status, or that no response came (a timeout, a refused
   connection). A recorded response and none now, or the reverse, is a difference.
2. **The body**, when the recorded one is known (a HAR entry may leave it out) and JSON:
   * the replayed body must be JSON too;
   * an error (status 400 and over): only ``schemas``, ``status`` and ``scimType``; the
     ``detail`` is free text for humans (RFC 7644 §3.12) and often carries generated ids;
   * anything else, every attribute, recursively, **except what the server generates**:
     ``id`` and ``meta.created``, ``meta.lastModified``, ``meta.version`` and
     ``meta.location`` of the resource (the body itself and each of a ListResponse's
     ``Resources``). ``meta.resourceType`` is compared;
   * the recorded body is first rewritten by :class:`~harness.replay.aliases.IdAliases`, so
     a recorded id the replay learned (a member's ``value``, a manager) compares equal to
     the replay's id, and a ``$ref`` under the recorded base URL to the one under the
     replay's;
   * attribute names compare case-insensitively (RFC 7643 §2.1: "Attribute names are case
     insensitive"); values compare exactly (JSON equality: ``true`` is not ``"True"``);
   * an unassigned attribute, a ``null`` and an empty array are the same (RFC 7643 §2.5);
   * arrays compare as multisets: the same items in any order is no difference (a choice
     of provisim: a multi-valued attribute's order carries no meaning a client may rely
     on, and a search without ``sortBy`` promises none). Items that differ are reported
     by position; arrays of different lengths as a whole.
3. A recorded body that is not JSON (an HTML error page, say) is not compared, and
   neither are headers.

Each difference names its place as a JSON Pointer (RFC 6901) into the response body, or
``status``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

#: Attributes of a resource the service provider generates, compared nowhere.
GENERATED: Final = (
    ("id",),
    ("meta", "created"),
    ("meta", "lastmodified"),
    ("meta", "version"),
    ("meta", "location"),
)
#: The only attributes of an error body compared (RFC 7644 §3.12).
ERROR_ATTRIBUTES: Final = frozenset({"schemas", "status", "scimtype"})

_LIST_RESPONSE: Final = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

#: A human-readable account of the rules above, for the reports.
RULES: Final = (
    "the HTTP status (or that no response came) must be the same",
    "JSON bodies: every attribute, recursively, except id and meta.created, "
    "meta.lastModified, meta.version, meta.location of each resource",
    "error bodies (status >= 400): only schemas, status and scimType (detail is free text)",
    "recorded ids the replay learned (creates, one-result searches) and $ref URLs compare "
    "as the replay's",
    "attribute names case-insensitive (RFC 7643 §2.1); unassigned = null = [] (RFC 7643 §2.5)",
    "arrays in any order; non-JSON bodies and headers are not compared",
)


@dataclass(frozen=True)
class Difference:
    """One way the replayed response differs from the recorded one."""

    #: ``status``, or a JSON Pointer into the body ("" is the whole body).
    pointer: str
    #: "status", "changed", "missing" (recorded, not replayed) or "unexpected" (the reverse).
    kind: str
    recorded: Any
    replayed: Any

    def describe(self) -> str:
        where = "status" if self.pointer == "status" else f"body {self.pointer or '/'}"
        if self.kind == "missing":
            return f"{where}: recorded {_show(self.recorded)}, missing from the replay"
        if self.kind == "unexpected":
            return f"{where}: not recorded, replay returned {_show(self.replayed)}"
        return f"{where}: recorded {_show(self.recorded)}, replay returned {_show(self.replayed)}"


def compare_outcome(
    *,
    recorded_status: int | None,
    recorded_error: str | None,
    recorded_body: Any,
    recorded_body_known: bool,
    status: int | None,
    error: str | None,
    body: Any,
    body_is_json: bool,
) -> list[Difference]:
    """The differences between a recorded answer (its body already rewritten by the
    aliases) and a replayed one. ``body`` is the replayed body as JSON when
    ``body_is_json``, else its text or None."""
    if recorded_status != status:
        return [
            Difference(
                "status",
                "status",
                recorded_status
                if recorded_status is not None
                else f"no response ({recorded_error})",
                status if status is not None else f"no response ({error})",
            )
        ]
    if status is None or not recorded_body_known:
        return []
    if recorded_body is None or isinstance(recorded_body, str):
        # No recorded body, or one that is not JSON: nothing to compare but presence.
        if recorded_body is None and body_is_json and not _unassigned(body):
            return [Difference("", "unexpected", None, body)]
        return []
    if not body_is_json:
        return [Difference("", "changed", recorded_body, body)]
    if status >= 400 and isinstance(recorded_body, dict) and isinstance(body, dict):
        recorded_body = _only(recorded_body, ERROR_ATTRIBUTES)
        body = _only(body, ERROR_ATTRIBUTES)
    return compare_json(recorded_body, body)


def compare_json(recorded: Any, replayed: Any) -> list[Difference]:
    """The differences between two JSON bodies under the rules of this module."""
    found: list[Difference] = []
    _compare(recorded, replayed, (), _is_resource(recorded), found)
    return found


def _compare(
    recorded: Any, replayed: Any, path: tuple[str, ...], resource: bool, found: list[Difference]
) -> None:
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        _compare_objects(recorded, replayed, path, resource, found)
    elif isinstance(recorded, list) and isinstance(replayed, list):
        _compare_arrays(recorded, replayed, path, found)
    elif not _same_scalar(recorded, replayed):
        found.append(Difference(_pointer(path), "changed", recorded, replayed))


def _compare_objects(
    recorded: dict[str, Any],
    replayed: dict[str, Any],
    path: tuple[str, ...],
    resource: bool,
    found: list[Difference],
) -> None:
    ours = {key.lower(): key for key in recorded}
    theirs = {key.lower(): key for key in replayed}
    in_list = resource and path == () and _LIST_RESPONSE in (recorded.get("schemas") or [])
    for lower in [*ours, *(k for k in theirs if k not in ours)]:
        if resource and _generated(path, lower):
            continue
        key = ours.get(lower) or theirs[lower]
        here = (*path, key)
        if lower not in theirs:
            if not _unassigned(recorded[ours[lower]]):
                found.append(Difference(_pointer(here), "missing", recorded[ours[lower]], None))
            continue
        if lower not in ours:
            if not _unassigned(replayed[theirs[lower]]):
                found.append(
                    Difference(_pointer(here), "unexpected", None, replayed[theirs[lower]])
                )
            continue
        a, b = recorded[ours[lower]], replayed[theirs[lower]]
        if in_list and lower == "resources" and isinstance(a, list) and isinstance(b, list):
            _compare_resources(a, b, here, found)
        else:
            _compare(a, b, here, resource and lower == "meta", found)


def _generated(path: tuple[str, ...], lower: str) -> bool:
    """Whether ``path + (lower,)`` is a generated attribute of the resource at ``path``'s root
    (only the resource's own top level and its ``meta`` are looked at)."""
    relative = (*(p.lower() for p in path), lower)
    return relative in GENERATED


def _compare_resources(
    recorded: list[Any], replayed: list[Any], path: tuple[str, ...], found: list[Difference]
) -> None:
    """A ListResponse's Resources: each a resource with its own generated attributes."""

    def one(a: Any, b: Any, here: tuple[str, ...]) -> list[Difference]:
        sub: list[Difference] = []
        if isinstance(a, dict) and isinstance(b, dict):
            _compare_objects_rooted(a, b, here, sub)
        else:
            _compare(a, b, here, False, sub)
        return sub

    _match_arrays(recorded, replayed, path, one, found)


def _compare_objects_rooted(
    recorded: dict[str, Any],
    replayed: dict[str, Any],
    here: tuple[str, ...],
    found: list[Difference],
) -> None:
    # Compare as a resource of its own, then re-root the pointers under ``here``.
    sub: list[Difference] = []
    _compare_objects(recorded, replayed, (), True, sub)
    prefix = _pointer(here)
    found.extend(Difference(prefix + d.pointer, d.kind, d.recorded, d.replayed) for d in sub)


def _compare_arrays(
    recorded: list[Any], replayed: list[Any], path: tuple[str, ...], found: list[Difference]
) -> None:
    def one(a: Any, b: Any, here: tuple[str, ...]) -> list[Difference]:
        sub: list[Difference] = []
        _compare(a, b, here, False, sub)
        return sub

    _match_arrays(recorded, replayed, path, one, found)


def _match_arrays(
    recorded: Sequence[Any],
    replayed: Sequence[Any],
    path: tuple[str, ...],
    one: Any,
    found: list[Difference],
) -> None:
    """Items in any order: pair each recorded item with an equal replayed one; what is left
    over is reported by position, or as the whole array when the lengths differ."""
    left = list(range(len(replayed)))
    unmatched: list[int] = []
    for index, item in enumerate(recorded):
        match = next((j for j in left if not one(item, replayed[j], (*path, str(index)))), None)
        if match is None:
            unmatched.append(index)
        else:
            left.remove(match)
    if not unmatched and not left:
        return
    if len(recorded) != len(replayed):
        found.append(Difference(_pointer(path), "changed", list(recorded), list(replayed)))
        return
    for index, j in zip(unmatched, left, strict=True):
        found.extend(one(recorded[index], replayed[j], (*path, str(index))))


def _is_resource(body: Any) -> bool:
    """A body whose generated attributes are not compared: a resource or a ListResponse."""
    return isinstance(body, dict)


def _only(body: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key.lower() in names}


def _unassigned(value: Any) -> bool:
    """RFC 7643 §2.5: unassigned, null and an empty multi-valued attribute are the same."""
    return value is None or value == []


def _same_scalar(a: Any, b: Any) -> bool:
    if _unassigned(a) and _unassigned(b):
        return True
    # JSON equality, but true is not 1 (Python's bool is an int).
    return (type(a) is type(b) and a == b) or (_number(a) and _number(b) and a == b)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _pointer(path: tuple[str, ...]) -> str:
    """RFC 6901: "/" before each token, "~" as "~0" and "/" as "~1"."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)


def _show(value: Any) -> str:
    text = value if isinstance(value, str) and value.startswith("no response") else None
    if text is not None:
        return text
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 200 else shown[:197] + "..."


__all__ = [
    "ERROR_ATTRIBUTES",
    "GENERATED",
    "RULES",
    "Difference",
    "compare_json",
    "compare_outcome",
]
