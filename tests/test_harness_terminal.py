"""harness.terminal: a server's text never steers the terminal (issue 21, finding 6)."""

from __future__ import annotations

import io

import pytest
from rich.text import Text

from harness.redaction import KNOWN
from harness.terminal import SafeConsole, neutralise, neutralise_value, safe_line


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]8;;https://evil.example/\x1b\\x", "\\x1b]8;;https://evil.example/\\x1b\\x"),
        ("a\rb", "a\\x0db"),
        ("\x9b31m", "\\x9b31m"),
        ("bell\x07", "bell\\x07"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("del\x7f", "del\\x7f"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("café ✓", "café ✓"),
    ],
)
def test_controls_are_shown_escaped_and_text_is_kept(raw: str, shown: str) -> None:
    assert neutralise(raw) == shown


def test_one_line_text_cannot_start_a_line_of_its_own() -> None:
    assert safe_line("detail\nWorks with Entra:  yes") == "detail\\x0aWorks with Entra:  yes"


def test_values_are_neutralised_throughout() -> None:
    assert neutralise_value({"k\x1b": ["\x1b[H", 1, None]}) == {"k\\x1b": ["\\x1b[H", 1, None]}


def test_the_console_neutralises_strings_and_texts_and_masks_known_secrets() -> None:
    KNOWN.add("terminal-test-secret-123")
    stream = io.StringIO()
    console = SafeConsole(file=stream, force_terminal=False, width=200)
    console.print("\x1b[2Jcleared? terminal-test-secret-123", markup=False)
    console.print(Text("styled \x1b]8;;x\x1b\\", style="bold"))
    console.print(Text("plain stays styled"))
    printed = stream.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed
    assert "\\x1b[2Jcleared? ***" in printed
    assert "styled \\x1b]8;;x\\x1b\\" in printed
