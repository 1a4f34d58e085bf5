"""The behaviour pin (issue 23): performance work must not change what the engine and Fake
Elevate do.

``behaviour_digests()`` runs the bench's cycle scenario at 1,000 users and 10 groups (seeded:
initial cycle, 1% incremental, no-change incremental, Restart) in-process and digests the
traffic bytes (every request and response: method, URL, headers, body, status), Fake
Elevate's store and the provisioning logs' JSON download. The digests do not depend on
PYTHONHASHSEED (checked when the pin was made: two interpreters with different seeds).

A performance change leaves every value below as it is. A fidelity change that alters the
traffic, the store or the logs ON PURPOSE updates the pin in the same commit: run
``python -m harness.bench.pin``, paste its output into ``PINNED`` and say in the commit
message which behaviour changed and why.
"""

from __future__ import annotations

import httpx

from harness.bench.pin import _WireDigest, behaviour_digests

PINNED = {
    "exchanges": 3786,
    "requests_sent": 3785,
    "log_entries": 2528,
    "stored": {"Group": 10, "User": 984},
    "schema_violations": [],
    "traffic": "e63737ecfb17cbf58b28cfa2a7c235143fc1e04857060f6d04e1b4a8da403481",
    "store": "7fe4fea74b8bc557050c8a7819b3d61da041b7b658d420bed682eedfbbf4b5aa",
    "logs": "45b5f4d7e8690719a9d43e2253ca2f8ef89efd8472bf7f8a26c46ad292cdeebb",
}


def test_the_bench_scenario_behaves_exactly_as_pinned() -> None:
    assert behaviour_digests() == PINNED


def test_the_wire_digest_sees_one_changed_byte() -> None:
    def answer(body: bytes) -> str:
        transport = _WireDigest(
            httpx.MockTransport(lambda request: httpx.Response(200, content=body))
        )
        transport.handle_request(httpx.Request("GET", "https://example.test/Users"))
        return transport.digest.hexdigest()

    assert answer(b'{"a": 1}') != answer(b'{"a": 2}')
