"""ScimReply (fake_elevate/web/reply.py) sends the headers Starlette's Response would send.

Resource replies skip Starlette's Response for speed; discovery and admin answers still
use it. These tests hold the two to the same bytes, so a change in Starlette's header
rules shows here rather than as two kinds of answer on the wire.
"""

from __future__ import annotations

import json

import pytest
from starlette.responses import Response

from fake_elevate.scim.errors import ScimError
from fake_elevate.scim.schema import SCIM_MEDIA_TYPE
from fake_elevate.web.reply import ScimReply, error_reply, scim_reply


@pytest.mark.parametrize(
    ("status", "body", "headers", "media_type"),
    [
        (200, b'{"a":1}', None, SCIM_MEDIA_TYPE),
        (201, b"{}", {"Location": "https://x/Users/1", "ETag": 'W/"1"'}, SCIM_MEDIA_TYPE),
        (204, b"", {"ETag": 'W/"2"'}, None),
        (204, b"", None, None),
        (304, b"", None, None),
        (404, b'{"detail":"x"}', {"WWW-Authenticate": "Bearer"}, SCIM_MEDIA_TYPE),
    ],
)
def test_the_headers_are_those_starlette_would_send(
    status: int, body: bytes, headers: dict[str, str] | None, media_type: str | None
) -> None:
    ours = ScimReply(status, body, headers, media_type)
    theirs = Response(body, status_code=status, headers=headers, media_type=media_type)
    assert ours.headers == theirs.raw_headers
    assert ours.to_starlette().raw_headers == theirs.raw_headers
    assert ours.to_starlette().body == theirs.body


def test_a_scim_reply_is_compact_utf8_json_in_the_scim_media_type() -> None:
    reply = scim_reply({"displayName": "Zoë", "n": 1}, 201, {"ETag": 'W/"1"'})
    assert reply.status == 201
    assert reply.body == '{"displayName":"Zoë","n":1}'.encode()
    assert dict(reply.headers)[b"content-type"] == b"application/scim+json"


def test_a_refused_token_carries_the_bearer_challenge_and_other_errors_do_not() -> None:
    refused = error_reply(ScimError(401, "Authentication failed: missing bearer token"))
    assert dict(refused.headers)[b"www-authenticate"] == (
        b'Bearer realm="LinkedIn SCIM", error="invalid_token"'
    )
    assert json.loads(refused.body)["status"] == "401"
    missing = error_reply(ScimError(404, "User 'x' not found"))
    assert b"www-authenticate" not in dict(missing.headers)
