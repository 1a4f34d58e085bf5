"""Remote text made harmless on a terminal: control characters shown escaped, secrets masked.

A SCIM endpoint chooses the text of its error details, headers and bodies, and provisim
prints some of it. Raw, an ``ESC[2J`` would clear the screen, an OSC 8 sequence would plant
a clickable link, a carriage return or a newline would overwrite or fake a verdict line, and
a bidirectional override would reorder what the reader sees. :func:`neutralise` shows every
such character as an escape (``\\x1b``, ``\\u202e``), on a terminal and in a pipe alike
(a log file is read on a terminal later). :class:`SafeConsole` is the rich console every
``provisim`` command prints with: each string it is given is neutralised and its known
secrets (:data:`harness.redaction.KNOWN`) masked by value before rich sees it (``provisim
serve`` prints the token it made on purpose: no pattern masks it). Rich markup in remote
text is the caller's to escape (``rich.markup.escape``, or ``markup=False``).
"""

from __future__ import annotations

import re
from typing import Any, Final

from rich.console import Console
from rich.text import Text

from harness.redaction import KNOWN

# C0 controls (but tab and newline, which plain multi-line output needs), DEL, C1 controls
# (CSI, OSC and friends in their 8-bit form), line and paragraph separators, the
# bidirectional embeddings, overrides and isolates (CVE-2021-42574), and a stray BOM.
_UNSAFE: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_UNSAFE_ONE_LINE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``).

    Tabs and newlines are kept unless ``one_line``: text that stands in one line of
    provisim's output (a check's message, a server's error detail) escapes them too, so it
    cannot start a line of its own.
    """
    return (_UNSAFE_ONE_LINE if one_line else _UNSAFE).sub(_escaped, text)


def neutralise_value(value: Any) -> Any:
    """A copy of a JSON value with control characters escaped in every string (tabs and
    newlines kept): a report keeps a server's words as evidence, never its escape codes."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dict):
        return {neutralise(str(key)): neutralise_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [neutralise_value(item) for item in value]
    return value


def safe_line(text: object) -> str:
    """Remote text for one line of output: secrets masked, every control character escaped."""
    return neutralise(KNOWN.values(str(text)), one_line=True)


def safe_text(text: str) -> str:
    """Remote text for multi-line output: secrets masked, control characters escaped."""
    return neutralise(KNOWN.values(text))


def _safe(item: Any) -> Any:
    if isinstance(item, str):
        return safe_text(item)
    if isinstance(item, Text):
        shown = safe_text(item.plain)
        if shown != item.plain:
            # The spans no longer fit the escaped text: the line keeps its base style only.
            return Text(shown, style=item.style, end=item.end)
    return item


class SafeConsole(Console):
    """A rich console that neutralises and redacts every string and ``Text`` it prints."""

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(_safe(item) for item in objects), **options)


__all__ = ["SafeConsole", "neutralise", "neutralise_value", "safe_line", "safe_text"]
