"""Tests for labeler.resolve.disagreements: the resolve queue, progress, confused pairs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from resolve_fixtures import (
    AGREED,
    DIS_LONG,
    DIS_OTHER,
    DIS_SHORT,
    OLD,
    RESOLVED,
    SINGLE,
    THREE,
    THREE_TWO_AGREE,
    UNCLEAR,
    actor,
    label,
    new_store,
    scenario,
)

from labeler.resolve.disagreements import (
    ResolveProgress,
    ResolveSpec,
    case_labels,
    check_spec,
    confused_pairs,
    is_disagreement,
    next_page,
    parse_pair,
    previous_page,
    progress,
    reviewer_letter,
)
from labeler.resolve.resolutions import resolve, undo_resolution
from labeler.store import Store

UNRESOLVED = [DIS_LONG, DIS_SHORT, DIS_OTHER, THREE, THREE_TWO_AGREE]
ALL_DISAGREEMENTS = [DIS_LONG, DIS_SHORT, DIS_OTHER, RESOLVED, UNCLEAR, THREE, THREE_TWO_AGREE]
CONFUSED = ("wrong_intent", "bad_extraction")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return scenario(tmp_path)


def test_queue_holds_exactly_the_unresolved_disagreements(store: Store) -> None:
    queue = next_page(store, ResolveSpec(), 0)
    assert queue == UNRESOLVED
    for seq in (AGREED, SINGLE, RESOLVED, UNCLEAR, OLD):
        assert seq not in queue


def test_include_resolved_lists_resolved_and_unclear_too(store: Store) -> None:
    assert next_page(store, ResolveSpec(), 0, include_resolved=True) == ALL_DISAGREEMENTS


def test_agreed_single_and_old_versions_are_never_disagreements(store: Store) -> None:
    spec = ResolveSpec()
    assert not is_disagreement(store, spec, AGREED)
    assert not is_disagreement(store, spec, SINGLE)
    assert not is_disagreement(store, spec, OLD)
    assert is_disagreement(store, spec, RESOLVED)
    assert is_disagreement(store, spec, THREE_TWO_AGREE)


def test_slice_filter(store: Store) -> None:
    long = ResolveSpec(slices=(("length", "long"),))
    assert next_page(store, long, 0) == [DIS_LONG, DIS_OTHER]
    both = ResolveSpec(slices=(("length", "long"), ("length", "short")))
    assert next_page(store, both, 0) == []
    assert next_page(store, ResolveSpec(slices=(("nope", "x"),)), 0) == []


@pytest.mark.parametrize("pair", [CONFUSED, CONFUSED[::-1]])
def test_pair_filter_in_both_orders(store: Store, pair: tuple[str, str]) -> None:
    spec = ResolveSpec(pair=pair)
    assert next_page(store, spec, 0) == [DIS_LONG, DIS_SHORT, THREE, THREE_TWO_AGREE]
    other = ResolveSpec(pair=("other", "wrong_intent"))
    assert next_page(store, other, 0) == []
    assert next_page(store, other, 0, include_resolved=True) == [RESOLVED]


def test_pair_and_slice_combine(store: Store) -> None:
    spec = ResolveSpec(slices=(("length", "short"),), pair=CONFUSED)
    assert next_page(store, spec, 0) == [DIS_SHORT]


def test_paging_forward_and_back_is_stable(store: Store) -> None:
    spec = ResolveSpec()
    assert next_page(store, spec, 0, 2) == [DIS_LONG, DIS_SHORT]
    assert next_page(store, spec, DIS_SHORT, 2) == [DIS_OTHER, THREE]
    assert next_page(store, spec, THREE, 2) == [THREE_TWO_AGREE]
    assert next_page(store, spec, THREE_TWO_AGREE, 2) == []
    assert previous_page(store, spec, THREE_TWO_AGREE, 2) == [THREE, DIS_OTHER]
    assert previous_page(store, spec, DIS_LONG, 2) == []
    assert previous_page(store, spec, THREE, 10, include_resolved=True) == [
        UNCLEAR,
        RESOLVED,
        DIS_OTHER,
        DIS_SHORT,
        DIS_LONG,
    ]


def test_resolving_removes_from_queue_and_undo_puts_back(store: Store) -> None:
    spec = ResolveSpec()
    done = resolve(
        store,
        DIS_SHORT,
        actor("rita"),
        bucket="bad_extraction",
        method="took_a",
        reason=None,
        expected_version=None,
    )
    assert next_page(store, spec, 0) == [DIS_LONG, DIS_OTHER, THREE, THREE_TWO_AGREE]
    assert DIS_SHORT in next_page(store, spec, 0, include_resolved=True)
    undo_resolution(store, DIS_SHORT, actor("rita"), None, done.version)
    assert next_page(store, spec, 0) == UNRESOLVED


def test_new_disagreement_appears_in_order(store: Store) -> None:
    label(store, SINGLE, "bob", "too_slow")
    assert next_page(store, ResolveSpec(), 0)[:2] == [SINGLE, DIS_LONG]
    label(store, SINGLE, "bob", "wrong_intent")  # now agreed again
    assert next_page(store, ResolveSpec(), 0) == UNRESOLVED


def test_progress_counts(store: Store) -> None:
    assert progress(store, ResolveSpec()) == (2, 7)
    result = progress(store, ResolveSpec())
    assert isinstance(result, ResolveProgress)
    assert result.remaining == 5
    assert progress(store, ResolveSpec(pair=CONFUSED)) == (0, 4)
    assert progress(store, ResolveSpec(slices=(("length", "long"),))) == (0, 2)
    resolve(
        store,
        DIS_LONG,
        actor("rita"),
        bucket=None,
        method="unclear",
        reason=None,
        expected_version=None,
    )
    assert progress(store, ResolveSpec(slices=(("length", "long"),))) == (1, 2)
    assert progress(store, ResolveSpec()) == (3, 7)


def test_progress_of_empty_store(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    assert progress(store, ResolveSpec()) == (0, 0)
    assert next_page(store, ResolveSpec(), 0) == []
    assert confused_pairs(store, ResolveSpec()) == []


def test_confused_pairs_with_three_reviewers(store: Store) -> None:
    assert confused_pairs(store, ResolveSpec()) == [
        ("bad_extraction", "wrong_intent", 4),
        ("bad_extraction", "invented_policy", 1),
        ("invented_policy", "unsafe_pii", 1),
        ("invented_policy", "wrong_intent", 1),
        ("other", "too_slow", 1),
        ("other", "wrong_intent", 1),
    ]
    assert confused_pairs(store, ResolveSpec(), limit=2) == [
        ("bad_extraction", "wrong_intent", 4),
        ("bad_extraction", "invented_policy", 1),
    ]
    assert confused_pairs(store, ResolveSpec(slices=(("length", "long"),))) == [
        ("bad_extraction", "wrong_intent", 1),
        ("invented_policy", "unsafe_pii", 1),
    ]


def test_confused_pair_count_matches_pair_filter(store: Store) -> None:
    for a, b, count in confused_pairs(store, ResolveSpec(), limit=100):
        cases = next_page(store, ResolveSpec(pair=(a, b)), 0, 1000, include_resolved=True)
        assert len(cases) == count


def test_case_labels_sorted_by_reviewer(store: Store) -> None:
    label(store, THREE, "aaron", "too_slow", note="late")
    labels = case_labels(store, THREE)
    assert [(x.reviewer, x.bucket) for x in labels] == [
        ("aaron", "too_slow"),
        ("alice", "wrong_intent"),
        ("bob", "bad_extraction"),
        ("carol", "invented_policy"),
    ]
    assert labels[0].note == "late"
    assert labels[0].labeled_at.endswith("Z")
    assert case_labels(store, 999) == []
    assert [reviewer_letter(i) for i in range(3)] == ["A", "B", "C"]
    assert reviewer_letter(26) == "27"


def test_parse_pair() -> None:
    assert parse_pair("wrong_intent, bad_extraction") == ("wrong_intent", "bad_extraction")
    for bad in ("wrong_intent", "a,", ",b", "a,b,c", "a,a"):
        with pytest.raises(ValueError):
            parse_pair(bad)
    with pytest.raises(ValueError, match="two different"):
        ResolveSpec(pair=("a", "a"))


def test_check_spec_names_unknown_bucket(store: Store) -> None:
    check_spec(store, ResolveSpec(pair=CONFUSED))
    with pytest.raises(ValueError, match="wrong_intnet"):
        check_spec(store, ResolveSpec(pair=("wrong_intnet", "other")))


def test_core_modules_import_no_ui_library() -> None:
    code = (
        "import sys, labeler.resolve.disagreements, "
        "labeler.resolve.resolutions, labeler.audit_log\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich', 'click'})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
