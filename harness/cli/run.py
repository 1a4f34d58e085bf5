"""``provisim run``: the Gherkin features through pytest and pytest-bdd, with a progress
display, and the JUnit XML, Cucumber JSON and HTML reports."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TextIO
from urllib.parse import urlsplit

import typer

from harness.cli.output import err, fail, out, shown_path
from harness.redaction import KNOWN, redact_files
from harness.terminal import SafeConsole, safe_text
from harness.transport import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TIMEOUT_SECONDS,
    ENV_MAX_BODY,
    ENV_TIMEOUT,
    parse_size,
    size_text,
)

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
_REQUIRED_PLUGINS = (("pytest_bdd.plugin", "pytest-bdd"),)
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
def _display(stream: TextIO) -> Iterator[tuple[SafeConsole, bool]]:
    """A console for the live display, on a duplicate of stdout's file descriptor: pytest
    captures descriptor 1 while tests run and the progress bar must still reach the screen."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        yield SafeConsole(file=stream, highlight=False, soft_wrap=True), False
        return
    live = os.isatty(descriptor)
    stream.flush()
    with os.fdopen(os.dup(descriptor), "w", encoding="utf-8", errors="replace") as duplicate:
        yield SafeConsole(file=duplicate, highlight=False, soft_wrap=True), live


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
            "'tutorial and not errors'. Tags: tutorial, licensing, errors, dialect, conformance, "
            "graph, or any tag of your own that a feature file uses.",
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
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="With --scim-url: how long each request may take in all (connect, headers "
            "and the whole body); one still unanswered then fails as a timeout.",
        ),
    ] = DEFAULT_TIMEOUT_SECONDS,
    max_body: Annotated[
        str,
        typer.Option(
            "--max-body",
            metavar="SIZE",
            help="With --scim-url: the largest response body read (bytes, or 512KiB, 8MiB); "
            "a larger one fails its request.",
        ),
    ] = size_text(DEFAULT_MAX_BODY_BYTES).replace(" ", ""),
    alluredir: Annotated[
        Path | None,
        typer.Option(
            "--alluredir",
            metavar="DIR",
            help="Also write Allure results to DIR (allure-pytest-bdd), each step with its "
            "SCIM exchanges attached. Needs the extra: pip install 'provisim[allure]'.",
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
    output is not a terminal) shows them finish. The HTML report shows the features and
    scenarios as written, each step with its status and the SCIM exchanges and sync cycles it
    caused, and a timeline of the cycles on the virtual clock. Each run replaces the last
    run's reports whole; a run that collects no scenario writes none.

    Exit status, as pytest's: 0 all passed, 1 some failed, 2 interrupted or a collection
    error (also a bad flag), 4 usage error (a missing path, a bad --tags or -k expression),
    5 no scenario selected.
    """
    import pytest

    from harness.reports.fresh import FreshReports
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
    if not timeout > 0:
        raise fail(f"--timeout must be positive, not {timeout:g}")
    try:
        body_cap = parse_size(max_body)
    except ValueError as exc:
        raise fail(f"--max-body: {exc}") from None
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
        fresh = FreshReports(reports)
    except OSError as exc:
        raise fail(f"cannot create --report-dir {report_dir}: {exc.strerror or exc}") from None
    staged = fresh.staging
    args = [
        *targets,
        *plugins,
        "-p",
        _pytest_plugin_name("harness.reports.plugin") or "harness.reports.plugin",
        f"--junitxml={staged / 'junit.xml'}",
        "-o",
        "junit_suite_name=provisim",
        f"--cucumberjson={staged / 'cucumber.json'}",
        f"--provisim-html={staged / 'report.html'}",
        "--tb=short",
    ]
    scenario_plugin = _pytest_plugin_name("harness.plugin")
    if scenario_plugin is not None:
        args += ["-p", scenario_plugin, f"--provisim-report-dir={reports}"]
    args += _allure_args(alluredir)
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
        environment |= {ENV_TIMEOUT: repr(timeout), ENV_MAX_BODY: str(body_cap)}
        # Masked by value in everything printed, whatever the endpoint echoes.
        KNOWN.add(scim_token.strip())
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
            try:
                code = int(pytest.main(args, plugins=[progress, fresh]))
            finally:
                published = fresh.publish()

    if scim_token is not None:
        # The recorder masks the token by value as it records; this sweep also covers what
        # other writers (pytest's JUnit XML, pytest-html) took from a server's answers.
        redact_files(reports, KNOWN)
    if code == pytest.ExitCode.USAGE_ERROR:
        raise fail(_usage_error_line(pytest_err.getvalue()), code=code)
    sys.stderr.write(safe_text(pytest_err.getvalue()))
    if code == pytest.ExitCode.INTERNAL_ERROR:
        sys.stderr.write(safe_text(pytest_out.getvalue()))
    elif code == pytest.ExitCode.INTERRUPTED and not progress.collection_errors:
        err.print("provisim: interrupted", markup=False)
    elif code == pytest.ExitCode.NO_TESTS_COLLECTED:
        err.print(
            "provisim: no scenarios were selected (check the paths, --tags and -k)"
            + _kept_note(reports, published),
            markup=False,
        )
    elif not published:
        err.print(
            f"provisim: no scenario was collected{_kept_note(reports, published)}", markup=False
        )
    if published:
        _say_reports(reports)
    raise typer.Exit(code)


def _allure_args(alluredir: Path | None) -> list[str]:
    """pytest's arguments for ``--alluredir``: allure-pytest-bdd's plugin and its option."""
    if alluredir is None:
        return []
    from harness.plugin import ALLURE_PLUGIN

    name = _pytest_plugin_name(ALLURE_PLUGIN)
    if name is None:
        raise fail("--alluredir needs allure-pytest-bdd: pip install 'provisim[allure]'")
    return ["-p", name, f"--alluredir={alluredir.expanduser().resolve()}", "--clean-alluredir"]


def _kept_note(reports: Path, published: bool) -> str:
    """What a run that wrote no reports says of the report directory."""
    from harness.reports.fresh import REPORT_FILES

    if published:
        return ""
    if any((reports / name).exists() for name in REPORT_FILES):
        return f"; no reports written, those in {shown_path(reports)} are from the last run"
    return "; no reports written"


def _say_reports(reports: Path) -> None:
    """Where this run's reports are."""
    from harness.reports.fresh import REPORT_FILES

    written = [
        shown_path(reports / name)
        for name in (*REPORT_FILES, "scenarios")
        if (reports / name).exists()
    ]
    if written:
        out.print(f"Reports: {', '.join(written)}", markup=False)
