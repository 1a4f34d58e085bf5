"""What every ``provisim`` command prints with: the two consoles and :func:`fail`.

Every failure a user can cause prints one readable line on stderr and exits non-zero; no
stack traces. Both consoles are :class:`harness.terminal.SafeConsole`: remote text printed
through them has its control characters escaped and every known secret masked.
"""

from __future__ import annotations

from pathlib import Path

import typer

from harness.terminal import SafeConsole, safe_line

err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)
out = SafeConsole(highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as one line on stderr (remote text in it is neutralised) and
    return the exit to raise."""
    err.print(f"provisim: error: {safe_line(message)}", markup=False)
    return typer.Exit(code)


def shown_path(path: Path) -> str:
    """``path`` as a report line names it: relative to the working directory when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
