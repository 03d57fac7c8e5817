"""The elapsed-time ticker keeps printing while SQLite works, and erases its line at the end."""

from __future__ import annotations

import io
import sqlite3

import pytest

from labeler.cli.common import ElapsedTicker, ProgressBar, migration_ticker

SLOW_QUERY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000)"
    " SELECT count(*) FROM c"
)


def test_the_ticker_prints_while_a_long_sqlite_call_runs_then_erases_its_line() -> None:
    stream = io.StringIO()
    conn = sqlite3.connect(":memory:")
    with ElapsedTicker("reading every page", stream=stream, interval=0.02):
        assert conn.execute(SLOW_QUERY).fetchone()[0] == 3_000_000
    written = stream.getvalue()
    ticks = written.count("reading every page… ")
    assert ticks >= 2, written  # it kept going while SQLite held the main thread
    assert written.endswith("\r")
    last_line = written.rstrip("\r").split("\r")[-1]
    assert last_line.strip() == ""  # the line was blanked out


def test_a_quick_call_prints_nothing() -> None:
    stream = io.StringIO()
    with ElapsedTicker("checking", stream=stream, interval=5):
        pass
    assert stream.getvalue() == ""


def test_a_progress_bar_ends_once_even_if_told_again(capsys: pytest.CaptureFixture[str]) -> None:
    """Import reports "all done" once more after its write phase reached the end."""
    with ProgressBar("importing", enabled=True) as bar:
        assert bar.callback is bar
        for done in (0, 5, 10, 10):
            bar(done, 10)
    assert capsys.readouterr().err.count("importing") == 1


def test_a_disabled_progress_bar_asks_for_no_progress() -> None:
    with ProgressBar("exporting", enabled=False) as bar:
        assert bar.callback is None


def test_a_migration_shows_its_schema_versions_on_a_terminal_only() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    conn = sqlite3.connect(":memory:")
    terminal = Terminal()
    with migration_ticker(4, 6, terminal, interval=0.02):
        conn.execute(SLOW_QUERY).fetchone()
    assert "upgrading the store from schema 4 to 6 (once)… " in terminal.getvalue()

    pipe = io.StringIO()  # not a terminal: nothing shown
    with migration_ticker(4, 6, pipe, interval=0.02):
        conn.execute(SLOW_QUERY).fetchone()
    assert pipe.getvalue() == ""
