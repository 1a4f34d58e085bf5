"""The behaviour pin: digests of what the bench's scenario does, for performance work to keep.

:func:`behaviour_digests` runs the cycle scenario of :func:`harness.bench.scenarios.cycles`
(seeded directory, LinkedIn Elevate from the gallery, Test Connection, Save, the initial
cycle with every body validated, an incremental cycle with 1% of users changed, one with no
change, a Restart with nothing changed) in-process and returns SHA-256 digests of:

- ``traffic``: every exchange's bytes on the wire, in order: method, URL, request headers
  and body, status, response headers and body;
- ``store``: Fake Elevate's store (every resource, ``meta`` included) after the run;
- ``logs``: the provisioning logs' JSON download after the run;

plus the counts they cover and the schema violations found (none expected). A performance
change leaves every digest as it was; tests/test_harness_bench_pin.py pins them.
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from fake_elevate.elevate import FakeElevate
from fake_entra.engine import ProvisioningJob
from fake_entra.scim_exchange import ScimRequest, send_scim
from fake_entra.tenant import Tenant
from harness.bench.scenarios import ValidatingTransport
from harness.transport import AsgiTransport


class _WireDigest(httpx.BaseTransport):
    """Hashes every exchange it passes on, byte for byte, in order."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.digest = hashlib.sha256()
        self.exchanges = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._digest(request, self.inner.handle_request(request))

    def handle_scim_request(self, request: ScimRequest) -> httpx.Response:
        # The inner transport answers it without an httpx.Request (fake_entra.scim_exchange);
        # the bytes hashed are those of the request the client would send on the wire.
        return self._digest(request.to_httpx(), send_scim(self.inner, request))

    def _digest(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        response.read()
        update = self.digest.update
        update(request.method.encode() + b" " + str(request.url).encode() + b"\n")
        for name, value in request.headers.raw:
            update(name + b": " + value + b"\n")
        update(b"%d\n" % len(request.content) + request.content)
        update(b"%d\n" % response.status_code)
        for name, value in response.headers.raw:
            update(name + b": " + value + b"\n")
        update(b"%d\n" % len(response.content) + response.content + b"\n")
        self.exchanges += 1
        return response


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def behaviour_digests(users: int = 1000, groups: int = 10, *, seed: int = 1) -> dict[str, Any]:
    """Run the scenario and digest its traffic, Fake Elevate's store and the logs."""
    tenant = Tenant(seed=seed)
    elevate = FakeElevate(now=tenant.clock.now, seed=seed)
    _config, token = elevate.quick_setup(seats=users)
    wire = _WireDigest(AsgiTransport(elevate.asgi_app()))
    checker = ValidatingTransport(wire)
    tenant.scim_transport = checker
    tenant.sign_in()
    generated = tenant.build_directory(users=users, groups=groups)
    app = tenant.add_from_gallery("LinkedIn Elevate")
    for user_id in generated.user_ids:
        app.assign(user_id, "User")
    for group_id in generated.group_ids:
        app.assign(group_id, "User")
    page = app.provisioning
    page.set_provisioning_mode("Automatic")
    page.set_admin_credentials("https://api.linkedin.com", token)
    page.test_connection()
    page.save()
    job = ProvisioningJob(app, tenant.clock, seed=seed)
    page.set_provisioning_status("On")
    page.save()  # the initial cycle
    step = max(1, users // max(1, users // 100))
    for index, user_id in enumerate(generated.user_ids[::step][: max(1, users // 100)]):
        tenant.directory.update_user(user_id, job_title=f"Benchmark title {index}")
    tenant.clock.advance(minutes=40)  # incremental, 1% changed
    tenant.clock.advance(minutes=40)  # incremental, nothing changed
    job.restart()
    snapshot = elevate.store.snapshot()
    store_text = repr(sorted((kind, repr(resources)) for kind, resources in snapshot.items()))
    logs = job.log.to_json()
    return {
        "exchanges": wire.exchanges,
        "requests_sent": job.requests_sent,
        "log_entries": len(job.log),
        "stored": {kind: len(resources) for kind, resources in sorted(snapshot.items())},
        "schema_violations": checker.violations,
        "traffic": wire.digest.hexdigest(),
        "store": _sha(store_text),
        "logs": _sha(logs),
    }


def main() -> None:  # pragma: no cover - `python -m harness.bench.pin` prints the digests
    import json

    print(json.dumps(behaviour_digests(), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
