"""Deleting what a load run created, as ``provisim conformance`` does.

Every resource a create was acknowledged for (201 with an id) is deleted, groups first,
through :func:`harness.conformance.resources.clean_up` and its
:class:`~harness.conformance.probe.ScimProbe` (which waits out 429s and retries 5xx). A
create the run cut off before its answer arrived may still have happened: it is looked up
by name (``filter=userName eq`` / ``displayName eq``, as Entra matches) and deleted too.
Only resources named with the run's prefix are ever deleted. Every request has a deadline
(``timeout``) and reads at most ``max_body`` bytes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpx

from fake_entra.scim_client import eq_filter
from harness.conformance.exchanges import ExchangeLog, RecordingTransport, list_resources
from harness.conformance.probe import ScimProbe
from harness.conformance.rate import LeakyBucket, RateLimitedTransport
from harness.conformance.report import CleanupJson
from harness.conformance.resources import CreatedResources, clean_up


class LimitedTransport(httpx.BaseTransport):
    """The network, reading no response body beyond ``max_body`` bytes."""

    def __init__(self, inner: httpx.BaseTransport, max_body: int) -> None:
        self.inner = inner
        self.max_body = max_body

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.stream:  # type: ignore[union-attr]
                size += len(chunk)
                if size > self.max_body:
                    raise httpx.ReadError(
                        f"response body over {self.max_body} bytes", request=request
                    )
                chunks.append(chunk)
        finally:
            response.close()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=b"".join(chunks),
            request=request,
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()


def delete_created(
    url: str,
    token: str,
    *,
    prefix: str,
    created: Iterable[list[str]],
    unanswered: Iterable[list[str]],
    deleted: Iterable[list[str]] = (),
    rate: float,
    timeout: float,
    max_body: int,
    transport: httpx.BaseTransport | None = None,
) -> CleanupJson:
    """Delete the run's resources; what was deleted and what could not be."""
    network = LimitedTransport(transport or httpx.HTTPTransport(), max_body)
    bucket = LeakyBucket(rate)
    log = ExchangeLog()
    probe = ScimProbe(
        url,
        token,
        transport=RateLimitedTransport(RecordingTransport(network, log), bucket),
        log=log,
        timeout=timeout,
        sleep=time.sleep,
    )
    try:
        gone = {(e, i) for e, i in (tuple(d[:2]) for d in deleted)}
        resources = CreatedResources()
        for endpoint, resource_id, name in (tuple(c[:3]) for c in created):
            if name.startswith(prefix) and (endpoint, resource_id) not in gone:
                resources.add(endpoint, resource_id, name)
        for endpoint, name in (tuple(u[:2]) for u in unanswered):
            for resource_id in _found(probe, endpoint, name, prefix):
                resources.add(endpoint, resource_id, name)
        return clean_up(probe, resources, keep=False)
    finally:
        probe.close()
        network.close()


def _found(probe: ScimProbe, endpoint: str, name: str, prefix: str) -> list[str]:
    if not name.startswith(prefix) or endpoint not in ("Users", "Groups"):
        return []
    attribute = "userName" if endpoint == "Users" else "displayName"
    params = {"filter": eq_filter(attribute, name)}
    if endpoint == "Groups":
        params["excludedAttributes"] = "members"
    found: Any = list_resources(probe.get(endpoint, params))
    return [str(r["id"]) for r in found or [] if isinstance(r, dict) and r.get("id")]


__all__ = ["LimitedTransport", "delete_created"]
