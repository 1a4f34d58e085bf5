"""Graph errors: the OData error object every failed call answers with.

Shape [G resources/errors.md; reference A.1]::

    {"error": {"code": "...", "message": "...",
               "innerError": {"date": "...", "request-id": "...", "client-request-id": "..."}}}

A :class:`GraphError` carries the status and the code; the app renders it with the
innerError of the request that failed. The codes are Graph's own where the docs name
one (``Request_ResourceNotFound``, ``Request_BadRequest``, ``InvalidAuthenticationToken``,
``Authorization_RequestDenied``); elsewhere they are ours and the README says so.
"""

from __future__ import annotations

from typing import TypedDict

#: The keys contain hyphens, so the TypedDict is declared functionally.
InnerError = TypedDict("InnerError", {"date": str, "request-id": str, "client-request-id": str})


class ODataErrorBody(TypedDict):
    code: str
    message: str
    innerError: InnerError


class ODataErrorJson(TypedDict):
    error: ODataErrorBody


class GraphError(Exception):
    """A call Graph refuses: HTTP status, OData error code and a message to act on."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def to_json(self, inner: InnerError) -> ODataErrorJson:
        return {"error": {"code": self.code, "message": self.message, "innerError": inner}}


def bad_request(message: str, code: str = "Request_BadRequest") -> GraphError:
    return GraphError(400, code, message)


def not_found(kind: str, object_id: str) -> GraphError:
    # Graph's directory wording for an unknown id [G user-get.md error examples].
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property "
        f"objects are not present. ({kind})",
    )


def unauthorized(message: str) -> GraphError:
    return GraphError(
        401,
        "InvalidAuthenticationToken",
        message,
        headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
    )
