"""Writing one reviewer's label on one case: create, change, note, delete, each a logged event.

Every write is a short ``BEGIN IMMEDIATE`` transaction with a version check (compare-and-swap):
the caller names the version of the label it last saw (``None`` for "no label yet"). If another
window of the same reviewer changed it meanwhile, :class:`VersionConflict` is raised and nothing
is written. A reviewer can only write labels under their own name.
"""

from __future__ import annotations

import sqlite3

from labeler.clock import utc_now
from labeler.identity import Actor
from labeler.store import labels as label_rows
from labeler.store.cases import case_id_of
from labeler.store.connection import Store
from labeler.store.errors import StoreError, VersionConflict
from labeler.store.events import record_event
from labeler.store.labels import LabelRecord
from labeler.store.taxonomy import bucket_exists

Label = LabelRecord
"""The current label of one reviewer on one case."""


_KEEP = object()


def get_label(store: Store, case_seq: int, reviewer: str) -> Label | None:
    """This reviewer's current label on the case, or None."""
    return label_rows.read_label(store, case_seq, reviewer)


def _current(conn: sqlite3.Connection, case_seq: int, reviewer: str) -> Label | None:
    return label_rows.current_label(conn, case_seq, reviewer)


def _check(current: Label | None, expected_version: int | None, case_id: str) -> None:
    seen = None if current is None else current.version
    if seen != expected_version:
        raise VersionConflict(
            f"your label on case {case_id} was changed elsewhere (another window?) "
            "since this screen loaded it; it now shows the stored label"
        )


def _case_id(conn: sqlite3.Connection, case_seq: int) -> str:
    case_id = case_id_of(conn, case_seq)
    if case_id is None:
        raise StoreError(f"no case with internal number {case_seq}")
    return case_id


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
        if not bucket_exists(conn, bucket):
            raise StoreError(f"there is no bucket {bucket!r} in this store's taxonomy")
        new_note = (current.note if current else None) if note is _KEEP else note
        assert new_note is None or isinstance(new_note, str)
        if current is not None and current.bucket == bucket and current.note == new_note:
            return current
        now = utc_now()
        if current is None:
            label_rows.insert_label(
                conn,
                case_seq=case_seq,
                reviewer=actor.name,
                account=actor.account,
                bucket=bucket,
                note=new_note,
                labeled_at=now,
                reached_by=reached_by,
            )
            stored = Label(bucket, new_note, 1)
        else:
            label_rows.update_label(
                conn,
                case_seq=case_seq,
                reviewer=actor.name,
                account=actor.account,
                bucket=bucket,
                note=new_note,
                labeled_at=now,
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
        label_rows.remove_label(conn, case_seq, actor.name)
        record_event(
            conn,
            actor,
            kind,
            case_seq=case_seq,
            case_id=case_id,
            before=_as_dict(current, actor.name),
            after=None,
        )
