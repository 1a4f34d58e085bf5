"""What every ``provisim`` command prints with: the two consoles and :func:`fail`.

Every failure a user can cause prints one readable line on stderr and exits non-zero; no
stack traces.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"provisim: error: {message}", markup=False)
    return typer.Exit(code)


def shown_path(path: Path) -> str:
    """``path`` as a report line names it: relative to the working directory when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
