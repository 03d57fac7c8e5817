"""The path through the review queue with the installed ``labeler review`` in a real terminal
(issue 12): one test per point of "The path through the queue" that concerns review, each
checked in the store afterwards with plain SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from review_path_tmux import ReviewTerminal, bucket_keys, needs_tmux, stored_labels

from labeler.store import Store, open_store

pytestmark = needs_tmux

REVIEWER = "tmuxer"
PROMPT_HINT = "Enter to save"
"""Shown by the note and go-to prompts (the footer's "Note" is always on screen)."""


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[ReviewTerminal]:
    server = ReviewTerminal(tmp_path / "tmux")
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def ten_cases(make_store: Callable[..., Store]) -> tuple[Path, dict[str, str]]:
    """A store of ``case-001`` .. ``case-010`` (closed again), and its ``{shortcut: bucket}``."""
    store = make_store(n=10, name="path.db")
    keys = bucket_keys(store)
    store.close()
    return store.path, keys


def labels_in(path: Path) -> dict[str, tuple[str, str | None]]:
    with open_store(path) as store:
        return stored_labels(store, REVIEWER)


def test_point_1_undo_then_a_new_label_goes_on_to_the_case_after_the_undone_one(
    terminal: ReviewTerminal, ten_cases: tuple[Path, dict[str, str]]
) -> None:
    path, bucket = ten_cases
    terminal.start(path, REVIEWER)
    terminal.wait_for_case("case-001")
    assert terminal.press_and_wait_for_move("1", "case-001") == "case-002"
    assert terminal.press_and_wait_for_move("u", "case-002") == "case-001"
    after_relabel = terminal.press_and_wait_for_move("2", "case-001")
    terminal.press_and_wait_for_move("3", after_relabel)
    assert terminal.quit() == "0", terminal.screen()
    assert labels_in(path) == {
        "case-001": (bucket["2"], None),
        "case-002": (bucket["3"], None),  # the case after the undone one, not skipped
    }
    assert after_relabel == "case-002"


def test_point_2_a_label_after_g_returns_to_the_case_left(
    terminal: ReviewTerminal, ten_cases: tuple[Path, dict[str, str]]
) -> None:
    path, bucket = ten_cases
    terminal.start(path, REVIEWER)
    terminal.wait_for_case("case-001")
    assert terminal.press_and_wait_for_move("j", "case-001") == "case-002"
    assert terminal.press_and_wait_for_move("j", "case-002") == "case-003"
    terminal.keys("g")
    terminal.wait_for_text("Go to case id")
    terminal.text("case-007")
    terminal.keys("Enter")
    terminal.wait_for_case("case-007")
    back_on = terminal.press_and_wait_for_move("4", "case-007")
    terminal.press_and_wait_for_move("5", back_on)
    assert terminal.quit() == "0", terminal.screen()
    assert labels_in(path) == {
        "case-003": (bucket["5"], None),  # the case left for g, labeled on coming back
        "case-007": (bucket["4"], None),
    }
    assert back_on == "case-003"


def test_point_3_reopening_resumes_at_the_first_case_not_labeled(
    terminal: ReviewTerminal, ten_cases: tuple[Path, dict[str, str]]
) -> None:
    path, bucket = ten_cases
    terminal.start(path, REVIEWER)
    terminal.wait_for_case("case-001")
    terminal.press_and_wait_for_move("1", "case-001")  # label 1, now on 2
    terminal.press_and_wait_for_move("j", "case-002")  # leave 2 for later, now on 3
    terminal.press_and_wait_for_move("1", "case-003")  # label 3, now on 4
    terminal.keys("g")
    terminal.wait_for_text("Go to case id")
    terminal.text("case-008")
    terminal.keys("Enter")
    terminal.wait_for_case("case-008")
    terminal.press_and_wait_for_move("1", "case-008")
    assert terminal.quit() == "0", terminal.screen()

    terminal.start(path, REVIEWER)
    shown = terminal.wait_for(lambda s: "case case-" in s)
    resumed_at = terminal.shown_case()
    assert resumed_at is not None, shown
    terminal.press_and_wait_for_move("2", resumed_at)
    assert terminal.quit() == "0", terminal.screen()
    labels = labels_in(path)
    assert labels.get("case-002") == (bucket["2"], None), labels
    assert resumed_at == "case-002"


def test_point_5_a_note_on_a_case_not_labeled_is_saved_with_its_label_or_asked_about(
    terminal: ReviewTerminal, ten_cases: tuple[Path, dict[str, str]]
) -> None:
    path, bucket = ten_cases
    terminal.start(path, REVIEWER)
    terminal.wait_for_case("case-001")
    terminal.keys("n")
    terminal.wait_for_text(PROMPT_HINT)
    terminal.text("why not")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "why not" in s and PROMPT_HINT not in s)
    terminal.keys("j")  # leaving the case: asked, or (before the fix) the note was lost
    terminal.wait_for(lambda s: "Note not saved" in s or "case case-002" in s)
    terminal.keys("3")  # a bucket key saves the note with that label, and goes on
    terminal.wait_for(lambda s: "case case-002" in s and "saved" in s)
    assert labels_in(path) == {"case-001": (bucket["3"], "why not")}
    # A note on the case just labeled: two keys and the text.
    terminal.keys("a")
    terminal.wait_for_text(PROMPT_HINT, timeout=5)
    terminal.text("late thought")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "note on case-001" in s, timeout=5)
    assert terminal.shown_case() == "case-002"
    assert terminal.quit() == "0", terminal.screen()
    assert labels_in(path) == {"case-001": (bucket["3"], "late thought")}
