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

from fake_entra.http_limits import BoundedTransport, ResponseLimits
from fake_entra.scim_client import eq_filter
from harness.conformance.exchanges import ExchangeLog, RecordingTransport, list_resources
from harness.conformance.probe import ScimProbe
from harness.conformance.rate import LeakyBucket, RateLimitedTransport
from harness.conformance.report import CleanupJson
from harness.conformance.resources import CreatedResources, clean_up


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
    # conformance's limits: a deadline for the whole request (connect, headers and body),
    # at most max_body bytes read, redirects never followed.
    network = BoundedTransport(
        transport or httpx.HTTPTransport(), ResponseLimits(timeout, max_body)
    )
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


__all__ = ["delete_created"]
