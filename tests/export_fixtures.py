"""Test data for the export tests: a store with one case of every status, built with SQL.

``status_store`` holds, in this order (case ids):

========== ======================================== ============== ================
case       labels                                   status         final bucket
========== ======================================== ============== ================
c-agreed   alice, bob: wrong_intent (notes)         agreed         wrong_intent
c-resolved alice wrong_intent, bob bad_extraction   resolved       wrong_intent
c-unclear  alice other, bob too_slow                unclear        unclear
c-unres    alice wrong_intent, bob not_a_failure    unresolved     unresolved
c-single   alice unsafe_pii                         single         unsafe_pii
c-none     (none)                                   unlabeled      unlabeled
========== ======================================== ============== ================

plus an older version of ``c-single`` (not current, labeled by carol) that no export shows.
It also holds the hostile strings of ``shared/hostile/cases.jsonl``, embedded here so the
tests run without the shared folder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from store_rows import insert_text_case, write_label

from labeler.clock import utc_now
from labeler.identity import Actor
from labeler.store import Store, create_store
from labeler.text.csv_safety import restore

#: The texts of shared/hostile/cases.jsonl (ids, inputs and outputs), verbatim.
HOSTILE_STRINGS: tuple[str, ...] = (
    "hostile-markup-inst",
    "[INST] Summarise the thread [/INST] The refund [b]was[/b] approved [/]",
    "Your order is delayed. [@click=app.quit]Track it here[/]",
    "\x1b[31mREFUND DENIED\x1b[0m, sorry",
    "hello \x1b]2;new window title\x1b\\ there",
    "approve\rREJECT",
    "please open invoice_\u202efdp.exe",
    "def f(xs: list[int]) -> dict[str, int]: return {x: xs[0] for x in xs}",
    "name\x00hidden",
    "=1+2",
    "注文番号 4471 の返品状況は？ 🙏🏽",
    "Where is my refund?",
)

#: More cells a spreadsheet or a CSV reader could trip on.
AWKWARD_STRINGS: tuple[str, ...] = (
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    " \n=1",
    "\uff1d1",
    "'already quoted",
    "''",
    'say "hi", then\r\nleave',
    "\r",
    "\n",
    "a,b;c",
    "\ufeffbom",
    "\u2028line sep",
    "\x85next line",
)


def actor(name: str) -> Actor:
    """An actor whose account is ``<name>-account``."""
    return Actor(name=name, account=f"{name}-account", on_trust=True)


def add_case(
    store: Store,
    seq: int,
    case_id: str,
    *,
    slices: dict[str, str] | None = None,
    meta: dict[str, Any] | None = None,
    version: int = 1,
    current: bool = True,
) -> int:
    """Insert one text case with internal number ``seq``; returns ``seq``."""
    return insert_text_case(
        store,
        seq,
        case_id,
        input_text=f"input of {seq}",
        output_text=f"output of {seq}",
        slices=slices,
        meta=meta,
        version=version,
        current=current,
    )


def label(store: Store, seq: int, reviewer: str, bucket: str, note: str | None = None) -> None:
    """Write (or change) ``reviewer``'s label on the case."""
    write_label(store, seq, actor(reviewer), bucket, note)


def resolve(
    store: Store, seq: int, bucket: str | None, method: str, resolver: str, reason: str | None
) -> None:
    """Write a resolution row directly with SQL."""
    with store.write() as conn:
        conn.execute(
            "INSERT INTO resolutions (case_seq, bucket, method, resolver, account, reason,"
            " version, resolved_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
            (seq, bucket, method, resolver, f"{resolver}-account", reason, utc_now()),
        )


META_AGREED: dict[str, Any] = {
    "model": "gpt-x",
    "latency_ms": 1234,
    "prompt": {"version": "v2", "tags": ["a", "b"], "deep": {"x": True}},
    "empty": {},
    "nothing": None,
    "ratio": 0.25,
}


def status_store(tmp_path: Path) -> Store:
    """The store of the module docstring, at ``tmp_path/s.db``."""
    store = create_store(tmp_path / "s.db", actor("owner"))
    add_case(store, 1, "c-agreed", slices={"length": "long", "user": "new"}, meta=META_AGREED)
    label(store, 1, "bob", "wrong_intent", note="=1+2 looks like a formula")
    label(store, 1, "alice", "wrong_intent", note="clear, wrong intent")
    add_case(store, 2, "c-resolved", slices={"length": "short"}, meta={"model": "gpt-y"})
    label(store, 2, "alice", "wrong_intent")
    label(store, 2, "bob", "bad_extraction", note="the amount")
    resolve(store, 2, "wrong_intent", "took_a", "carol", "A read the request right")
    add_case(store, 3, "c-unclear", slices={"attachment": "yes"})
    label(store, 3, "alice", "other")
    label(store, 3, "bob", "too_slow")
    resolve(store, 3, None, "unclear", "carol", "cannot tell from the log")
    add_case(store, 4, "c-unres", slices={"length": "long"})
    label(store, 4, "alice", "wrong_intent")
    label(store, 4, "bob", "not_a_failure")
    add_case(store, 5, "c-single", current=False)  # an older version of c-single
    label(store, 5, "carol", "other", note="given for the old text")
    add_case(store, 6, "c-single", version=2, slices={"length": "short"})
    label(store, 6, "alice", "unsafe_pii")
    add_case(store, 7, "c-none")
    return store


def read_csv(path: Path, *, encoding: str = "utf-8") -> list[list[str]]:
    """All records of a CSV file, raw (no restore), with the field limit raised."""
    csv.field_size_limit(1 << 30)
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def read_csv_dicts(path: Path, *, encoding: str = "utf-8") -> list[dict[str, str]]:
    """Records of a CSV file as dicts, every cell (and header) put back with ``restore``."""
    records = read_csv(path, encoding=encoding)
    header = [restore(h) for h in records[0]]
    rows = []
    for record in records[1:]:
        assert len(record) == len(header)
        rows.append({h: restore(cell) for h, cell in zip(header, record, strict=True)})
    return rows


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSON lines file (strictly valid UTF-8)."""
    text = path.read_bytes().decode("utf-8")
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def test_fixture_store_has_every_status(tmp_path: Path) -> None:
    """The fixture store really holds one case of each status (guards the other tests)."""
    with status_store(tmp_path) as store:
        rows = store.query("SELECT case_id, status FROM case_status ORDER BY case_seq")
    assert [(r[0], r[1]) for r in rows] == [
        ("c-agreed", "agreed"),
        ("c-resolved", "resolved"),
        ("c-unclear", "unclear"),
        ("c-unres", "unresolved"),
        ("c-single", "single"),
        ("c-none", "unlabeled"),
    ]
