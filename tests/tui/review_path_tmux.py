"""Drive the installed ``labeler review`` in a real terminal (tmux on a private socket).

Used by the ``test_review_path*`` tmux tests: start the command in a 120x40 pane, send keys,
wait for what the header shows, read the exit status, then let the test check the store with
SQL. A thin layer over ``tmux_terminal.TmuxTerminal``; skipped where tmux is missing (CI
installs it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from terminal_run import installed_labeler
from tmux_terminal import END_OF_QUEUE, TmuxTerminal, pane_env, shown_case
from tmux_terminal import needs_tmux as needs_tmux

from labeler.store import Store

PENDING = ("not saved yet", "still saving", "still waiting")
"""What the review screen shows while a label is not stored yet."""


class ReviewTerminal:
    """``labeler review`` in a 120x40 terminal of its own (a private tmux server)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.terminal = TmuxTerminal.on_new_server(folder, "labeler-path", timeout=20)

    def start(self, store: Path, reviewer: str, *extra: str) -> None:
        """Run ``labeler review STORE --reviewer NAME`` (in the same pane on each call)."""
        # Import order: the cases these tests name come one after the other.
        command = [installed_labeler(), "review", str(store), "--reviewer", reviewer]
        self.terminal.start([*command, "--order", "import", *extra], env=pane_env(self.folder))

    def screen(self) -> str:
        """The pane as plain text."""
        return self.terminal.screen()

    def keys(self, *keys: str) -> None:
        """Send keys (tmux key names, or literal text)."""
        self.terminal.keys(*keys)

    def text(self, text: str) -> None:
        """Type ``text`` literally."""
        self.terminal.type_text(text)

    def wait_for(
        self,
        predicate: Callable[[str], bool],
        timeout: float = 20,
        what: str = "the screen to change",
    ) -> str:
        """Poll the screen until ``predicate`` holds; fail showing the screen."""
        return self.terminal.wait_for(predicate, what, timeout)

    def wait_for_text(self, text: str, timeout: float = 20) -> str:
        """Wait until ``text`` is on screen."""
        return self.terminal.wait_for_text(text, timeout)

    def shown_case(self) -> str | None:
        """The case id in the header now (None when no case is shown)."""
        return _case_in(self.screen())

    def wait_for_case(self, case_id: str, timeout: float = 20) -> str:
        """Wait until the header shows ``case_id``."""
        return self.wait_for(lambda s: _case_in(s) == case_id, timeout, f"case {case_id}")

    def press_and_wait_for_move(self, key: str, leaving: str, timeout: float = 20) -> str:
        """Press ``key`` on case ``leaving``; wait until the header shows another case (or no
        case); the case shown then ("" for none). A frame with no header drawn is not a move."""
        self.keys(key)
        shown = self.wait_for(
            lambda s: shown_case(s) not in (None, leaving), timeout, f"{key} to leave {leaving}"
        )
        return _case_in(shown) or ""

    def quit(self) -> str:
        """Wait until no label is still being saved, press q, and wait for the command to end;
        its exit status. (On a loaded machine a label can take longer than the screen waits
        for it; q then asks to wait, and is pressed again once the label is stored.)"""
        for _ in range(3):
            self.wait_for(lambda s: not any(p in s for p in PENDING), what="every label saved")
            self.keys("q")
            ended = self.wait_for(
                lambda s: self.terminal.ended() or _asks_to_wait(s), 30, "q to be answered"
            )
            if self.terminal.ended() or not _asks_to_wait(ended):
                break
        return self.exit_status()

    def exit_status(self, timeout: float = 20) -> str:
        """Wait for the command to end; its exit status."""
        return self.terminal.exit_status(timeout)

    def kill(self) -> None:
        """Stop this terminal's tmux server."""
        self.terminal.kill()


def _asks_to_wait(screen: str) -> bool:
    """Whether q was answered with "labels are still waiting for the store" (a toast, which
    may wrap anywhere: two short pieces of it)."""
    return "still waiting" in screen or "q again" in screen


def _case_in(screen: str) -> str | None:
    """The case id in the header (None when no case is shown)."""
    case = shown_case(screen)
    return None if case == END_OF_QUEUE else case


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
