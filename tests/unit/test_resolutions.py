"""Tests for labeler.resolve.resolutions: methods, compare-and-swap, undo, events, summaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from resolve_fixtures import (
    DIS_LONG,
    DIS_OTHER,
    DIS_SHORT,
    RESOLVED,
    SINGLE,
    THREE,
    THREE_TWO_AGREE,
    UNCLEAR,
    actor,
    event_kinds,
    label,
    label_rows,
    scenario,
)

from labeler.resolve.disagreements import ResolveSpec, ReviewerLabel, case_labels, progress
from labeler.resolve.resolutions import (
    METHODS,
    InvalidResolution,
    Resolution,
    UnclearCase,
    delete_resolution,
    get_resolution,
    method_for,
    resolve,
    set_reason,
    summary,
    unclear_cases,
    undo_resolution,
)
from labeler.store import Store, StoreError, VersionConflict, open_store

RITA = actor("rita")
SAM = actor("sam")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return scenario(tmp_path)


def _events(store: Store, case_seq: int) -> list[dict[str, object]]:
    rows = store.query(
        "SELECT kind, actor, before, after FROM events WHERE case_seq = ? AND kind LIKE"
        " 'resolution.%' ORDER BY id",
        (case_seq,),
    )
    return [
        {
            "kind": r[0],
            "actor": r[1],
            "before": None if r[2] is None else json.loads(r[2]),
            "after": None if r[3] is None else json.loads(r[3]),
        }
        for r in rows
    ]


@pytest.mark.parametrize(
    ("seq", "bucket", "method"),
    [
        (DIS_LONG, "wrong_intent", "took_a"),
        (DIS_LONG, "bad_extraction", "took_b"),
        (THREE, "invented_policy", "took_label"),
        (DIS_LONG, "unsafe_pii", "other"),
        (DIS_LONG, None, "unclear"),
    ],
)
def test_every_method(store: Store, seq: int, bucket: str | None, method: str) -> None:
    stored = resolve(
        store, seq, RITA, bucket=bucket, method=method, reason="why", expected_version=None
    )
    assert stored == get_resolution(store, seq)
    assert (stored.bucket, stored.method, stored.resolver, stored.account) == (
        bucket,
        method,
        "rita",
        "rita",
    )
    assert (stored.reason, stored.version) == ("why", 1)
    assert method_for(case_labels(store, seq), bucket) == method
    assert _events(store, seq) == [
        {
            "kind": "resolution.create",
            "actor": "rita",
            "before": None,
            "after": {"resolver": "rita", "bucket": bucket, "method": method, "reason": "why"},
        }
    ]


def test_method_for() -> None:
    no_labels: list[ReviewerLabel] = []
    assert method_for(no_labels, None) == "unclear"
    assert method_for(no_labels, "x") == "other"


def test_method_for_prefers_the_first_reviewer(store: Store) -> None:
    labels = case_labels(store, THREE_TWO_AGREE)  # alice wrong_intent, bob wrong_intent, carol
    assert method_for(labels, "wrong_intent") == "took_a"
    assert method_for(labels, "bad_extraction") == "took_label"
    assert method_for(labels, "too_slow") == "other"


@pytest.mark.parametrize(
    ("seq", "bucket", "method", "message"),
    [
        (DIS_LONG, "bad_extraction", "took_a", "reviewer A"),
        (DIS_LONG, "wrong_intent", "took_b", "reviewer B"),
        (SINGLE, "wrong_intent", "took_b", "no label"),
        (DIS_LONG, "wrong_intent", "took_label", "reviewer C"),
        (THREE, "wrong_intent", "took_label", "reviewer C"),
        (DIS_LONG, "wrong_intent", "other", "take their label"),
        (DIS_LONG, "wrong_intent", "unclear", "no bucket"),
        (DIS_LONG, None, "other", "no bucket"),
        (DIS_LONG, "no_such_bucket", "other", "taxonomy"),
        (DIS_LONG, "wrong_intent", "took_c", "unknown resolution method"),
    ],
)
def test_invalid_resolutions_write_nothing(
    store: Store, seq: int, bucket: str | None, method: str, message: str
) -> None:
    events_before = store.query("SELECT count(*) FROM events")[0][0]
    with pytest.raises(InvalidResolution, match=message):
        resolve(store, seq, RITA, bucket=bucket, method=method, reason=None, expected_version=None)
    assert get_resolution(store, seq) is None
    assert store.query("SELECT count(*) FROM events")[0][0] == events_before


def test_label_changed_since_screen_loaded_is_refused(store: Store) -> None:
    seen = case_labels(store, DIS_LONG)
    label(store, DIS_LONG, "bob", "too_slow")  # bob changes his mind meanwhile
    with pytest.raises(InvalidResolution, match="changed"):
        resolve(
            store,
            DIS_LONG,
            RITA,
            bucket=seen[1].bucket,
            method="took_b",
            reason=None,
            expected_version=None,
        )


def test_cas_conflict_between_two_connections(store: Store, tmp_path: Path) -> None:
    other = open_store(tmp_path / "s.db")
    try:
        assert get_resolution(store, DIS_LONG) is None
        assert get_resolution(other, DIS_LONG) is None
        mine = resolve(
            store,
            DIS_LONG,
            RITA,
            bucket="wrong_intent",
            method="took_a",
            reason=None,
            expected_version=None,
        )
        with pytest.raises(VersionConflict, match="rita") as info:
            resolve(
                other,
                DIS_LONG,
                SAM,
                bucket="bad_extraction",
                method="took_b",
                reason=None,
                expected_version=None,
            )
        assert "wrong_intent" in str(info.value)
        assert get_resolution(other, DIS_LONG) == mine  # not overwritten
        # Having seen rita's resolution, sam may change it on purpose.
        changed = resolve(
            other,
            DIS_LONG,
            SAM,
            bucket="bad_extraction",
            method="took_b",
            reason="B is right",
            expected_version=mine.version,
        )
        assert (changed.version, changed.resolver) == (2, "sam")
        with pytest.raises(VersionConflict, match="sam"):
            set_reason(store, DIS_LONG, RITA, "late note", expected_version=mine.version)
        assert get_resolution(store, DIS_LONG) == changed
    finally:
        other.close()
    assert [e["kind"] for e in _events(store, DIS_LONG)] == [
        "resolution.create",
        "resolution.change",
    ]


def test_conflict_with_own_other_window(store: Store) -> None:
    resolve(
        store, DIS_LONG, RITA, bucket=None, method="unclear", reason=None, expected_version=None
    )
    with pytest.raises(VersionConflict, match="another window"):
        resolve(
            store,
            DIS_LONG,
            RITA,
            bucket="wrong_intent",
            method="took_a",
            reason=None,
            expected_version=None,
        )


def test_conflict_when_resolution_was_removed(store: Store) -> None:
    first = resolve(
        store,
        DIS_LONG,
        RITA,
        bucket="wrong_intent",
        method="took_a",
        reason=None,
        expected_version=None,
    )
    delete_resolution(store, DIS_LONG, SAM, expected_version=first.version)
    with pytest.raises(VersionConflict, match="removed by sam"):
        resolve(
            store,
            DIS_LONG,
            RITA,
            bucket="bad_extraction",
            method="took_b",
            reason=None,
            expected_version=first.version,
        )
    assert get_resolution(store, DIS_LONG) is None


def test_same_resolution_again_is_a_no_op(store: Store) -> None:
    first = resolve(
        store,
        DIS_LONG,
        RITA,
        bucket="wrong_intent",
        method="took_a",
        reason="r",
        expected_version=None,
    )
    again = resolve(
        store,
        DIS_LONG,
        SAM,
        bucket="wrong_intent",
        method="took_a",
        reason="r",
        expected_version=first.version,
    )
    assert again == first
    assert event_kinds(store, DIS_LONG).count("resolution.create") == 1
    assert "resolution.change" not in event_kinds(store, DIS_LONG)


def test_undo_of_a_create_deletes(store: Store) -> None:
    made = resolve(
        store, DIS_SHORT, RITA, bucket="other", method="other", reason=None, expected_version=None
    )
    assert undo_resolution(store, DIS_SHORT, RITA, None, made.version) is None
    assert get_resolution(store, DIS_SHORT) is None
    events = _events(store, DIS_SHORT)
    assert [e["kind"] for e in events] == ["resolution.create", "resolution.undo"]
    assert events[1]["before"] == {
        "resolver": "rita",
        "bucket": "other",
        "method": "other",
        "reason": None,
    }
    assert events[1]["after"] is None


def test_undo_of_a_change_restores_the_previous_exactly(store: Store) -> None:
    previous = get_resolution(store, RESOLVED)
    assert previous is not None
    changed = resolve(
        store,
        RESOLVED,
        SAM,
        bucket="other",
        method="took_b",
        reason="bob",
        expected_version=previous.version,
    )
    restored = undo_resolution(store, RESOLVED, SAM, previous, changed.version)
    assert restored is not None
    assert restored == get_resolution(store, RESOLVED)
    assert (restored.bucket, restored.method, restored.resolver, restored.reason) == (
        previous.bucket,
        previous.method,
        "rita",
        previous.reason,
    )
    assert restored.resolved_at == previous.resolved_at
    assert restored.version == changed.version + 1
    events = _events(store, RESOLVED)
    assert [e["kind"] for e in events] == [
        "resolution.create",
        "resolution.change",
        "resolution.undo",
    ]
    assert events[2]["actor"] == "sam"
    assert events[2]["after"] == events[0]["after"]


def test_undo_with_stale_version_conflicts(store: Store) -> None:
    made = resolve(
        store, DIS_SHORT, RITA, bucket="other", method="other", reason=None, expected_version=None
    )
    newer = set_reason(store, DIS_SHORT, SAM, "sam's note", expected_version=made.version)
    with pytest.raises(VersionConflict):
        undo_resolution(store, DIS_SHORT, RITA, None, made.version)
    assert get_resolution(store, DIS_SHORT) == newer


def test_set_reason(store: Store) -> None:
    made = resolve(
        store,
        DIS_OTHER,
        RITA,
        bucket="unsafe_pii",
        method="took_b",
        reason=None,
        expected_version=None,
    )
    noted = set_reason(store, DIS_OTHER, SAM, "PII in line 2", expected_version=made.version)
    assert (noted.reason, noted.resolver, noted.version) == ("PII in line 2", "rita", 2)
    assert noted.resolved_at == made.resolved_at
    cleared = set_reason(store, DIS_OTHER, SAM, "", expected_version=noted.version)
    assert cleared.reason is None
    events = _events(store, DIS_OTHER)
    assert [e["kind"] for e in events] == [
        "resolution.create",
        "resolution.reason",
        "resolution.reason",
    ]
    assert events[1]["actor"] == "sam"
    assert events[1]["before"]["reason"] is None  # type: ignore[index]
    assert events[1]["after"]["reason"] == "PII in line 2"  # type: ignore[index]
    assert set_reason(store, DIS_OTHER, SAM, None, expected_version=cleared.version) == cleared


def test_set_reason_needs_a_resolution(store: Store) -> None:
    with pytest.raises(VersionConflict):
        set_reason(store, DIS_LONG, RITA, "x", expected_version=1)


def test_delete_resolution_returns_case_to_queue(store: Store) -> None:
    current = get_resolution(store, UNCLEAR)
    assert current is not None
    delete_resolution(store, UNCLEAR, RITA, expected_version=current.version)
    assert get_resolution(store, UNCLEAR) is None
    assert event_kinds(store, UNCLEAR)[-1] == "resolution.delete"
    assert progress(store, ResolveSpec()) == (1, 7)


def test_resolutions_never_touch_labels(store: Store) -> None:
    before = label_rows(store)
    a = resolve(
        store,
        DIS_LONG,
        RITA,
        bucket="wrong_intent",
        method="took_a",
        reason=None,
        expected_version=None,
    )
    b = resolve(
        store,
        DIS_LONG,
        SAM,
        bucket="too_slow",
        method="other",
        reason="x",
        expected_version=a.version,
    )
    c = set_reason(store, DIS_LONG, RITA, "y", expected_version=b.version)
    d = undo_resolution(store, DIS_LONG, RITA, a, c.version)
    assert d is not None
    delete_resolution(store, DIS_LONG, RITA, expected_version=d.version)
    t = resolve(
        store,
        THREE,
        RITA,
        bucket="invented_policy",
        method="took_label",
        reason=None,
        expected_version=None,
    )
    undo_resolution(store, THREE, RITA, None, t.version)
    assert label_rows(store) == before
    kinds = store.query("SELECT DISTINCT kind FROM events WHERE kind LIKE 'label.%'")
    assert {r[0] for r in kinds} == {"label.create"}  # only the fixture's own labels


def test_unknown_case(store: Store) -> None:
    with pytest.raises(StoreError, match="no case"):
        resolve(store, 999, RITA, bucket=None, method="unclear", reason=None, expected_version=None)


def test_unclear_cases(store: Store) -> None:
    assert unclear_cases(store) == [UnclearCase("c-7", "guideline gap", "rita")]
    resolve(store, DIS_LONG, SAM, bucket=None, method="unclear", reason=None, expected_version=None)
    assert unclear_cases(store) == [
        UnclearCase("c-3", None, "sam"),
        UnclearCase("c-7", "guideline gap", "rita"),
    ]
    long = ResolveSpec(slices=(("length", "long"),))
    assert unclear_cases(store, long) == [UnclearCase("c-3", None, "sam")]


def test_summary_counts_by_method(store: Store) -> None:
    spec = ResolveSpec()
    assert summary(store, spec) == {
        "took_a": 1,
        "took_b": 0,
        "took_label": 0,
        "other": 0,
        "unclear": 1,
    }
    resolve(
        store,
        DIS_LONG,
        RITA,
        bucket="bad_extraction",
        method="took_b",
        reason=None,
        expected_version=None,
    )
    resolve(
        store,
        THREE,
        RITA,
        bucket="invented_policy",
        method="took_label",
        reason=None,
        expected_version=None,
    )
    resolve(
        store,
        DIS_OTHER,
        RITA,
        bucket="too_slow",
        method="other",
        reason=None,
        expected_version=None,
    )
    counts = summary(store, spec)
    assert list(counts) == list(METHODS)
    assert counts == {"took_a": 1, "took_b": 1, "took_label": 1, "other": 1, "unclear": 1}
    assert sum(counts.values()) == progress(store, spec).resolved
    assert summary(store, ResolveSpec(slices=(("length", "long"),)))["took_b"] == 1
    assert summary(store, ResolveSpec(pair=("other", "too_slow")))["unclear"] == 1


def test_resolution_is_frozen(store: Store) -> None:
    res = get_resolution(store, RESOLVED)
    assert isinstance(res, Resolution)
    with pytest.raises(AttributeError):
        res.bucket = "x"  # type: ignore[misc]


def test_conflict_names_who_changed_it_last(store: Store) -> None:
    made = resolve(
        store,
        DIS_LONG,
        RITA,
        bucket="wrong_intent",
        method="took_a",
        reason=None,
        expected_version=None,
    )
    set_reason(store, DIS_LONG, SAM, "agreed with rita", expected_version=made.version)
    with pytest.raises(VersionConflict, match="by rita \\(last changed by sam\\)"):
        resolve(
            store,
            DIS_LONG,
            RITA,
            bucket="bad_extraction",
            method="took_b",
            reason=None,
            expected_version=made.version,
        )
