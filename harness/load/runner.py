"""``provisim load`` from the command's side: start the Locust processes, show progress,
collect the results, clean up, report.

Locust never runs in this process (it patches the standard library with gevent on import):
the run is one subprocess (``local``), a master and N worker subprocesses on this machine
(``--workers N``), or a master here waiting for workers started elsewhere with
``provisim load --worker`` (``--master``). Each subprocess gets the token in its
environment, never on its command line; each starts in a session of its own, so a Ctrl+C
reaches this process only, which then stops the master in order (SIGTERM: the tenants stop,
the workers send their last counts) and still cleans up.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from harness.load.cleanup import delete_created
from harness.load.report import build_report, printable
from harness.load.settings import TOKEN_ENV, LoadAbort, LoadSettings
from harness.redaction import Redactor

_ENTRY = ("-m", "harness.load.process")
#: How long the master waits for its workers to connect.
WORKER_WAIT_S = 60.0


@dataclass(frozen=True)
class Topology:
    """Where the Locust users run."""

    #: Local worker processes (0: a single local process runs every tenant).
    workers: int = 0
    #: Be the master of workers started elsewhere (``provisim load --worker``).
    master: bool = False
    expect_workers: int = 1
    bind_host: str = "127.0.0.1"
    bind_port: int = 5557

    def describe(self) -> dict[str, Any]:
        if self.master:
            return {"kind": "master", "workers": self.expect_workers}
        if self.workers:
            return {"kind": "local workers", "workers": self.workers}
        return {"kind": "local", "workers": 0}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(token: str) -> dict[str, str]:
    env = dict(os.environ)
    env[TOKEN_ENV] = token
    return env


def _spawn(
    args: list[str], token: str, *, stdout: Any, stderr: IO[bytes]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *_ENTRY, *args],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        env=_environment(token),
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[bytes], wait: float) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return printable(" | ".join(text[-lines:]), 600)


def run_load(
    settings: LoadSettings,
    token: str,
    *,
    topology: Topology,
    csv_prefix: str | None = None,
    html: Path | None = None,
    keep: bool = False,
    progress: Callable[[dict[str, Any]], None] = lambda _data: None,
    cleanup_transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """Run the load, clean up (unless ``keep``) and return the report (JSON-ready)."""
    with tempfile.TemporaryDirectory(prefix="provisim-load-") as scratch:
        work = Path(scratch)
        settings_file = work / "settings.json"
        settings_file.write_text(settings.to_json())
        results_file = work / "results.json"
        args = ["--settings", str(settings_file), "--results", str(results_file)]
        if csv_prefix:
            args += ["--csv", csv_prefix]
        if html is not None:
            args += ["--html", str(html)]
        workers: list[subprocess.Popen[bytes]] = []
        if topology.workers or topology.master:
            port = topology.bind_port if topology.master else free_port()
            host = topology.bind_host if topology.master else "127.0.0.1"
            expect = topology.expect_workers if topology.master else topology.workers
            role = [
                "master",
                "--expect-workers",
                str(expect),
                "--bind-host",
                host,
                "--bind-port",
                str(port),
                "--worker-wait",
                str(WORKER_WAIT_S),
            ]
        else:
            role = ["local"]
        log_path = work / "lead.log"
        interrupted = False
        abort: str | None = None
        with log_path.open("wb") as log:
            lead = _spawn([*role, *args], token, stdout=subprocess.PIPE, stderr=log)
            try:
                for index in range(topology.workers):
                    worker_log = (work / f"worker{index}.log").open("wb")
                    workers.append(
                        _spawn(
                            ["worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
                            token,
                            stdout=subprocess.DEVNULL,
                            stderr=worker_log,
                        )
                    )
                abort = _follow(lead, progress)
            except KeyboardInterrupt:
                interrupted = True
                with contextlib.suppress(ProcessLookupError):
                    lead.send_signal(signal.SIGTERM)
                with contextlib.suppress(KeyboardInterrupt):
                    abort = _follow(lead, lambda _data: None)
            finally:
                with contextlib.suppress(KeyboardInterrupt):
                    _stop(lead, 60.0)
                    for worker in workers:
                        _stop(worker, 15.0)
        if not results_file.exists():
            detail = abort or _tail(log_path) or f"exit status {lead.returncode}"
            raise LoadAbort(f"the load run ended without results: {detail}")
        results = json.loads(results_file.read_text())
    cleanup: dict[str, Any] | None
    tally = results.get("tally") or {}
    if keep:
        cleanup = {"kept": True, "deleted": 0, "failed": []}
    else:
        try:
            done = delete_created(
                settings.url,
                token,
                prefix=settings.prefix,
                created=tally.get("created", []),
                unanswered=tally.get("unanswered", []),
                deleted=tally.get("deleted", []),
                rate=settings.rate,
                timeout=settings.timeout,
                max_body=settings.max_body,
                transport=cleanup_transport,
            )
            cleanup = {
                "kept": False,
                "deleted": done["deleted"],
                "failed": [
                    {**f, "reason": printable(str(f.get("reason", "")))} for f in done["failed"]
                ],
            }
        except httpx.HTTPError as exc:
            cleanup = {"kept": False, "deleted": 0, "failed": [], "error": printable(str(exc))}
    reports: dict[str, Any] = {}
    if csv_prefix:
        reports["csv"] = [
            f"{csv_prefix}_{n}.csv" for n in ("stats", "stats_history", "failures", "exceptions")
        ]
    if html is not None:
        reports["html"] = str(html)
    # Locust's own files quote what it saw (failure texts): the token masked there too.
    redactor = Redactor([token])
    for written in [*reports.get("csv", []), *([html] if html is not None else [])]:
        with contextlib.suppress(OSError):
            redactor.file(Path(written))
    return build_report(
        settings,
        results,
        mode=topology.describe(),
        cleanup=cleanup,
        interrupted=interrupted,
        reports=reports,
        secrets=[token],
    )


def _follow(
    lead: subprocess.Popen[bytes], progress: Callable[[dict[str, Any]], None]
) -> str | None:
    """Read the lead process's progress lines until it ends; its error, if it sent one."""
    assert lead.stdout is not None
    error: str | None = None
    for raw in lead.stdout:
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        if "error" in data:
            error = printable(str(data["error"]))
        progress(data)
    lead.wait()
    return error


def run_worker(master_host: str, master_port: int, token: str, *, i_own_it: bool) -> int:
    """Be one worker of a master elsewhere until it quits; the exit status."""
    args = ["worker", "--master-host", master_host, "--master-port", str(master_port)]
    if i_own_it:
        args.append("--i-own-this-endpoint")
    process = _spawn(args, token, stdout=None, stderr=sys.stderr.buffer)
    try:
        return process.wait()
    except KeyboardInterrupt:
        _stop(process, 15.0)
        return 130


__all__ = ["WORKER_WAIT_S", "Topology", "free_port", "run_load", "run_worker"]
