"""The ``provisim`` command line.

Every failure a user can cause prints one readable line on stderr and exits
non-zero; no stack traces.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Protocol, TextIO, runtime_checkable
from urllib.parse import urlsplit

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


@serve_app.command("elevate")
def serve_elevate(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
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
        elevate = FakeElevate(admin_key=admin_key or secrets.token_urlsafe(24), db=db)
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


# --- provisim run ---------------------------------------------------------------------------------

#: The package the Gherkin features ship in: the repository's features/ directory, installed as
#: harness/features/ (pyproject.toml maps it), so an editable install runs features/ in place.
FEATURES_PACKAGE = "harness.features"


def packaged_features() -> Path:
    """The directory of the features that came with this provisim, found by importlib.resources
    wherever provisim is installed, so ``provisim run`` works from any directory."""
    import importlib.resources

    try:
        folder = importlib.resources.files(FEATURES_PACKAGE)
    except ModuleNotFoundError:
        raise fail(
            f"the packaged features ({FEATURES_PACKAGE}) are missing; reinstall provisim"
        ) from None
    # pytest collects from the file system: a zipped install has no directory to give it.
    if not isinstance(folder, Path) or not folder.is_dir():
        raise fail(f"the packaged features are not a directory on disk: {folder}")
    return folder


#: The pytest plugins ``provisim run`` loads, by module, with the package that provides them.
#: Only these: autoloading every installed plugin (hypothesis, faker, schemathesis, ...) costs
#: seconds per run and per xdist worker, and scenarios need none of them.
_REQUIRED_PLUGINS = (
    ("pytest_bdd.plugin", "pytest-bdd"),
    ("pytest_metadata.plugin", "pytest-metadata"),
    ("pytest_html.plugin", "pytest-html"),
    ("pytest_html.fixtures", "pytest-html"),
)
#: The plugin ``provisim run -n`` adds, to spread scenarios over worker processes.
_WORKER_PLUGIN = ("xdist.plugin", "pytest-xdist")


def _pytest_plugin_name(module: str) -> str | None:
    """The ``-p`` name that loads ``module`` once: its pytest11 entry-point name when it is
    installed as one (pytest would otherwise register the module a second time, under the
    entry-point name, and refuse), else the module name when importable, else None."""
    import importlib.util
    from importlib.metadata import entry_points

    for entry_point in entry_points(group="pytest11"):
        if entry_point.value.partition(":")[0].strip() == module:
            return entry_point.name
    try:
        return module if importlib.util.find_spec(module) is not None else None
    except ImportError:
        return None


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the run; xdist workers inherit them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _display(stream: TextIO) -> Iterator[tuple[Console, bool]]:
    """A console for the live display, on a duplicate of stdout's file descriptor: pytest
    captures descriptor 1 while tests run and the progress bar must still reach the screen."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        yield Console(file=stream, highlight=False, soft_wrap=True), False
        return
    live = os.isatty(descriptor)
    stream.flush()
    with os.fdopen(os.dup(descriptor), "w", encoding="utf-8", errors="replace") as duplicate:
        yield Console(file=duplicate, highlight=False, soft_wrap=True), live


def _usage_error_line(captured: str) -> str:
    """pytest's usage error ("ERROR: Wrong expression passed to '-m': …"), in provisim's words."""
    lines = [line.strip() for line in captured.splitlines() if line.strip()]
    argparse_error = next((line for line in lines if re.match(r"\S+: error: ", line)), None)
    message = (
        argparse_error.partition(": error: ")[2]
        if argparse_error
        else next((line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR:")), "")
    )
    message = message.replace("Wrong expression passed to '-m'", "bad --tags expression")
    message = message.replace("Wrong expression passed to '-k'", "bad -k expression")
    return message or "pytest reported a usage error"


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@app.command("run")
def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATHS",
            help="Feature files or directories (a scenario's node id works too). "
            "Default: the features that come with provisim, from any directory.",
            show_default=False,
        ),
    ] = None,
    tags: Annotated[
        str | None,
        typer.Option(
            "--tags",
            "-t",
            metavar="EXPR",
            help="Only scenarios whose Gherkin tags match this expression, e.g. "
            "'tutorial and not errors'. Tags: tutorial, licensing, errors, dialect, conformance, graph.",
        ),
    ] = None,
    keyword: Annotated[
        str | None,
        typer.Option(
            "-k",
            "--keyword",
            metavar="EXPR",
            help="Only scenarios whose test names match this expression, e.g. "
            "'quarantine or seat' (as pytest -k).",
        ),
    ] = None,
    report_dir: Annotated[
        Path,
        typer.Option(
            "--report-dir",
            metavar="DIR",
            help="Where junit.xml, cucumber.json, report.html and scenarios/*/ are written.",
        ),
    ] = Path("reports"),
    workers: Annotated[
        str | None,
        typer.Option(
            "-n",
            "--workers",
            metavar="N|auto",
            help="Run scenarios in N worker processes (pytest-xdist); auto: one per CPU.",
        ),
    ] = None,
    scim_url: Annotated[
        str | None,
        typer.Option(
            "--scim-url",
            envvar="PROVISIM_SCIM_URL",
            metavar="URL",
            help="Provision into this live SCIM endpoint (the Tenant URL) instead of the "
            "in-process Fake Elevate; pair it with --tags conformance.",
        ),
    ] = None,
    scim_token: Annotated[
        str | None,
        typer.Option(
            "--scim-token",
            envvar="PROVISIM_SCIM_TOKEN",
            metavar="TOKEN",
            help="The Secret Token for --scim-url. Prefer the environment variable: a flag is "
            "visible to other users of the machine.",
        ),
    ] = None,
    all_plugins: Annotated[
        bool,
        typer.Option(
            "--all-plugins",
            help="Load every installed pytest plugin, not only those provisim needs (slower "
            "start; for feature files whose conftest.py uses another plugin's fixtures).",
        ),
    ] = False,
) -> None:
    """Run the Gherkin features and write JUnit XML, Cucumber JSON and an HTML report.

    Scenarios run in-process through pytest and pytest-bdd; a progress bar (plain lines when
    output is not a terminal) shows them finish. The HTML report shows, per scenario, the
    recorded SCIM exchanges and a timeline of the sync cycles on the virtual clock.

    Exit status, as pytest's: 0 all passed, 1 some failed, 2 interrupted or a collection
    error (also a bad flag), 4 usage error (a missing path, a bad --tags or -k expression),
    5 no scenario selected.
    """
    import pytest

    from harness.reports.progress import ScenarioProgress

    targets = [str(path) for path in paths] if paths else [str(packaged_features())]
    for target in targets:
        if not Path(target.partition("::")[0]).exists():
            raise fail(
                f"no such feature file or directory: {target}", code=pytest.ExitCode.USAGE_ERROR
            )
    if workers is not None and not (workers in ("auto", "logical") or workers.isdigit()):
        raise fail(f"-n takes a number of workers or 'auto', not {workers!r}")
    if (scim_url is None) != (scim_token is None):
        raise fail(
            "--scim-url and --scim-token go together "
            "(or PROVISIM_SCIM_URL and PROVISIM_SCIM_TOKEN in the environment)"
        )
    if scim_url is not None:
        parts = urlsplit(scim_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise fail(f"--scim-url must be an http:// or https:// URL, not {scim_url!r}")

    plugins: list[str] = []
    for module, package in (
        *_REQUIRED_PLUGINS,
        *((_WORKER_PLUGIN,) if workers is not None else ()),
    ):
        name = _pytest_plugin_name(module)
        if name is None:
            # A dependency of provisim's own: only a broken install lacks it.
            raise fail(f"{package} is not installed; reinstall provisim")
        plugins += ["-p", name]
    reports = report_dir.expanduser().resolve()
    try:
        reports.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"cannot create --report-dir {report_dir}: {exc.strerror or exc}") from None
    args = [
        *targets,
        *plugins,
        "-p",
        _pytest_plugin_name("harness.reports.plugin") or "harness.reports.plugin",
        f"--junitxml={reports / 'junit.xml'}",
        "-o",
        "junit_suite_name=provisim",
        f"--cucumberjson={reports / 'cucumber.json'}",
        f"--html={reports / 'report.html'}",
        "--self-contained-html",
        "--tb=short",
    ]
    scenario_plugin = _pytest_plugin_name("harness.plugin")
    if scenario_plugin is not None:
        args += ["-p", scenario_plugin, f"--provisim-report-dir={reports}"]
    if tags is not None:
        args += ["-m", tags]
    if keyword is not None:
        args += ["-k", keyword]
    if workers is not None:
        args += ["-n", workers]

    environment = {} if all_plugins else {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    if scim_url is not None and scim_token is not None:
        # To the plugin and xdist workers by environment: the token stays off command lines.
        environment |= {"PROVISIM_SCIM_URL": scim_url, "PROVISIM_SCIM_TOKEN": scim_token}
    # pytest's own terminal output is replaced by the progress display; its stderr is held
    # back so a usage error can be said in one line.
    pytest_out, pytest_err = io.StringIO(), io.StringIO()
    with _display(sys.stdout) as (console, live):
        progress = ScenarioProgress(console=console, live=live)
        with (
            _environment(environment),
            contextlib.redirect_stdout(pytest_out),
            contextlib.redirect_stderr(pytest_err),
        ):
            code = int(pytest.main(args, plugins=[progress]))

    if code == pytest.ExitCode.USAGE_ERROR:
        raise fail(_usage_error_line(pytest_err.getvalue()), code=code)
    sys.stderr.write(pytest_err.getvalue())
    if code == pytest.ExitCode.INTERNAL_ERROR:
        sys.stderr.write(pytest_out.getvalue())
    elif code == pytest.ExitCode.INTERRUPTED and not progress.collection_errors:
        err.print("provisim: interrupted", markup=False)
    elif code == pytest.ExitCode.NO_TESTS_COLLECTED:
        err.print(
            "provisim: no scenarios were selected (check the paths, --tags and -k)", markup=False
        )
    written = [
        _shown_path(reports / name)
        for name in ("junit.xml", "cucumber.json", "report.html", "scenarios")
        if (reports / name).exists()
    ]
    if written:
        out.print(f"Reports: {', '.join(written)}", markup=False)
    raise typer.Exit(code)


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


@app.command("conformance")
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
    junit_report: Annotated[
        Path | None, typer.Option("--junit", metavar="FILE", help="Write JUnit XML for CI.")
    ] = None,
    html_report: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Write a self-contained HTML report."),
    ] = None,
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
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="SECONDS", help="How long to wait for each response."),
    ] = 30.0,
) -> None:
    """Check a live SCIM endpoint the way Microsoft Entra ID provisioning uses it.

    Runs the real provisioning engine over a small seeded tenant (Test Connection, create
    and match, update, disable and re-enable, delete, groups and memberships, each read
    back with GET), then the RFC 7643/7644 checks Entra relies on. Prints a verdict in two
    scopes, "works with Entra" and "RFC conformant"; every failure comes with the
    request and response as evidence and a hint. Test resources are deleted afterwards.

    A check that cannot run (a test resource it needs was refused, the job went into
    quarantine, provisim itself failed) is an error, never a pass; a check is skipped only
    when the server's /ServiceProviderConfig says it does not apply.

    Exit status: 0 no MUST failure (SHOULD/MAY deviations never fail the run), 1 a MUST
    failure, 2 a verdict not established (a MUST check could not run and none in its scope
    failed: the reports are written and one line on stderr names the check and the cause),
    or a usage error, an unreachable endpoint or a token refused on the first call.
    """
    from harness.conformance.report import write_report
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

    try:
        settings = ConformanceSettings(
            url=url,
            token=token,
            dialects=dialects_for(dialect),
            rate=rate,
            keep=keep,
            timeout=timeout,
            # Unique per run, so a --keep run's leftovers never collide with a later run.
            run_id=secrets.token_hex(4),
        )
    except ConformanceAbort as exc:
        raise fail(str(exc)) from None
    reports = {"--json": json_report, "--junit": junit_report, "--html": html_report}
    for option, path in reports.items():
        if path is not None and not path.expanduser().resolve().parent.is_dir():
            raise fail(f"{option}: the directory of {path} does not exist")
    live = out.is_terminal
    progress = LiveProgress(out) if live else SilentProgress()
    try:
        report = run_conformance(settings, progress=progress)
    except ConformanceAbort as exc:
        raise fail(str(exc)) from None
    for line in summary_lines(report, with_failures=not live):
        out.print(line, markup=False)
    try:
        write_report(
            report,
            json_path=json_report and json_report.expanduser(),
            junit_path=junit_report and junit_report.expanduser(),
            html_path=html_report and html_report.expanduser(),
        )
    except OSError as exc:
        raise fail(f"cannot write the report: {exc.strerror or exc}") from None
    written = [_shown_path(path) for path in reports.values() if path is not None]
    if written:
        out.print(f"Reports: {', '.join(written)}", markup=False)
    reason = not_established_reason(report)
    if reason is not None:
        raise fail(reason, exit_code(report))
    raise typer.Exit(exit_code(report))


# --- provisim bench --------------------------------------------------------------------------------


@app.command("bench")
def bench(
    users: Annotated[
        list[int] | None,
        typer.Option(
            "--users",
            min=1,
            help="Directory size (repeatable, e.g. --users 1000 --users 10000). Default 10000.",
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
        int, typer.Option(min=10, help="Entra-mix iterations (4 requests each) per server.")
    ] = 500,
    json_path: Annotated[
        str | None, typer.Option("--json", metavar="FILE", help="Also write the figures here.")
    ] = None,
) -> None:
    """Benchmark the simulator: cycles at tenant scale, peak RSS, and server throughput.

    Prints JSON with the figures (per cycle: seconds, requests, objects, time in the
    garbage collector), the targets and a description of the machine.
    """
    from harness.bench import run_benchmarks, write_report

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


if __name__ == "__main__":
    main()
