"""The append-only audit log: every import, taxonomy change, label change and resolution."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from labeler.clock import utc_now
from labeler.identity import Actor


def _encode(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def record_event(
    conn: sqlite3.Connection,
    actor: Actor,
    kind: str,
    *,
    case_seq: int | None = None,
    case_id: str | None = None,
    before: Any = None,
    after: Any = None,
    detail: Any = None,
    at: str | None = None,
) -> None:
    """Append one event inside the caller's write transaction."""
    conn.execute(
        "INSERT INTO events (at, actor, account, kind, case_seq, case_id, before, after, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at or utc_now(),
            actor.name,
            actor.account,
            kind,
            case_seq,
            case_id,
            _encode(before),
            _encode(after),
            _encode(detail),
        ),
    )
