"""Build a large synthetic store for the review and stats benchmarks (run by hand, not a test).

    .venv/bin/python benchmarks/make_big_store.py /work/bench-data/big-1m.db
    .venv/bin/python benchmarks/make_big_store.py /work/bench-data/big-1m.db --big-texts 600
    .venv/bin/python benchmarks/make_big_store.py /tmp/small.db --cases 20000 --labels 10000

What it makes (defaults): 1,000,000 cases of about 9.3 KB (input 1.5 KB, context 4 KB as a list
of 2-3 titled documents, output 1 KB, medians; log-normal lengths; word-ish English text in
sentences and paragraphs, a few non-ASCII words; a quarter of the inputs are chat transcripts),
slices ``length``/``attachment``/``user``/``channel``, meta ``prompt_version``/``model``/
``latency_ms``/``output_format``; and 500,000 labels: the first 250,000 cases labeled by both
``alice`` and ``bob`` (the state of a team that walked the queue in order), about 80% agreement
over the default 9 buckets, about 3% with a note.

``--big-texts K`` makes the last K cases huge (input 100 KB, context 2 x 50 KB, output 100 KB)
and gives them the slice ``length=huge``, so ``labeler review STORE --slice length=huge`` walks
them. ``--tiny-texts`` writes 20-character texts (for the stats benchmark, which never reads
them). ``--buckets 10`` adds buckets to the default taxonomy (through ``replace_taxonomy``).

How: ``create_store`` makes the store with the real schema and taxonomy; then rows go in with
raw ``executemany`` into ``cases`` and ``case_texts`` (same columns and JSON encodings as
``labeler import``: compact JSON with sorted keys, the same content-hash formula), one
``imports`` row and one ``import`` event, and the labels into ``labels`` (the triggers keep
``cases.label_count``), all in ONE transaction with a rollback journal and ``synchronous=OFF``;
the store is switched back to WAL at the end. There is no ``label.create`` event per label (the
audit log is not read by review or stats). No ANALYZE is run (``labeler import`` runs none).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labeler.identity import Actor
from labeler.store import create_store
from labeler.store.order import place_new_cases
from labeler.taxonomy import Bucket, Taxonomy, default_taxonomy, replace_taxonomy

DEFAULT_PATH = "/work/bench-data/big-1m.db"
BATCH = 2000
IMPORTED_AT = "2026-11-20T09:00:00.000Z"


def words(text: str) -> list[str]:
    """The words of ``text``."""
    return text.split()


COMMON = words(
    "the a to and of in is it you that for on was with as have be at this your are not but "
    "can we my our will order refund account please thanks hello hi when what how why where "
    "there their they been from has had would could should just now still again also only"
)
DOMAIN = words(
    "refund return order invoice payment card delivery tracking parcel courier warehouse "
    "address subscription plan upgrade downgrade cancel cancellation renewal discount coupon "
    "voucher balance statement charge chargeback dispute receipt shipping label package damaged "
    "missing late early replacement exchange warranty policy terms window days business agent "
    "ticket escalation priority attachment screenshot password reset login email phone verify "
    "identity security account locked unlocked profile settings notification app website "
    "checkout basket cart stock available unavailable backorder customer service manager "
    "supervisor complaint feedback survey rating support chat transcript minutes hours weeks"
)
NON_ASCII = ["café", "naïve", "€", "Zürich", "São", "注文", "façade", "résumé", "Müller", "—"]
TITLES = [
    "Refund policy",
    "Returns and exchanges",
    "Shipping times by region",
    "Subscription terms",
    "Account security FAQ",
    "Warranty conditions",
    "Payment methods",
    "Order tracking guide",
    "Escalation procedure",
    "Privacy notice",
]
SOURCES = ["kb/refunds", "kb/returns", "kb/shipping", "kb/subscriptions", "kb/security", "crm"]
MODELS = ["support-llm-2026-01", "support-llm-2026-03", "support-llm-mini"]
PROMPTS = ["v5", "v6", "v7", "v8"]


def dumps(value: Any) -> str:
    """The store's JSON encoding (compact, sorted keys, UTF-8 kept), as ``labeler.models``."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def make_pool(rng: random.Random, size: int, non_ascii_rate: float) -> str:
    """A long text of sentences and paragraphs to slice case texts from."""
    words = COMMON * 3 + DOMAIN
    parts: list[str] = []
    length = 0
    while length < size:
        paragraph: list[str] = []
        for _ in range(rng.randint(2, 7)):
            n = rng.randint(5, 22)
            sentence = []
            for _ in range(n):
                if rng.random() < non_ascii_rate:
                    sentence.append(rng.choice(NON_ASCII))
                elif rng.random() < 0.04:
                    sentence.append(str(rng.randint(2, 99999)))
                else:
                    sentence.append(rng.choice(words))
            text = " ".join(sentence)
            paragraph.append(text[0].upper() + text[1:] + rng.choice(".....?!"))
        chunk = " ".join(paragraph)
        parts.append(chunk)
        length += len(chunk) + 2
    return "\n\n".join(parts)


class TextMaker:
    """Slices of the pool with log-normal lengths, starting and ending at word boundaries."""

    def __init__(self, rng: random.Random, non_ascii_rate: float) -> None:
        self.rng = rng
        self.pool = make_pool(rng, 4_000_000, non_ascii_rate)
        self.size = len(self.pool)

    def text(self, median: int, sigma: float = 0.75, cap: int = 20) -> str:
        n = max(20, min(int(median * self.rng.lognormvariate(0.0, sigma)), cap * median))
        return self.exact(n)

    def exact(self, n: int) -> str:
        pool = self.pool
        start = self.rng.randrange(0, self.size - n - 200)
        space = pool.find(" ", start, start + 100)
        if space >= 0:
            start = space + 1
        end = pool.rfind(" ", start + n // 2, start + n)
        return pool[start : end if end > 0 else start + n].strip()


ENC = json.encoder.encode_basestring  # the C escaper json.dumps(ensure_ascii=False) uses


def context_json(docs: list[tuple[str | None, str, str]]) -> str:
    """``dumps([{"source", "text", "title"}, ...])`` written directly (3x faster)."""
    return (
        "["
        + ",".join(
            f'{{"source":{"null" if s is None else ENC(s)},"text":{ENC(t)},"title":{ENC(ti)}}}'
            for s, t, ti in docs
        )
        + "]"
    )


def make_case(
    i: int, rng: random.Random, texts: TextMaker, *, huge: bool, tiny: bool, chat_rate: float
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(case_id, content_hash, slices, meta) and (input_kind, input, context, output, expected).

    The content hash is a sha256 of the stored fields joined by NUL, not the import formula
    (which serialises everything once more): nothing re-imports these synthetic cases.
    """
    doc_count = rng.choice((2, 2, 3))
    docs: list[tuple[str | None, str, str]]
    if tiny:
        raw_input: str = texts.exact(20)
        docs = [(None, texts.exact(20), "doc")]
        output: str | None = texts.exact(20)
    elif huge:
        raw_input = texts.exact(100_000)
        docs = [(rng.choice(SOURCES), texts.exact(50_000), t) for t in rng.sample(TITLES, 2)]
        output = texts.exact(100_000)
    else:
        raw_input = texts.text(1500)
        docs = [
            (rng.choice(SOURCES), texts.text(4000 // doc_count), t)
            for t in rng.sample(TITLES, doc_count)
        ]
        output = texts.text(1000)
    output_format = "json" if rng.random() < 0.1 else "text"
    if output_format == "json" and not huge and not tiny:
        answer = {"intent": rng.choice(DOMAIN), "reply": output[:400], "confidence": 0.87}
        output = json.dumps(answer)
        if rng.random() < 0.3:
            output = output[:-1] + "\n(end of answer)"  # broken JSON: the hint shows it
    input_kind = "text"
    stored_input = raw_input
    if not tiny and not huge and rng.random() < chat_rate:
        input_kind = "chat"
        sentences = raw_input.split(". ")
        turns = [
            {"content": s.strip() + ".", "role": "user" if k % 2 == 0 else "assistant"}
            for k, s in enumerate(sentences)
            if s.strip()
        ]
        stored_input = dumps(turns or [{"content": raw_input, "role": "user"}])
    expected = texts.exact(200) if (not tiny and rng.random() < 0.1) else None
    if huge:
        length = "huge"
    else:
        length = "short" if len(raw_input) < 1000 else "medium" if len(raw_input) < 2500 else "long"
    slices_json = (
        f'{{"attachment":"{rng.choice(("none", "none", "none", "image", "pdf"))}",'
        f'"channel":"{rng.choice(("chat", "chat", "email", "voice"))}",'
        f'"length":"{length}",'
        f'"user":"{rng.choice(("new", "returning", "returning", "vip"))}"}}'
    )
    latency = int(min(60_000, 1400 * rng.lognormvariate(0.0, 0.8)))
    meta_json = (
        f'{{"latency_ms":{latency},"model":"{rng.choice(MODELS)}",'
        f'"output_format":"{output_format}","prompt_version":"{rng.choice(PROMPTS)}"}}'
    )
    stored_context = context_json(docs)
    digest = hashlib.sha256()
    for part in (
        input_kind,
        stored_input,
        stored_context,
        output,
        expected,
        slices_json,
        meta_json,
    ):
        digest.update((part or "").encode("utf-8"))
        digest.update(b"\0")
    case_row = (f"case-{i:07d}", digest.hexdigest(), slices_json, meta_json)
    text_row = (input_kind, stored_input, stored_context, output, expected)
    return case_row, text_row


def make_batch(job: tuple[int, int, int, int, bool, float, float]) -> list[tuple[Any, ...]]:
    """Rows ``(seq, case_id, hash, slices, meta, kind, input, context, output, expected)`` for
    cases ``start..stop-1``; seeded per batch, so the store is the same whatever the workers."""
    start, stop, first_huge, seed, tiny, chat_rate, non_ascii_rate = job
    texts = _worker_texts(seed, non_ascii_rate)
    rng = random.Random(seed * 1_000_003 + start)
    texts.rng = rng
    rows = []
    for seq in range(start, stop):
        c, t = make_case(seq, rng, texts, huge=seq >= first_huge, tiny=tiny, chat_rate=chat_rate)
        rows.append((seq, *c, *t))
    return rows


def _ordered(pool: Any, jobs: list[Any], ahead: int) -> Iterator[list[tuple[Any, ...]]]:
    """Results of ``make_batch`` in order, with at most ``ahead`` batches in flight (memory)."""
    waiting: deque[Any] = deque()
    for job in jobs:
        waiting.append(pool.apply_async(make_batch, (job,)))
        if len(waiting) >= ahead:
            yield waiting.popleft().get()
    while waiting:
        yield waiting.popleft().get()


_TEXTS: dict[tuple[int, float], TextMaker] = {}


def _worker_texts(seed: int, non_ascii_rate: float) -> TextMaker:
    key = (seed, non_ascii_rate)
    if key not in _TEXTS:
        _TEXTS[key] = TextMaker(random.Random(seed), non_ascii_rate)
    return _TEXTS[key]


def label_rows(
    labeled_cases: int, reviewers: list[str], buckets: list[str], agreement: float, seed: int
) -> Iterator[tuple[Any, ...]]:
    """Labels on cases 1..labeled_cases by every reviewer; the first is the reference."""
    rng = random.Random(seed + 1)
    weights = [1.0 / (k + 1) for k in range(len(buckets))]
    for seq in range(1, labeled_cases + 1):
        first = rng.choices(buckets, weights)[0]
        minute = seq // 100
        for r, reviewer in enumerate(reviewers):
            bucket = first
            if r and rng.random() >= agreement:
                bucket = rng.choice([b for b in buckets if b != first])
            note = (
                f"why {bucket}: see output line {rng.randint(1, 9)}"
                if rng.random() < 0.03
                else None
            )
            day, hour = 21 + minute // 1440 % 8, minute // 60 % 24
            at = f"2026-11-{day:02d}T{hour:02d}:{minute % 60:02d}:00.000Z"
            yield (seq, reviewer, reviewer, bucket, note, 1, at)


def add_buckets(store_path: Path, actor: Actor, total: int) -> None:
    """Extend the default taxonomy to ``total`` buckets (shortcuts 0, then h, i, ...)."""
    from labeler.store import open_store

    extra = total - len(default_taxonomy().bucket)
    if extra <= 0:
        return
    keys = iter("0hilmoprvwy")
    buckets = list(default_taxonomy().bucket)
    for k in range(extra):
        shortcut = next(keys)
        buckets.append(
            Bucket(key=f"extra_{k + 1}", name=f"Extra bucket {k + 1}", shortcut=shortcut)
        )
    with open_store(store_path) as store:
        replace_taxonomy(store, Taxonomy(bucket=buckets), actor)


def build_store(
    path: Path,
    *,
    cases: int,
    labels: int,
    big_texts: int = 0,
    tiny_texts: bool = False,
    reviewers: tuple[str, ...] = ("alice", "bob"),
    agreement: float = 0.8,
    buckets: int = 9,
    chat_rate: float = 0.25,
    non_ascii_rate: float = 0.003,
    seed: int = 7,
    workers: int = 2,
    quiet: bool = False,
) -> dict[str, float]:
    """Make the store; return timings and sizes."""
    if labels % len(reviewers):
        raise SystemExit(f"--labels must be a multiple of {len(reviewers)}")
    labeled_cases = labels // len(reviewers)
    if labeled_cases > cases:
        raise SystemExit("more labeled cases than cases")
    actor = Actor(name="bench", account="bench", on_trust=True)
    started = time.perf_counter()
    create_store(path, actor).close()
    add_buckets(path, actor, buckets)

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB
    conn.execute("PRAGMA foreign_keys = OFF")
    bucket_keys = [r[0] for r in conn.execute("SELECT key FROM buckets ORDER BY position")]
    text_bytes = 0
    conn.execute("BEGIN IMMEDIATE")
    import_id = conn.execute(
        "INSERT INTO imports (file_name, sha256, format, imported_at, actor, account, records,"
        " inserted, updated, unchanged, skipped) VALUES (?, ?, 'jsonl', ?, 'bench', 'bench',"
        " ?, ?, 0, 0, 0)",
        (str(path) + ".synthetic.jsonl", "0" * 64, IMPORTED_AT, cases, cases),
    ).lastrowid
    first_huge = cases - big_texts + 1
    last_report = time.perf_counter()
    jobs = [
        (start, min(start + BATCH, cases + 1), first_huge, seed, tiny_texts, chat_rate,
         non_ascii_rate)
        for start in range(1, cases + 1, BATCH)
    ]  # fmt: skip
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
    batches = _ordered(pool, jobs, ahead=2 * workers) if pool is not None else map(make_batch, jobs)
    done = 0
    for rows in batches:
        conn.executemany(
            "INSERT INTO cases (seq, case_id, version, is_current, content_hash, slices, meta,"
            f" label_count, import_id, imported_at) VALUES (?, ?, 1, 1, ?, ?, ?, 0, {import_id},"
            f" '{IMPORTED_AT}')",
            (r[:5] for r in rows),
        )
        conn.executemany(
            "INSERT INTO case_texts (case_seq, input_kind, input, context, output, expected)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((r[0], *r[5:]) for r in rows),
        )
        for r in rows:
            text_bytes += len(r[1]) + len(r[2]) + len(r[3]) + len(r[4])
            text_bytes += sum(len(x.encode()) for x in r[6:] if x is not None)
        done += len(rows)
        now = time.perf_counter()
        if not quiet and now - last_report > 10:
            last_report = now
            print(
                f"  {done:,} cases in {now - started:.0f} s ({done / (now - started):,.0f}/s)",
                file=sys.stderr,
            )
    if pool is not None:
        pool.close()
        pool.join()
    place_new_cases(conn)  # the random review order, as `labeler import` gives it
    cases_done = time.perf_counter()
    rows = label_rows(labeled_cases, list(reviewers), bucket_keys, agreement, seed)
    conn.executemany(
        "INSERT INTO labels (case_seq, reviewer, account, bucket, note, version, labeled_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT INTO events (at, actor, account, kind, detail) VALUES (?, 'bench', 'bench',"
        " 'import', ?)",
        (IMPORTED_AT, dumps({"synthetic": True, "cases": cases, "import_id": import_id})),
    )
    conn.execute("COMMIT")
    labels_done = time.perf_counter()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    finished = time.perf_counter()
    size = path.stat().st_size
    return {
        "cases_s": cases_done - started,
        "labels_s": labels_done - cases_done,
        "total_s": finished - started,
        "bytes_per_case": text_bytes / max(cases, 1),
        "file_bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", default=DEFAULT_PATH, type=Path)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--labels", type=int, default=500_000)
    parser.add_argument("--big-texts", type=int, default=0, metavar="K")
    parser.add_argument("--tiny-texts", action="store_true")
    parser.add_argument("--reviewers", default="alice,bob")
    parser.add_argument("--agreement", type=float, default=0.8)
    parser.add_argument("--buckets", type=int, default=9)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes generating text"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing store")
    args = parser.parse_args()

    path: Path = args.store
    if path.exists():
        if not args.force:
            raise SystemExit(f"{path} exists (use --force to replace it)")
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    result = build_store(
        path,
        cases=args.cases,
        labels=args.labels,
        big_texts=args.big_texts,
        tiny_texts=args.tiny_texts,
        reviewers=tuple(args.reviewers.split(",")),
        agreement=args.agreement,
        buckets=args.buckets,
        seed=args.seed,
        workers=args.workers,
    )
    print(
        f"built {path}: {args.cases:,} cases ({args.big_texts:,} with 100 KB texts), "
        f"{args.labels:,} labels, {result['file_bytes'] / 1e9:.2f} GB, "
        f"{result['bytes_per_case'] / 1000:.1f} KB of text and JSON per case"
    )
    print(
        f"build time {result['total_s']:.1f} s (cases {result['cases_s']:.1f} s = "
        f"{args.cases / result['cases_s']:,.0f}/s, labels {result['labels_s']:.1f} s)"
    )


if __name__ == "__main__":
    main()
