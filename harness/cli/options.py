"""Options that several ``provisim`` commands take in the same words: the report files
and the limits on each request to an endpoint nobody here controls."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer

from harness.transport import DEFAULT_MAX_BODY_BYTES, size_text

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
