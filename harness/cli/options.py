"""Options that several ``provisim`` commands take in the same words: the report files
and the limits on each request to an endpoint nobody here controls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Final, TypeVar

import typer

from harness.cli.output import fail, out, shown_path
from harness.transport import DEFAULT_MAX_BODY_BYTES, size_text

R = TypeVar("R")

JunitReport = Annotated[
    Path | None, typer.Option("--junit", metavar="FILE", help="Write JUnit XML for CI.")
]
HtmlReport = Annotated[
    Path | None,
    typer.Option("--html", metavar="FILE", help="Write a self-contained HTML report."),
]
RequestTimeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        help="How long each request may take in all: connect, headers and the whole body. "
        "A request still unanswered then ends as a timeout.",
    ),
]
MaxBody = Annotated[
    str,
    typer.Option(
        "--max-body",
        metavar="SIZE",
        help="The largest response body read (bytes, or 512KiB, 8MiB); a larger one ends "
        "its request with an error.",
    ),
]
#: --max-body's default, as the option reads it (``8MiB``).
DEFAULT_MAX_BODY: Final = size_text(DEFAULT_MAX_BODY_BYTES).replace(" ", "")
#: --timeout's default, in seconds.
DEFAULT_TIMEOUT: Final = 30.0


class ReportFiles:
    """The report files a command was asked for (``--json``, ``--junit``, ``--html``):
    checked before the run, so a mistyped directory costs nothing, and written after it."""

    def __init__(self, json: Path | None, junit: Path | None, html: Path | None) -> None:
        self.paths = {"--json": json, "--junit": junit, "--html": html}
        for option, path in self.paths.items():
            if path is not None and not path.expanduser().resolve().parent.is_dir():
                raise fail(f"{option}: the directory of {path} does not exist")

    def write(self, report: R, writer: Callable[..., None]) -> None:
        """``writer(report, json_path=…, junit_path=…, html_path=…)``, then one line naming
        what was written; a file that cannot be written is one readable line, exit 2."""
        paths = {option: path and path.expanduser() for option, path in self.paths.items()}
        try:
            writer(
                report,
                json_path=paths["--json"],
                junit_path=paths["--junit"],
                html_path=paths["--html"],
            )
        except OSError as exc:
            raise fail(f"cannot write the report: {exc.strerror or exc}") from None
        written = [shown_path(path) for path in self.paths.values() if path is not None]
        if written:
            out.print(f"Reports: {', '.join(written)}", markup=False)
