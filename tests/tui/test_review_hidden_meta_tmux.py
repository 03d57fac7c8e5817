"""Blind to version with the installed command in a real terminal (tmux on a private socket):
``labeler settings --set hidden_meta=...``, then ``labeler review``; no screen and no byte written
to the terminal holds a hidden field, before or after labeling."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import CaseDict
from terminal_run import installed_labeler
from tmux_terminal import TmuxTerminal, needs_tmux

from labeler.store import Store

pytestmark = needs_tmux
SECRETS = ("PV-SECRET-8", "PV-SECRET-7", "MODEL-SECRET-NEW", "MODEL-SECRET-OLD", "prompt_version")


def wait_for_ticket(terminal: TmuxTerminal, unlike: str | None = None) -> tuple[str, str]:
    """Wait until a case's ticket is shown (another one than ``unlike``): (ticket, screen).

    The queue walks the store's random order, so which ticket comes next is not known."""

    def ticket(shown: str) -> str | None:
        found = re.search(r"TICKET-\d+", shown)
        return found.group(0) if found else None

    shown = terminal.wait_for(
        lambda s: ticket(s) not in (None, unlike), "a new ticket on the screen", 20.0
    )
    return str(ticket(shown)), shown


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[TmuxTerminal]:
    env = {**os.environ, "TERM": "xterm-256color"}
    terminal = TmuxTerminal.on_new_server(tmp_path / "tmux", "labeler-blind", env=env)
    try:
        yield terminal
    finally:
        terminal.kill()


def test_hidden_meta_never_reaches_the_terminal(
    tmp_path: Path,
    terminal: TmuxTerminal,
    make_store: Callable[..., Store],
    make_cases: Callable[..., list[CaseDict]],
) -> None:
    labeler = installed_labeler()
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
        [labeler, "settings", str(store.path), "--set", "hidden_meta=model,prompt_version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert settings.returncode == 0, settings.stderr
    raw_log = tmp_path / "terminal.raw"
    terminal.start(
        [labeler, "review", store.path, "--reviewer", "tmuxer"],
        width=160,
        height=45,
        wait_for_enter=True,
    )
    terminal.record(raw_log)
    terminal.keys("Enter")
    first, screen = wait_for_ticket(terminal)
    screens, seen = [screen], [first]
    for _ in range(3):
        terminal.keys("j")
        ticket, screen = wait_for_ticket(terminal, unlike=seen[-1])
        screens.append(screen)
        seen.append(ticket)
    for _ in range(3):  # back to the first case, label it, and look at it again (with hints)
        terminal.keys("k")
    terminal.wait_for_text(first)
    terminal.keys("9")
    ticket, screen = wait_for_ticket(terminal, unlike=first)
    screens.append(screen)
    terminal.keys("k")
    screens.append(terminal.wait_for_text(first))
    terminal.keys("q")
    assert terminal.exit_status() == "0", terminal.screen()
    written = raw_log.read_bytes().decode("utf-8", errors="replace")
    assert first in written
    for text in (*screens, written):
        for secret in SECRETS:
            assert secret not in text, secret
