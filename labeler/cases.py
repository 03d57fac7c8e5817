"""Reading one case for display: its texts, slices, metadata and label count."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from labeler.review.blind_meta import hidden_meta_fields, visible_meta
from labeler.store.connection import Store


@dataclass(frozen=True)
class Turn:
    """One turn of a chat transcript."""

    role: str
    content: str


@dataclass(frozen=True)
class Document:
    """One retrieved context document."""

    title: str | None
    text: str
    source: str | None


@dataclass(frozen=True)
class Case:
    """A case as stored (raw, untrusted text: sanitise before display)."""

    seq: int
    case_id: str
    version: int
    input_text: str | None
    """The input when it is plain text."""
    turns: list[Turn] = field(default_factory=list)
    """The input when it is a chat transcript."""
    context: list[Document] = field(default_factory=list)
    output: str | None = None
    expected: str | None = None
    slices: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    label_count: int = 0


_SELECT = (
    "SELECT c.seq, c.case_id, c.version, c.slices, c.meta, c.label_count,"
    " t.input_kind, t.input, t.context, t.output, t.expected"
    " FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
)


def load_case(store: Store, seq: int) -> Case | None:
    """The case with this internal number as a reviewer may see it, or None.

    Meta fields named by the store's ``hidden_meta`` setting are left out
    (:mod:`labeler.review.blind_meta`): every screen that shows a case, and its hints, loads it
    here.
    """
    rows = store.query(_SELECT + " WHERE c.seq = ?", (seq,))
    if not rows:
        return None
    case = _from_row(rows[0])
    hidden = hidden_meta_fields(store)
    if hidden:
        case = replace(case, meta=visible_meta(case.meta, hidden))
    return case


def find_case_seq(store: Store, case_id: str) -> int | None:
    """The internal number of the current version of the case with this id."""
    rows = store.query("SELECT seq FROM cases WHERE case_id = ? AND is_current = 1", (case_id,))
    return int(rows[0][0]) if rows else None


def _from_row(row: Any) -> Case:
    turns: list[Turn] = []
    input_text: str | None = None
    if row["input_kind"] == "chat":
        turns = [Turn(str(t["role"]), str(t["content"])) for t in json.loads(row["input"])]
    else:
        input_text = row["input"]
    docs = [
        Document(d.get("title"), str(d.get("text", "")), d.get("source"))
        for d in (json.loads(row["context"]) if row["context"] else [])
    ]
    return Case(
        seq=row["seq"],
        case_id=row["case_id"],
        version=row["version"],
        input_text=input_text,
        turns=turns,
        context=docs,
        output=row["output"],
        expected=row["expected"],
        slices=json.loads(row["slices"]),
        meta=json.loads(row["meta"]),
        label_count=row["label_count"],
    )


def read_label_count(store: Store, seq: int) -> int:
    """How many labels case ``seq`` has now (0 if there is no such case)."""
    rows = store.query("SELECT label_count FROM cases WHERE seq = ?", (seq,))
    return int(rows[0][0]) if rows else 0
