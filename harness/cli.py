"""The ``provisim`` command line.

Every failure a user can cause prints one readable line on stderr and exits
non-zero; no stack traces.
"""

from __future__ import annotations

import ipaddress
import secrets
import sys
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    name="provisim",
    help="Provisioning simulator and SCIM conformance harness: Microsoft Entra ID provisioning "
    "users into LinkedIn Elevate, both sides faked in-process on a virtual clock.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
serve_app = typer.Typer(
    help="Serve one side of the simulation over real HTTP.", no_args_is_help=True
)
app.add_typer(serve_app, name="serve")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"provisim: error: {message}", markup=False)
    return typer.Exit(code)


def _version_callback(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"provisim {version('provisim')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Provisioning simulator and SCIM conformance harness."""


@serve_app.command("elevate")
def serve_elevate(
    host: Annotated[
        str, typer.Option(help="Interface to bind; loopback unless told otherwise.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="TCP port; 0 picks a free one.")
    ] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            help="Use this access token (at least 16 characters) instead of generating one."
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
        typer.Option(help="Key for the Account Center admin API (generated when not given)."),
    ] = None,
) -> None:
    """Serve Fake LinkedIn Elevate (Account Center + SCIM 2.0) with uvicorn until stopped.

    Prints the SCIM base URL and the access token seeded for Entra's Admin Credentials.
    """
    import socket

    import uvicorn

    from fake_elevate.account_center import AccountCenterError
    from fake_elevate.elevate import FakeElevate

    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            raise fail(f"--host must be an IP address or 'localhost', not {host!r}") from None
    elevate = FakeElevate(admin_key=admin_key or secrets.token_urlsafe(24))
    try:
        _config, access_token = elevate.quick_setup(
            seats=seats, auto_assign_licenses=auto_assign, token=token
        )
    except AccountCenterError as exc:
        raise fail(str(exc)) from None
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Inherited by accepted connections: no 40 ms delayed-ACK stalls.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{bound_port}"
    out.print(f"Fake LinkedIn Elevate listening on {base}", markup=False)
    out.print(f"SCIM base URL (Tenant URL): {base}/scim/v2", markup=False)
    out.print(f"Access token (Secret Token): {access_token}", markup=False)
    out.print(f"Account Center admin key:   {elevate.admin_key}", markup=False)
    out.print("Press Ctrl+C to stop.", markup=False)
    sys.stdout.flush()
    config = uvicorn.Config(elevate.asgi_app(), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])


def main() -> None:
    app()


if __name__ == "__main__":
    main()
