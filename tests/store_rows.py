"""Rows written straight into a store for tests that need exact ``seq`` numbers, versions and
slices (``export_fixtures`` and ``resolve_fixtures`` build their stores with these)."""

from __future__ import annotations

import json
from typing import Any

from labeler.clock import utc_now
from labeler.identity import Actor
from labeler.labels import get_label, set_label
from labeler.store import Store


def insert_text_case(
    store: Store,
    seq: int,
    case_id: str,
    *,
    input_text: str,
    output_text: str,
    slices: dict[str, str] | None = None,
    meta: dict[str, Any] | None = None,
    version: int = 1,
    current: bool = True,
) -> int:
    """Insert one text case with internal number ``seq`` and its texts; returns ``seq``."""
    with store.write() as conn:
        conn.execute(
            "INSERT INTO cases (seq, case_id, version, is_current, content_hash, slices, meta,"
            " imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                case_id,
                version,
                int(current),
                f"hash-{seq}",
                json.dumps(slices or {}, ensure_ascii=False),
                json.dumps(meta or {}, ensure_ascii=False),
                utc_now(),
            ),
        )
        conn.execute(
            "INSERT INTO case_texts (case_seq, input_kind, input, output) VALUES (?, 'text', ?, ?)",
            (seq, input_text, output_text),
        )
    return seq


def write_label(store: Store, seq: int, who: Actor, bucket: str, note: str | None = None) -> None:
    """Write (or change) ``who``'s label on the case, as the review screen does."""
    current = get_label(store, seq, who.name)
    set_label(
        store,
        seq,
        who,
        bucket,
        note=note,
        expected_version=None if current is None else current.version,
    )
