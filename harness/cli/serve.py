"""``provisim serve``: both sides of the simulation and their portals, wired together; and
``provisim serve elevate`` / ``provisim serve entra``: one side over real HTTP, with
uvicorn, until stopped."""

from __future__ import annotations

import secrets
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from fake_elevate.account import DEFAULT_MAX_PATCH_OPERATIONS
from harness.cli.output import fail, out

serve_app = typer.Typer(
    help="Serve the whole simulation in a browser (no sub-command), or one side of it over "
    "real HTTP (elevate, entra)."
)


#: The options both ``serve`` commands take, with their help.
HostOption = Annotated[str, typer.Option(help="Interface to bind; loopback unless told otherwise.")]
PortOption = Annotated[int, typer.Option(min=0, max=65535, help="TCP port; 0 picks a free one.")]


def _check_host(host: str) -> None:
    from harness.serving import ServeError, check_host

    try:
        check_host(host)
    except ServeError as exc:
        raise fail(str(exc)) from None


def _listen(host: str, port: int) -> socket.socket:
    """Bound and listening before the banner names the port (--port 0 shows the real one)."""
    from harness.serving import ServeError, bind

    try:
        return bind(host, port)
    except ServeError as exc:
        raise fail(str(exc)) from None


@serve_app.callback(invoke_without_command=True)
def serve_all(
    ctx: typer.Context,
    host: HostOption = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            help="TCP port of Fake Entra: the admin center and Graph; 0 picks a free one.",
        ),
    ] = 8001,
    elevate_port: Annotated[
        int,
        typer.Option(
            min=0,
            max=65535,
            help="TCP port of Fake Elevate: SCIM and Account Center; 0 picks a free one.",
        ),
    ] = 8000,
    seed: Annotated[
        int, typer.Option(help="Seed of the tenant and the account: the same seed, the same ids.")
    ] = 0,
    seats: Annotated[
        int, typer.Option(min=0, help="Seats in the LinkedIn Elevate licence pool.")
    ] = 10,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="PROVISIM_GRAPH_TOKEN",
            show_default=False,
            help="The Graph bearer token for scripts (generated and printed when not given).",
        ),
    ] = None,
) -> None:
    """With no sub-command: the LinkedIn Elevate tutorial in a browser, in one process.

    Serves Fake Entra (the Microsoft Entra admin center and its Microsoft Graph API) and
    Fake Elevate (its SCIM service and LinkedIn Account Center), wired over loopback HTTP,
    plus the simulator controls (virtual clock, fault profiles, live SCIM exchanges), and
    prints their URLs. A test directory (Britta Simon, Kai Li, Ana Pereira) is ready to assign.
    """
    if ctx.invoked_subcommand is not None:
        return
    from harness.serving import ServeError, serve_simulation

    try:
        serve_simulation(
            host=host,
            port=port,
            elevate_port=elevate_port,
            seed=seed,
            seats=seats,
            graph_token=token,
            say=lambda line: out.print(line, markup=False),
        )
    except ServeError as exc:
        raise fail(str(exc)) from None


@serve_app.command("elevate")
def serve_elevate(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="PROVISIM_ELEVATE_TOKEN",
            show_default=False,
            help="Use this access token (at least 16 characters) instead of generating one. "
            "Prefer the environment variable: a flag is visible to other users of the machine.",
        ),
    ] = None,
    seats: Annotated[int, typer.Option(min=0, help="Seats in the Elevate licence pool.")] = 100,
    auto_assign: Annotated[
        bool,
        typer.Option(
            "--auto-assign/--no-auto-assign", help="Auto-assign licenses on the SCIM configuration."
        ),
    ] = True,
    admin_key: Annotated[
        str | None,
        typer.Option(
            envvar="PROVISIM_ELEVATE_ADMIN_KEY",
            show_default=False,
            help="Key for the Account Center admin API (generated when not given).",
        ),
    ] = None,
    max_patch_operations: Annotated[
        int,
        typer.Option(
            min=1,
            help="The most operations one PATCH may carry; more is 400 invalidValue.",
        ),
    ] = DEFAULT_MAX_PATCH_OPERATIONS,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            metavar="NAME",
            help="Switch on a fault profile (repeatable), e.g. 429-storm, empty-search-404, "
            "refuse-default-dialect, slow; see fake_elevate/faults.py for all of them.",
        ),
    ] = None,
    fault_option: Annotated[
        list[str] | None,
        typer.Option(
            "--fault-option",
            metavar="KEY=VALUE",
            help="Tune the fault profiles (repeatable), e.g. storm_count=10, slow_delay=2.5, "
            "burst_statuses=500,503.",
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Keep state in this SQLite file (created if missing); a restarted server "
            "keeps its users, groups, licences and token. In memory when not given.",
        ),
    ] = None,
) -> None:
    """Serve Fake LinkedIn Elevate (Account Center + SCIM 2.0) with uvicorn until stopped.

    Prints the SCIM base URL and the access token seeded for Entra's Admin Credentials.
    """
    import uvicorn

    from fake_elevate.account import ElevateSettings
    from fake_elevate.account_center import AccountCenterError
    from fake_elevate.elevate import FakeElevate
    from fake_elevate.faults import FAULT_PROFILES, parse_fault_options

    _check_host(host)
    faults = list(fault or [])
    unknown = [name for name in faults if name not in FAULT_PROFILES]
    if unknown:
        raise fail(f"unknown fault profile {unknown[0]!r}; choose from {', '.join(FAULT_PROFILES)}")
    try:
        # Served for real: the slow profile really waits.
        options = {"served": True, **parse_fault_options(fault_option or [])}
    except ValueError as exc:
        raise fail(f"--fault-option: {exc}") from None
    try:
        elevate = FakeElevate(
            admin_key=admin_key or secrets.token_urlsafe(24),
            db=db,
            settings=ElevateSettings(max_patch_operations=max_patch_operations),
        )
    except OSError as exc:
        raise fail(f"--db: {exc}") from None
    existing = elevate.account_center.scim_configurations()
    try:
        if existing and token is None:
            # Restarted on the same database: the stored token (kept only as a hash) still works.
            access_token = "(unchanged: the token this database was created with)"
        elif existing:
            access_token = token  # type: ignore[assignment]
            elevate.account_center.install_token(existing[0].id, access_token)
        else:
            _config, access_token = elevate.quick_setup(
                seats=seats, auto_assign_licenses=auto_assign, token=token
            )
    except AccountCenterError as exc:
        raise fail(str(exc)) from None
    from harness.serving import base_url

    sock = _listen(host, port)
    base = base_url(sock)
    out.print(f"Fake LinkedIn Elevate listening on {base}", markup=False)
    out.print(f"SCIM base URL (Tenant URL): {base}/scim/v2", markup=False)
    out.print(f"Access token (Secret Token): {access_token}", markup=False)
    out.print(f"Account Center admin key:   {elevate.admin_key}", markup=False)
    if faults:
        out.print(f"Fault profiles:             {', '.join(faults)}", markup=False)
    out.print("Press Ctrl+C to stop.", markup=False)
    sys.stdout.flush()
    config = uvicorn.Config(
        elevate.asgi_app(faults=faults, fault_options=options),
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])


#: The environment variable ``serve entra --token`` also reads: the process list shows flags.
GRAPH_TOKEN_VARIABLE = "PROVISIM_GRAPH_TOKEN"


@serve_app.command("entra")
def serve_entra(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8001,
    token: Annotated[
        str | None,
        typer.Option(
            envvar=GRAPH_TOKEN_VARIABLE,
            show_default=False,
            help="The bearer token every Graph call must carry (generated and printed when "
            "not given; a given one is not repeated). Prefer the environment variable: a flag "
            "is visible to other users of the machine.",
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed of the tenant: the same seed gives the same ids.")
    ] = 0,
    allow_anonymous: Annotated[
        bool,
        typer.Option(
            "--allow-anonymous",
            help="Also accept calls with no Authorization header at all (msgraph-sdk's "
            "AnonymousAuthenticationProvider sends none); a wrong token is still refused.",
        ),
    ] = False,
) -> None:
    """Serve Fake Entra's Microsoft Graph face (v1.0, and /beta as an alias) until stopped.

    Prints the Graph base URL, the bearer token and the virtual clock's side channel
    (/_provisim/clock: nothing happens in real time until it is advanced). The tenant
    provisions over the network, e.g. into `provisim serve elevate`.
    """
    from harness.serving import ServeError, serve_graph

    try:
        serve_graph(
            host=host,
            port=port,
            token=token,
            seed=seed,
            allow_anonymous=allow_anonymous,
            say=lambda line: out.print(line, markup=False),
        )
    except ServeError as exc:
        raise fail(str(exc)) from None
