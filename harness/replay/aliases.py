"""Id aliases: the recorded server's ids, mapped to the ids the replay target assigned.

A SCIM service provider assigns ``id`` (RFC 7643 §3.1: "assigned by the service
provider"), so the target of a replay gives every created resource an id of its own.
:class:`IdAliases` learns each pair and rewrites later requests to use the new ids, and
rewrites the recorded responses the same way before they are compared.

Learned from:

* a recorded create (``POST``) that succeeded: the recorded ``id`` (from the body, else the
  last segment of ``Location``) maps to the id of the replayed create's response;
* a search whose recorded ListResponse holds exactly one resource, not created in the
  capture, when the replayed one also holds exactly one: the resource existed before the
  capture began (Entra matched it), and the target's own copy takes its place.

Where an id is rewritten, and only there (an id is opaque text: a string that merely
contains it, such as the display name "Group 1" for id "1", is never touched):

* a URL path segment equal to the id (``/Users/{id}``);
* a double-quoted literal equal to the id, in the query (``filter=id eq "{id}"``) and in
  any string of a body (a PATCH path ``members[value eq "{id}"]``);
* a JSON string equal to the id anywhere in a body (``members[].value``, ``manager``'s
  ``value``, Entra's ``{"op":"Add","path":"manager","value":"{id}"}``);
* a URL under the recorded base URL (``$ref``): moved under the replay's base URL, with
  its path segments rewritten as above.

A create the replay could not repeat leaves its recorded id *unresolved*: requests that
use it are still sent (unchanged), and their results name the create that failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

from harness.replay.capture import RecordedExchange, is_under

_LITERAL: Final = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LIST_RESPONSE: Final = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


class IdAliases:
    """Recorded id -> replayed id, and the rewriting that follows from it."""

    def __init__(self, recorded_base: str, replay_base: str) -> None:
        self.recorded_base = recorded_base.rstrip("/")
        self.replay_base = replay_base.rstrip("/")
        #: Recorded id -> the id the replay target gave the same resource.
        self.ids: dict[str, str] = {}
        #: Recorded id -> the number of the recorded exchange that created it.
        self.created: dict[str, int] = {}
        #: Recorded ids whose create the replay could not repeat.
        self.unresolved: set[str] = set()

    # -- learning ----------------------------------------------------------------------------

    def learn(
        self,
        recorded: RecordedExchange,
        status: int | None,
        body: Any,
        location: str | None,
    ) -> None:
        """Learn from one replayed exchange (``status``, ``body``, ``location``: its answer)."""
        if recorded.status is None or not 200 <= recorded.status < 300:
            return
        if recorded.method == "POST":
            old = resource_id(recorded.response_body, recorded.location)
            if old is None:
                return
            self.created[old] = recorded.number
            new = (
                resource_id(body, location) if status is not None and 200 <= status < 300 else None
            )
            if new is None:
                self.unresolved.add(old)
            else:
                self.ids[old] = new
                self.unresolved.discard(old)
        elif recorded.method == "GET":
            old_one, new_one = _single(recorded.response_body), _single(body)
            if (
                old_one is not None
                and new_one is not None
                and old_one not in self.ids
                and old_one not in self.created
            ):
                self.ids[old_one] = new_one

    # -- rewriting ---------------------------------------------------------------------------

    def url(self, recorded_url: str) -> str:
        """A recorded request URL, moved under the replay's base URL, ids rewritten."""
        parts = urlsplit(recorded_url)
        plain = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))
        rest = (
            plain[len(self.recorded_base) :]
            if is_under(recorded_url, self.recorded_base)
            else parts.path
        )
        segments = [self._segment(s) for s in rest.split("/")]
        url = self.replay_base + "/".join(segments)
        if parts.query:
            url += "?" + self._query(parts.query)
        return url

    def rewrite(self, value: Any) -> Any:
        """A JSON value (a request body, or a recorded response to compare) with every
        recorded id, recorded URL and quoted literal rewritten."""
        if isinstance(value, str):
            return self._string(value)
        if isinstance(value, list):
            return [self.rewrite(item) for item in value]
        if isinstance(value, dict):
            return {key: self.rewrite(item) for key, item in value.items()}
        return value

    def uses_unresolved(self, recorded: RecordedExchange) -> list[int]:
        """The numbers of the failed creates whose ids ``recorded`` uses."""
        if not self.unresolved:
            return []
        found = {old for old in self.unresolved if _mentions(recorded, old)}
        return sorted(self.created[old] for old in found)

    def _segment(self, segment: str) -> str:
        new = self.ids.get(unquote(segment))
        return segment if new is None else quote(new, safe="")

    def _query(self, query: str) -> str:
        items = []
        for item in query.split("&"):
            name, eq, raw = item.partition("=")
            if not eq:
                items.append(item)
                continue
            value = unquote_plus(raw)
            rewritten = self._string(value)
            items.append(item if rewritten == value else f"{name}={quote_plus(rewritten)}")
        return "&".join(items)

    def _string(self, text: str) -> str:
        if text in self.ids:
            return self.ids[text]
        if is_under(text, self.recorded_base) and "://" in text:
            return self.url(text)
        if '"' in text and self.ids:
            return _LITERAL.sub(self._literal, text)
        return text

    def _literal(self, match: re.Match[str]) -> str:
        new = self.ids.get(match.group(1))
        return match.group(0) if new is None else '"' + new.replace('"', '\\"') + '"'


def resource_id(body: Any, location: str | None) -> str | None:
    """A created resource's id: the body's ``id``, else the last path segment of Location."""
    if isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"]:
        return str(body["id"])
    if location:
        last = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
        return unquote(last) or None
    return None


def _single(body: Any) -> str | None:
    """The id of the one resource of a ListResponse that holds exactly one."""
    if not isinstance(body, dict) or _LIST_RESPONSE not in (body.get("schemas") or []):
        return None
    resources = body.get("Resources")
    if not isinstance(resources, list) or len(resources) != 1:
        return None
    return resource_id(resources[0], None)


def _mentions(recorded: RecordedExchange, old: str) -> bool:
    path = urlsplit(recorded.url).path
    if old in (unquote(s) for s in path.split("/")):
        return True
    query = unquote_plus(urlsplit(recorded.url).query)
    if f'"{old}"' in query:
        return True
    return any(
        s == old or f'"{old}"' in s or s.endswith("/" + old) for s in _strings(recorded.body)
    )


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


__all__ = ["IdAliases", "resource_id"]
