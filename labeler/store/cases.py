"""The ``cases`` and ``case_texts`` tables: reading one case and finding cases by id."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from labeler.store.connection import Store


@dataclass(frozen=True)
class CaseRecord:
    """One stored case with its texts; JSON columns decoded (raw, untrusted text)."""

    seq: int
    case_id: str
    version: int
    slices: dict[str, str]
    meta: dict[str, Any]
    label_count: int
    input_kind: str
    input: str | None
    """Plain text, or for ``input_kind == "chat"`` the transcript as JSON text."""
    context: list[dict[str, Any]]
    output: str | None
    expected: str | None


_SELECT = (
    "SELECT c.seq, c.case_id, c.version, c.slices, c.meta, c.label_count,"
    " t.input_kind, t.input, t.context, t.output, t.expected"
    " FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
)


def read_case(store: Store, seq: int) -> CaseRecord | None:
    """The case with this internal number, or None."""
    rows = store.query(_SELECT + " WHERE c.seq = ?", (seq,))
    if not rows:
        return None
    row = rows[0]
    return CaseRecord(
        seq=row["seq"],
        case_id=row["case_id"],
        version=row["version"],
        slices=json.loads(row["slices"]),
        meta=json.loads(row["meta"]),
        label_count=row["label_count"],
        input_kind=row["input_kind"],
        input=row["input"],
        context=json.loads(row["context"]) if row["context"] else [],
        output=row["output"],
        expected=row["expected"],
    )


def find_current_seq(store: Store, case_id: str) -> int | None:
    """The internal number of the current version of the case with this id, or None."""
    rows = store.query("SELECT seq FROM cases WHERE case_id = ? AND is_current = 1", (case_id,))
    return int(rows[0][0]) if rows else None


def current_seq(conn: sqlite3.Connection, case_id: str) -> int | None:
    """:func:`find_current_seq` inside the caller's transaction."""
    row = conn.execute(
        "SELECT seq FROM cases WHERE case_id = ? AND is_current = 1", (case_id,)
    ).fetchone()
    return None if row is None else int(row[0])


def case_id_of(conn: sqlite3.Connection, seq: int) -> str | None:
    """The case id of the case with this internal number, or None."""
    row = conn.execute("SELECT case_id FROM cases WHERE seq = ?", (seq,)).fetchone()
    return None if row is None else str(row[0])


def read_label_count(store: Store, seq: int) -> int:
    """How many labels case ``seq`` has now (0 if there is no such case)."""
    rows = store.query("SELECT label_count FROM cases WHERE seq = ?", (seq,))
    return int(rows[0][0]) if rows else 0
