"""WCAG AA text contrast (4.5:1) of the Gherkin report's text colours and the timeline's."""

from __future__ import annotations

import re

import pytest
from reports_support import cycle

from harness.reports.gherkin_page import PAGE_CSS as CSS
from harness.reports.timeline import render_timeline_svg


def luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#999999", "#ffffff") < 4.5  # the grey the issue found


# The page's backgrounds that text sits on: white, and the tinted ones.
BACKGROUNDS = ("#ffffff", "#f6f8fa", "#e8f5ec", "#fdecea", "#fff4e0", "#eef1f4", "#f3f3f3")


def test_every_text_colour_of_the_page_meets_aa_on_every_background() -> None:
    variables = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{3,6})", CSS))
    colours = set(re.findall(r"(?<![-\w])color:(#[0-9a-fA-F]{3,6})", CSS))
    colours |= {variables[name] for name in re.findall(r"(?<![-\w])color:var\(--([\w-]+)\)", CSS)}
    assert len(colours) >= 8
    # White text sits on one dark background only: the pressed tag button's blue.
    assert contrast("#ffffff", "#0b57d0") >= 4.5
    colours.discard("#fff")
    weak = [(c, b) for c in colours for b in BACKGROUNDS if contrast(c, b) < 4.5]
    assert weak == []


def test_the_timelines_text_meets_aa_on_white() -> None:
    svg = render_timeline_svg(
        [cycle(1, 0, 2, created=2), cycle(2, 40, 1, quarantine_reason="Invalid credentials")]
    )
    fills = set(re.findall(r'<text[^>]*fill="(#[0-9a-fA-F]{3,6})"', svg))
    assert fills and all(contrast(fill, "#ffffff") >= 4.5 for fill in fills), fills
