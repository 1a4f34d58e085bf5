"""The README's Python examples run as written (docs that run, as scim2-models does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_examples() -> None:
    assert BLOCKS


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_each_python_example_runs(code: str) -> None:
    exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})


def test_the_quickstart_is_two_commands_and_ci_runs_both_steps() -> None:
    # The Quickstart is the promise; .ci/run keeps it in a fresh virtualenv.
    text = README.read_text(encoding="utf-8")
    quickstart = text[text.index("## Quickstart") :].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quickstart, re.S)
    assert block
    commands = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2, commands
    install, test = commands
    assert install == "pip install -e '.[test]' && provisim run"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert any("pip install" in line and "-e '.[test]'" in line for line in ci)
    assert test in [line.strip() for line in ci]
