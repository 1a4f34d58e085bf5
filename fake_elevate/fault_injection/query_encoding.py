"""Fault profiles that misread the query string Entra sends (entra §1 "Queries")."""

from __future__ import annotations

from .exchange import FaultRequest, FaultResponse, Forward
from .fault import Fault


class LiteralPlusQuery(Fault):
    """``+`` in the query string is kept as a plus sign, not decoded as a space.

    Entra form-encodes its queries, ``filter=userName+eq+%22<guid>%22``, for Test Connection
    and every cycle's match (AzureAD/SCIMReferenceCode#63; audriga/scim-server-php#1 shows
    ``displayName+eq+%22EDU+All+personal%22``). Imitates a server that percent-decodes the
    query the way ``decodeURIComponent`` or .NET's ``Uri.UnescapeDataString`` do
    (jelhub/scimgateway#166 shows a SCIM gateway decoding filters with
    ``decodeURIComponent``): it reads ``userName+eq+"<guid>"``, an invalid filter, so Test
    Connection fails and nothing is matched. A client that sends ``%20`` never meets it.
    """

    name = "literal-plus-query"

    async def __call__(self, request: FaultRequest, forward: Forward) -> FaultResponse:
        raw = request.scope.get("query_string", b"")
        if b"+" not in raw:
            return await forward(request)
        self._hit()
        # What a decoder that keeps "+" reads, handed on as a query that says so.
        scope = dict(request.scope)
        scope["query_string"] = raw.replace(b"+", b"%2B")
        return await forward(FaultRequest(scope, request.body))
