"""The installed ``labeler review`` command in a real terminal (tmux): label a few cases with
``send-keys``, quit, and check the store, the terminal's title and clipboard, and every byte the
app wrote to the terminal (recorded with ``pipe-pane``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import CaseDict
from terminal_run import installed_labeler
from tmux_terminal import TmuxTerminal, needs_tmux

from labeler.identity import os_account
from labeler.store import Store, open_store
from labeler.taxonomy import read_taxonomy

pytestmark = needs_tmux

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


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[TmuxTerminal]:
    env = {**os.environ, "TERM": "xterm-256color"}
    terminal = TmuxTerminal.on_new_server(tmp_path / "tmux", env=env)
    try:
        yield terminal
    finally:
        terminal.kill()


def test_labeler_review_in_a_real_terminal(
    tmp_path: Path,
    terminal: TmuxTerminal,
    make_store: Callable[..., Store],
    hostile_records: list[CaseDict],
) -> None:
    labeler = installed_labeler()
    records = hostile_records + EXTRA_CASES
    store = make_store(records, name="tmux.db")
    shortcuts = {b.shortcut: b.key for b in read_taxonomy(store).buckets}
    store.close()
    raw_log = tmp_path / "terminal.raw"
    # The command waits for Enter, so that the recording is on before the app starts; the
    # pane stays once it ended, so that it can still be inspected.
    terminal.start(
        [labeler, "review", store.path, "--reviewer", "tmuxer", "--order", "import"],
        wait_for_enter=True,
    )
    terminal.server.run("set-option", "-g", "set-clipboard", "on")
    title_before = terminal.display("#{pane_title}")
    terminal.record(raw_log)
    terminal.keys("Enter")

    terminal.wait_for_text("Wrong intent")  # the bucket bar is drawn
    terminal.wait_for_text(records[0]["id"])
    terminal.keys("1")
    terminal.wait_for_text(records[1]["id"])
    terminal.keys("2")
    terminal.wait_for_text(records[2]["id"])
    screens = {}
    for record in records[3:]:
        terminal.keys("j")
        screens[record["id"]] = terminal.wait_for_text(str(record["id"]))
    assert "␛]0;PWNED-TITLE␇" in screens["term-title"]  # the escape drawn as stand-ins
    colours = terminal.server.run("capture-pane", "-p", "-e", "-t", terminal.session)
    terminal.keys("q")
    assert terminal.exit_status() == "0", terminal.screen()

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
    assert terminal.display("#{pane_title}") == title_before
    assert terminal.server.run("list-buffers") == ""
    assert "\x1b]" not in colours and "\x9b" not in colours
    written = raw_log.read_bytes()
    assert "␛".encode() in written  # the stand-ins were drawn
    for sequence in FORBIDDEN:
        assert sequence not in written, f"{sequence!r} reached the terminal"
