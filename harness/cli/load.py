"""``provisim load``: Entra-shaped load on a SCIM endpoint, on Locust (the run itself is
:mod:`harness.load`; Locust only ever runs in subprocesses)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from harness.cli.options import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, MaxBody, RequestTimeout
from harness.cli.output import err, fail, out, shown_path
from harness.redaction import KNOWN
from harness.transport import parse_size


def load(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            envvar="PROVISIM_SCIM_URL",
            metavar="URL",
            help="The SCIM endpoint, as an admin enters it as Entra's Tenant URL (http only "
            "on a loopback host; any other host needs --i-own-this-endpoint).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="PROVISIM_SCIM_TOKEN",
            metavar="TOKEN",
            help="The bearer token (Entra's Secret Token). Prefer the environment variable: "
            "a flag is visible to other users of the machine.",
            show_default=False,
        ),
    ] = None,
    tenants: Annotated[
        int, typer.Option(min=1, help="Simulated tenants (Entra provisioning jobs).")
    ] = 2,
    users_per_tenant: Annotated[
        int, typer.Option(min=1, help="Users in each tenant's initial cycle.")
    ] = 50,
    groups_per_tenant: Annotated[int, typer.Option(min=0, help="Groups in each tenant.")] = 2,
    rate: Annotated[
        float,
        typer.Option(
            metavar="R",
            help="Requests per second per tenant, at most (Entra asks endpoints to sustain 25).",
        ),
    ] = 25.0,
    duration: Annotated[float, typer.Option(metavar="S", help="Seconds of load.")] = 30.0,
    dialect: Annotated[
        str,
        typer.Option(
            metavar="default|aadOptscim062020",
            help="Entra's PATCH dialect (aadOptscim062020: the Tenant URL flag for RFC-style "
            "PATCH).",
        ),
    ] = "default",
    validate_every: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Validate one response in N against the JSON Schemas (default: every one up "
            "to 100 requests/s in all, sampled above).",
        ),
    ] = None,
    timeout: RequestTimeout = DEFAULT_TIMEOUT,
    max_body: MaxBody = DEFAULT_MAX_BODY,
    workers: Annotated[
        int,
        typer.Option(min=0, help="Local Locust worker processes (0: one process for all)."),
    ] = 0,
    master: Annotated[
        bool,
        typer.Option(
            "--master",
            help="Be the master of workers started on other machines with --worker.",
        ),
    ] = False,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker", help="Be a worker of the master at --master-host (settings come from it)."
        ),
    ] = False,
    expect_workers: Annotated[
        int, typer.Option(min=1, help="With --master: workers to wait for before starting.")
    ] = 1,
    master_bind_host: Annotated[
        str, typer.Option(help="With --master: the interface the workers connect to.")
    ] = "127.0.0.1",
    master_host: Annotated[
        str, typer.Option(help="With --worker: the master's host.")
    ] = "127.0.0.1",
    master_port: Annotated[
        int, typer.Option(min=1, max=65535, help="The master's port (Locust's 5557).")
    ] = 5557,
    csv: Annotated[
        str | None,
        typer.Option(
            "--csv", metavar="PREFIX", help="Write Locust's CSV files (PREFIX_stats.csv, ...)."
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Write Locust's HTML report.")
    ] = None,
    json_report: Annotated[
        Path | None, typer.Option("--json", metavar="FILE", help="Write provisim's JSON report.")
    ] = None,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep", help="Leave the test resources (named provisim-load-<run>-...) in place."
        ),
    ] = False,
    i_own_this_endpoint: Annotated[
        bool,
        typer.Option(
            "--i-own-this-endpoint",
            help="Allow a non-loopback target: say that it is yours to load.",
        ),
    ] = False,
) -> None:
    """Send Entra-shaped load to a SCIM endpoint, on Locust, and judge it against Entra's
    25 requests per second per tenant.

    Each simulated tenant is a Fake Entra tenant whose real provisioning engine sends what
    Entra sends: Test Connection, the initial cycle (match GETs, POST users and groups,
    member PATCHes), then incremental cycles (updates, disables, membership changes, new
    users), paced at --rate per tenant, waiting out 429 Retry-After as Entra does. Responses
    are validated against the JSON Schemas. Created resources are deleted at the end (also
    after Ctrl+C) unless --keep.

    Exit status: 0 sustained, 1 throttled, errors or rate not reached, 2 not established
    (--rate below 25), a usage error or a run that could not start; 130 after Ctrl+C (the
    report and the clean-up still happen).
    """
    from harness.load.runner import Topology, run_load, run_worker
    from harness.load.settings import (
        LoadAbort,
        LoadSettings,
        check_target,
        default_validate_every,
    )

    if not token or not token.strip():
        raise fail("a bearer token is needed: set PROVISIM_SCIM_TOKEN (or pass --token)")
    # Masked by value in everything printed: an endpoint may echo it anywhere.
    KNOWN.add(token.strip())
    if worker:
        if master or workers:
            raise fail("--worker cannot be combined with --master or --workers")
        raise typer.Exit(run_worker(master_host, master_port, token, i_own_it=i_own_this_endpoint))
    if master and workers:
        raise fail("--master waits for remote workers; --workers starts local ones: pick one")
    if not url:
        raise fail("--url is needed (or PROVISIM_SCIM_URL)")
    for option, path in (("--json", json_report), ("--html", html)):
        if path is not None and not path.expanduser().resolve().parent.is_dir():
            raise fail(f"{option}: the directory of {path} does not exist")
    if csv is not None and not Path(csv).expanduser().resolve().parent.is_dir():
        raise fail(f"--csv: the directory of {csv} does not exist")
    try:
        body_cap = parse_size(max_body)
    except ValueError as exc:
        raise fail(f"--max-body: {exc}") from None
    try:
        check_target(url, i_own_it=i_own_this_endpoint)
        settings = LoadSettings(
            url=url.strip(),
            run_id=secrets.token_hex(4),
            tenants=tenants,
            users_per_tenant=users_per_tenant,
            groups_per_tenant=groups_per_tenant,
            rate=rate,
            duration=duration,
            dialect=dialect,
            validate_every=validate_every or default_validate_every(rate, tenants),
            timeout=timeout,
            max_body=body_cap,
        )
    except LoadAbort as exc:
        raise fail(str(exc)) from None
    topology = Topology(
        workers=workers,
        master=master,
        expect_workers=expect_workers,
        bind_host=master_bind_host,
        bind_port=master_port,
    )
    try:
        if err.is_terminal:
            with err.status("starting the load run") as status:
                report = run_load(
                    settings,
                    token,
                    topology=topology,
                    csv_prefix=csv and str(Path(csv).expanduser()),
                    html=html and html.expanduser(),
                    keep=keep,
                    progress=lambda data: status.update(_progress_text(data, settings)),
                )
        else:
            report = run_load(
                settings,
                token,
                topology=topology,
                csv_prefix=csv and str(Path(csv).expanduser()),
                html=html and html.expanduser(),
                keep=keep,
            )
    except LoadAbort as exc:
        raise fail(str(exc)) from None
    from harness.load.report import exit_code, summary_lines

    for line in summary_lines(report):
        out.print(line, markup=False, highlight=False)
    written = [shown_path(Path(p)) for p in report["reports"].get("csv", [])]
    if html is not None:
        written.append(shown_path(html))
    if json_report is not None:
        try:
            json_report.expanduser().write_text(json.dumps(report, indent=2) + "\n")
        except OSError as exc:
            raise fail(f"cannot write the report: {exc.strerror or exc}") from None
        written.append(shown_path(json_report))
    if written:
        out.print(f"Reports: {', '.join(written)}", markup=False, highlight=False)
    raise typer.Exit(exit_code(report))


def _progress_text(data: dict[str, Any], settings: Any) -> str:
    if "waiting" in data:
        return f"waiting for workers: {data['waiting']} of {data['expected']} connected"
    if "elapsed" not in data:
        return "load running"
    return (
        f"load: {data['elapsed']:.0f}/{settings.duration:.0f} s, {data['tenants']} tenant(s), "
        f"{data['requests']} requests, {data['rps']} req/s, {data['failures']} failure(s)"
    )
