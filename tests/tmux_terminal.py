"""A command in a real terminal for the tests: tmux on a private socket.

:class:`TmuxServer` is one tmux server with a socket and a config of its own (``kill`` stops it
and removes the socket file). :class:`TmuxTerminal` is one session of it: a pane of a given size
running one command, whose screen the test reads (``capture-pane``) and types on
(``send-keys``). tmux sometimes loses a dead pane's exit status, so a shell around the command
writes it to a file; the dead pane stays (``remain-on-exit``), so its last screen can be read.

The screen parsers (:func:`header`, :func:`shown_case`, :func:`status_line`) read what the
review and resolve screens draw. Nothing here imports ``labeler``: the tests drive the
installed command as a user runs it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")

CONFIG = "set-option -g remain-on-exit on\nset-option -g status off\n"
"""Keep a dead pane (its last screen stays readable); no status bar (the pane is the window)."""

END_OF_QUEUE = "<end of queue>"
"""What :func:`shown_case` returns for a header that shows no case."""


def pane_env(home: Path) -> dict[str, str]:
    """For :meth:`TmuxTerminal.start`: our PATH, ``home`` as HOME, a UTF-8 256-colour terminal."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }


class ScreenEnded(AssertionError):
    """The terminal's command ended while we waited for something on its screen."""


class TmuxServer:
    """A tmux server on a private socket, started by its first session.

    ``env`` is the environment of the tmux commands, which the server (and so every pane)
    inherits; default: ours. Either way without ``TMUX`` and ``TMUX_PANE``.
    """

    def __init__(
        self, folder: Path, name: str = "labeler-test", env: Mapping[str, str] | None = None
    ) -> None:
        assert TMUX is not None, "tmux is not installed"
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.socket = f"{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = folder / "tmux.conf"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.env = {
            key: value
            for key, value in (os.environ if env is None else env).items()
            if key not in ("TMUX", "TMUX_PANE")
        }

    def run(self, *args: str, check: bool = True) -> str:
        """Run one tmux command against this server; its standard output."""
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            errors="replace",
            env=self.env,
            timeout=30,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def kill(self) -> None:
        """Stop the server (and every command in it); remove its socket file, which tmux leaves
        behind (also when the server ended by itself with its last session)."""
        socket_path = self.run("display-message", "-p", "#{socket_path}", check=False).strip()
        self.run("kill-server", check=False)
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        for path in {Path(socket_path) if socket_path else None, folder / self.socket}:
            if path is not None and path.name == self.socket:
                path.unlink(missing_ok=True)


class TmuxTerminal:
    """One session of a :class:`TmuxServer`: a pane that runs one command at a time.

    ``timeout`` is the default bound of :meth:`wait_for` and :meth:`exit_status` (a liveness
    bound, not a speed check); ``poll`` how often they look.
    """

    def __init__(
        self,
        server: TmuxServer,
        session: str = "main",
        *,
        timeout: float = 20.0,
        poll: float = 0.05,
    ) -> None:
        self.server = server
        self.session = session
        self.timeout = timeout
        self.poll = poll
        self.runs = 0
        self.status_file = server.folder / f"{server.socket}-{session}-0.exit"

    @classmethod
    def on_new_server(
        cls,
        folder: Path,
        name: str = "labeler-test",
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 20.0,
    ) -> TmuxTerminal:
        """A terminal on a server of its own (see :class:`TmuxServer`); :meth:`kill` stops it."""
        return cls(TmuxServer(folder, name, env), timeout=timeout)

    def start(
        self,
        argv: Sequence[str | Path],
        *,
        env: Mapping[str, str] | None = None,
        width: int = 120,
        height: int = 40,
        wait_for_enter: bool = False,
    ) -> None:
        """Run ``argv`` in a ``width`` x ``height`` pane, ``env`` added to its environment.

        Called again, it runs the new command in the same pane (its size unchanged). With
        ``wait_for_enter`` the command starts once Enter is sent, so that tmux can be set up
        first (:meth:`record`).
        """
        self.runs += 1
        self.status_file = (
            self.server.folder / f"{self.server.socket}-{self.session}-{self.runs}.exit"
        )
        wait = "read _; " if wait_for_enter else ""
        wrapper = f'{wait}"$@"; echo $? > {shlex.quote(str(self.status_file))}'
        shell = shlex.join(["sh", "-c", wrapper, "sh", *[str(a) for a in argv]])
        extra = [arg for key, value in (env or {}).items() for arg in ("-e", f"{key}={value}")]
        if self.runs == 1:
            size = ["-x", str(width), "-y", str(height)]
            self.server.run("new-session", "-d", "-s", self.session, *size, *extra, shell)
        else:  # the pane of the last run is dead (remain-on-exit): run again in it
            self.server.run("respawn-pane", "-k", "-t", self.session, *extra, shell)

    def screen(self) -> str:
        """The pane as plain text."""
        return self.server.run("capture-pane", "-p", "-t", self.session, check=False)

    def keys(self, *keys: str) -> None:
        """Send keys (tmux key names such as ``Enter``, or text)."""
        self.server.run("send-keys", "-t", self.session, *keys)

    def type_text(self, text: str) -> None:
        """Type ``text`` literally (no key names)."""
        self.server.run("send-keys", "-t", self.session, "-l", text)

    def display(self, fmt: str, check: bool = True) -> str:
        """A tmux format of the pane (``#{pane_title}``)."""
        return self.server.run(
            "display-message", "-p", "-t", self.session, fmt, check=check
        ).strip()

    def record(self, path: Path) -> None:
        """Copy every byte the command writes to the terminal into ``path`` from now on."""
        self.server.run("pipe-pane", "-t", self.session, f"cat > {shlex.quote(str(path))}")

    def ended(self) -> bool:
        """Whether the command started last has ended."""
        return self.status_file.exists() and self.status_file.read_text().endswith("\n")

    def wait_for(
        self, predicate: Callable[[str], bool], what: str, timeout: float | None = None
    ) -> str:
        """Poll the screen until ``predicate`` holds; the screen then. Fails with the screen
        shown after ``timeout`` s, or (:class:`ScreenEnded`) once the command ended."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if predicate(shown):
                return shown
            if self.ended():
                shown = self.screen()
                if predicate(shown):
                    return shown
                status = self.status_file.read_text().strip()
                crashed = " with a traceback" if "Traceback" in shown else ""
                raise ScreenEnded(
                    f"{self.session}: the command ended (exit status {status}){crashed} while "
                    f"waiting for {what}; its screen:\n{shown}"
                )
            time.sleep(self.poll)
        raise AssertionError(
            f"{self.session}: timed out after {timeout:.0f} s waiting for {what}; "
            f"the screen:\n{shown}"
        )

    def wait_for_text(self, text: str, timeout: float | None = None) -> str:
        """Wait until ``text`` is on the screen."""
        return self.wait_for(lambda shown: text in shown, f"{text!r} on the screen", timeout)

    def exit_status(self, timeout: float | None = None) -> str:
        """Wait for the command to end, and for tmux to have drawn (and recorded) all it wrote;
        its exit status, as the shell around it wrote it ("137" after SIGKILL)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while time.monotonic() < deadline:
            if self.ended() and self.display("#{pane_dead}", check=False) == "1":
                return self.status_file.read_text().strip()
            time.sleep(self.poll)
        raise AssertionError(
            f"{self.session}: the command did not end; its screen:\n{self.screen()}"
        )

    def command_pid(self, timeout: float = 10.0) -> int:
        """The pid of the command (the only child of the shell around it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shell = self.display("#{pane_pid}", check=False)
            if shell.isdigit():
                try:
                    found = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
                except OSError:
                    found = []
                if found:
                    return int(found[0])
            time.sleep(0.02)
        raise AssertionError(f"{self.session}: no command process found")

    def close(self) -> None:
        """End this session (and its command, if it still runs)."""
        self.server.run("kill-session", "-t", self.session, check=False)

    def kill(self) -> None:
        """Stop the whole server this terminal runs on (see :meth:`TmuxServer.kill`)."""
        self.server.kill()


# -- what the screens draw -------------------------------------------------------------------

_CASE_IN_HEADER = re.compile(
    r"^\s*(?:resolved\s+)?[\d,]+ / \S+\s+(?:revisit\s+)?(?:case (\S+)\s|no case)"
)
"""``  3 / 20   case c-0002  ·  0 labels``, ``  20 / 20   no case``, ``  resolved 1 / 34  case``…"""


def header(text: str) -> str:
    """The screen's first line: the header's row of position and case."""
    return text.split("\n", 1)[0]


def shown_case(text: str) -> str | None:
    """The case id in the header (:data:`END_OF_QUEUE` for "no case"), or None if no header is
    drawn (yet)."""
    found = _CASE_IN_HEADER.match(header(text))
    if found is None:
        return None
    return found.group(1) or END_OF_QUEUE


def status_line(text: str) -> str:
    """The status line: the row above the footer's key list (empty if there is no footer)."""
    lines = text.rstrip("\n").split("\n")
    for n in range(len(lines) - 1, 0, -1):
        if "q Quit" in lines[n]:
            return lines[n - 1].strip()
    return ""
