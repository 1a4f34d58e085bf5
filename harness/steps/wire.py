"""What Entra puts on the wire, where a QA engineer looks for it (issue 19): the query
strings as Entra encodes them, the bodies of app-role mappings, and what a Restart reads
back from the target to repair drift.

The query steps read the raw query string of the recorded request, so they hold for any
SCIM endpoint; the drift step changes a user behind Entra's back, which needs the
in-process Fake Elevate.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote_plus

from pytest_bdd import then

from harness.steps.wording import action, pattern

if TYPE_CHECKING:
    from harness.recorder import Exchange
    from harness.world import World

#: A random GUID in a query string (Test Connection's probe value).
_GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _user_queries(world: World) -> list[Exchange]:
    return [
        e
        for e in world.recorder.exchanges
        if e["method"] == "GET" and e["path"].endswith("/Users") and "filter=" in e["query"]
    ]


@then(pattern('Test Connection\'s query travelled as "{query}"'))
def test_connection_query(world: World, query: str) -> None:
    """The raw query string of Test Connection's probe; ``[a random GUID]`` stands for the
    GUID. S1: "a random GUID as the matching property"; spaces travel as ``+`` and quotes
    as ``%22`` (AzureAD/SCIMReferenceCode#63, SCIM Validator captures)."""
    assert world.connection_test is not None, "Test Connection was not clicked."
    pattern_text = re.escape(query).replace(re.escape("[a random GUID]"), _GUID)
    sent = [e["query"] for e in _user_queries(world)]
    assert any(re.fullmatch(pattern_text, q) for q in sent), f"The queries were {sent}."


@then(pattern('the query that matched "{name}" travelled as "{query}"'))
def matching_query(world: World, name: str, query: str) -> None:
    """The raw query string of the cycle's matching query for a user; ``[mailNickname]``
    stands for the user's mailNickname, form-encoded as Entra encodes it."""
    nickname = world.user(name).mail_nickname
    wanted = query.replace("[mailNickname]", quote_plus(nickname, safe=""))
    sent = [e["query"] for e in _user_queries(world)]
    mine = [q for q in sent if nickname in dict(parse_qsl(q)).get("filter", "")]
    assert mine, f"No query looked for {nickname}; the queries were {sent}."
    assert wanted in mine, f"It travelled as {mine}."


@then(pattern('the POST that created "{name}" sent "{attribute}" as:'))
def post_sent(world: World, name: str, attribute: str, docstring: str) -> None:
    """The value of one attribute of the POST /Users body that created the user, as JSON."""
    upn = world.upn(name)
    for exchange in world.recorder.exchanges:
        body = exchange["request"]["body"]
        if (
            exchange["method"] == "POST"
            and exchange["path"].endswith("/Users")
            and isinstance(body, dict)
            and str(body.get("userName", "")).lower() == upn.lower()
        ):
            assert body.get(attribute) == json.loads(docstring), (
                f"It sent {json.dumps(body.get(attribute))}."
            )
            return
    raise AssertionError(f"No POST /Users created {upn}.")


@action('LinkedIn changes the "{attribute}" of "{name}" to "{value}"')
def change_in_target(world: World, attribute: str, name: str, value: str) -> None:
    """Someone changes the account in LinkedIn, behind Entra's back (a PATCH to Fake
    Elevate's store, not through Entra): drift that only a read from the target shows."""
    elevate = world.target.require_elevate("Changing an account in LinkedIn")
    found = world.target_user(name)
    assert found is not None, f"The SCIM target has no user {world.upn(name)}."
    body = {
        "schemas": [_PATCH_OP],
        "Operations": [{"op": "replace", "path": attribute, "value": value}],
    }
    elevate.store.patch("User", str(found["id"]), body)
