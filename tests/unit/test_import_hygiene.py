"""The core never imports the UI: importing every module of ``labeler`` except ``labeler.tui``,
``labeler.cli`` and ``labeler.web`` leaves textual, rich and click out of ``sys.modules``.

A static check misses what arrives sideways (a helper that imports rich for one function), so
the modules are really imported, in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import labeler

PACKAGE_DIR = Path(labeler.__file__).resolve().parent
UI_PACKAGES = ("labeler.tui", "labeler.cli", "labeler.web")
FORBIDDEN = ("textual", "rich", "click")


def core_modules() -> list[str]:
    """Every module under labeler/ (packages and namespace folders included), minus the UI."""
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if any(name == ui or name.startswith(ui + ".") for ui in UI_PACKAGES):
            continue
        names.append(name)
    return names


CHECK = textwrap.dedent(
    """
    import importlib, json, sys
    names = json.loads(sys.argv[1])
    forbidden = json.loads(sys.argv[2])
    culprits = {}
    for name in names:
        before = set(sys.modules)
        importlib.import_module(name)
        new = {m.split(".")[0] for m in set(sys.modules) - before}
        bad = sorted(new & set(forbidden))
        if bad:
            culprits[name] = bad
    print(json.dumps(culprits))
    """
)


def test_the_list_of_core_modules_is_complete() -> None:
    names = core_modules()
    for expected in ("labeler", "labeler.store.connection", "labeler.review.session"):
        assert expected in names
    assert "labeler.review.label_writer" in names and "labeler.text.display" in names
    assert not [n for n in names if n.startswith(UI_PACKAGES)]


def test_core_modules_do_not_import_textual_rich_or_click() -> None:
    names = core_modules()
    done = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(names), json.dumps(FORBIDDEN)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    culprits = json.loads(done.stdout)
    assert culprits == {}, f"core modules that pull in UI libraries: {culprits}"


def test_the_check_itself_catches_a_ui_import() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(["labeler.tui.app"]), json.dumps(FORBIDDEN)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)["labeler.tui.app"]) == {"textual", "rich"}
