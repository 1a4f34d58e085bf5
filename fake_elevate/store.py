"""The SCIM resource store: Users and Groups, indexed, thread-safe.

Every write happens under one lock and is checked completely before it is
committed, so concurrent requests never lose or duplicate a write and a
refused request leaves nothing behind.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from .account_center import AccountCenter, ScimConfiguration
from .scim.errors import invalid_value, not_found, uniqueness
from .scim.filter import parse_filter, plain_equality
from .scim.patch import PatchResult, apply_patch
from .scim.resource import normalize_resource, sort_resources
from .scim.schema import RESOURCE_TYPES, ResourceType
from .scim.text import fold

if TYPE_CHECKING:
    from .persistence import SqliteState

#: RFC 7644 §3.4.2.4: a server may cap how many resources one page returns;
#: the cap is advertised as ``filter.maxResults`` in ServiceProviderConfig.
MAX_RESULTS = 1000


#: A stored resource: its JSON as orjson writes it, one bytes object instead of a tree of
#: dicts, lists and strings (about a third of the memory, and nothing for the garbage
#: collector to traverse), read back with orjson.loads into the same dict, key order
#: included. A value orjson cannot write back as it was (an integer beyond 64 bits, or a
#: NaN or lone surrogate an older ``--db`` file may hold) keeps the resource as a private
#: deep copy of its dict instead.
Stored = bytes | dict[str, Any]

#: Resources with more values than this in their multi-valued attributes have their count
#: remembered (ScimStore.is_compact); the others are known to hold at most this many.
_FEW_VALUES = 8


def _pack(resource: dict[str, Any]) -> Stored:
    try:
        raw = orjson.dumps(resource)
    except (TypeError, orjson.JSONEncodeError):
        return copy.deepcopy(resource)
    if b"null" in raw:  # orjson writes NaN and the infinities as null: keep such values
        return copy.deepcopy(resource)
    # A copy of exactly its size: orjson's own bytes object keeps its larger write buffer.
    return memoryview(raw).tobytes()


def _unpack(stored: Stored) -> dict[str, Any]:
    """A private copy of a stored resource, for the caller to read or change."""
    if isinstance(stored, bytes):
        value: dict[str, Any] = orjson.loads(stored)
        return value
    return copy.deepcopy(stored)


def _count_values(resource: dict[str, Any]) -> int:
    """How many values the resource's multi-valued attributes (core and extension) hold."""
    values = 0
    for value in resource.values():
        kind = type(value)
        if kind is list:
            values += len(value)
        elif kind is dict:
            for sub_value in value.values():
                if type(sub_value) is list:
                    values += len(sub_value)
    return values


_CONTAINERS = (list, dict)


def _same_value_count(old: dict[str, Any], new: dict[str, Any], modified: list[str]) -> bool:
    """Whether ``new``, ``old`` patched (PatchResult.modified) then given its schemas and
    meta by ScimStore._commit_patch, holds as many values as ``old`` (_count_values).

    Only the modified attributes, schemas and meta can differ (a patch shares the values
    it leaves alone, and writes equal ones where it changes nothing): true when every
    modified attribute is a core one whose value, before and after, is neither an array
    nor an object, schemas is as long as before, and meta's lastModified and version, the
    two it rewrites as strings, held no array.
    """
    for key in modified:
        if ":" in key or type(old.get(key)) in _CONTAINERS or type(new.get(key)) in _CONTAINERS:
            return False  # an extension attribute (URN-qualified), an array or an object
    old_schemas, old_meta = old.get("schemas"), old.get("meta")
    return (
        type(old_schemas) is list
        and len(old_schemas) == len(new["schemas"])
        and type(old_meta) is dict
        and type(old_meta.get("lastModified")) is not list
        and type(old_meta.get("version")) is not list
    )


class Page(NamedTuple):
    total: int
    start_index: int
    resources: list[dict[str, Any]]


@contextmanager
def _locked_transaction(lock: threading.RLock, persistence: SqliteState) -> Iterator[None]:
    with lock, persistence.transaction():
        yield


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND = timedelta(seconds=1)
#: The last whole UTC second _iso_utc wrote, [start, end), and its "YYYY-MM-DDTHH:MM:SS".
_last_second: tuple[datetime, datetime, str] = (_EPOCH, _EPOCH, "")
#: ".000Z" to ".999Z": what follows the second, by millisecond.
_MILLISECONDS = tuple(f".{millisecond:03d}Z" for millisecond in range(1000))


def _iso_utc(when: datetime) -> str:
    """``_iso(when)``, for the wall clock's datetimes (tzinfo UTC) without formatting the
    date each time: the text up to the second changes once a second."""
    global _last_second
    if when.tzinfo is not UTC:
        return _iso(when)
    start, end, prefix = _last_second
    if not start <= when < end:
        prefix = _iso(when)[:19]
        start = when.replace(microsecond=0)
        try:
            end = start + _ONE_SECOND
        except OverflowError:  # the last second of year 9999: an empty window, never kept
            end = start
        _last_second = (start, end, prefix)
    return prefix + _MILLISECONDS[when.microsecond // 1000]


class ScimStore:
    """Users and Groups of one LinkedIn account, as the SCIM service sees them."""

    def __init__(
        self,
        now: Callable[[], datetime],
        account_center: AccountCenter | None = None,
        *,
        new_id: Callable[[], str] | None = None,
        persistence: SqliteState | None = None,
    ) -> None:
        self._now = now
        self._account_center = account_center
        self._new_id = new_id or (lambda: uuid.uuid4().hex)
        self.lock = threading.RLock()
        self._resources: dict[str, dict[str, Stored]] = {"User": {}, "Group": {}}
        # Read without unpacking: each group's displayName (a user's groups show it) and
        # the value counts of resources with more than _FEW_VALUES (is_compact).
        self._group_names: dict[str, Any] = {}
        self._many_values: dict[str, dict[str, int]] = {"User": {}, "Group": {}}
        # Unique, case-insensitive keys: userName (caseExact=false, RFC 7643 §4.1)
        # and Group displayName (Entra needs it unique, entra §1), NFC-normalised and
        # case-folded (fake_elevate.scim.text.fold): one identity, one resource.
        # Both indexes hold the stored strings themselves where they can (a folded key that
        # equals the name is the name; one id per externalId is that id, a set only when
        # several resources share it), so a resource costs its stored form and little beside.
        self._unique: dict[str, dict[str, str]] = {"User": {}, "Group": {}}
        self._external: dict[str, dict[str, str | set[str]]] = {"User": {}, "Group": {}}
        self._groups_of: dict[str, set[str]] = {}
        # Required core attributes per resource type, for the PATCH check below.
        self._required = {
            name: tuple(a.name for a in t.schema.attributes if a.required)
            for name, t in RESOURCE_TYPES.items()
        }
        # The last instant stamped and its text: an injected clock (VirtualClock.now)
        # returns the same datetime object until it is advanced, and many writes share it.
        self._stamped_at: datetime | None = None
        self._stamp = ""
        self._persistence = persistence
        if persistence is not None:
            for type_name in ("User", "Group"):
                for resource in persistence.resources(type_name):
                    self._commit(type_name, None, resource, persist=False)

    @property
    def persistent(self) -> bool:
        """Whether every write is committed to SQLite (``--db``) before it is acknowledged."""
        return self._persistence is not None

    def _writing(self) -> AbstractContextManager[Any]:
        """The lock, and one durable transaction per request (the resource and its licence
        together) when persisting; in memory, the lock alone (no transaction to enter)."""
        if self._persistence is None:
            return self.lock
        return _locked_transaction(self.lock, self._persistence)

    # --- reads ---------------------------------------------------------------------------------

    def count(self, type_name: str) -> int:
        with self.lock:
            return len(self._resources[type_name])

    def get(self, type_name: str, resource_id: str) -> dict[str, Any]:
        with self.lock:
            stored = self._resources[type_name].get(resource_id)
            if stored is None:
                raise not_found(f"{type_name} {resource_id!r} not found")
            return self._render(type_name, _unpack(stored))

    def is_compact(self, type_name: str, resource_id: str, limit: int) -> bool:
        """Whether the resource holds at most ``limit`` values in all its multi-valued
        attributes (core and extension), or does not exist: a change to it is then
        bounded work. Reads the count remembered when it was written."""
        with self.lock:
            stored = self._resources[type_name].get(resource_id)
            if stored is None:
                return True
            values = self._many_values[type_name].get(resource_id)
            if values is None:
                if limit >= _FEW_VALUES:
                    return True
                values = _count_values(_unpack(stored))
            return values <= limit

    def search(
        self,
        type_name: str,
        filter_text: str | None = None,
        *,
        start_index: int = 1,
        count: int | None = None,
        sort_by: str | None = None,
        descending: bool = False,
    ) -> Page:
        """Filter, sort and page (RFC 7644 §3.4.2). Inactive users are returned too."""
        resource_type = RESOURCE_TYPES[type_name]
        # `attr eq "value"` on a plain string attribute (Entra's filter before every create)
        # is matched directly, as the parsed filter would (fast_path.plain_equality).
        plain = plain_equality(filter_text, resource_type) if filter_text else None
        flt = parse_filter(filter_text, resource_type) if filter_text and not plain else None
        # RFC 7644 §3.4.2.4: startIndex < 1 is read as 1, a negative count as 0 (compared,
        # not through max() and min(): two calls less on every search).
        if start_index < 1:
            start_index = 1
        if count is None or count > MAX_RESULTS:
            count = MAX_RESULTS
        elif count < 0:
            count = 0
        with self.lock:
            if plain is not None:
                name, value, case_exact = plain
                folded = None if case_exact else fold(value)
                matched = []  # of the few candidates (loops: no comprehension frames)
                for candidate in self._candidates(type_name, (name, value), folded):
                    found = candidate.get(name)
                    if (
                        found == value
                        if folded is None
                        else type(found) is str and fold(found) == folded
                    ):
                        matched.append(candidate)
            elif flt is None and not sort_by:
                # Every resource, in order: only the page is read back.
                table = self._resources[type_name]
                page = list(table.values())[start_index - 1 : start_index - 1 + count]
                return Page(
                    len(table),
                    start_index,
                    [self._render(type_name, _unpack(r)) for r in page],
                )
            else:
                candidates = self._candidates(type_name, flt.equality_hint() if flt else None)
                matched = [r for r in candidates if flt is None or flt.matches(r)]
            total = len(matched)
            if sort_by:
                matched = sort_resources(matched, resource_type, sort_by, descending)
            rendered = []
            for resource in matched[start_index - 1 : start_index - 1 + count]:
                rendered.append(self._render(type_name, resource))
            return Page(total, start_index, rendered)

    def _candidates(
        self, type_name: str, hint: tuple[str, Any] | None, folded: str | None = None
    ) -> list[dict[str, Any]]:
        """The resources (unpacked) a filter with this equality hint can match; ``folded``,
        if given, is the hint's value folded (fake_elevate.scim.text.fold)."""
        table = self._resources[type_name]
        if hint is not None and isinstance(hint[1], str):
            key, value = hint
            unique_key = "userName" if type_name == "User" else "displayName"
            if key == "id":
                found = table.get(value)
                return [_unpack(found)] if found else []
            if key == unique_key:
                found_id = self._unique[type_name].get(fold(value) if folded is None else folded)
                return [_unpack(table[found_id])] if found_id else []
            if key == "externalId":
                ids = self._external[type_name].get(value)
                if ids is None:
                    return []
                if isinstance(ids, str):
                    return [_unpack(table[ids])]
                return [_unpack(table[i]) for i in ids]
        return [_unpack(stored) for stored in table.values()]

    def _render(self, type_name: str, resource: dict[str, Any]) -> dict[str, Any]:
        """A resource as read: ``resource`` (a private copy, changed here) with a user's groups."""
        if type_name == "User":
            group_ids = self._groups_of.get(resource["id"])
            if group_ids:
                names = self._group_names
                resource["groups"] = [
                    {"value": gid, "display": names[gid], "type": "direct"}
                    for gid in sorted(group_ids)
                ]
        return resource

    # --- writes --------------------------------------------------------------------------------

    def create(
        self, type_name: str, body: Any, config: ScimConfiguration | None = None
    ) -> dict[str, Any]:
        resource_type = RESOURCE_TYPES[type_name]
        data = normalize_resource(body, resource_type)
        with self._writing():
            self._check_unique(type_name, data, None)
            self._check_members(data)
            resource_id = self._new_id()
            while resource_id in self._resources[type_name]:
                resource_id = self._new_id()
            now = self._timestamp()
            resource = {
                "schemas": self._schemas_for(resource_type, data),
                "id": resource_id,
                **data,
                "meta": {
                    "resourceType": type_name,
                    "created": now,
                    "lastModified": now,
                    "version": 'W/"1"',
                },
            }
            self._commit(type_name, None, resource)
            self._after_user_write(type_name, resource, config)
            return self._render(type_name, resource)

    def replace(
        self, type_name: str, resource_id: str, body: Any, config: ScimConfiguration | None = None
    ) -> dict[str, Any]:
        resource_type = RESOURCE_TYPES[type_name]
        data = normalize_resource(body, resource_type)
        with self._writing():
            current = self._existing(type_name, resource_id)
            self._check_unique(type_name, data, resource_id)
            self._check_members(data)
            resource = {
                "schemas": self._schemas_for(resource_type, data),
                "id": resource_id,
                **data,
                "meta": dict(current["meta"]),
            }
            self._touch(resource, changed=_content(resource) != _content(current))
            self._commit(type_name, current, resource)
            self._after_user_write(type_name, resource, config)
            return self._render(type_name, resource)

    def patch(
        self,
        type_name: str,
        resource_id: str,
        body: Any,
        config: ScimConfiguration | None = None,
        *,
        max_operations: int | None = None,
    ) -> dict[str, Any]:
        """Apply a PatchOp; with ``max_operations``, longer PATCHes are 400 invalidValue.

        The operations are applied outside the lock, to the stored value as it was (stored
        resources are never changed in place), so a long PATCH does not hold up readers;
        the result is committed only if nothing wrote the resource meanwhile, else the
        PATCH is applied again (under the lock, after two such retries).
        """
        resource_type = RESOURCE_TYPES[type_name]
        for _attempt in range(2):
            with self.lock:
                stored = self._resources[type_name].get(resource_id)
                if stored is None:
                    raise not_found(f"{type_name} {resource_id!r} not found")
            current = _unpack(stored)
            result = apply_patch(current, body, resource_type, max_operations=max_operations)
            with self._writing():
                if self._resources[type_name].get(resource_id) is stored:
                    return self._commit_patch(type_name, current, result, config)
        with self._writing():
            current = self._existing(type_name, resource_id)
            result = apply_patch(current, body, resource_type, max_operations=max_operations)
            return self._commit_patch(type_name, current, result, config)

    def _commit_patch(
        self,
        type_name: str,
        current: dict[str, Any],
        result: PatchResult,
        config: ScimConfiguration | None,
    ) -> dict[str, Any]:
        resource = result.resource
        if not result.changed:
            return self._render(type_name, current)
        for name in self._required[type_name]:
            if resource.get(name) in (None, ""):
                raise invalid_value(f"'{name}' is required and cannot be removed")
        resource_id = current["id"]
        self._check_unique(type_name, resource, resource_id)
        self._check_members(resource)
        resource["id"] = resource_id
        resource["schemas"] = self._schemas_for(RESOURCE_TYPES[type_name], resource)
        resource["meta"] = dict(current["meta"])
        self._touch(resource, changed=True)
        recount = not _same_value_count(current, resource, result.modified)
        self._commit(type_name, current, resource, recount=recount)
        self._after_user_write(type_name, resource, config)
        return self._render(type_name, resource)

    def delete(self, type_name: str, resource_id: str) -> None:
        """Delete a resource and drop it from every group that lists it as a member."""
        with self._writing():
            current = self._existing(type_name, resource_id)
            self._commit(type_name, current, None)
            groups = self._resources["Group"]
            for gid in sorted(self._groups_of.pop(resource_id, ())):
                group = _unpack(groups[gid])
                updated = dict(group)
                members = [m for m in group.get("members", ()) if m.get("value") != resource_id]
                if members:
                    updated["members"] = members
                else:
                    updated.pop("members", None)
                updated["meta"] = dict(group["meta"])
                self._touch(updated, changed=True)
                self._store("Group", updated)
                if self._persistence is not None:
                    self._persistence.put_resource("Group", updated)
            if type_name == "User" and self._account_center is not None:
                self._account_center.user_deleted(resource_id)

    # --- helpers -------------------------------------------------------------------------------

    def _existing(self, type_name: str, resource_id: str) -> dict[str, Any]:
        """The stored resource ``resource_id``, unpacked; 404 if there is none."""
        current = self._resources[type_name].get(resource_id)
        if current is None:
            raise not_found(f"{type_name} {resource_id!r} not found")
        return _unpack(current)

    def _store(self, type_name: str, resource: dict[str, Any], *, recount: bool = True) -> None:
        """Keep ``resource`` in its stored form, with what is read of it without unpacking;
        without ``recount``, it holds as many values as its stored version did."""
        resource_id = resource["id"]
        self._resources[type_name][resource_id] = _pack(resource)
        if recount:
            values = _count_values(resource)
            if values > _FEW_VALUES:
                self._many_values[type_name][resource_id] = values
            else:
                self._many_values[type_name].pop(resource_id, None)
        if type_name == "Group":
            self._group_names[resource_id] = resource.get("displayName")

    @staticmethod
    def _schemas_for(resource_type: ResourceType, data: dict[str, Any]) -> list[str]:
        schemas = [resource_type.schema.id]
        for ext in resource_type.extensions:
            if ext.id in data:
                schemas.append(ext.id)
        return schemas

    def _timestamp(self) -> str:
        """The clock's instant as meta.created/lastModified write it (RFC 7643 §3.1)."""
        when = self._now()
        if when is self._stamped_at:
            return self._stamp
        stamp = _iso_utc(when)
        self._stamp = stamp
        self._stamped_at = when
        return stamp

    def _touch(self, resource: dict[str, Any], *, changed: bool) -> None:
        if not changed:
            return
        meta = resource["meta"]
        meta["lastModified"] = self._timestamp()
        version = int(meta.get("version", 'W/"0"')[3:-1]) + 1
        meta["version"] = f'W/"{version}"'

    def _check_unique(self, type_name: str, data: dict[str, Any], own_id: str | None) -> None:
        key = "userName" if type_name == "User" else "displayName"
        value = data.get(key)
        if not isinstance(value, str):
            return
        holder = self._unique[type_name].get(fold(value))
        if holder is not None and holder != own_id:
            raise uniqueness(f"{key} {value!r} is already taken by another {type_name}")

    def _check_members(self, data: dict[str, Any]) -> None:
        if "members" not in data:
            return
        seen: set[str] = set()
        deduped: list[dict[str, Any]] = []
        for member in data.get("members", ()):
            value = member.get("value")
            if not isinstance(value, str) or not value:
                raise invalid_value("Every member needs a 'value' holding a User or Group id")
            if value in self._resources["User"]:
                kind = "User"
            elif value in self._resources["Group"]:
                kind = "Group"
            else:
                raise invalid_value(f"Member {value!r} is not a known User or Group id")
            if value in seen:
                continue
            seen.add(value)
            if "display" in member or member.get("type") != kind:
                member = {k: v for k, v in member.items() if k not in ("display",)}
                member["type"] = kind
            # Otherwise the member is already as this would rebuild it (a member stored
            # before, which a PATCH carries over): keep it rather than copy every member
            # of a large group on each change.
            deduped.append(member)
        data["members"] = deduped

    def _commit(
        self,
        type_name: str,
        old: dict[str, Any] | None,
        new: dict[str, Any] | None,
        *,
        persist: bool = True,
        recount: bool = True,
    ) -> None:
        unique_key = "userName" if type_name == "User" else "displayName"
        unique = self._unique[type_name]
        external = self._external[type_name]
        name = str(new.get(unique_key, "")) if new is not None else ""
        folded = fold(name)
        new_ext = new.get("externalId") if new is not None else None
        # An index entry that a change leaves as it was is not rewritten: it keeps the
        # strings it holds (a PATCH's own copies would be kept besides the stored ones).
        same_name = same_ext = False
        if old is not None:
            old_name = str(old.get(unique_key, ""))
            old_folded = folded if old_name == name else fold(old_name)
            same_name = new is not None and old_folded == folded
            if not same_name:
                unique.pop(old_folded, None)
            ext = old.get("externalId")
            if ext is not None:
                ids = external.get(ext)
                same_ext = new is not None and ext == new_ext and ids == old["id"]
                if same_ext:
                    pass
                elif ids == old["id"]:
                    del external[ext]
                elif isinstance(ids, set):
                    ids.discard(old["id"])
                    if len(ids) == 1:
                        (external[ext],) = ids
            if type_name == "Group":
                # Only memberships that end are dropped; those the new version keeps stay
                # (the sets are read sorted, so the outcome is the same as re-adding them).
                kept = {m["value"] for m in new.get("members", ())} if new is not None else set()
                for member in old.get("members", ()):
                    if member["value"] in kept:
                        continue
                    groups = self._groups_of.get(member["value"])
                    if groups is not None:
                        groups.discard(old["id"])
            if new is None:
                del self._resources[type_name][old["id"]]
                self._many_values[type_name].pop(old["id"], None)
                if type_name == "Group":
                    del self._group_names[old["id"]]
        if new is not None:
            self._store(type_name, new, recount=recount)
            if not same_name:
                unique[name if folded == name else folded] = new["id"]
            if new_ext is not None and not same_ext:
                ids = external.get(new_ext)
                if ids is None or ids == new["id"]:
                    external[new_ext] = new["id"]
                elif isinstance(ids, set):
                    ids.add(new["id"])
                else:
                    external[new_ext] = {ids, new["id"]}
            if type_name == "Group":
                for member in new.get("members", ()):
                    self._groups_of.setdefault(member["value"], set()).add(new["id"])
        if persist and self._persistence is not None:
            if new is not None:
                self._persistence.put_resource(type_name, new)
            elif old is not None:
                self._persistence.delete_resource(type_name, old["id"])

    def _after_user_write(
        self, type_name: str, resource: dict[str, Any], config: ScimConfiguration | None
    ) -> None:
        if type_name != "User" or self._account_center is None:
            return
        # RFC 7643 §4.1.1 leaves a missing "active" to the provider: Elevate treats it as active.
        active = resource.get("active", True) is not False
        self._account_center.user_written(resource["id"], resource["userName"], active, config)

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """A deep copy of everything stored, for tests and persistence."""
        with self.lock:
            return {t: [_unpack(s) for s in r.values()] for t, r in self._resources.items()}


def _content(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k != "meta"}
