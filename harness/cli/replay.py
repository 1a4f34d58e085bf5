"""``provisim replay``: replay a captured exchange file against a SCIM endpoint and report
the differences (the replay itself is :mod:`harness.replay`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.cli.options import (
    DEFAULT_MAX_BODY,
    DEFAULT_TIMEOUT,
    HtmlReport,
    JunitReport,
    MaxBody,
    ReportFiles,
    RequestTimeout,
)
from harness.cli.output import fail, out
from harness.redaction import KNOWN
from harness.transport import parse_size


def replay(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="The capture: a traffic.jsonl written by `provisim run`, or a HAR 1.2 file "
            "(from a browser, or a proxy in front of the endpoint).",
            show_default=False,
        ),
    ],
    url: Annotated[
        str,
        typer.Option(
            "--url",
            envvar="PROVISIM_SCIM_URL",
            metavar="URL",
            help="The SCIM base URL to replay against (https; http only on a loopback host).",
            show_default=False,
        ),
    ],
    token: Annotated[
        str,
        typer.Option(
            "--token",
            envvar="PROVISIM_SCIM_TOKEN",
            metavar="TOKEN",
            help="The bearer token sent instead of the recorded one. Prefer the environment "
            "variable: a flag is visible to other users of the machine.",
            show_default=False,
        ),
    ],
    recorded_url: Annotated[
        str | None,
        typer.Option(
            "--recorded-url",
            metavar="URL",
            help="The base URL the capture was recorded against; only requests under it are "
            "replayed. Default: the base most requests share before /Users, /Groups or "
            "another SCIM endpoint.",
            show_default=False,
        ),
    ] = None,
    json_report: Annotated[
        Path | None,
        typer.Option("--json", metavar="FILE", help="Write the report as JSON."),
    ] = None,
    junit_report: JunitReport = None,
    html_report: HtmlReport = None,
    rate: Annotated[
        float,
        typer.Option("--rate", metavar="N", help="Never send more than N requests per second."),
    ] = 25.0,
    timeout: RequestTimeout = DEFAULT_TIMEOUT,
    max_body: MaxBody = DEFAULT_MAX_BODY,
) -> None:
    """Replay a captured exchange file against a SCIM endpoint and report the differences.

    Sends the capture's SCIM requests again, in order. Ids the recorded server assigned
    are replaced by the ids the endpoint assigns (learned from creates, and from searches
    that found exactly one resource), in later paths, filters, member values and $ref.
    The token is yours: the recorded Authorization header is never sent or printed, and
    only Content-Type and Accept are taken from the recorded headers.

    Compared with the recording: the status, and the response body except what the server
    generates (id, meta.created, meta.lastModified, meta.version, meta.location), with
    learned ids compared as the endpoint's; error bodies on schemas, status and scimType
    only. Recorded 429s are not replayed; the endpoint's 429s are waited out (Retry-After,
    at most 10 s, 3 times) as `conformance` does. The replay changes the endpoint's data,
    as the recorded requests did: point it at a test instance.

    Exit status: 0 no differences, 1 differences (listed, with the requests and responses
    as evidence), 2 a usage error, an unreadable capture (not JSON, not HAR 1.2, empty),
    an unreachable endpoint or a token refused on the first request.
    """
    from harness.replay.capture import CaptureError, load_capture
    from harness.replay.report import summary_lines, write_report
    from harness.replay.runner import ReplayAbort, ReplaySettings, run_replay

    # Masked by value wherever it shows up: an endpoint may echo it anywhere.
    KNOWN.add(token.strip())
    try:
        body_cap = parse_size(max_body)
    except ValueError as exc:
        raise fail(f"--max-body: {exc}") from None
    try:
        settings = ReplaySettings(
            url=url, token=token, rate=rate, timeout=timeout, max_body=body_cap
        )
    except ReplayAbort as exc:
        raise fail(str(exc)) from None
    reports = ReportFiles(json_report, junit_report, html_report)
    try:
        capture = load_capture(file.expanduser(), recorded_url)
    except CaptureError as exc:
        raise fail(str(exc)) from None
    try:
        report = run_replay(settings, capture)
    except ReplayAbort as exc:
        raise fail(str(exc)) from None
    for line in summary_lines(report):
        out.print(line, markup=False)
    reports.write(report, write_report)
    raise typer.Exit(report["verdict"]["exitCode"])
