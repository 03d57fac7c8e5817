"""Build the ``progress`` benchmark store: many tiny cases, labeled the way reviewers walking the
review queue label them (a prefix of the store's random order).

    .venv/bin/python benchmarks/make_progress_store.py /tmp/progress.db --cases 50000

Why: ``labeler progress`` (issue 16: start to end in <= 1.5 x ``labeler --help`` on 1M cases)
has a fast path for its "sampling:" line when the labeled cases are exactly a prefix of the
store's random review order, which is what reviewers who walk the queue leave behind. The
``main`` store (``make_big_store.py``) is labeled by case number, not in that order, and its
9 KB texts make it 10 GB at 1M cases. This store has what ``progress`` reads (cases with their
slices and order keys, labels, resolutions, label events) at a few hundred MB for 1M cases, and
is built in a minute or two.

What it makes (defaults): ``cases`` cases with tiny texts (an input and an output of a few
words) and slices ``lang``/``channel``/``tier``, imported with ``labeler import`` from a
generated JSONL (removed afterwards), so they get labeler's own random review order. Then
``alice`` and ``bob`` label the first half of that order (``ORDER BY review_order, seq`` over the
current cases), each label with ``reached_by = 'random_order'`` as the review queue writes it;
bob's bucket differs from alice's on about 20% of the cases, about 3% of labels carry a note.
``carol`` resolves the first ``resolutions`` disagreements (took A, took B, other, unclear).
Every label has one ``label.create`` event and every resolution one ``resolution.create`` event,
with the columns and JSON ``record_event`` writes; the events are in time order: each reviewer
labels in daily sessions of about three hours (alice about 400 labels an hour, bob 360), the
latest session ending a few minutes before the build, so ``progress`` has a pace to show.

How: the rows go in with plain ``executemany`` in ONE transaction (rollback journal,
``synchronous=OFF``; the store's triggers keep ``cases.label_count`` and whatever else the schema
keeps), then the store is switched back to WAL. No ANALYZE (``labeler import`` runs none).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REVIEWERS = (("alice", 9.0), ("bob", 10.0))
"""The reviewers (A, then B: the resolve screen sorts them by name) and their seconds a label."""
RESOLVER = "carol"
SESSION_LABELS = 1200
"""Labels per session (about 3 hours at these paces); one session a day."""
REACHED_RANDOM_ORDER = "random_order"
"""``labeler.store.order.REACHED_RANDOM_ORDER``: what the review queue writes."""

LANGS = ("en", "en", "en", "en", "de", "fr", "es", "ja")
CHANNELS = ("chat", "chat", "email", "voice")
TIERS = ("free", "free", "pro", "enterprise")
ASKS = (
    "where is my order",
    "cancel my plan",
    "refund for order",
    "reset my password",
    "change the address of order",
    "why was I charged twice for",
    "upgrade to pro",
    "the app crashes on login",
)
ANSWERS = (
    "It ships in {n} days.",
    "Your plan is cancelled.",
    "The refund of order {n} is on its way.",
    "A reset link was sent.",
    "The address was changed.",
    "One charge will be refunded.",
    "You are on pro now.",
    "Please update the app to version {n}.",
)
NOTES = ("see the last sentence", "the order number is wrong", "policy says 30 days", "rude tone")


def _json(value: Any) -> str:
    """``record_event``'s encoding (sorted keys, non-ASCII kept, default separators)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_cases(path: Path, cases: int, seed: int) -> None:
    """The JSONL ``labeler import`` reads: ``cases`` tiny cases."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(1, cases + 1):
            k = rng.randrange(len(ASKS))
            n = rng.randint(2, 99_999)
            record = {
                "id": f"p-{i:07d}",
                "input": f"{ASKS[k]} {n}?",
                "output": ANSWERS[k].format(n=n % 9 + 1),
                "slices": {
                    "lang": rng.choice(LANGS),
                    "channel": rng.choice(CHANNELS),
                    "tier": rng.choice(TIERS),
                },
            }
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


def stamp(moment: float) -> str:
    """A Unix time as the store writes times (``labeler.clock.utc_now``)."""
    when = datetime.datetime.fromtimestamp(moment, datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def label_time(end: float, position: int, count: int, step: float) -> float:
    """When a reviewer who gives ``count`` labels at ``step`` seconds each in daily sessions of
    :data:`SESSION_LABELS`, the last at ``end``, gave label ``position`` (0: the first)."""
    back = count - 1 - position
    return end - (back // SESSION_LABELS) * 86_400.0 - (back % SESSION_LABELS) * step


def build_store(
    path: Path,
    *,
    cases: int,
    resolutions: int = 300,
    disagreement: float = 0.2,
    seed: int = 11,
    labeler: str | None = None,
    quiet: bool = False,
) -> dict[str, float]:
    """Make the store at ``path`` (which must not exist); return timings and sizes."""
    started = time.perf_counter()
    labeler = labeler or str(Path(sys.executable).parent / "labeler")
    jsonl = path.with_name(path.name + ".import.jsonl")
    try:
        write_cases(jsonl, cases, seed)
        written = time.perf_counter()
        env = {**os.environ, "LABELER_REVIEWER": "bench"}
        subprocess.run(
            [labeler, "import", str(path), str(jsonl)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL if quiet else None,
        )
    finally:
        jsonl.unlink(missing_ok=True)
    imported = time.perf_counter()

    rng = random.Random(seed + 1)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB
    conn.execute("BEGIN IMMEDIATE")
    buckets = [r[0] for r in conn.execute("SELECT key FROM buckets ORDER BY position")]
    weights = [1.0 / (k + 1) for k in range(len(buckets))]
    walk = conn.execute(
        "SELECT seq, case_id, review_order FROM cases WHERE is_current = 1"
        " ORDER BY review_order, seq LIMIT ?",
        (cases // 2,),
    ).fetchall()
    end = time.time() - 600  # the last labels, ten minutes before the build
    labels: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []  # (unix time, row)
    given: dict[int, list[tuple[str, float]]] = {}  # case -> [(bucket, time)] in reviewer order
    for position, (seq, case_id, key) in enumerate(walk):
        first = rng.choices(buckets, weights)[0]
        for r, (reviewer, step) in enumerate(REVIEWERS):
            bucket = first
            if r and rng.random() < disagreement:
                bucket = rng.choice([b for b in buckets if b != first])
            note = rng.choice(NOTES) if rng.random() < 0.03 else None
            moment = label_time(end, position, len(walk), step)
            at = stamp(moment)
            labels.append((seq, reviewer, reviewer, bucket, note, at, REACHED_RANDOM_ORDER, key))
            after = _json({"reviewer": reviewer, "bucket": bucket, "note": note})
            events.append(
                (moment, (at, reviewer, reviewer, "label.create", seq, case_id, None, after, None))
            )
            given.setdefault(seq, []).append((bucket, moment))

    # carol resolves the first disagreements in the order, 24 s each, ending 5 minutes ago.
    split = [(seq, case_id) for seq, case_id, _ in walk if given[seq][0][0] != given[seq][1][0]]
    chosen = split[:resolutions]
    rows = []
    for i, (seq, case_id) in enumerate(chosen):
        (a, a_at), (b, b_at) = given[seq]
        moment = max(time.time() - 300 - (len(chosen) - 1 - i) * 24.0, a_at + 60, b_at + 60)
        pick = rng.random()
        if pick < 0.4:
            bucket, method, reason = a, "took_a", None
        elif pick < 0.8:
            bucket, method, reason = b, "took_b", None
        elif pick < 0.9:
            bucket = rng.choice([k for k in buckets if k not in (a, b)])
            method, reason = "other", "neither label fits"
        else:
            bucket, method, reason = None, "unclear", "the guideline does not say"
        at = stamp(moment)
        rows.append((seq, bucket, method, RESOLVER, RESOLVER, reason, 1, at))
        after = _json({"resolver": RESOLVER, "bucket": bucket, "method": method, "reason": reason})
        event = (at, RESOLVER, RESOLVER, "resolution.create", seq, case_id, None, after, None)
        events.append((moment, event))

    labels.sort()  # by case: the labels' primary key, so the inserts append
    conn.executemany(
        "INSERT INTO labels (case_seq, reviewer, account, bucket, note, version, labeled_at,"
        " reached_by, case_order) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
        labels,
    )
    conn.executemany(
        "INSERT INTO resolutions (case_seq, bucket, method, resolver, account, reason, version,"
        " resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    events.sort(key=lambda e: e[0])
    conn.executemany(
        "INSERT INTO events (at, actor, account, kind, case_seq, case_id, before, after, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (e[1] for e in events),
    )
    conn.execute("COMMIT")
    labeled = time.perf_counter()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    finished = time.perf_counter()
    return {
        "jsonl_s": written - started,
        "import_s": imported - written,
        "labels_s": labeled - imported,
        "total_s": finished - started,
        "labels": len(labels),
        "disagreements": len(split),
        "resolutions": len(rows),
        "file_bytes": path.stat().st_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--resolutions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--force", action="store_true", help="replace an existing store")
    args = parser.parse_args()
    path: Path = args.store
    if path.exists():
        if not args.force:
            raise SystemExit(f"{path} exists (use --force to replace it)")
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    result = build_store(path, cases=args.cases, resolutions=args.resolutions, seed=args.seed)
    print(
        f"built {path}: {args.cases:,} cases, {result['labels']:,.0f} labels,"
        f" {result['disagreements']:,.0f} disagreements ({result['resolutions']:,.0f} resolved),"
        f" {result['file_bytes'] / 1e6:,.0f} MB in {result['total_s']:.1f} s (JSONL"
        f" {result['jsonl_s']:.1f} s, import {result['import_s']:.1f} s, labels and events"
        f" {result['labels_s']:.1f} s)"
    )


if __name__ == "__main__":
    main()
