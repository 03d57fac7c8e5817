"""The installed ``labeler resolve`` in a real terminal: tmux on a private socket sends the keys,
the store is checked afterwards. Skipped only when tmux is missing (CI installs it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from resolve_helpers import demo_store, expected_queue, resolution_rows, reviewer_buckets
from terminal_run import installed_labeler
from tmux_terminal import TmuxTerminal, needs_tmux, pane_env, shown_case

from labeler.identity import os_account
from labeler.store import open_store

pytestmark = needs_tmux


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[TmuxTerminal]:
    t = TmuxTerminal.on_new_server(tmp_path / "tmux", "labeler-resolve", timeout=15)
    yield t
    t.kill()


def test_installed_command_resolves_cases_in_a_real_terminal(
    tmux: TmuxTerminal, tmp_path: Path
) -> None:
    store = demo_store(tmp_path / "demo")
    first, second, third = expected_queue(store)[:3]
    path = store.path
    store.close()
    tmux.start(
        [installed_labeler(), "resolve", str(path), "--reviewer", "tmuxres"],
        env=pane_env(tmp_path),
    )
    tmux.wait_for(lambda s: "resolved 0 / 34" in s, "resolved 0 / 34")

    def resolved(n: int) -> Callable[[str], bool]:
        return lambda s: f"resolved {n} / 34" in s

    for key, done in (("a", 1), ("b", 2), ("x", 3)):
        tmux.keys(key)
        tmux.wait_for(resolved(done), f"resolved {done} / 34")
    tmux.keys("q")
    assert tmux.exit_status() == "0", tmux.screen()
    after = tmux.screen()
    assert "Traceback" not in after and "Error" not in after
    with open_store(path) as reopened:
        rows = resolution_rows(reopened)
        buckets = {seq: reviewer_buckets(reopened, seq) for seq in (first, second)}
        integrity = reopened.query("PRAGMA integrity_check")[0][0]
    assert sorted(rows) == [first, second, third]
    assert [rows[s]["method"] for s in (first, second, third)] == ["took_a", "took_b", "unclear"]
    assert rows[first]["bucket"] == buckets[first][0]
    assert rows[second]["bucket"] == buckets[second][1]
    assert rows[third]["bucket"] is None
    assert {r["resolver"] for r in rows.values()} == {"tmuxres"}
    assert {r["account"] for r in rows.values()} == {os_account()}
    assert integrity == "ok"


def case_ids(path: Path, seqs: list[int]) -> list[str]:
    """The case ids of these internal numbers."""
    with open_store(path) as store:
        ids = {int(r[0]): str(r[1]) for r in store.query("SELECT seq, case_id FROM cases")}
    return [ids[seq] for seq in seqs]


def shows_case(case_id: str) -> Callable[[str], bool]:
    """True when the header shows this case."""
    return lambda screen: shown_case(screen) == case_id


def test_installed_command_wraps_and_goes_to_the_next_open_case(
    tmux: TmuxTerminal, tmp_path: Path
) -> None:
    """Issue 12, point 4: past the last disagreement j wraps to the first open one (it does not
    say it is finished); after a decision the next case is the next open one, not a case of
    the history that is resolved already."""
    store = demo_store(tmp_path / "demo")
    queue = expected_queue(store)
    path = store.path
    store.close()
    first, second, third = case_ids(path, queue[:3])
    last = case_ids(path, queue[-1:])[0]
    tmux.start(
        [installed_labeler(), "resolve", str(path), "--reviewer", "tmuxres"],
        env=pane_env(tmp_path),
    )
    tmux.wait_for(
        lambda s: "resolved 0 / 34" in s and shows_case(first)(s), f"resolved 0 / 34 on {first}"
    )
    for _ in range(len(queue) - 1):
        tmux.keys("j")
    tmux.wait_for(shows_case(last), f"the last open case {last}")
    tmux.keys("j")  # past the last disagreement
    screen = tmux.wait_for(
        lambda s: shows_case(first)(s) or "No disagreements left" in s,
        f"{first} again or the end",
    )
    assert shows_case(first)(screen), screen  # wrapped to the first open one
    assert "No disagreements left" not in screen
    tmux.keys("a")
    tmux.wait_for(
        lambda s: "resolved 1 / 34" in s and shows_case(second)(s), f"resolved 1 / 34 on {second}"
    )
    tmux.keys("a")
    tmux.wait_for(
        lambda s: "resolved 2 / 34" in s and shows_case(third)(s), f"resolved 2 / 34 on {third}"
    )
    tmux.keys("k", "k")
    tmux.wait_for(shows_case(first), f"back on {first}")
    tmux.keys("b")  # change the first case's decision
    screen = tmux.wait_for(
        lambda s: shown_case(s) not in (None, first), f"a case other than {first}"
    )
    assert shows_case(third)(screen), screen  # the second is resolved: on to the next open one
    assert "resolved 2 / 34" in screen
    tmux.keys("q")
    assert tmux.exit_status() == "0", tmux.screen()
    with open_store(path) as reopened:
        rows = resolution_rows(reopened)
    assert sorted(rows) == queue[:2]
    assert [rows[seq]["method"] for seq in queue[:2]] == ["took_b", "took_a"]


def test_installed_command_acts_on_keys_typed_ahead_in_order(
    tmux: TmuxTerminal, tmp_path: Path
) -> None:
    """Keys sent in one go (one tmux send-keys: they reach the terminal before the screen has
    drawn the next case) act in the order typed, each on the case the keys before it left."""
    store = demo_store(tmp_path / "demo")
    queue = expected_queue(store)
    path = store.path
    store.close()
    first = case_ids(path, queue[:1])[0]
    tmux.start(
        [installed_labeler(), "resolve", str(path), "--reviewer", "tmuxres"],
        env=pane_env(tmp_path),
    )
    tmux.wait_for(
        lambda s: "resolved 0 / 34" in s and shows_case(first)(s), f"resolved 0 / 34 on {first}"
    )
    tmux.keys("a", "j", "b", "x")  # take A's bucket, skip one, take B's, mark one unclear
    tmux.wait_for(lambda s: "resolved 3 / 34" in s, "resolved 3 / 34")
    tmux.keys("q")
    assert tmux.exit_status() == "0", tmux.screen()
    with open_store(path) as reopened:
        rows = resolution_rows(reopened)
        buckets = {seq: reviewer_buckets(reopened, seq) for seq in queue[:3]}
    assert sorted(rows) == [queue[0], queue[2], queue[3]]
    assert [rows[s]["method"] for s in (queue[0], queue[2], queue[3])] == [
        "took_a",
        "took_b",
        "unclear",
    ]
    assert rows[queue[0]]["bucket"] == buckets[queue[0]][0]
    assert rows[queue[2]]["bucket"] == buckets[queue[2]][1]
