"""Writing one reviewer's label on one case: create, change, note, delete, each a logged event.

Every write is a short ``BEGIN IMMEDIATE`` transaction with a version check (compare-and-swap):
the caller names the version of the label it last saw (``None`` for "no label yet"). If another
window of the same reviewer changed it meanwhile, :class:`VersionConflict` is raised and nothing
is written. A reviewer can only write labels under their own name.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from labeler.clock import utc_now
from labeler.identity import Actor
from labeler.store.connection import Store
from labeler.store.errors import StoreError, VersionConflict
from labeler.store.events import record_event


@dataclass(frozen=True)
class Label:
    """The current label of one reviewer on one case."""

    bucket: str
    note: str | None
    version: int


_KEEP = object()


def get_label(store: Store, case_seq: int, reviewer: str) -> Label | None:
    """This reviewer's current label on the case, or None."""
    rows = store.query(
        "SELECT bucket, note, version FROM labels WHERE case_seq = ? AND reviewer = ?",
        (case_seq, reviewer),
    )
    return Label(rows[0][0], rows[0][1], rows[0][2]) if rows else None


def _current(conn: sqlite3.Connection, case_seq: int, reviewer: str) -> Label | None:
    row = conn.execute(
        "SELECT bucket, note, version FROM labels WHERE case_seq = ? AND reviewer = ?",
        (case_seq, reviewer),
    ).fetchone()
    return Label(row[0], row[1], row[2]) if row else None


def _check(current: Label | None, expected_version: int | None, case_id: str) -> None:
    seen = None if current is None else current.version
    if seen != expected_version:
        raise VersionConflict(
            f"your label on case {case_id} was changed elsewhere (another window?) "
            "since this screen loaded it; it now shows the stored label"
        )


def _case_id(conn: sqlite3.Connection, case_seq: int) -> str:
    row = conn.execute("SELECT case_id FROM cases WHERE seq = ?", (case_seq,)).fetchone()
    if row is None:
        raise StoreError(f"no case with internal number {case_seq}")
    return str(row[0])


def _as_dict(label: Label | None, reviewer: str) -> dict[str, object] | None:
    if label is None:
        return None
    return {"reviewer": reviewer, "bucket": label.bucket, "note": label.note}


def set_label(
    store: Store,
    case_seq: int,
    actor: Actor,
    bucket: str,
    *,
    expected_version: int | None,
    note: str | object | None = _KEEP,
    kind: str | None = None,
    reached_by: str | None = None,
) -> Label:
    """Create or change the actor's label on a case; returns the stored label.

    ``note`` left out keeps the current note. Writing the same bucket and note again is a no-op
    that returns the stored label unchanged (no event). ``reached_by`` says how the reviewer
    came to the case (:data:`labeler.store.order.REACHED_BY`); it is kept with a new label and
    never changed by a later change of it.
    """
    with store.write() as conn:
        case_id = _case_id(conn, case_seq)
        current = _current(conn, case_seq, actor.name)
        _check(current, expected_version, case_id)
        exists = conn.execute("SELECT 1 FROM buckets WHERE key = ?", (bucket,)).fetchone()
        if exists is None:
            raise StoreError(f"there is no bucket {bucket!r} in this store's taxonomy")
        new_note = (current.note if current else None) if note is _KEEP else note
        assert new_note is None or isinstance(new_note, str)
        if current is not None and current.bucket == bucket and current.note == new_note:
            return current
        now = utc_now()
        if current is None:
            conn.execute(
                "INSERT INTO labels (case_seq, reviewer, account, bucket, note, version,"
                " labeled_at, reached_by, case_order) VALUES (?, ?, ?, ?, ?, 1, ?, ?,"
                " (SELECT review_order FROM cases WHERE seq = ?))",
                (case_seq, actor.name, actor.account, bucket, new_note, now, reached_by, case_seq),
            )
            stored = Label(bucket, new_note, 1)
        else:
            conn.execute(
                "UPDATE labels SET bucket = ?, note = ?, account = ?, version = version + 1,"
                " labeled_at = ? WHERE case_seq = ? AND reviewer = ?",
                (bucket, new_note, actor.account, now, case_seq, actor.name),
            )
            stored = Label(bucket, new_note, current.version + 1)
        record_event(
            conn,
            actor,
            kind or ("label.create" if current is None else "label.change"),
            case_seq=case_seq,
            case_id=case_id,
            at=now,
            before=_as_dict(current, actor.name),
            after=_as_dict(stored, actor.name),
        )
        return stored


def delete_label(
    store: Store, case_seq: int, actor: Actor, *, expected_version: int, kind: str = "label.delete"
) -> None:
    """Remove the actor's label on a case (used by undo); logged with what was removed."""
    with store.write() as conn:
        case_id = _case_id(conn, case_seq)
        current = _current(conn, case_seq, actor.name)
        _check(current, expected_version, case_id)
        conn.execute(
            "DELETE FROM labels WHERE case_seq = ? AND reviewer = ?", (case_seq, actor.name)
        )
        record_event(
            conn,
            actor,
            kind,
            case_seq=case_seq,
            case_id=case_id,
            before=_as_dict(current, actor.name),
            after=None,
        )
