"""``labeler demo`` removes its temporary store when it ends; ``--keep`` keeps it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from labeler.cli import main


def _store_path(stderr: str) -> Path:
    found = re.search(r"demo store: (\S+demo\.db)", stderr)
    assert found, stderr
    return Path(found.group(1))


@pytest.fixture
def tmpdir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    return tmp_path


def test_demo_removes_its_store(tmpdir_env: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--info", "--reviewer", "carol"])
    assert result.exit_code == 0, result.output
    assert "180 cases" in result.stdout
    store = _store_path(result.stderr)
    assert "--keep keeps it" in result.stderr
    assert not store.exists() and not store.parent.exists()
    assert list(tmpdir_env.iterdir()) == []


def test_demo_keep_keeps_its_store(tmpdir_env: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--info", "--keep", "--reviewer", "carol"])
    assert result.exit_code == 0, result.output
    store = _store_path(result.stderr)
    assert store.is_file() and str(tmpdir_env) in str(store)
    assert f"try: labeler review {store}" in result.stdout


def test_installed_demo_removes_its_store(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "LABELER_REVIEWER": "carol"}
    exe = Path(sys.executable).with_name("labeler")
    done = subprocess.run(
        [str(exe), "demo", "--info"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert not _store_path(done.stderr).exists()
    assert list(tmp_path.iterdir()) == []
