"""``provisim conformance``: check a live SCIM endpoint the way Microsoft Entra ID
provisioning uses it (the checks themselves are :mod:`harness.conformance`)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, cast

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
from harness.terminal import neutralise_value, safe_line
from harness.transport import parse_size


def conformance(
    url: Annotated[
        str,
        typer.Option(
            "--url",
            envvar="PROVISIM_SCIM_URL",
            metavar="URL",
            help="The SCIM endpoint, as an admin enters it as Entra's Tenant URL "
            "(https; http only on a loopback host).",
            show_default=False,
        ),
    ],
    token: Annotated[
        str,
        typer.Option(
            "--token",
            envvar="PROVISIM_SCIM_TOKEN",
            metavar="TOKEN",
            help="The bearer token (Entra's Secret Token). Prefer the environment variable: "
            "a flag is visible to other users of the machine.",
            show_default=False,
        ),
    ],
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect",
            metavar="default|aadOptscim062020|both",
            help="Entra's PATCH dialect for the flow: the default one, the RFC-compliant one "
            "(Tenant URL flag ?aadOptscim062020), or both, each on its own test resources.",
        ),
    ] = "default",
    json_report: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="FILE",
            help="Write the report as JSON (schema: harness/schemas/"
            "conformance-report.schema.json).",
        ),
    ] = None,
    junit_report: JunitReport = None,
    html_report: HtmlReport = None,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep",
            help="Leave the test resources (named provisim-conformance-<run>-...) in place.",
        ),
    ] = False,
    rate: Annotated[
        float,
        typer.Option(
            "--rate",
            metavar="N",
            help="Never send more than N requests per second (Entra asks endpoints to sustain "
            "25 per tenant).",
        ),
    ] = 25.0,
    timeout: RequestTimeout = DEFAULT_TIMEOUT,
    max_body: MaxBody = DEFAULT_MAX_BODY,
) -> None:
    """Check a live SCIM endpoint the way Microsoft Entra ID provisioning uses it.

    Runs the real provisioning engine over a small seeded tenant (Test Connection, create
    and match, update, manager add/replace/clear, disable and re-enable, delete, groups
    and memberships, a Restart that must repair changes made behind Entra's back, an app
    role mapped with SingleAppRoleAssignment, each read back with GET), then the RFC
    7643/7644 checks. The report lists which of the request shapes the engine can send
    were exercised and which were not. Each RFC
    check quotes its clause (section, sentence, link) and takes its level from the RFC
    2119 keyword. Prints a verdict in two scopes, "works with Entra" and "RFC
    conformant", then the root causes: failures that share a request shape and answer,
    each once with its fix and its evidence as a curl command (token masked). Test
    resources are deleted afterwards.

    Each check ends passed, failed (MUST), deviation (SHOULD/MAY), error (provisim could
    not complete it) or not established (its precondition never happened: the report
    names the failure that blocked it), never a vacuous pass; a check is skipped only
    when the server's discovery says it does not apply (/ServiceProviderConfig; for the
    app-role step, a User schema in /Schemas without roles).

    Exit status: 0 no MUST failure (SHOULD/MAY deviations never fail the run), 1 a MUST
    failure, 2 a verdict not established (a MUST check not established and none in its scope
    failed: the reports are written and one line on stderr names the check and the cause),
    or a usage error, an unreachable endpoint or a token refused on the first call.
    """
    from harness.conformance.report import ReportJson, write_report
    from harness.conformance.runner import (
        ConformanceAbort,
        ConformanceSettings,
        LiveProgress,
        SilentProgress,
        dialects_for,
        exit_code,
        not_established_reason,
        run_conformance,
        summary_lines,
    )

    # Masked by value wherever it shows up: an endpoint may echo it anywhere.
    KNOWN.add(token.strip())
    try:
        body_cap = parse_size(max_body)
    except ValueError as exc:
        raise fail(f"--max-body: {exc}") from None
    try:
        settings = ConformanceSettings(
            url=url,
            token=token,
            dialects=dialects_for(dialect),
            rate=rate,
            keep=keep,
            timeout=timeout,
            max_body=body_cap,
            # Unique per run, so a --keep run's leftovers never collide with a later run.
            run_id=secrets.token_hex(4),
        )
    except ConformanceAbort as exc:
        raise fail(str(exc)) from None
    reports = ReportFiles(json_report, junit_report, html_report)
    live = out.is_terminal
    progress = LiveProgress(out) if live else SilentProgress()
    try:
        report = run_conformance(settings, progress=progress)
    except ConformanceAbort as exc:
        raise fail(str(exc)) from None
    # Whatever the endpoint echoed, no report holds a secret of the process or a raw
    # control character (a CI log shows JUnit messages on a terminal).
    report = cast("ReportJson", neutralise_value(KNOWN.value(report)))
    for line in summary_lines(report, with_failures=not live):
        # One line each: a server's text in a message can neither start a line nor steer
        # the terminal.
        out.print(safe_line(line), markup=False)
    reports.write(report, write_report)
    reason = not_established_reason(report)
    if reason is not None:
        raise fail(reason, exit_code(report))
    raise typer.Exit(exit_code(report))
