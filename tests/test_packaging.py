"""The wheel: what it carries, and `provisim run` from it in a fresh virtualenv (issue 16).

The wheel is built offline (``pip wheel --no-build-isolation``, with the setuptools of the
``test`` extra) from a copy of the checkout, which is deleted before anything runs, and
installed with ``--no-deps`` into a new virtualenv. The third-party dependencies are not
installed a second time: a ``.pth`` file in the new virtualenv names this test environment's
site-packages directories, after the virtualenv's own. A ``.pth`` line only adds a directory
to sys.path (the ``.pth`` files inside it are not run, so this environment's editable
provisim stays switched off), and the new virtualenv's site-packages comes first: harness,
fake_entra, fake_elevate, the features and provisim's metadata all come from the wheel. That
the wheel's declared dependencies are complete is tests/test_dependencies.py's part, and
.ci/run's, which installs them into a fresh virtualenv.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES: list[str] = PYPROJECT["tool"]["setuptools"]["packages"]
PACKAGE_DIRS: dict[str, str] = PYPROJECT["tool"]["setuptools"].get("package-dir", {})
#: Left out of the copy the wheel is built from: build output, caches, virtualenvs.
BUILD_OUTPUT = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
    ".pytest_cache", ".ruff_cache", ".hypothesis", ".mypy_cache", "*.db",
)  # fmt: skip


def not_sources(directory: str, names: list[str]) -> set[str]:
    """BUILD_OUTPUT, and the reports a run left at the top (harness/reports/ is code)."""
    top_reports = {"reports"} & set(names) if Path(directory) == ROOT else set()
    return set(BUILD_OUTPUT(directory, names)) | top_reports


def run(command: list[str | Path], **options: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        **options,  # type: ignore[call-overload]
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def source_directory(package: str) -> Path:
    return ROOT / PACKAGE_DIRS.get(package, package.replace(".", "/"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "provisim"
    shutil.copytree(ROOT, source, ignore=not_sources)
    wheelhouse = tmp_path_factory.mktemp("wheelhouse")
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", wheelhouse, source]
    )  # fmt: skip
    shutil.rmtree(source)  # nothing below can reach the sources the wheel was built from
    (built,) = wheelhouse.glob("provisim-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed; returns its bin/ directory."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "--no-cache-dir", wheel]
    )  # fmt: skip
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    site_packages = Path(purelib.stdout.strip())
    ours = [entry for entry in sys.path if Path(entry).name in ("site-packages", "dist-packages")]
    assert ours, sys.path
    (site_packages / "_provisim_test_dependencies.pth").write_text(
        "".join(f"{entry}\n" for entry in ours), encoding="utf-8"
    )
    return venv / "bin"


def environment(bin_dir: Path) -> dict[str, str]:
    """This process's environment, less anything that would put the checkout on sys.path."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")
        and not name.startswith(("PYTEST_", "PROVISIM_"))
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(bin_dir.parent)
    return env


def test_every_code_directory_is_a_listed_package() -> None:
    # pyproject.toml lists the packages (it maps harness.features onto features/): a new
    # subpackage that is not listed would be left out of the wheel.
    code = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for top in ("fake_elevate", "fake_entra", "harness")
        for path in (ROOT / top).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    listed = set(PACKAGES)
    assert code - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - code == {"harness.features"}


def test_the_wheel_carries_the_code_schemas_and_features_and_nothing_else(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    version = PYPROJECT["project"]["version"]
    assert {name.partition("/")[0] for name in names} == {
        "fake_elevate",
        "fake_entra",
        "harness",
        f"provisim-{version}.dist-info",
    }
    expected = {
        f"{package.replace('.', '/')}/{path.name}"
        for package in PACKAGES
        for pattern in ("*.py", "*.json", "*.feature")
        for path in source_directory(package).glob(pattern)
    }
    assert expected <= names, sorted(expected - names)
    features = {name for name in names if name.endswith(".feature")}
    assert features == {
        f"harness/features/{path.name}" for path in (ROOT / "features").glob("*.feature")
    }
    assert "harness/features/tutorial.feature" in features
    assert "harness/schemas/user.schema.json" in names


def test_provisim_run_from_the_installed_wheel_passes_the_tutorial_from_an_empty_directory(
    installed: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = environment(installed)
    done = run([installed / "provisim", "run", "--tags", "tutorial"], cwd=empty, env=env)
    summary = re.search(r"^(\d+) scenarios: (\d+) passed in ", done.stdout, re.M)
    assert summary and summary.group(1) == summary.group(2), done.stdout
    passed = int(summary.group(2))
    assert passed > 0 and done.stdout.count("PASSED ") == passed

    suite = ET.parse(empty / "reports" / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    counts = {name: suite.get(name) for name in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": str(passed), "failures": "0", "errors": "0", "skipped": "0"}

    # The scenarios came from the wheel's copy of the features...
    probe = run(
        [installed / "python", "-c",
         "import json, sys, importlib.metadata as m, harness, harness.cli, fake_entra, "
         "fake_elevate, harness.plugin\n"
         "print(json.dumps({'modules': [harness.__file__, harness.cli.__file__, "
         "fake_entra.__file__, fake_elevate.__file__, harness.plugin.__file__], "
         "'features': str(harness.cli.packaged_features()), 'sys_path': sys.path, "
         "'dist': str(m.distribution('provisim').locate_file('')), "
         "'direct_url': m.distribution('provisim').read_text('direct_url.json')}))"],
        cwd=empty,
        env=env,
    )  # fmt: skip
    found = json.loads(probe.stdout)
    site_packages = Path(found["dist"]).resolve()
    assert site_packages.is_relative_to(installed.parent.resolve())
    features = Path(found["features"]).resolve()
    assert features == site_packages / "harness" / "features"
    cucumber = json.loads((empty / "reports" / "cucumber.json").read_text(encoding="utf-8"))
    assert cucumber and all(
        (features / Path(feature["uri"]).name).is_file() for feature in cucumber
    )
    # ...run by the wheel's code, with the checkout nowhere on sys.path.
    for module in found["modules"]:
        assert Path(module).resolve().is_relative_to(site_packages), module
    assert str(ROOT) not in found["sys_path"]
    assert json.loads(found["direct_url"] or "{}").get("dir_info", {}).get("editable") is not True
