"""Benchmark scenarios. Each returns a dict of figures; wall time via time.perf_counter."""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from contextlib import ExitStack
from typing import Any

import httpx

from fake_elevate.elevate import FakeElevate
from fake_entra.engine import ProvisioningJob
from fake_entra.scim_client import PARSED_BODY_EXTENSION, decode_json, parsed_body
from fake_entra.scim_exchange import ScimRequest, send_scim
from fake_entra.tenant import Tenant
from harness.serving import serve_in_thread
from harness.transport import AsgiTransport
from harness.validation import validate_exchange


class _ReadCounter(httpx.BaseTransport):
    """Counts the GETs of one resource by id (``GET /Users/{id}``, ``GET /Groups/{id}``): the
    read-back of linked objects that matching on every evaluation costs a Restart
    (EngineSettings.read_linked_objects)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.reads = 0

    def _count(self, method: str, path: str) -> None:
        if method == "GET" and path.rstrip("/").split("/")[-2:-1] in (["Users"], ["Groups"]):
            self.reads += 1

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._count(request.method, request.url.path)
        return self.inner.handle_request(request)

    def handle_scim_request(self, request: ScimRequest) -> httpx.Response:
        self._count(request.method, request.path)
        return send_scim(self.inner, request)


class ValidatingTransport(httpx.BaseTransport):
    """Validate every request and response body against the JSON Schemas, keep nothing.

    The traffic recorder does the same and also keeps every exchange, which a
    100,000-user cycle cannot afford to hold; the benchmark only counts.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.exchanges = 0
        self.violations: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        url = request.url
        target = url.path + (f"?{url.query.decode()}" if url.query else "")
        return self._validate(request.method, target, request, response)

    def handle_scim_request(self, request: ScimRequest) -> httpx.Response:
        # No httpx.Request on this path (fake_entra.scim_exchange); the target is the same
        # text (the path is its own decoding there).
        return self._validate(
            request.method, request.target, request, send_scim(self.inner, request)
        )

    def _validate(
        self,
        method: str,
        target: str,
        request: httpx.Request | ScimRequest,
        response: httpx.Response,
    ) -> httpx.Response:
        response.read()
        # Each body parsed once: the request's as the client wrote it, the response's
        # handed on to the engine (fake_entra.scim_client.PARSED_BODY_EXTENSION).
        request_body = parsed_body(request) if request.content else None
        response_body = _decode(response.content)
        if response_body is not None:
            response.extensions[PARSED_BODY_EXTENSION] = (response_body,)
        found = validate_exchange(method, target, response.status_code, request_body, response_body)
        self.exchanges += 1
        if found and len(self.violations) < 20:
            self.violations.extend(str(v) for v in found)
        return response

    def close(self) -> None:
        self.inner.close()


def _decode(body: bytes) -> Any:
    """A body as the recorder reads it (the standard library's values), faster."""
    return decode_json(body) if body else None


class _CollectorTime:
    """Time spent in Python's cyclic garbage collector while the block runs.

    A large initial cycle builds hundreds of thousands of long-lived objects (store,
    connector, logs); each full collection walks all of them, so this figure shows
    how much of the cycle's time is the collector's.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full_collections = 0
        #: Full collections while objects were frozen: while the engine's cycle ran
        #: (fake_entra.collector freezes what exists when a cycle starts, until it ends).
        self.full_collections_while_frozen = 0
        #: Seconds in full collections (the rest of ``seconds`` is the younger generations').
        self.full_seconds = 0.0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        self.seconds += took
        if info.get("generation") == 2:
            self.full_collections += 1
            self.full_seconds += took
            if gc.get_freeze_count():
                self.full_collections_while_frozen += 1

    def __enter__(self) -> _CollectorTime:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu": cpu,
        # When the run started: a target "on an idle machine" is read against it.
        "load_average": load,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
    }


def cycles(
    users: int, groups: int, transport: str = "asgi", *, seed: int = 1, validate: bool = True
) -> dict[str, Any]:
    """Initial cycle, an incremental cycle with 1% of users changed, one with no change."""
    tenant = Tenant(seed=seed)
    elevate = FakeElevate(now=tenant.clock.now, seed=seed)
    _config, token = elevate.quick_setup(seats=users)
    with ExitStack() as stack:
        if transport == "asgi":
            inner: httpx.BaseTransport = AsgiTransport(elevate.asgi_app())
            tenant_url = "https://api.linkedin.com"
        elif transport == "http":
            base = stack.enter_context(serve_in_thread(elevate.asgi_app()))
            inner = httpx.HTTPTransport()
            tenant_url = f"{base}/scim/v2"
        else:
            raise ValueError(f"unknown transport {transport!r}: use asgi or http")
        checker = ValidatingTransport(inner) if validate else None
        counter = _ReadCounter(checker or inner)
        tenant.scim_transport = counter
        tenant.sign_in()
        started = time.perf_counter()
        generated = tenant.build_directory(users=users, groups=groups)
        app = tenant.add_from_gallery("LinkedIn Elevate")
        for user_id in generated.user_ids:
            app.assign(user_id, "User")
        for group_id in generated.group_ids:
            app.assign(group_id, "User")
        page = app.provisioning
        page.set_provisioning_mode("Automatic")
        page.set_admin_credentials(tenant_url, token)
        page.test_connection()  # Save needs a passing Test Connection (PortalKnownIssues)
        page.save()
        job = ProvisioningJob(app, tenant.clock, seed=seed)
        setup_s = time.perf_counter() - started

        page.set_provisioning_status("On")
        started, cpu_started = time.perf_counter(), time.process_time()
        usage_started = resource.getrusage(resource.RUSAGE_SELF)
        with _CollectorTime() as collector:
            page.save()  # Provisioning Status On: the initial cycle runs now
        initial_s = time.perf_counter() - started
        initial_cpu_s = time.process_time() - cpu_started
        usage = resource.getrusage(resource.RUSAGE_SELF)
        # The high-water mark so far: directory, store, connector and logs of the initial
        # cycle (what follows, the incremental cycles and the Restart, adds their logs).
        peak_after_initial = peak_rss_mb()
        initial_requests = job.requests_sent
        memberships = sum(
            len(entry.members) for entry in job.connector.values() if entry.object_type == "Group"
        )
        provisioned_users = elevate.store.count("User")
        provisioned_groups = elevate.store.count("Group")
        objects = provisioned_users + provisioned_groups + memberships

        step = max(1, users // max(1, users // 100))
        changed = generated.user_ids[::step][: max(1, users // 100)]
        for index, user_id in enumerate(changed):
            tenant.directory.update_user(user_id, job_title=f"Benchmark title {index}")
        before = job.requests_sent
        started = time.perf_counter()
        tenant.clock.advance(minutes=40)
        incremental_s = time.perf_counter() - started
        incremental_requests = job.requests_sent - before

        before = job.requests_sent
        started = time.perf_counter()
        tenant.clock.advance(minutes=40)
        idle_s = time.perf_counter() - started
        idle_requests = job.requests_sent - before

        # Restart (nothing changed): a new initial cycle that reads every linked object back
        # from the target and finds it in sync (S3; README "Fidelity").
        before, reads_before = job.requests_sent, counter.reads
        started = time.perf_counter()
        job.restart()
        restart_s = time.perf_counter() - started
        restart_requests = job.requests_sent - before
        restart_reads = counter.reads - reads_before

    peak = round(peak_rss_mb(), 1)
    return {
        "users": users,
        "groups": groups,
        "transport": transport,
        "schema_validation": validate,
        "setup_s": round(setup_s, 3),
        "initial_cycle": {
            "seconds": round(initial_s, 3),
            # CPU time of the process (all threads): on a shared machine it varies far less
            # than wall time, so compare it between runs.
            "cpu_seconds": round(initial_cpu_s, 3),
            # Per user, to compare sizes: linear cost keeps it flat from 10k to 1M.
            "cpu_us_per_user": round(initial_cpu_s / users * 1e6, 1) if users else None,
            # Of that CPU time, the kernel's (page faults, mostly) and the page faults.
            "system_cpu_seconds": round(usage.ru_stime - usage_started.ru_stime, 3),
            "minor_page_faults": usage.ru_minflt - usage_started.ru_minflt,
            "peak_rss_mb": round(peak_after_initial, 1),
            "peak_rss_kb_per_user": round(peak_after_initial * 1024 / users, 2) if users else None,
            "requests": initial_requests,
            "objects": objects,
            "users": provisioned_users,
            "groups": provisioned_groups,
            "memberships": memberships,
            "objects_per_second": round(objects / initial_s, 1) if initial_s else None,
            "requests_per_second": round(initial_requests / initial_s, 1) if initial_s else None,
            "gc_seconds": round(collector.seconds, 3),
            "gc_full_collections": collector.full_collections,
            # Of those, the ones during the engine's cycle itself (the rest came after it,
            # once the collector's thresholds were restored and the frozen objects handed
            # back, still inside the Save that ran the cycle).
            "gc_full_collections_during_cycle": collector.full_collections_while_frozen,
            "gc_full_seconds": round(collector.full_seconds, 3),
        },
        "incremental_1_percent": {
            "changed_users": len(changed),
            "seconds": round(incremental_s, 4),
            "requests": incremental_requests,
        },
        "incremental_no_change": {"seconds": round(idle_s, 5), "requests": idle_requests},
        "restart_no_change": {
            "seconds": round(restart_s, 3),
            "requests": restart_requests,
            "reads_by_id": restart_reads,
        },
        "validated_exchanges": checker.exchanges if checker else 0,
        "schema_violations": checker.violations if checker else [],
        "peak_rss_mb": peak,
        # Everything the process held at its peak (interpreter, both sides, logs) per user.
        "peak_rss_kb_per_user": round(peak * 1024 / users, 2) if users else None,
    }


def run_isolated(scenario: str, **arguments: Any) -> dict[str, Any]:
    """Run one scenario in a fresh interpreter, so its peak RSS is its own."""
    command = [sys.executable, "-m", "harness.bench.worker", scenario, json.dumps(arguments)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"benchmark {scenario} failed: {last}")
    lines = done.stdout.strip().splitlines()
    try:
        figures = json.loads(lines[-1]) if lines else None
    except ValueError:
        figures = None
    if not isinstance(figures, dict):
        raise RuntimeError(f"benchmark {scenario} printed no figures (a JSON object last)")
    return figures


def command_wall_time(
    command: list[str], *, cwd: str | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``command`` and time it; ``env`` adds variables (kept out of the reported line)."""
    started = time.perf_counter()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
    )
    return {
        "command": " ".join(command),
        "seconds": round(time.perf_counter() - started, 2),
        "exit_code": done.returncode,
    }


def conformance_wall_time(report_dir: str) -> dict[str, Any]:
    """``provisim conformance`` against Fake Elevate served by uvicorn on a free loopback port.

    Both dialects, the command's default rate limit (what a vendor gets by default);
    the token travels in the environment, as the CLI recommends.
    """
    os.makedirs(report_dir, exist_ok=True)
    elevate = FakeElevate(seed=1)
    _config, token = elevate.quick_setup(seats=100)
    with serve_in_thread(elevate.asgi_app()) as base:
        return command_wall_time(
            [
                sys.executable,
                "-m",
                "harness.cli",
                "conformance",
                "--url",
                f"{base}/scim/v2",
                "--dialect",
                "both",
                "--json",
                str(os.path.join(report_dir, "conformance.json")),
            ],
            env={"PROVISIM_SCIM_TOKEN": token},
        )
