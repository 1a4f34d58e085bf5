"""Running ``provisim conformance`` against a real third-party SCIM server in a subprocess:
what tests/test_conformance_django_scim2.py and tests/test_conformance_scimmy.py share.

A server prints ``listening <port>`` on its first stdout line once it accepts on 127.0.0.1
(port 0: the system picks a free one); it is stopped when the module is done.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from harness.cli import app

runner = CliRunner()


@dataclass
class Run:
    """One ``provisim conformance`` run and the report it wrote."""

    result: Result
    report: dict[str, Any]

    def outcomes(self) -> dict[str, str]:
        return {key(row): row["outcome"] for row in self.report["results"]}

    def row(self, name: str) -> dict[str, Any]:
        (found,) = [row for row in self.report["results"] if key(row) == name]
        return found


def key(row: dict[str, Any]) -> str:
    """A result's name in the pins: its id, with its dialect when the check has one."""
    return f"{row['id']} [{row['dialect']}]" if row["dialect"] else str(row["id"])


def read_port(process: subprocess.Popen[bytes], log: Path, *, name: str, deadline_s: float) -> int:
    """The port from the server's first stdout line, ``listening <port>``, or a clear error
    (with its stderr) once it exits or the deadline passes."""
    assert process.stdout is not None
    deadline = time.monotonic() + deadline_s
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                line = process.stdout.readline().decode(errors="replace").split()
                if len(line) == 2 and line[0] == "listening":
                    return int(line[1])
                break
            if process.poll() is not None:
                break
    raise RuntimeError(f"the {name} server did not start: {log.read_text()[-2000:]}")


@contextmanager
def served(
    command: Sequence[str],
    *,
    name: str,
    log: Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
    deadline_s: float,
) -> Iterator[str]:
    """The server ``command`` starts, as its SCIM base URL on 127.0.0.1; stopped on exit."""
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            list(command), cwd=cwd, stdout=subprocess.PIPE, stderr=stderr, env=dict(env)
        )
        try:
            port = read_port(process, log, name=name, deadline_s=deadline_s)
            yield f"http://127.0.0.1:{port}/scim/v2"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_conformance(url: str, token: str, report: Path) -> Run:
    """One conformance run, both dialects, at a rate a local test server takes."""
    result = runner.invoke(
        app,
        [
            "conformance",
            "--url",
            url,
            "--token",
            token,
            "--dialect",
            "both",
            "--rate",
            "500",
            "--json",
            str(report),
        ],
    )
    assert report.exists(), result.output
    return Run(result, json.loads(report.read_text()))
