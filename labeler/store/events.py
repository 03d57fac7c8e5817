"""The append-only audit log: every import, taxonomy change, label change and resolution."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, NamedTuple

from labeler.clock import utc_now
from labeler.identity import Actor

if TYPE_CHECKING:
    from labeler.store.connection import Store


def _encode(value: Any) -> str | None:
    if value is None:
        return None
    import json  # here: a command that writes no event need not import it (2 ms)

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


class EventRecord(NamedTuple):
    """One stored event; ``before``, ``after`` and ``detail`` are JSON text (or None)."""

    id: int
    at: str
    actor: str
    account: str
    kind: str
    case_seq: int | None
    case_id: str | None
    before: str | None
    after: str | None
    detail: str | None


def read_events(
    store: Store,
    *,
    after_id: int,
    limit: int,
    case_id: str | None = None,
    kind_prefix: str | None = None,
) -> list[EventRecord]:
    """Up to ``limit`` events with id above ``after_id``, oldest first, optionally of one case
    id and of kinds starting with ``kind_prefix`` (a plain prefix)."""
    conditions = ""
    params: list[object] = []
    if case_id is not None:
        conditions += " AND case_id = ?"
        params.append(case_id)
    if kind_prefix:
        conditions += " AND substr(kind, 1, ?) = ?"
        params.extend([len(kind_prefix), kind_prefix])
    rows = store.query(
        "SELECT id, at, actor, account, kind, case_seq, case_id, before, after, detail"
        " FROM events WHERE id > ?" + conditions + " ORDER BY id LIMIT ?",
        [after_id, *params, limit],
    )
    return [
        EventRecord(
            id=int(r[0]),
            at=str(r[1]),
            actor=str(r[2]),
            account=str(r[3]),
            kind=str(r[4]),
            case_seq=None if r[5] is None else int(r[5]),
            case_id=None if r[6] is None else str(r[6]),
            before=r[7],
            after=r[8],
            detail=r[9],
        )
        for r in rows
    ]


def case_known(store: Store, case_id: str) -> bool:
    """True if the store has (or had, per its log) a case with this id."""
    rows = store.query(
        "SELECT EXISTS (SELECT 1 FROM cases WHERE case_id = ?)"
        " OR EXISTS (SELECT 1 FROM events WHERE case_id = ?)",
        (case_id, case_id),
    )
    return bool(rows[0][0])
