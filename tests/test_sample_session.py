"""The bundled sample session: it ships inside the package, and it is what its generator writes.

The session (cases.jsonl, labels.csv, taxonomy.toml) is package data under
``labeler/sample_data/support_assistant/``; the generator that writes it, with its templates,
stays in the source tree under ``sample_sessions/support_assistant/`` (a development tool, not
shipped).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import labeler
from labeler.sample import SAMPLE_ENV, sample_dir

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(labeler.__file__).resolve().parent
SHIPPED = PACKAGE / "sample_data" / "support_assistant"
SHIPPED_FILES = ("cases.jsonl", "labels.csv", "taxonomy.toml")


def _installed_labeler() -> str:
    candidate = Path(sys.executable).parent / "labeler"
    found = str(candidate) if candidate.exists() else shutil.which("labeler")
    assert found, "the labeler console script is not installed next to this Python"
    return found


# --------------------------------------------------------------------------------------------
# Packaging: the sample is package data, found through importlib.resources
# --------------------------------------------------------------------------------------------


def test_sample_dir_is_inside_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SAMPLE_ENV, raising=False)
    found = sample_dir().resolve()
    assert found == SHIPPED
    assert found.is_relative_to(PACKAGE)
    for name in SHIPPED_FILES:
        assert (found / name).is_file(), name


def test_sample_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SAMPLE_ENV, str(tmp_path))
    assert sample_dir() == tmp_path


def test_package_data_globs_ship_every_sample_file() -> None:
    """Each file of the sample matches a package-data pattern, so the wheel carries it."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["labeler"]
    shipped = {p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}
    files = {p for p in (PACKAGE / "sample_data").rglob("*") if p.is_file()}
    files = {p for p in files if "__pycache__" not in p.parts}
    assert files, "no sample files found"
    assert {p.name for p in files} >= set(SHIPPED_FILES)
    assert files <= shipped, sorted(str(p.relative_to(PACKAGE)) for p in files - shipped)


def test_demo_runs_away_from_the_source_tree(tmp_path: Path) -> None:
    """`labeler demo --info` from an unrelated folder, without the override, finds the sample.

    CI repeats this from a wheel installed in a fresh venv (.ci/run), where no source tree exists.
    """
    env = {k: v for k, v in os.environ.items() if k != SAMPLE_ENV}
    env.update(TMPDIR=str(tmp_path), LABELER_REVIEWER="sample-test")
    done = subprocess.run(
        [_installed_labeler(), "demo", "--info"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "180 cases, 360 labels by alice, bob" in done.stdout
    assert str(tmp_path) in done.stderr  # the demo store went to the temporary folder
