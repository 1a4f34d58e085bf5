"""What a request gets back: status, headers and body, every error as SCIM Error JSON.

Every error, SCIM or admin, is answered as SCIM Error JSON (RFC 7644 §3.12) with
``Content-Type: application/scim+json``; a refused bearer token also carries the
``WWW-Authenticate`` challenge of RFC 6750 §3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import Response

from ..scim.errors import ScimError
from ..scim.schema import SCIM_MEDIA_TYPE
from .json_body import encode_json

_REALM = 'Bearer realm="LinkedIn SCIM"'


class Unauthorized(ScimError):
    """401: the bearer token (or the admin key) is missing or refused; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(401, f"Authentication failed: {reason}")
        self.reason = reason


class ScimReply:
    """One answer of a resource handler: status, raw header pairs and body bytes.

    The headers are exactly those Starlette's ``Response`` would send for the same
    arguments (the caller's headers lower-cased first, then ``content-length`` and
    ``content-type``), so a reply reads the same on the wire whichever way it leaves.
    """

    __slots__ = ("body", "headers", "status")

    def __init__(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.status = status
        self.body = body
        raw = (
            [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            if headers
            else []
        )
        if not (status < 200 or status in (204, 304)):
            raw.append((b"content-length", str(len(body)).encode("latin-1")))
        if media_type is not None:
            raw.append((b"content-type", media_type.encode("latin-1")))
        self.headers = raw

    def to_starlette(self) -> Response:
        response = Response(self.body, status_code=self.status)
        response.raw_headers = list(self.headers)
        return response


#: A resource handler: the request (and the resource id, for item routes) -> the reply.
Handler = Callable[..., ScimReply]


_SCIM_CONTENT_TYPE = (b"content-type", SCIM_MEDIA_TYPE.encode("latin-1"))


def scim_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> ScimReply:
    if headers is None and status >= 200 and status not in (204, 304):
        # The common case, without the general constructor's steps: the same header pairs.
        encoded = encode_json(body)
        reply = ScimReply.__new__(ScimReply)
        reply.status = status
        reply.body = encoded
        reply.headers = [(b"content-length", b"%d" % len(encoded)), _SCIM_CONTENT_TYPE]
        return reply
    return ScimReply(status, encode_json(body), headers, SCIM_MEDIA_TYPE)


def entity_reply(body: Any, status: int, etag: str, location: str | None = None) -> ScimReply:
    """A SCIM resource with its ``ETag`` (and ``Location``, for a create): the headers
    ``scim_reply(body, status, {"Location": ..., "ETag": ...})`` gives, in that order."""
    encoded = encode_json(body)
    reply = ScimReply.__new__(ScimReply)
    reply.status = status
    reply.body = encoded
    tag = (b"etag", etag.encode("latin-1"))
    length = (b"content-length", b"%d" % len(encoded))
    reply.headers = (
        [tag, length, _SCIM_CONTENT_TYPE]
        if location is None
        else [(b"location", location.encode("latin-1")), tag, length, _SCIM_CONTENT_TYPE]
    )
    return reply


def error_reply(exc: ScimError) -> ScimReply:
    headers = None
    if exc.status == 401:
        # RFC 6750 §3: a refused bearer token comes with a WWW-Authenticate challenge.
        headers = {"WWW-Authenticate": f'{_REALM}, error="invalid_token"'}
    return scim_reply(exc.to_json(), exc.status, headers)


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A Starlette response with a SCIM JSON body, for the routes FastAPI answers."""
    return Response(
        encode_json(body), status_code=status, media_type=SCIM_MEDIA_TYPE, headers=headers
    )


def error_response(error: ScimError, headers: dict[str, str] | None = None) -> Response:
    return scim_response(error.to_json(), error.status, headers)
