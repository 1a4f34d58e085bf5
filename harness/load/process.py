"""The Locust side of ``provisim load``: one process per role, started by the command.

    python -m harness.load.process local  --settings F --results F [--csv P] [--html F]
    python -m harness.load.process master --settings F --results F --expect-workers N
                                          --bind-host H --bind-port P [--csv P] [--html F]
    python -m harness.load.process worker --master-host H --master-port P [--i-own-this-endpoint]

Locust patches the standard library with gevent when it is imported, so it is imported
here, first thing in :func:`main`, and nowhere else in provisim (the command and the test
suite never import it). Locust runs in library mode ("Use as a lib", docs.locust.io):
one ``Environment`` per process, a local runner, or a master runner with its workers each
in a process of their own, as the Locust docs require.

One Locust user is one simulated tenant (one Entra provisioning job): a
:class:`~harness.load.workload.TenantWorkload` whose engine sends through Locust's
FastHttpUser client, one request in flight, paced by its
:class:`~harness.load.transport.LoadTransport`. The master sends the settings to the
workers as a Locust message before the users start; the bearer token never travels: each
process reads it from its own environment (``PROVISIM_SCIM_TOKEN``).

The local or master process writes one JSON line a second on stdout (progress), and at the
end the results file: Locust's statistics per request kind and provisim's
:class:`~harness.load.tally.Tally`, all workers merged.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any, cast

SETTINGS_MESSAGE = "provisim-settings"
#: The percentiles the results carry per request kind.
PERCENTILES = (0.5, 0.95, 0.99)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m harness.load.process")
    parser.add_argument("role", choices=("local", "master", "worker"))
    parser.add_argument("--settings", type=Path)
    parser.add_argument("--results", type=Path)
    parser.add_argument("--csv", dest="csv_prefix")
    parser.add_argument("--html", type=Path)
    parser.add_argument("--expect-workers", type=int, default=1)
    parser.add_argument("--bind-host", default="127.0.0.1")
    parser.add_argument("--bind-port", type=int, default=5557)
    parser.add_argument("--master-host", default="127.0.0.1")
    parser.add_argument("--master-port", type=int, default=5557)
    parser.add_argument("--i-own-this-endpoint", action="store_true")
    parser.add_argument("--worker-wait", type=float, default=60.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # Locust first: it monkey-patches the standard library with gevent on import.
    import locust.log

    args = _arguments(argv)
    log_module: Any = locust.log  # untyped: reached as Any
    log_module.setup_logging("WARNING")
    token = os.environ.get("PROVISIM_SCIM_TOKEN", "")
    if not token.strip():
        print("provisim load: PROVISIM_SCIM_TOKEN is not set", file=sys.stderr)
        return 2
    if args.role == "worker":
        return _worker(args, token)
    return _lead(args, token)


def _user_class(run: _Run) -> type[Any]:
    """The Locust user class of one simulated tenant (defined here, after the import)."""
    import gevent  # type: ignore[import-untyped]  # Locust's own event loop
    import locust
    from locust.contrib.fasthttp import FastHttpUser

    from fake_entra.http_limits import size_text
    from harness.load.transport import LoadTransport, Sent
    from harness.load.workload import TenantWorkload

    class EntraTenant(FastHttpUser):
        """One simulated tenant: an Entra provisioning job."""

        abstract = False
        wait_time = locust.constant(0)
        #: One request in flight per job (Entra's parallelism is unconfirmed: a setting).
        concurrency = 1
        host = "http://127.0.0.1"

        #: Set once this user's tenant has started: a Locust user is one tenant for the whole
        #: run. Locust calls a task again when it returns or raises; a new tenant each time
        #: would repeat Test Connection at full speed with fresh pacing.
        started = False

        @locust.task
        def provision(self) -> None:
            settings = run.settings
            if settings is None or self.started:
                time.sleep(0.5)
                return
            self.started = True
            from urllib.parse import urlsplit

            name = secrets.token_hex(3)
            transport = LoadTransport(
                self._send,
                run.tally,
                tenant=name,
                base_path=urlsplit(settings.url).path,
                rate=settings.rate,
                validate_every=settings.validate_every,
                max_retry_after=settings.max_retry_after,
            )
            workload = TenantWorkload(
                settings,
                name=name,
                token=run.token,
                transport=transport,
                tally=run.tally,
                seed=int(name, 16),
            )
            workload.run()  # until the run stops this user

        def _send(
            self, method: str, url: str, headers: dict[str, str], body: bytes, kind: str
        ) -> Sent:
            settings = run.settings
            assert settings is not None
            started = time.perf_counter()
            # One deadline for the whole request (connect, headers and the whole body):
            # Locust's network_timeout bounds each read only, so a body dripped a byte at a
            # time, or one that never ends, would hold the tenant for ever.
            timer = gevent.Timeout(settings.timeout)
            timer.start()
            try:
                return self._exchange(method, url, headers, body, kind, started, timer)
            except gevent.Timeout as fired:
                if fired is not timer:
                    raise
                # Before Locust had a response to report: the failure is reported here.
                self.environment.events.request.fire(
                    request_type=method,
                    name=kind,
                    response_time=(time.perf_counter() - started) * 1000,
                    response_length=0,
                    response=None,
                    context={},
                    exception=TimeoutError(_late(settings)),
                )
                return Sent(0, error=_late(settings), timed_out=True)
            finally:
                timer.close()

        def _exchange(
            self,
            method: str,
            url: str,
            headers: dict[str, str],
            body: bytes,
            kind: str,
            started: float,
            timer: Any,
        ) -> Sent:
            settings = run.settings
            assert settings is not None
            headers = {**headers, "Accept-Encoding": "identity"}
            with self.client.request(
                method,
                url,
                name=kind,
                data=cast(Any, body or None),  # bytes, sent as they are
                headers=headers,
                catch_response=True,
                stream=True,
            ) as response:
                status = int(response.status_code or 0)
                error = getattr(response, "error", None)
                if status == 0:
                    text = type(error).__name__ if error is not None else "no response"
                    timed_out = "timeout" in text.lower()
                    text = _late(settings) if timed_out else text
                    response.failure(text)
                    return Sent(0, error=text, timed_out=timed_out)
                chunks: list[bytes] = []
                size = 0
                try:
                    for chunk in response.iter_content(65536, decode_content=False):
                        data = chunk if isinstance(chunk, bytes) else str(chunk).encode()
                        size += len(data)
                        if size > settings.max_body:
                            run.tally.oversized += 1
                            text = (
                                "the response body is over the "
                                f"{size_text(settings.max_body)} limit (the rest was not read)"
                            )
                            response.failure(text)
                            return Sent(0, error=text)
                        chunks.append(data)
                except gevent.Timeout as fired:
                    if fired is not timer:
                        raise
                    response.request_meta["response_time"] = (time.perf_counter() - started) * 1000
                    response.failure(_late(settings))
                    return Sent(0, error=_late(settings), timed_out=True)
                content = b"".join(chunks)
                response.request_meta["response_time"] = (time.perf_counter() - started) * 1000
                response.request_meta["response_length"] = len(content)
                if status >= 400:
                    response.failure(f"HTTP {status}")
                else:
                    response.success()
                raw_headers = response.headers
                pairs = [(str(k), str(v)) for k, v in raw_headers.items()] if raw_headers else []
                return Sent(status, pairs, content)

    return EntraTenant


def _late(settings: Any) -> str:
    """Why a request ended at its deadline (as ``conformance`` says it)."""
    return f"did not answer within {settings.timeout:g} s"


class _Run:
    """What the processes' handlers share: the settings (once known), token and tally."""

    def __init__(self, token: str) -> None:
        from harness.load.tally import Tally

        self.token = token
        self.settings: Any = None
        self.tally = Tally()
        self.stop = False


def _configure(user_class: type[Any], settings: Any) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(settings.url)
    user_class.host = f"{parts.scheme}://{parts.netloc}"
    user_class.network_timeout = settings.timeout
    user_class.connection_timeout = settings.timeout


def _lead(args: argparse.Namespace, token: str) -> int:
    """The local runner or the master: start the tenants, report, stop on time."""
    from locust.env import Environment

    from harness.load.settings import LoadSettings

    run = _Run(token)
    run.settings = settings = LoadSettings.from_json(Path(args.settings).read_text())
    user_class = _user_class(run)
    _configure(user_class, settings)
    env = Environment(user_classes=[user_class], host=user_class.host)
    master = args.role == "master"
    if master:
        runner: Any = env.create_master_runner(args.bind_host, args.bind_port)
        events: Any = env.events  # its hooks are untyped: reached as Any
        events.worker_report.add_listener(
            lambda client_id, data: run.tally.merge(dict(data.get("provisim") or {}))
        )
    else:
        runner = env.create_local_runner()

    def _stop(_signum: int, _frame: Any) -> None:
        run.stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    csv_writer = _start_csv(env, args.csv_prefix)
    started = time.monotonic()
    if master:
        deadline = started + args.worker_wait
        while len(runner.clients.ready) < args.expect_workers:
            if run.stop or time.monotonic() > deadline:
                _emit(
                    {
                        "error": f"{len(runner.clients.ready)} of {args.expect_workers} "
                        f"worker(s) connected within {args.worker_wait:.0f} s"
                    }
                )
                runner.quit()
                return 3
            _emit({"waiting": len(runner.clients.ready), "expected": args.expect_workers})
            time.sleep(0.5)
        runner.send_message(SETTINGS_MESSAGE, settings.to_json())
        time.sleep(0.2)
    started = time.monotonic()
    runner.start(settings.tenants, spawn_rate=max(1, settings.tenants))
    while not run.stop and time.monotonic() - started < settings.duration:
        time.sleep(min(1.0, max(0.05, settings.duration - (time.monotonic() - started))))
        _emit(_progress(env, runner, started, master))
    elapsed = time.monotonic() - started
    runner.stop()
    if master:
        from locust.runners import WORKER_REPORT_INTERVAL

        # Each worker's next report carries its last requests and its tally.
        time.sleep(WORKER_REPORT_INTERVAL + 1.5)
    if csv_writer is not None:
        time.sleep(1.5)  # the CSV writer's next pass sees the final figures
        csv_writer.close_files()
    results = _results(env, run, elapsed, master)
    if args.html is not None:
        import locust.html

        html_module: Any = locust.html  # untyped: reached as Any
        Path(args.html).write_text(html_module.get_html_report(env, show_download_link=False))
    Path(args.results).write_text(json.dumps(results))
    runner.quit()
    return 0


def _start_csv(env: Any, prefix: str | None) -> Any:
    if not prefix:
        return None
    import threading

    from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter

    writer = StatsCSVFileWriter(env, PERCENTILES_TO_REPORT, prefix, full_history=False)
    # Locust has patched threading: this thread is a greenlet, as Locust's own CSV writer.
    threading.Thread(target=writer.stats_writer, daemon=True).start()
    return writer


def _emit(data: dict[str, Any]) -> None:
    print(json.dumps(data), flush=True)


def _progress(env: Any, runner: Any, started: float, master: bool) -> dict[str, Any]:
    total = env.stats.total
    return {
        "elapsed": round(time.monotonic() - started, 1),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": round(total.current_rps, 1),
        "tenants": runner.user_count,
        "workers": len(runner.clients.ready) + len(runner.clients.running) if master else 0,
    }


def _results(env: Any, run: _Run, elapsed: float, master: bool) -> dict[str, Any]:
    kinds = []
    for entry in sorted(env.stats.entries.values(), key=lambda e: (e.name, e.method)):
        kinds.append(
            {
                "kind": entry.name,
                "method": entry.method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "percentiles_ms": {
                    str(p): entry.get_response_time_percentile(p) for p in PERCENTILES
                },
                "average_ms": round(entry.avg_response_time, 3),
                "max_ms": entry.max_response_time,
            }
        )
    total = env.stats.total
    errors = [
        {"kind": e.name, "method": e.method, "error": str(e.error), "occurrences": e.occurrences}
        for e in env.stats.errors.values()
    ]
    return {
        "elapsed_s": round(elapsed, 3),
        "mode": "master" if master else "local",
        "kinds": kinds,
        "total": {
            "requests": total.num_requests,
            "failures": total.num_failures,
            "percentiles_ms": {str(p): total.get_response_time_percentile(p) for p in PERCENTILES},
        },
        "errors": errors,
        "tally": run.tally.as_json(),
    }


def _worker(args: argparse.Namespace, token: str) -> int:
    """A worker: wait for the master's settings, check the target, run its tenants."""
    from locust.env import Environment

    from harness.load.settings import LoadAbort, LoadSettings, check_target

    run = _Run(token)
    user_class = _user_class(run)
    env = Environment(user_classes=[user_class])
    runner: Any = env.create_worker_runner(args.master_host, args.master_port)
    refused: list[str] = []

    def _settings(environment: Any, msg: Any, **_kwargs: Any) -> None:
        try:
            settings = LoadSettings.from_json(msg.data)
            check_target(settings.url, i_own_it=args.i_own_this_endpoint)
        except LoadAbort as exc:
            refused.append(str(exc))
            print(f"provisim load worker: {exc}", file=sys.stderr, flush=True)
            import threading

            # A greenlet (threading is patched): the handler must return before quitting.
            threading.Thread(target=runner.quit, daemon=True).start()
            return
        _configure(user_class, settings)
        environment.host = user_class.host
        run.settings = settings

    runner.register_message(SETTINGS_MESSAGE, _settings)
    events: Any = env.events  # its hooks are untyped: reached as Any
    events.report_to_master.add_listener(
        lambda client_id, data: data.__setitem__("provisim", run.tally.drain())
    )

    def _quit(_signum: int, _frame: Any) -> None:
        runner.quit()

    signal.signal(signal.SIGTERM, _quit)
    runner.greenlet.join()
    return 2 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
