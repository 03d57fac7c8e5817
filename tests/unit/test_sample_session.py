"""The bundled sample session: it ships inside the package, and it is what its generator writes.

The session (cases.jsonl, labels.csv, taxonomy.toml) is package data under
``labeler/sample_data/support_assistant/``; the generator that writes it, with its templates,
stays in the source tree under ``sample_sessions/support_assistant/`` (a development tool, not
shipped).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import labeler
from labeler.sample import SAMPLE_ENV, sample_dir

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(labeler.__file__).resolve().parent
SHIPPED = PACKAGE / "sample_data" / "support_assistant"
SHIPPED_FILES = ("cases.jsonl", "labels.csv", "taxonomy.toml")
GENERATOR = ROOT / "sample_sessions" / "support_assistant" / "generate.py"
needs_generator = pytest.mark.skipif(
    not GENERATOR.is_file(), reason="the generator is in the source tree only"
)


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


# --------------------------------------------------------------------------------------------
# The generator: the shipped files are exactly what it writes
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PROBLEM" not in done.stdout
    return out


@needs_generator
@pytest.mark.parametrize("name", SHIPPED_FILES)
def test_shipped_file_is_exactly_what_the_generator_writes(generated: Path, name: str) -> None:
    shipped, fresh = (SHIPPED / name).read_bytes(), (generated / name).read_bytes()
    assert shipped == fresh, (
        f"labeler/sample_data/support_assistant/{name} differs from what "
        "sample_sessions/support_assistant/generate.py writes: rerun it and commit both"
    )


@needs_generator
def test_generator_check_mode_agrees() -> None:
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "180 cases" in done.stdout and "agreement 81.1% (146/180)" in done.stdout


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_generator", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_generator
@pytest.mark.parametrize(
    "steps",
    [
        "import os",
        "x = ().__class__",
        "x = __import__('os')",
        "for i in range(3): pass",
        "x = (lambda: 1)()",
        "def f(): pass",
    ],
)
def test_generator_data_holds_expressions_not_code(steps: str) -> None:
    gen = _generator()
    with pytest.raises(ValueError, match="not allowed in the data"):
        gen.Routine({"name": "bad", "steps": steps}, "test.toml", part=False)


@needs_generator
def test_generator_templates_fill_like_f_strings() -> None:
    gen = _generator()
    env = {"__builtins__": {}, "x": 3.14159, "d": {"k": "v"}, "n": 2}
    assert gen.render("{{a}} {x:.1f} {d['k']} {'s' if n != 1 else ''}", env) == "{a} 3.1 v s"
    with pytest.raises(ValueError, match="single"):
        gen.render("a } b", env)
