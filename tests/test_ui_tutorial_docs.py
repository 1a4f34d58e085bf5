"""docs/tutorial/: one screenshot and one accessible-text file per tutorial step, written by
the @ui feature (features/ui_tutorial.feature) and compared by it on every run, so a page
that changes without its docs fails there. This module checks the files are all present
and that the feature's step comments number the tutorial's 17 steps."""

from __future__ import annotations

import re
from pathlib import Path

from harness.steps.ui import TUTORIAL_DIR, tutorial_step

ROOT = Path(__file__).resolve().parents[1]
FEATURE = ROOT / "features" / "ui_tutorial.feature"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_everytutorial_step_has_its_screenshot_and_accessible_text() -> None:
    assert TUTORIAL_DIR == ROOT / "docs" / "tutorial"
    index = (TUTORIAL_DIR / "README.md").read_text(encoding="utf-8")
    for number in range(1, 18):
        name = f"step-{number:02d}"
        assert (TUTORIAL_DIR / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE), name
        text = (TUTORIAL_DIR / f"{name}.aria.yml").read_text(encoding="utf-8")
        assert text.startswith("- banner:"), name
        assert f"({name}.png)" in index
    assert sorted(p.name for p in TUTORIAL_DIR.glob("step-*.png")) == [
        f"step-{n:02d}.png" for n in range(1, 18)
    ]


def test_no_tutorial_file_holds_a_port_or_the_token() -> None:
    for path in TUTORIAL_DIR.glob("*.aria.yml"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"127\.0\.0\.1:\d+", text), path.name
        assert not re.search(r'textbox "Access token": (?!<token>)', text), path.name


def test_the_feature_numbers_the_seventeentutorial_steps_in_order() -> None:
    lines = FEATURE.read_text(encoding="utf-8").splitlines()
    numbers = [
        found[0]
        for line_number in range(1, len(lines) + 1)
        if lines[line_number - 1].strip().startswith(("When", "And"))
        and (found := tutorial_step(str(FEATURE), line_number)) is not None
    ]
    assert sorted(set(numbers)) == list(range(1, 18))
    assert numbers == sorted(numbers)
