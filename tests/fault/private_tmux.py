"""One ``labeler review`` screen in a 120x40 terminal: tmux on a private socket (its own server,
killed at the end), the command's exit status written to a file by a shell around it."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

TMUX = shutil.which("tmux")


class ScreenEnded(AssertionError):
    """The screen's command ended while we waited for something on it."""


class Screen:
    """A command in its own tmux server; ``text()`` is what the terminal shows."""

    def __init__(self, folder: Path) -> None:
        assert TMUX is not None, "tmux is not installed"
        self.folder = folder
        self.socket = f"labeler-fault-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = folder / "tmux.conf"
        self.config.write_text(
            "set-option -g remain-on-exit on\nset-option -g status off\n", encoding="utf-8"
        )
        self.status_file = folder / f"{self.socket}.exit"

    def tmux(self, *args: str, check: bool = True) -> str:
        assert TMUX is not None
        env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
        done = subprocess.run(
            [TMUX, "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            errors="replace",
            env=env,
            timeout=30,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def start(self, argv: Sequence[str | Path], env: dict[str, str] | None = None) -> None:
        """Run ``argv`` (with ``env`` added to tmux's environment) in a 120x40 window."""
        wrapper = f'"$@"; echo $? > {shlex.quote(str(self.status_file))}'
        command = ["sh", "-c", wrapper, "sh", *[str(a) for a in argv]]
        extra = [arg for k, v in (env or {}).items() for arg in ("-e", f"{k}={v}")]
        self.tmux(
            "new-session", "-d", "-s", "main", "-x", "120", "-y", "40", *extra,
            shlex.join(command),
        )  # fmt: skip

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main", check=False)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "main", *keys)

    def ended(self) -> bool:
        return self.status_file.exists() and self.status_file.read_text().endswith("\n")

    def wait(self, predicate: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        """Poll the screen until ``predicate`` holds; fail with the screen shown."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if predicate(text):
                return text
            if self.ended():
                text = self.text()
                if predicate(text):
                    return text
                raise ScreenEnded(
                    f"the screen ended (exit {self.status_file.read_text().strip()}) while "
                    f"waiting for {what}:\n{text}"
                )
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}:\n{text}")

    def exit_status(self, timeout: float = 30) -> str:
        """Wait for the command to end; its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ended():
                return self.status_file.read_text().strip()
            time.sleep(0.05)
        raise AssertionError(f"the command did not end; the screen:\n{self.text()}")

    def kill(self) -> None:
        """Stop the server (and the command in it); remove its socket file."""
        socket_path = self.tmux("display-message", "-p", "#{socket_path}", check=False).strip()
        self.tmux("kill-server", check=False)
        if socket_path.endswith(self.socket):
            Path(socket_path).unlink(missing_ok=True)


def header(text: str) -> str:
    """The screen's first line (``3 / 20   case c2  ·  0 labels``)."""
    return text.split("\n", 1)[0]


def status_line(text: str) -> str:
    """The status line: the row above the footer's key list."""
    lines = text.rstrip("\n").split("\n")
    for n in range(len(lines) - 1, 0, -1):
        if "q Quit" in lines[n]:
            return lines[n - 1].strip()
    return ""


def shown_case(text: str) -> str | None:
    """The id of the case on screen, from the header."""
    parts = header(text).split()
    if "case" in parts and parts.index("case") + 1 < len(parts):
        return parts[parts.index("case") + 1]
    return None
