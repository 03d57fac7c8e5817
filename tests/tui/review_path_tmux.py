"""Drive the installed ``labeler review`` in a real terminal (tmux on a private socket).

Used by the ``test_review_path*`` tmux tests: start the command in a 120x40 pane, send keys,
wait for what the header shows, read the exit status, then let the test check the store with
SQL. Modelled on ``test_resolve_tmux.py``; skipped where tmux is missing (CI installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from labeler.store import Store

TMUX = shutil.which("tmux")
LABELER = Path(sys.executable).parent / "labeler"
needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")

PENDING = ("not saved yet", "still saving", "still waiting")
"""What the review screen shows while a label is not stored yet."""

HEADER_CASE = re.compile(r"^\s*\S+ / \S+\s+(?:revisit\s+)?case (\S+)", re.MULTILINE)
"""The header's first row: ``  3 / 10    case case-003  ·  0 labels``."""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


class ReviewTerminal:
    """One tmux server on a private socket, running ``labeler review`` in its one pane."""

    def __init__(self, folder: Path) -> None:
        self.socket = f"labeler-path-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        # Keep the pane after the command ends, so that its last screen can be read.
        self.config = folder / "tmux.conf"
        self.config.write_text("set-option -g remain-on-exit on\n", encoding="utf-8")
        self.runs = 0
        self.status_file = folder / "exit-status-0"

    def tmux(self, *args: str, check: bool = True) -> str:
        """Run one tmux command against this server; its standard output."""
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def start(self, store: Path, reviewer: str, *extra: str) -> None:
        """Run ``labeler review STORE --reviewer NAME`` (a new window on each call).

        tmux sometimes loses a dead pane's exit status, so a shell around the command writes
        it to a file.
        """
        assert LABELER.is_file(), f"the labeler command is not installed next to {sys.executable}"
        self.runs += 1
        self.status_file = self.folder / f"exit-status-{self.runs}"
        # Import order: the cases these tests name come one after the other.
        command = [str(LABELER), "review", str(store), "--reviewer", reviewer, "--order", "import"]
        command += extra
        wrapper = f'"$@"; echo $? > {_quote(str(self.status_file))}'
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.folder),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        shell = " ".join(_quote(part) for part in ["sh", "-c", wrapper, "sh", *command])
        env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
        if self.runs == 1:
            self.tmux("new-session", "-d", "-s", "main", "-x", "120", "-y", "40", *env_args, shell)
        else:  # the pane of the last run is dead (remain-on-exit): run again in it
            self.tmux("respawn-pane", "-k", "-t", "main", *env_args, shell)

    def screen(self) -> str:
        """The pane as plain text."""
        return self.tmux("capture-pane", "-p", "-t", "main", check=False)

    def keys(self, *keys: str) -> None:
        """Send keys (tmux key names, or literal text)."""
        self.tmux("send-keys", "-t", "main", *keys)

    def text(self, text: str) -> None:
        """Type ``text`` literally."""
        self.tmux("send-keys", "-t", "main", "-l", text)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 20) -> str:
        """Poll the screen until ``predicate`` holds; fail showing the screen."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if predicate(shown):
                return shown
            time.sleep(0.05)
        raise AssertionError(f"timed out; the screen was:\n{shown}")

    def wait_for_text(self, text: str, timeout: float = 20) -> str:
        """Wait until ``text`` is on screen."""
        return self.wait_for(lambda s: text in s, timeout)

    def shown_case(self) -> str | None:
        """The case id in the header now (None when no case is shown)."""
        found = HEADER_CASE.search(self.screen())
        return found.group(1) if found else None

    def wait_for_case(self, case_id: str, timeout: float = 20) -> str:
        """Wait until the header shows ``case_id``."""
        return self.wait_for(lambda s: _case_in(s) == case_id, timeout)

    def press_and_wait_for_move(self, key: str, leaving: str, timeout: float = 20) -> str:
        """Press ``key`` on case ``leaving``; wait until the header shows another case; the
        case shown then ("" for none)."""
        self.keys(key)
        shown = self.wait_for(lambda s: _case_in(s) != leaving, timeout)
        return _case_in(shown) or ""

    def quit(self) -> str:
        """Wait until no label is still being saved, press q, and wait for the command to end;
        its exit status. (On a loaded machine a label can take longer than the screen waits
        for it; q then asks to wait, and is pressed again once the label is stored.)"""
        for _ in range(3):
            self.wait_for(lambda s: not any(p in s for p in PENDING))
            self.keys("q")
            ended = self.wait_for(lambda s: self._ended() or _asks_to_wait(s), timeout=30)
            if self._ended() or not _asks_to_wait(ended):
                break
        return self.exit_status()

    def _ended(self) -> bool:
        return self.status_file.exists() and self.status_file.read_text().endswith("\n")

    def exit_status(self, timeout: float = 20) -> str:
        """Wait for the command to end; its exit status, as the wrapper shell wrote it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status_file.exists() and self.status_file.read_text().endswith("\n"):
                return self.status_file.read_text().strip()
            time.sleep(0.05)
        raise AssertionError(f"the command did not end; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        """Stop this server and remove its socket file (tmux leaves it behind)."""
        socket_path = self.tmux("display-message", "-p", "#{socket_path}", check=False).strip()
        self.tmux("kill-server", check=False)
        if socket_path.endswith(self.socket):
            Path(socket_path).unlink(missing_ok=True)


def _asks_to_wait(screen: str) -> bool:
    """Whether q was answered with "labels are still waiting for the store" (a toast, which
    may wrap anywhere: two short pieces of it)."""
    return "still waiting" in screen or "q again" in screen


def _case_in(screen: str) -> str | None:
    found = HEADER_CASE.search(screen)
    return found.group(1) if found else None


def stored_labels(store: Store, reviewer: str) -> dict[str, tuple[str, str | None]]:
    """``{case id: (bucket, note)}`` of one reviewer's labels, read with plain SQL."""
    rows = store.query(
        "SELECT c.case_id, l.bucket, l.note FROM labels l JOIN cases c ON c.seq = l.case_seq"
        " WHERE l.reviewer = ? ORDER BY l.case_seq",
        (reviewer,),
    )
    return {str(r[0]): (str(r[1]), r[2]) for r in rows}


def bucket_keys(store: Store) -> dict[str, str]:
    """``{shortcut: bucket key}`` of the store's taxonomy, read with plain SQL."""
    return {str(r[0]): str(r[1]) for r in store.query("SELECT shortcut, key FROM buckets")}
