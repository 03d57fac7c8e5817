"""Test data for the resolve queue, resolutions and the audit log: a small store of known cases.

``scenario`` builds one case of every kind the resolve queue must tell apart (the table in
its docstring); cases are inserted with SQL and labels written with ``labeler.labels.set_label``.
"""

from __future__ import annotations

from pathlib import Path

from store_rows import insert_text_case, write_label

from labeler.identity import Actor
from labeler.store import Store, create_store


def actor(name: str) -> Actor:
    """An actor whose account is its name."""
    return Actor(name=name, account=name, on_trust=False)


def new_store(tmp_path: Path) -> Store:
    """An empty store with the default taxonomy at ``tmp_path/s.db``."""
    return create_store(tmp_path / "s.db", actor("owner"))


def add_case(
    store: Store,
    seq: int,
    case_id: str,
    *,
    slices: dict[str, str] | None = None,
    version: int = 1,
    current: bool = True,
) -> int:
    """Insert one text case with internal number ``seq``; returns ``seq``."""
    return insert_text_case(
        store,
        seq,
        case_id,
        input_text=f"input of {case_id}",
        output_text=f"output of {case_id}",
        slices=slices,
        version=version,
        current=current,
    )


def label(store: Store, seq: int, reviewer: str, bucket: str, note: str | None = None) -> None:
    """Write (or change) ``reviewer``'s label on the case."""
    write_label(store, seq, actor(reviewer), bucket, note)


AGREED, SINGLE, DIS_LONG, DIS_SHORT, DIS_OTHER, RESOLVED, UNCLEAR = 1, 2, 3, 4, 5, 6, 7
OLD, NEW, THREE, THREE_TWO_AGREE = 8, 9, 10, 11


def scenario(tmp_path: Path) -> Store:
    """A store with one case of each kind (``seq``: labels):

    1  agreed           alice wrong_intent, bob wrong_intent
    2  single           alice wrong_intent
    3  disagreement     alice wrong_intent, bob bad_extraction      length=long
    4  disagreement     alice bad_extraction, bob wrong_intent      length=short
    5  disagreement     alice invented_policy, bob unsafe_pii        length=long
    6  resolved         alice wrong_intent, bob other  -> took_a
    7  unclear          alice too_slow, bob other      -> unclear ("guideline gap")
    8  old version of c-8 (not current): alice wrong_intent, bob bad_extraction
    9  current version of c-8, no labels
    10 three reviewers  alice wrong_intent, bob bad_extraction, carol invented_policy
    11 three reviewers  alice wrong_intent, bob wrong_intent, carol bad_extraction
    """
    from labeler.resolve.resolutions import resolve

    store = new_store(tmp_path)
    add_case(store, AGREED, "c-1")
    add_case(store, SINGLE, "c-2")
    add_case(store, DIS_LONG, "c-3", slices={"length": "long"})
    add_case(store, DIS_SHORT, "c-4", slices={"length": "short"})
    add_case(store, DIS_OTHER, "c-5", slices={"length": "long"})
    add_case(store, RESOLVED, "c-6")
    add_case(store, UNCLEAR, "c-7")
    add_case(store, OLD, "c-8", version=1, current=False)
    add_case(store, NEW, "c-8", version=2)
    add_case(store, THREE, "c-10")
    add_case(store, THREE_TWO_AGREE, "c-11")
    for seq, alice, bob in [
        (AGREED, "wrong_intent", "wrong_intent"),
        (DIS_LONG, "wrong_intent", "bad_extraction"),
        (DIS_SHORT, "bad_extraction", "wrong_intent"),
        (DIS_OTHER, "invented_policy", "unsafe_pii"),
        (RESOLVED, "wrong_intent", "other"),
        (UNCLEAR, "too_slow", "other"),
        (OLD, "wrong_intent", "bad_extraction"),
        (THREE, "wrong_intent", "bad_extraction"),
        (THREE_TWO_AGREE, "wrong_intent", "wrong_intent"),
    ]:
        label(store, seq, "alice", alice)
        label(store, seq, "bob", bob)
    label(store, SINGLE, "alice", "wrong_intent")
    label(store, THREE, "carol", "invented_policy")
    label(store, THREE_TWO_AGREE, "carol", "bad_extraction")
    resolve(
        store,
        RESOLVED,
        actor("rita"),
        bucket="wrong_intent",
        method="took_a",
        reason=None,
        expected_version=None,
    )
    resolve(
        store,
        UNCLEAR,
        actor("rita"),
        bucket=None,
        method="unclear",
        reason="guideline gap",
        expected_version=None,
    )
    return store


def label_rows(store: Store) -> list[tuple[object, ...]]:
    """Every label row, every column, in a stable order."""
    return [tuple(r) for r in store.query("SELECT * FROM labels ORDER BY case_seq, reviewer")]


def event_kinds(store: Store, case_seq: int) -> list[str]:
    """The kinds of the case's events, oldest first."""
    rows = store.query("SELECT kind FROM events WHERE case_seq = ? ORDER BY id", (case_seq,))
    return [str(r[0]) for r in rows]
