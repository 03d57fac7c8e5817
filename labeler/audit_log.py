"""Reading the audit log: who did what, when, with the state before and after.

The events table is append-only. :func:`iter_events` streams it oldest first in keyset batches
(``id > last seen``), so even a log of millions of events is never loaded at once and no read
transaction is held between batches. :func:`format_event` renders one event as one terminal-safe
line; :func:`event_json` as a JSON-ready dict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from labeler.store import events
from labeler.store.connection import Store
from labeler.text.display import safe_inline

BATCH_SIZE = 1_000
VALUE_CHARS = 200
"""The widest a single value (a note, a reason) is shown in a plain log line."""

_WORD = re.compile(r"[\w.:@/-]+", re.ASCII)
"""Texts shown without quotes: ASCII letters, digits and ``_ . - : @ /``."""

_DECODER = json.JSONDecoder(parse_constant=str)
"""Decodes NaN and Infinity as the strings "NaN" and "Infinity" (the JSON output stays valid)."""

IDENTITY_KEYS = ("reviewer", "resolver")
"""Keys shown even when unchanged, if they name someone other than the actor."""


@dataclass(frozen=True)
class Event:
    """One audit event, with ``before``, ``after`` and ``detail`` decoded from JSON.

    Every text in it is raw and untrusted: sanitise before display.
    """

    id: int
    at: str
    actor: str
    account: str
    kind: str
    case_seq: int | None
    case_id: str | None
    before: Any
    after: Any
    detail: Any


def _decode(text: str | None) -> Any:
    """JSON text as a value; NaN/Infinity become strings, text that is not JSON stays text."""
    if text is None:
        return None
    try:
        return _DECODER.decode(text)
    except (ValueError, RecursionError):
        return text


def case_known(store: Store, case_id: str) -> bool:
    """True if the store has (or had, per its log) a case with this id."""
    return events.case_known(store, case_id)


def iter_events(
    store: Store,
    *,
    case_id: str | None = None,
    kind_prefix: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[Event]:
    """Events oldest first, optionally of one case (every version) and kinds starting so.

    ``kind_prefix`` is a plain prefix: ``label`` matches ``label.create`` and ``label.undo``.
    """
    last = 0
    while True:
        rows = events.read_events(
            store, after_id=last, limit=batch_size, case_id=case_id, kind_prefix=kind_prefix
        )
        for r in rows:
            yield Event(
                id=r.id,
                at=r.at,
                actor=r.actor,
                account=r.account,
                kind=r.kind,
                case_seq=r.case_seq,
                case_id=r.case_id,
                before=_decode(r.before),
                after=_decode(r.after),
                detail=_decode(r.detail),
            )
        if len(rows) < batch_size:
            return
        last = rows[-1].id


def event_json(event: Event) -> dict[str, Any]:
    """The event as a JSON-ready dict (raw values; encode with ``ensure_ascii=True`` to print)."""
    return {
        "id": event.id,
        "at": event.at,
        "actor": event.actor,
        "account": event.account,
        "kind": event.kind,
        "case_id": event.case_id,
        "case_seq": event.case_seq,
        "before": event.before,
        "after": event.after,
        "detail": event.detail,
    }


@lru_cache(maxsize=4096)
def _safe_word(text: str, max_chars: int) -> str:
    """``safe_inline`` for the short texts that repeat on every line (names, kinds, buckets)."""
    return safe_inline(text, max_chars)


def _value(value: Any) -> str:
    """One value for a plain line, made safe and capped.

    A simple word (a bucket, an id) is shown bare, other text in double quotes (inner quotes as
    ``\\"``), anything else as compact JSON; control characters become visible stand-ins.
    """
    if value is None:
        return "(none)"
    if isinstance(value, str):
        if _WORD.fullmatch(value):
            return _safe_word(value, VALUE_CHARS)
        return '"' + safe_inline(value.replace('"', '\\"'), VALUE_CHARS) + '"'
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return safe_inline(text, VALUE_CHARS)


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """A list of dicts with a ``key`` field (a taxonomy) as a dict by key, else None."""
    if not all(isinstance(i, dict) and isinstance(i.get("key"), str) for i in items):
        return None
    return {i["key"]: i for i in items}


def _changes(event: Event) -> list[str]:
    """What the event changed: ``key: before -> after`` for each field that differs."""
    before, after = event.before, event.after
    if isinstance(before, list) and isinstance(after, list):
        old, new = _keyed(before), _keyed(after)
        if old is not None and new is not None:
            parts = [f"added: {_value(k)}" for k in new if k not in old]
            parts += [f"removed: {_value(k)}" for k in old if k not in new]
            parts += [f"changed: {_value(k)}" for k in new if k in old and new[k] != old[k]]
            return parts or ["no change"]
    scalar_before = before is not None and not isinstance(before, dict)
    scalar_after = after is not None and not isinstance(after, dict)
    if scalar_before or scalar_after:
        return [f"{_value(before)} -> {_value(after)}"]
    old_d: dict[str, Any] = before or {}
    new_d: dict[str, Any] = after or {}
    parts = []
    for key in [*new_d, *(k for k in old_d if k not in new_d)]:
        label = _safe_word(str(key), 40)
        old_v, new_v = old_d.get(key), new_d.get(key)
        both = before is not None and after is not None
        if key in IDENTITY_KEYS and not (both and old_v != new_v):
            who = new_v if after is not None else old_v
            if who is not None and who != event.actor:
                parts.append(f"{label}: {_value(who)}")
        elif before is None:
            if new_v is not None:
                parts.append(f"{label}: {_value(new_v)}")
        elif after is None:
            if old_v is not None:
                parts.append(f"{label}: {_value(old_v)} -> (removed)")
        elif old_v != new_v:
            parts.append(f"{label}: {_value(old_v)} -> {_value(new_v)}")
    return parts


def _details(detail: Any) -> list[str]:
    """The event's detail as ``key: value`` parts."""
    if detail is None:
        return []
    if isinstance(detail, dict):
        return [f"{safe_inline(str(k), 40)}: {_value(v)}" for k, v in detail.items()]
    return [f"detail: {_value(detail)}"]


def format_event(event: Event) -> str:
    """One plain, terminal-safe line, e.g.

    ``2026-11-26T11:46:34.123Z  alice (acct alice)  label.change  case sup-0003  bucket:
    wrong_intent -> bad_extraction``. Every text from the store goes through ``safe_inline``.
    """
    parts = [
        _safe_word(event.at, 40),
        f"{_safe_word(event.actor, 64)} (acct {_safe_word(event.account, 64)})",
        _safe_word(event.kind, 64),
    ]
    if event.case_id is not None:
        parts.append(f"case {_value(event.case_id)}")
    parts += _changes(event)
    parts += _details(event.detail)
    return "  ".join(parts)
