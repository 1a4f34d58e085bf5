"""The ``provisim`` command itself: the Typer app, ``--version``, the subcommands, ``main()``.

The subcommands live one module each beside this one (``run``, ``serve``, ``conformance``,
``bench``); this module registers them, so none of them imports the app and the package
has no import cycle. Usage errors (a bad flag, an unknown command) are one line on stderr,
like every other failure a user can cause.
"""

from __future__ import annotations

import sys
from typing import Annotated, Protocol, runtime_checkable

import typer

from harness.cli.bench import bench
from harness.cli.conformance import conformance
from harness.cli.load import load
from harness.cli.output import err, out
from harness.cli.replay import replay
from harness.cli.run import run
from harness.cli.serve import serve_app
from harness.cli.steps import steps

app = typer.Typer(
    name="provisim",
    help="Provisioning simulator and SCIM conformance harness: Microsoft Entra ID provisioning "
    "users into LinkedIn Elevate, both sides faked in-process on a virtual clock.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(serve_app, name="serve")
app.command("run")(run)
app.command("conformance")(conformance)
app.command("bench")(bench)
app.command("replay")(replay)
app.command("load")(load)
app.command("steps")(steps)


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


@runtime_checkable
class _ClickError(Protocol):
    """What ``main`` reads of click's ClickException: its message and its exit code."""

    exit_code: int

    def format_message(self) -> str: ...


def _click_exception() -> type[Exception]:
    # typer ships its own copy of click in recent releases: reach its ClickException through
    # a public typer exception rather than a private module.
    for kind in typer.BadParameter.__mro__:
        if kind.__name__ == "ClickException" and issubclass(kind, Exception):
            return kind
    raise ImportError("typer.BadParameter derives from no ClickException: an unknown typer")


_ClickException = _click_exception()


def main() -> None:
    """The ``provisim`` console script. Usage errors (a bad flag, an unknown command) are one
    line on stderr too, like every other failure a user can cause."""
    try:
        code = app(standalone_mode=False)
    except _ClickException as exc:
        if not isinstance(exc, _ClickError):
            raise
        # A bare `provisim` has already shown the help; it exits 2 as click would.
        if type(exc).__name__ != "NoArgsIsHelpError":
            err.print(f"provisim: error: {exc.format_message()}", markup=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("Aborted.", markup=False)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
