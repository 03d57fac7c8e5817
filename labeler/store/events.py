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


def _with_token(detail: Any, token_id: int) -> dict[str, Any]:
    proof = {"via": "web", "token_id": token_id}
    if detail is None:
        return proof
    if isinstance(detail, dict):
        return {**detail, **proof}
    return {"detail": detail, **proof}


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
    """Append one event inside the caller's write transaction.

    An actor authenticated by a web login token adds ``{"via": "web", "token_id": N}`` to the
    event's detail, so the audit log tells a label given in a browser from one given on trust.
    """
    if actor.token_id is not None:
        detail = _with_token(detail, actor.token_id)
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
