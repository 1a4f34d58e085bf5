"""provisim's clients against a malicious SCIM endpoint (issue 21, findings 3-6).

``provisim conformance`` and ``provisim run --scim-url`` run as subprocesses against
:class:`tests.hostile_server.HostileServer` in each of its modes. Every run must end (a
generous subprocess timeout enforces it: no timed assertion), say why in one readable line,
leave the bearer token out of everything it writes (stdout, stderr, every report file),
never pass a raw control character to the terminal, and stay under 300 MB of resident
memory (the child's ``ru_maxrss``, measured by a small wrapper process of its own).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_server import HostileServer, Mode

TOKEN = "hostile-peer-token-8d1f0c2b7a"
#: Each request's deadline in these runs, in seconds.
DEADLINE = 2
#: Far beyond any run's deadlines: a run that is still going then is one that never ends.
NEVER = 240
PEAK_RSS_LIMIT_MB = 300

#: Runs the command given and writes its peak RSS (kB) to the file named first: this
#: wrapper's only child is the command, so RUSAGE_CHILDREN is the command's own.
_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""

#: Raw terminal controls: ESC, CSI in its 8-bit form (UTF-8 C2 9B), a carriage return, BEL.
_RAW_CONTROLS = re.compile(rb"\x1b|\xc2[\x80-\x9f]|\r|\x07")


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    peak_rss_mb: float
    files: dict[Path, bytes]


def _provisim(args: list[str], cwd: Path) -> Outcome:
    cwd.mkdir(parents=True, exist_ok=True)
    rss_file = cwd / "peak-rss"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVISIM_")}
    env |= {"PROVISIM_SCIM_TOKEN": TOKEN, "COLUMNS": "200", "PYTHONUTF8": "1"}
    command = [sys.executable, "-c", _WRAPPER, str(rss_file), sys.executable, "-m", "harness.cli"]
    proc = subprocess.Popen(
        [*command, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=NEVER)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"provisim {args[0]} was still running after {NEVER} s: it never ends")
    files = {
        path: path.read_bytes()
        for path in sorted(cwd.rglob("*"))
        if path.is_file() and path != rss_file
    }
    for name, data in (("stdout", stdout), ("stderr", stderr), *files.items()):
        assert TOKEN.encode() not in data, f"the token leaked into {name}"
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        assert not _RAW_CONTROLS.search(data), f"a raw control character reached {name}"
    return Outcome(
        proc.returncode,
        stdout.decode("utf-8", "replace"),
        stderr.decode("utf-8", "replace"),
        int(rss_file.read_text()) / 1024,
        files,
    )


def _conformance(server: HostileServer, tmp_path: Path, *extra: str) -> Outcome:
    outcome = _provisim(
        [
            "conformance",
            "--url",
            server.url,
            "--timeout",
            str(DEADLINE),
            "--rate",
            "1000",
            "--json",
            "report.json",
            "--junit",
            "junit.xml",
            "--html",
            "report.html",
            *extra,
        ],
        tmp_path,
    )
    assert outcome.peak_rss_mb < PEAK_RSS_LIMIT_MB
    return outcome


def _run(server: HostileServer, tmp_path: Path, *extra: str) -> Outcome:
    # One scenario: Test Connection, a cycle that creates a user and reads it back.
    outcome = _provisim(
        [
            "run",
            "--scim-url",
            server.url,
            "--timeout",
            str(DEADLINE),
            "--tags",
            "conformance",
            "-k",
            "test_connection_succeeds",
            "--report-dir",
            "reports",
            *extra,
        ],
        tmp_path,
    )
    assert outcome.peak_rss_mb < PEAK_RSS_LIMIT_MB
    return outcome


def _one_line_error(outcome: Outcome) -> str:
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("provisim: error: "), outcome.stderr
    return lines[0]


# -- finding 3: a broken endpoint hangs CI forever -------------------------------------------


@pytest.mark.parametrize("mode", [Mode.ENDLESS, Mode.DRIP])
def test_conformance_ends_by_its_deadline_on_an_endless_or_dripping_body(
    mode: Mode, tmp_path: Path
) -> None:
    with HostileServer(mode) as server:
        outcome = _conformance(server, tmp_path)
    assert outcome.code == 2
    assert f"did not answer within {DEADLINE} s" in _one_line_error(outcome)


@pytest.mark.parametrize("mode", [Mode.ENDLESS, Mode.DRIP])
def test_run_ends_by_its_deadline_on_an_endless_or_dripping_body(
    mode: Mode, tmp_path: Path
) -> None:
    with HostileServer(mode) as server:
        outcome = _run(server, tmp_path)
    assert outcome.code == 1
    assert f"did not answer within {DEADLINE:g} seconds" in outcome.stdout
    assert (tmp_path / "reports" / "junit.xml").is_file()


# -- finding 4: big answers exhaust memory ----------------------------------------------------


@pytest.mark.parametrize(("options", "cap"), [((), "8 MiB"), (("--max-body", "1MiB"), "1 MiB")])
def test_conformance_refuses_a_50_mb_body_in_one_line(
    options: tuple[str, ...], cap: str, tmp_path: Path
) -> None:
    with HostileServer(Mode.BIG) as server:
        outcome = _conformance(server, tmp_path, *options)
    assert outcome.code == 2
    assert f"over the {cap} limit" in _one_line_error(outcome)


def test_conformance_memory_stays_flat_on_large_answers_under_the_cap(tmp_path: Path) -> None:
    # Every answer is 8 MB: under the 8 MiB cap, so the run goes on, and keeps only the start
    # of each body as evidence (the peak RSS limit is checked by _conformance). Over 30 such
    # answers kept whole would pass the 300 MB limit on their own.
    with HostileServer(Mode.BIG, big_size=8_000_000) as server:
        outcome = _conformance(server, tmp_path)
    assert len(server.requests) > 30
    assert outcome.code in (1, 2)
    assert len((tmp_path / "report.json").read_bytes()) < 5_000_000


def test_run_refuses_a_50_mb_body_and_keeps_its_reports_small(tmp_path: Path) -> None:
    with HostileServer(Mode.BIG) as server:
        outcome = _run(server, tmp_path)
    assert outcome.code == 1
    assert "over the 8 MiB limit" in outcome.stdout
    assert sum(len(data) for data in outcome.files.values()) < 5_000_000


# -- finding 5: secrets leak when the server echoes them -------------------------------------


def test_conformance_writes_no_echoed_token_anywhere(tmp_path: Path) -> None:
    with HostileServer(Mode.ECHO) as server:
        outcome = _conformance(server, tmp_path)
    # The endpoint did echo it, and the run went on to write every report.
    assert any(seen.headers.get("authorization") == f"Bearer {TOKEN}" for seen in server.requests)
    assert outcome.code == 1
    assert {path.name for path in outcome.files} >= {"report.json", "junit.xml", "report.html"}
    report = json.loads((tmp_path / "report.json").read_text())
    assert "not welcome here" in json.dumps(report)  # the echo is kept, the token masked


def test_run_writes_no_echoed_token_anywhere(tmp_path: Path) -> None:
    with HostileServer(Mode.ECHO) as server:
        outcome = _run(server, tmp_path)
    assert outcome.code in (0, 1)
    traffic = [p for p in outcome.files if p.name == "traffic.jsonl"]
    assert traffic and b"X-Echo-Token".lower() in traffic[0].read_bytes().lower()


# -- finding 6: the terminal obeys the server ------------------------------------------------


def test_conformance_shows_escape_sequences_escaped(tmp_path: Path) -> None:
    with HostileServer(Mode.ANSI) as server:
        outcome = _conformance(server, tmp_path)
    assert outcome.code == 1
    assert "\\x1b[2J" in outcome.stdout  # shown, as text
    for path, data in outcome.files.items():
        assert b"\x1b" not in data, f"a raw ESC in {path.name}"


def test_conformance_shows_markup_as_text(tmp_path: Path) -> None:
    with HostileServer(Mode.HTML) as server:
        outcome = _conformance(server, tmp_path)
    assert outcome.code == 1
    assert "[bold red]FAKE PASS[/bold red]" in outcome.stdout
    assert b"<script>" not in outcome.files[tmp_path / "report.html"]


def test_run_shows_escape_sequences_escaped(tmp_path: Path) -> None:
    with HostileServer(Mode.ANSI) as server:
        outcome = _run(server, tmp_path)
    assert outcome.code in (0, 1)


# -- a redirect is not followed with the token -----------------------------------------------


def test_a_redirect_to_another_port_is_not_followed(tmp_path: Path) -> None:
    with HostileServer(Mode.PLAIN) as elsewhere:
        with HostileServer(
            Mode.REDIRECT, redirect_to=f"http://127.0.0.1:{elsewhere.port}"
        ) as server:
            conformance = _conformance(server, tmp_path / "conformance")
            run = _run(server, tmp_path / "run")
        assert elsewhere.requests == []
    assert conformance.code == 1 and "-> 307" in conformance.stdout
    assert run.code == 1 and "307" in run.stdout


# -- provisim replay ---------------------------------------------------------------------------

#: Where the capture was recorded; replayed against the hostile server's URL.
_RECORDED = "https://scim.recorded.example/scim/v2"


def _capture(directory: Path) -> Path:
    """A traffic.jsonl of four exchanges: a create, a GET, a filtered GET and a PATCH."""
    user = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ada@example.com",
        "active": True,
    }
    created = user | {"id": "rec-1"}
    listed = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1,
        "Resources": [created],
    }
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    exchanges = [
        ("POST", "/Users", user, 201, created),
        ("GET", "/Users/rec-1", None, 200, created),
        ("GET", "/Users?filter=userName%20eq%20%22ada%40example.com%22", None, 200, listed),
        ("PATCH", "/Users/rec-1", patch, 200, created | {"active": False}),
    ]
    lines = [
        json.dumps(
            {
                "seq": number,
                "method": method,
                "url": _RECORDED + path,
                "request": {"headers": {"content-type": "application/scim+json"}, "body": body},
                "response": {"status": status, "headers": {}, "body": answer},
            }
        )
        for number, (method, path, body, status, answer) in enumerate(exchanges, 1)
    ]
    directory.mkdir(parents=True, exist_ok=True)
    capture = directory / "traffic.jsonl"
    capture.write_text("\n".join(lines) + "\n")
    return capture


def _replay(server: HostileServer, tmp_path: Path, *extra: str) -> Outcome:
    capture = _capture(tmp_path)
    outcome = _provisim(
        [
            "replay",
            str(capture),
            "--url",
            server.url,
            "--timeout",
            str(DEADLINE),
            "--rate",
            "1000",
            "--json",
            "report.json",
            "--junit",
            "junit.xml",
            "--html",
            "report.html",
            *extra,
        ],
        tmp_path,
    )
    assert outcome.peak_rss_mb < PEAK_RSS_LIMIT_MB
    return outcome


@pytest.mark.parametrize("mode", [Mode.ENDLESS, Mode.DRIP])
def test_replay_ends_by_its_deadline_on_an_endless_or_dripping_body(
    mode: Mode, tmp_path: Path
) -> None:
    with HostileServer(mode) as server:
        outcome = _replay(server, tmp_path)
    assert outcome.code == 2
    assert f"did not answer within {DEADLINE} s" in _one_line_error(outcome)


@pytest.mark.parametrize(("options", "cap"), [((), "8 MiB"), (("--max-body", "1MiB"), "1 MiB")])
def test_replay_refuses_a_50_mb_body_in_one_line(
    options: tuple[str, ...], cap: str, tmp_path: Path
) -> None:
    with HostileServer(Mode.BIG) as server:
        outcome = _replay(server, tmp_path, *options)
    assert outcome.code == 2
    assert f"over the {cap} limit" in _one_line_error(outcome)


def test_replay_keeps_large_answers_under_the_cap_small(tmp_path: Path) -> None:
    # 6 MB answers, under the cap: the replay goes on, its evidence cut to 256 KiB each.
    with HostileServer(Mode.BIG, big_size=6_000_000) as server:
        outcome = _replay(server, tmp_path)
    assert len(server.requests) == 4
    assert outcome.code == 1
    assert "cut by provisim" in (tmp_path / "report.json").read_text()
    assert sum(len(data) for data in outcome.files.values()) < 5_000_000


def test_replay_writes_no_echoed_token_anywhere(tmp_path: Path) -> None:
    with HostileServer(Mode.ECHO) as server:
        outcome = _replay(server, tmp_path)
    assert any(seen.headers.get("authorization") == f"Bearer {TOKEN}" for seen in server.requests)
    assert outcome.code == 1
    assert {path.name for path in outcome.files} >= {"report.json", "junit.xml", "report.html"}
    assert "not welcome here" in (tmp_path / "report.json").read_text()


@pytest.mark.parametrize("mode", [Mode.ANSI, Mode.HTML])
def test_replay_shows_remote_payloads_as_text(mode: Mode, tmp_path: Path) -> None:
    with HostileServer(mode) as server:
        outcome = _replay(server, tmp_path)
    assert outcome.code == 1
    for path, data in outcome.files.items():
        assert b"\x1b" not in data, f"a raw ESC in {path.name}"
    assert b"<script>" not in outcome.files[tmp_path / "report.html"]


def test_replay_does_not_follow_a_redirect_to_another_port(tmp_path: Path) -> None:
    with HostileServer(Mode.PLAIN) as elsewhere:
        with HostileServer(
            Mode.REDIRECT, redirect_to=f"http://127.0.0.1:{elsewhere.port}"
        ) as server:
            outcome = _replay(server, tmp_path)
        assert elsewhere.requests == []
    assert outcome.code == 1
    assert "307" in outcome.stdout


# -- provisim load -----------------------------------------------------------------------------

#: ``load``'s request deadline: well inside its 3 s run, so one request reaches it.
LOAD_DEADLINE = 1


def _load(server: HostileServer, tmp_path: Path) -> Outcome:
    # One tenant, a short run: what matters is that it ends, says why and leaks nothing.
    outcome = _provisim(
        [
            "load",
            "--url",
            server.url,
            "--timeout",
            str(LOAD_DEADLINE),
            "--duration",
            "3",
            "--tenants",
            "1",
            "--users-per-tenant",
            "2",
            "--groups-per-tenant",
            "0",
            "--json",
            "report.json",
            "--html",
            "locust.html",
            "--csv",
            "stats",
        ],
        tmp_path,
    )
    assert outcome.peak_rss_mb < PEAK_RSS_LIMIT_MB
    assert {path.name for path in outcome.files} >= {"report.json", "locust.html"}
    return outcome


def _load_failure(outcome: Outcome) -> str:
    """The one line that says why the load's requests failed."""
    assert outcome.code == 1, outcome.stderr
    assert "Verdict (Entra's" in outcome.stdout and ": ERRORS: " in outcome.stdout
    failures = [line for line in outcome.stdout.splitlines() if line.strip().startswith("failure:")]
    assert failures, outcome.stdout
    return failures[0]


@pytest.mark.parametrize("mode", [Mode.ENDLESS, Mode.DRIP])
def test_load_ends_each_request_by_its_deadline_on_an_endless_or_dripping_body(
    mode: Mode, tmp_path: Path
) -> None:
    with HostileServer(mode) as server:
        outcome = _load(server, tmp_path)
    assert f"did not answer within {LOAD_DEADLINE} s" in _load_failure(outcome)


def test_load_refuses_a_50_mb_body(tmp_path: Path) -> None:
    with HostileServer(Mode.BIG) as server:
        outcome = _load(server, tmp_path)
    assert "over the 8 MiB limit" in _load_failure(outcome)
    # One tenant, one Test Connection: a tenant whose test failed stops there (Save needs a
    # passing test) and is not started again as a new tenant at full speed.
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["testConnection"]["sent"] == 1
    assert len(server.requests) == 1


def test_load_writes_no_echoed_token_anywhere(tmp_path: Path) -> None:
    with HostileServer(Mode.ECHO) as server:
        outcome = _load(server, tmp_path)
    assert any(seen.headers.get("authorization") == f"Bearer {TOKEN}" for seen in server.requests)
    assert "HTTP 400" in _load_failure(outcome)
