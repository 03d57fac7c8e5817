"""``labeler info`` starts on the shared path only: what every reading command needs.

Issue 16: ``info`` must run within 1.5 x ``labeler --help``. ``benchmarks/bench_startup.py``
times it; this pins what keeps the shared start-up lean (no timing here): modules only a few
commands use are imported where they are used, not by ``labeler.cli.common`` or the store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from labeler.identity import Actor
from labeler.store import create_store

NOT_AT_START = (
    "labeler.slice_filter",
    "labeler.store.case_filters",
    "labeler.store.queue",
    "labeler.store.slice_queries",
    "labeler.text.suggest",
    "grp",
    "labeler.store.order",
    "labeler.store.tallies",
    "labeler.store.order_tallies",
)
"""Modules ``labeler info`` does without: the ``--slice`` filters, the queue's SQL, the "did
you mean" wording, the group database (only to word a permission error), and the modules that
generate the migrations' triggers (an up-to-date store needs none)."""

PROBE = """
import contextlib, io, json, sys
from labeler.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:], standalone_mode=False)
    except (SystemExit, Exception):  # a usage error still imported what it needed
        pass
names = json.loads(sys.stdin.read())
print(json.dumps(sorted(m for m in names if m in sys.modules)))
"""


def loaded_after(names: tuple[str, ...], *args: str) -> list[str]:
    """Which of ``names`` a command line imports (run in a fresh interpreter)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=json.dumps(names),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_info_imports_only_the_shared_path(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    create_store(store, Actor(name="t", account="t", on_trust=False)).close()
    assert loaded_after(NOT_AT_START, "info", str(store)) == []
    assert loaded_after(NOT_AT_START, "info", str(store), "--json") == []
    # the probe sees what a command imports: info's own SQL; serve's --slice filters
    assert loaded_after(("labeler.store.store_info",), "info", str(store)) == [
        "labeler.store.store_info"
    ]
    assert loaded_after(("labeler.slice_filter",), "serve", "--help") == ["labeler.slice_filter"]


SCREEN_MODULES = (
    "labeler.tui.app",
    "labeler.tui.resolve_app",
    "labeler.tui.resolve_screen",
    "labeler.cli.web_session",
)
"""What a ``labeler serve`` warm spare imports before its browser arrives, and the review and
resolve screens: every session process holds them."""


def test_the_screens_do_without_numpy() -> None:
    """numpy is about 12 MB of every session process (issue 15: at most 60 MB a session): the
    screens must not import it, directly or through a store module that uses it. A resolve
    screen that took ``data_version`` from ``labeler.store.reports`` did: 49.7 -> 61.5 MB a
    ``labeler serve`` session (``benchmarks/bench_serve.py``)."""
    probe = (
        "import importlib, sys\n"
        f"for name in {SCREEN_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print('numpy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
