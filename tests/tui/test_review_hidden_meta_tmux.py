"""Blind to version with the installed command in a real terminal (tmux on a private socket):
``labeler settings --set hidden_meta=...``, then ``labeler review``; no screen and no byte written
to the terminal holds a hidden field, before or after labeling."""

from __future__ import annotations

import os
import re
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

from labeler.store import Store

TMUX = shutil.which("tmux")
LABELER = Path(sys.executable).parent / "labeler"
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")
SECRETS = ("PV-SECRET-8", "PV-SECRET-7", "MODEL-SECRET-NEW", "MODEL-SECRET-OLD", "prompt_version")


class Tmux:
    """A private tmux server; ``kill`` stops it and removes its socket file."""

    def __init__(self) -> None:
        self.socket = f"labeler-blind-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "TERM": "xterm-256color"}
        self.env.pop("TMUX", None)

    def __call__(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=20,
            check=True,
        )
        return done.stdout

    def wait_for(self, target: str, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self("capture-pane", "-p", "-t", target)
            if text in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear on screen; it shows:\n{shown}")

    def wait_for_ticket(self, target: str, unlike: str | None = None) -> tuple[str, str]:
        """Wait until a case's ticket is shown (another one than ``unlike``): (ticket, screen).

        The queue walks the store's random order, so which ticket comes next is not known."""
        deadline = time.monotonic() + 20.0
        shown = ""
        while time.monotonic() < deadline:
            shown = self("capture-pane", "-p", "-t", target)
            found = re.search(r"TICKET-\d+", shown)
            if found and found.group(0) != unlike:
                return found.group(0), shown
            time.sleep(0.05)
        raise AssertionError(f"no new ticket appeared on screen; it shows:\n{shown}")

    def kill(self) -> None:
        assert TMUX is not None
        found = subprocess.run(
            [TMUX, "-L", self.socket, "display-message", "-p", "#{socket_path}"],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=20,
            check=False,
        )
        subprocess.run(
            [TMUX, "-L", self.socket, "kill-server"],
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


def test_hidden_meta_never_reaches_the_terminal(
    tmp_path: Path,
    tmux: Tmux,
    make_store: Callable[..., Store],
    make_cases: Callable[..., list[CaseDict]],
) -> None:
    assert LABELER.is_file(), f"the labeler command is not installed next to {sys.executable}"
    records = make_cases(4)
    for i, record in enumerate(records):
        new = i % 2 == 1
        record["meta"] = {
            "prompt_version": "PV-SECRET-8" if new else "PV-SECRET-7",
            "model": "MODEL-SECRET-NEW" if new else "MODEL-SECRET-OLD",
            "ticket": f"TICKET-{i}",
        }
    store = make_store(records, name="blind.db")
    store.close()
    settings = subprocess.run(
        [str(LABELER), "settings", str(store.path), "--set", "hidden_meta=model,prompt_version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert settings.returncode == 0, settings.stderr
    raw_log = tmp_path / "terminal.raw"
    command = shlex.join([str(LABELER), "review", str(store.path), "--reviewer", "tmuxer"])
    target = "blind"
    script = f"read _; {command}; echo labeler-exit-$?; exec sleep 600"
    tmux("-f", "/dev/null", "new-session", "-d", "-s", target, "-x", "160", "-y", "45", script)
    tmux("pipe-pane", "-t", target, f"cat > {shlex.quote(str(raw_log))}")
    tmux("send-keys", "-t", target, "Enter")
    first, screen = tmux.wait_for_ticket(target)
    screens, seen = [screen], [first]
    for _ in range(3):
        tmux("send-keys", "-t", target, "j")
        ticket, screen = tmux.wait_for_ticket(target, unlike=seen[-1])
        screens.append(screen)
        seen.append(ticket)
    for _ in range(3):  # back to the first case, label it, and look at it again (with hints)
        tmux("send-keys", "-t", target, "k")
    tmux.wait_for(target, first)
    tmux("send-keys", "-t", target, "9")
    ticket, screen = tmux.wait_for_ticket(target, unlike=first)
    screens.append(screen)
    tmux("send-keys", "-t", target, "k")
    screens.append(tmux.wait_for(target, first))
    tmux("send-keys", "-t", target, "q")
    shown = tmux.wait_for(target, "labeler-exit-")
    assert "labeler-exit-0" in shown, shown
    written = raw_log.read_bytes().decode("utf-8", errors="replace")
    assert first in written
    for text in (*screens, written):
        for secret in SECRETS:
            assert secret not in text, secret
