"""Reading one case for display: its texts, slices, metadata and label count."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from labeler.blind_meta import hidden_meta_fields, visible_meta
from labeler.store.cases import CaseRecord, find_current_seq, read_case
from labeler.store.cases import read_label_count as read_label_count
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


def load_case(store: Store, seq: int) -> Case | None:
    """The case with this internal number as a reviewer may see it, or None.

    Meta fields named by the store's ``hidden_meta`` setting are left out
    (:mod:`labeler.blind_meta`): every screen that shows a case, and its hints, loads it
    here.
    """
    record = read_case(store, seq)
    if record is None:
        return None
    case = _from_record(record)
    hidden = hidden_meta_fields(store)
    if hidden:
        case = replace(case, meta=visible_meta(case.meta, hidden))
    return case


def find_case_seq(store: Store, case_id: str) -> int | None:
    """The internal number of the current version of the case with this id."""
    return find_current_seq(store, case_id)


def _from_record(row: CaseRecord) -> Case:
    turns: list[Turn] = []
    input_text: str | None = None
    if row.input_kind == "chat":
        turns = [Turn(str(t["role"]), str(t["content"])) for t in json.loads(row.input or "[]")]
    else:
        input_text = row.input
    docs = [Document(d.get("title"), str(d.get("text", "")), d.get("source")) for d in row.context]
    return Case(
        seq=row.seq,
        case_id=row.case_id,
        version=row.version,
        input_text=input_text,
        turns=turns,
        context=docs,
        output=row.output,
        expected=row.expected,
        slices=row.slices,
        meta=row.meta,
        label_count=row.label_count,
    )
