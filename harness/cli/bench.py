"""``provisim bench``: the simulator's benchmarks (the measuring is :mod:`harness.bench`)."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from harness.cli.output import err, fail, out


def bench(
    users: Annotated[
        list[int] | None,
        typer.Option(
            "--users",
            min=1,
            help="Directory size (repeatable, e.g. --users 1000 --users 10000). Default 10000. "
            "--users 1000000 is long: about 12 minutes and 5-6 GB of memory.",
        ),
    ] = None,
    groups: Annotated[
        int | None,
        typer.Option(min=0, help="Groups in the directory (default: one per 100 users)."),
    ] = None,
    transport: Annotated[
        list[str] | None,
        typer.Option(
            "--transport",
            help="asgi (in-process) or http (uvicorn on loopback); repeatable. Default asgi.",
        ),
    ] = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare/--no-compare",
            help="Measure request throughput on Entra's mix against scim2-server (which "
            "comes with pip install 'provisim\\[bench]').",
        ),
    ] = True,
    commands: Annotated[
        bool,
        typer.Option(
            "--commands/--no-commands",
            help="Time `provisim run` as a whole, and `provisim conformance` (both dialects) "
            "against Fake Elevate served on a loopback port.",
        ),
    ] = False,
    iterations: Annotated[
        int,
        typer.Option(
            min=10,
            help="Entra-mix iterations (4 requests each) per server. The ratio to the bare "
            "Starlette app still varies by a few hundredths between runs at 2000 (by about "
            "0.1 at 500): compare several runs. Each of the five rounds' own ratio is "
            "reported too (ratio_to_bare_starlette_by_round), to show that spread within one run.",
        ),
    ] = 2000,
    load: Annotated[
        bool,
        typer.Option(
            "--load",
            help="Instead: the request rate Fake Elevate sustains under `provisim load` "
            "with 1 and with 2 local Locust workers.",
        ),
    ] = False,
    json_path: Annotated[
        str | None, typer.Option("--json", metavar="FILE", help="Also write the figures here.")
    ] = None,
) -> None:
    """Benchmark the simulator: cycles at tenant scale, peak RSS, and server throughput.

    Prints JSON with the figures (per cycle: seconds, CPU time a user, requests, objects,
    time in the garbage collector, peak RSS), the targets, a description of the machine
    (with its load average) and a verdict per target: met, not met, or not measured.
    Verdicts never change the exit code.
    """
    from harness.bench import run_benchmarks, write_report

    if load:
        from harness.load.bench import run_load_bench
        from harness.load.settings import LoadAbort

        try:
            with err.status("load") if err.is_terminal else contextlib.nullcontext() as status:
                report = run_load_bench(
                    progress=status.update if status is not None else lambda _text: None
                )
            text = write_report(report, json_path)
        except (LoadAbort, RuntimeError, OSError) as exc:
            raise fail(str(exc), 1) from None
        out.print(text, markup=False, highlight=False)
        return
    transports = transport or ["asgi"]
    bad = [t for t in transports if t not in ("asgi", "http")]
    if bad:
        raise fail(f"--transport must be asgi or http, not {bad[0]!r}")
    try:
        # A spinner naming the scenario on a terminal; nothing but the JSON elsewhere.
        with err.status("benchmarking") if err.is_terminal else contextlib.nullcontext() as status:
            report = run_benchmarks(
                users=users or [10_000],
                groups=groups,
                transports=transports,
                compare=compare,
                commands=commands,
                iterations=iterations,
                progress=status.update if status is not None else lambda _text: None,
            )
        text = write_report(report, json_path)
    except (RuntimeError, OSError) as exc:
        raise fail(str(exc), 1) from None
    out.print(text, markup=False, highlight=False)
