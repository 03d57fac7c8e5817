"""The installed ``labeler review`` command in a real terminal (tmux): label a few cases with
``send-keys``, quit, and check the store, the terminal's title and clipboard, and every byte the
app wrote to the terminal (recorded with ``pipe-pane``)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import CaseDict

from labeler.identity import os_account
from labeler.store import Store, open_store
from labeler.taxonomy import read_taxonomy

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)"
)

LABELER = Path(sys.executable).parent / "labeler"
OSC52 = "\x1b]52;c;ZXZpbA==\x07"

EXTRA_CASES: list[CaseDict] = [
    {"id": "term-osc52", "input": "copy", "output": f"clip {OSC52} board"},
    {"id": "term-title", "input": "title \x1b]0;PWNED-TITLE\x07 here", "output": "ok"},
    {"id": "term-clear", "input": "wipe\x1b[2J\x1b[H all", "output": "c1 \x9b31m csi"},
    {
        "id": "term-link",
        "input": "link",
        "output": "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\",
    },
]

# Byte strings that would mean case text reached the terminal as it is.
FORBIDDEN = [
    b"\x1b]52;",
    b"ZXZpbA==\x07",
    b"\x1b]0;PWNED",
    b"\x1b]2;new window title",
    b"\x1b]8;;https://evil",
    b"\x1b[31mREFUND",
    b"\x1b[2J\x1b[H all",
    "\x9b".encode(),
    b"\x9b31m",
    b"\x00",
]


class Tmux:
    """A private tmux server (its own socket), killed at the end."""

    def __init__(self) -> None:
        self.socket = f"labeler-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "TERM": "xterm-256color"}
        self.env.pop("TMUX", None)

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=20,
            check=True,
        )
        return done.stdout

    def screen(self, target: str) -> str:
        return self("capture-pane", "-p", "-t", target)

    def wait_for(self, target: str, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen(target)
            if text in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear on screen; it shows:\n{shown}")

    def kill(self) -> None:
        """Stop this server and remove its socket file (tmux leaves it behind)."""
        found = subprocess.run(
            ["tmux", "-L", self.socket, "display-message", "-p", "#{socket_path}"],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=20,
            check=False,
        )
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"],
            capture_output=True,
            env=self.env,
            timeout=20,
            check=False,
        )
        socket_path = found.stdout.strip()
        if socket_path.endswith(self.socket):
            Path(socket_path).unlink(missing_ok=True)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux()
    try:
        yield server
    finally:
        server.kill()


def test_labeler_review_in_a_real_terminal(
    tmp_path: Path,
    tmux: Tmux,
    make_store: Callable[..., Store],
    hostile_records: list[CaseDict],
) -> None:
    assert LABELER.is_file(), f"the labeler command is not installed next to {sys.executable}"
    records = hostile_records + EXTRA_CASES
    store = make_store(records, name="tmux.db")
    shortcuts = {b.shortcut: b.key for b in read_taxonomy(store).buckets}
    store.close()
    raw_log = tmp_path / "terminal.raw"
    command = shlex.join(
        [str(LABELER), "review", str(store.path), "--reviewer", "tmuxer", "--order", "import"]
    )
    target = "review"
    # A shell that waits for Enter (so that the recording is on before the app starts), runs
    # the app, then shows its exit status and stays (so the pane can still be inspected).
    script = f"read _; {command}; echo labeler-exit-$?; exec sleep 600"
    tmux("-f", "/dev/null", "new-session", "-d", "-s", target, "-x", "120", "-y", "40", script)
    tmux("set-option", "-g", "set-clipboard", "on")
    title_before = tmux("display-message", "-p", "-t", target, "#{pane_title}")
    tmux("pipe-pane", "-t", target, f"cat > {shlex.quote(str(raw_log))}")
    tmux("send-keys", "-t", target, "Enter")

    tmux.wait_for(target, "Wrong intent")  # the bucket bar is drawn
    tmux.wait_for(target, records[0]["id"])
    tmux("send-keys", "-t", target, "1")
    tmux.wait_for(target, records[1]["id"])
    tmux("send-keys", "-t", target, "2")
    tmux.wait_for(target, records[2]["id"])
    screens = {}
    for record in records[3:]:
        tmux("send-keys", "-t", target, "j")
        screens[record["id"]] = tmux.wait_for(target, str(record["id"]))
    assert "␛]0;PWNED-TITLE␇" in screens["term-title"]  # the escape drawn as stand-ins
    colours = tmux("capture-pane", "-p", "-e", "-t", target)
    tmux("send-keys", "-t", target, "q")
    shown = tmux.wait_for(target, "labeler-exit-")
    assert "labeler-exit-0" in shown, shown

    # The labels are in the store, under the display name and the OS account.
    with open_store(store.path) as after:
        rows = after.query(
            "SELECT c.case_id, l.reviewer, l.account, l.bucket FROM labels l"
            " JOIN cases c ON c.seq = l.case_seq ORDER BY l.case_seq"
        )
        labels = [tuple(r) for r in rows]
    assert labels == [
        (records[0]["id"], "tmuxer", os_account(), shortcuts["1"]),
        (records[1]["id"], "tmuxer", os_account(), shortcuts["2"]),
    ]

    # Nothing from the cases talked to the terminal: no title, no clipboard, no raw escapes.
    assert tmux("display-message", "-p", "-t", target, "#{pane_title}") == title_before
    assert tmux("list-buffers") == ""
    assert "\x1b]" not in colours and "\x9b" not in colours
    written = raw_log.read_bytes()
    assert "␛".encode() in written  # the stand-ins were drawn
    for sequence in FORBIDDEN:
        assert sequence not in written, f"{sequence!r} reached the terminal"
