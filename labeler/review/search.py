"""`/` search over case ids, inputs and outputs: exact matches first, then typos.

Ranking, best first:

1. **id**: the case whose id is the query (an index lookup);
2. **exact**: the query appears in the id, input or output, ignoring case; several words
   match across any run of white space ("refund policy" finds "Refund\\n policy");
3. **words**: every word of the query appears somewhere in the case;
4. **typo**: a fuzzy match (rapidfuzz ``partial_ratio`` on capped text, score >= 60).

Within exact and words, cases come in store order; typos by score. Every hit says where it
matched (``field``) and carries the text around the match (``snippet``, ``start``/``end``).

Where the candidates come from: the FTS5 indexes (:mod:`labeler.store.search_index`) for the
cases they hold, each candidate checked against the real text. One word: the cases holding all
its trigrams. Several words: the cases with those words side by side (the words index; the
last word may be unfinished), then up to ``PHRASE_TRIGRAM_CANDIDATES`` trigram candidates (a
phrase starting inside a word), then the cases holding every word's trigrams. Typos: the
phrase with one word cut to its first three characters, the trigrams that one mistyped
character leaves intact (one FTS5 query per position, each capped), one such variant per
word, and the cases holding most of the query's rare trigrams; rapidfuzz ranks them. Cases
not indexed yet (a fresh import, or an old store while its index is being built) are scanned
in chunks, as before the index existed; so are queries shorter than three characters (no
trigram), for exact matches only. Everything runs on the caller's thread (a worker), which
``should_stop`` can stop between steps; ``on_progress`` reports hits as they are found.

The index is filled by :class:`IndexBuilder`, on a thread with its own connection, in short
write transactions that leave gaps for label writes (see :func:`build_index`).
"""

from __future__ import annotations

import atexit
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz, process

from labeler.store import search_index as idx
from labeler.store.connection import Store, open_store
from labeler.store.errors import StoreError, StorePermission

Kind = Literal["id", "exact", "words", "typo"]
Field = Literal["id", "input", "output"]

EXACT_ID_SCORE = 200.0
"""The score of the case whose id is the query."""
EXACT_SCORE = 100.0
WORDS_SCORE = 90.0
FUZZY_CUTOFF = 60.0
"""Typo matches scoring below this (rapidfuzz ``partial_ratio``, 0-100) are not shown."""
FUZZY_CHARS = 4_000
"""How much of each field rapidfuzz compares (it is quadratic in text length)."""
SNIPPET_CHARS = 240
"""How much of each field the scan of not-yet-indexed cases compares for typos."""
MIN_INDEXED_QUERY = 3
"""Shorter queries have no trigram and are scanned."""
MAX_QUERY_CHARS = 200
"""A longer query is cut to this many characters."""
CHUNK = 20_000
"""Cases per step of the scan of cases the index does not hold (the first steps are smaller,
so that the first hits show soon)."""
FIRST_CHUNK = 2_000
EXACT_PAGE = 1_000
"""At most this many index candidates are checked per step."""
PHRASE_TRIGRAM_CANDIDATES = 2_000
"""Several words: trigram candidates checked for a phrase that starts inside a word."""
TYPO_PER_VARIANT = 200
"""Typo candidates per one-typo variant of the query (the first in store order)."""
TYPO_PER_QUERY = 1_000
"""Typo candidates from the one-typo-per-word query and from the rare trigrams."""
RARE_TERM_CASES = 10_000
"""A trigram in more cases than this is too common to pick candidates by."""
RARE_TERMS = 8
TYPO_MAX_CANDIDATES = 3_000
CONTEXT_BEFORE = 40
SNIPPET_LENGTH = 160

_TIER: dict[Kind, int] = {"id": 0, "exact": 1, "words": 2, "typo": 3}
_BEST_SCORE: dict[Kind, float] = {"id": 200.0, "exact": 100.0, "words": 90.0, "typo": 99.0}
_FIELDS: tuple[Field, ...] = ("id", "input", "output")


@dataclass(frozen=True)
class Hit:
    """One search result. ``snippet`` is raw case text: make it safe before display."""

    score: float
    seq: int
    case_id: str
    snippet: str
    kind: Kind = "typo"
    field: Field = "input"
    start: int = 0
    """Where the match starts in ``snippet``."""
    end: int = 0
    """Where the match ends in ``snippet`` (``start`` when nothing is to be marked)."""

    @property
    def rank(self) -> tuple[int, float, int]:
        """Sort key: tier, then score (typos), then store order."""
        return (_TIER[self.kind], -self.score, self.seq)


@dataclass(frozen=True)
class SearchProgress:
    """What a search has found so far."""

    hits: list[Hit]
    done: bool
    step: str
    """What runs now, for a status line ("exact matches", "typos", "scanning", "done")."""
    scanned: int = 0
    """Cases not in the index scanned so far."""
    to_scan: int = 0
    """Cases not in the index that this search scans."""


class _Top:
    """The best ``limit`` hits, one per case."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._by_seq: dict[int, Hit] = {}
        self._worst: tuple[int, float, int] | None = None

    def add(self, hit: Hit) -> None:
        rank = hit.rank
        if self._worst is not None and len(self._by_seq) >= self.limit and rank >= self._worst:
            return
        old = self._by_seq.get(hit.seq)
        if old is not None and old.rank <= rank:
            return
        self._by_seq[hit.seq] = hit
        if len(self._by_seq) > self.limit:
            worst = max(self._by_seq.values(), key=lambda h: h.rank)
            del self._by_seq[worst.seq]
        self._worst = max(h.rank for h in self._by_seq.values())

    def __contains__(self, seq: int) -> bool:
        return seq in self._by_seq

    def sorted(self) -> list[Hit]:
        return sorted(self._by_seq.values(), key=lambda h: h.rank)

    def settled_before(self, rank: tuple[int, float, int]) -> bool:
        """True when no hit ranked ``rank`` or worse can enter any more."""
        return len(self._by_seq) >= self.limit and self._worst is not None and self._worst < rank


class Matcher:
    """The query, ready to check texts against."""

    def __init__(self, query: str) -> None:
        self.raw = query.strip()[:MAX_QUERY_CHARS]
        self.words = self.raw.split()
        self.text = " ".join(self.words)
        """The query with every run of white space made one space."""
        self.lower = self.text.lower()
        pattern = r"\s+".join(re.escape(w) for w in self.words)
        self.phrase = re.compile(pattern, re.IGNORECASE) if self.words else None
        self.word_patterns = [re.compile(re.escape(w), re.IGNORECASE) for w in self.words]

    @property
    def empty(self) -> bool:
        return not self.words

    @property
    def indexable(self) -> bool:
        """True when the index can answer (the query has at least one trigram)."""
        return bool(self.exact_terms())

    def exact_terms(self) -> list[str]:
        """Trigrams that every exact match holds."""
        return _trigrams(self.text)

    def words_terms(self) -> list[str]:
        """Trigrams that every case holding all the words holds (words of 3+ characters)."""
        terms: list[str] = []
        for word in self.words:
            for gram in _trigrams(word):
                if gram not in terms:
                    terms.append(gram)
        return terms

    def typo_variants(self) -> list[list[str]]:
        """Sets of trigrams that a case with the query mistyped once still holds: for each
        position, every trigram that does not cover it; then each half of the query."""
        variants = _one_edit_variants(self.text[:64])
        grams = _trigrams(self.text[:64])
        if len(grams) >= 6:
            half = len(grams) // 2
            for part in (grams[:half], grams[half:]):
                if part not in variants:
                    variants.append(part)
        return sorted(variants, key=len, reverse=True)

    def typo_phrases(self) -> list[list[tuple[str, bool]]]:
        """Several words: the words side by side with one of them cut to its first three
        characters (a typo further in), as (word, is a prefix) parts of a phrase."""
        if len(self.words) < 2:
            return []
        phrases = []
        last = len(self.words) - 1
        for k, word in enumerate(self.words):
            if len(word) >= 4:
                phrases.append(
                    [(word[:3] if i == k else w, i in (k, last)) for i, w in enumerate(self.words)]
                )
        return phrases

    def word_typo_groups(self) -> list[list[list[str]]]:
        """For each word of four or more characters, its one-typo variants (several words
        with a typo each): a case must hold one variant of every such word."""
        if len(self.words) < 2:
            return []
        groups = [_one_edit_variants(w[:64]) for w in self.words if len(w) >= 4]
        return [g for g in groups if g]

    def match(self, seq: int, case_id: str, input_text: str, output: str) -> Hit | None:
        """An exact or all-words hit on this case, or None."""
        texts = (case_id, input_text, output)
        assert self.phrase is not None
        for name, text in zip(_FIELDS, texts, strict=True):
            found = self.phrase.search(text)
            if found is not None:
                return _hit(EXACT_SCORE, seq, case_id, "exact", name, text, *found.span())
        if len(self.words) < 2:
            return None
        first: tuple[Field, str, int, int] | None = None
        for pattern in self.word_patterns:
            for name, text in zip(_FIELDS, texts, strict=True):
                found = pattern.search(text)
                if found is not None:
                    if first is None:
                        first = (name, text, *found.span())
                    break
            else:
                return None
        assert first is not None
        return _hit(WORDS_SCORE, seq, case_id, "words", *first)

    def typo(self, seq: int, case_id: str, input_text: str, output: str) -> Hit | None:
        """The best fuzzy match of the query in this case, if it scores at least the cutoff."""
        best: tuple[float, Field, str, int, int] | None = None
        for name, text in zip(_FIELDS, (case_id, input_text, output), strict=True):
            capped = text[:FUZZY_CHARS]
            if not capped:
                continue
            found = fuzz.partial_ratio_alignment(
                self.lower, capped.lower(), score_cutoff=FUZZY_CUTOFF
            )
            if found is not None and (best is None or found.score > best[0]):
                best = (found.score, name, capped, found.dest_start, found.dest_end)
        if best is None:
            return None
        score, name, text, start, end = best
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        # A perfect score here differs from an exact match (case, spacing, punctuation).
        return _hit(min(score, 99.0), seq, case_id, "typo", name, text, start, end)


def _best_after(kind: Kind, after: int) -> tuple[int, float, int]:
    """The best rank a hit of this kind on a case numbered above ``after`` can have."""
    return (_TIER[kind], -_BEST_SCORE[kind], after + 1)


def _trigrams(text: str) -> list[str]:
    """The distinct trigrams of ``text`` an FTS5 query can hold (none with a NUL in it)."""
    grams = (text[i : i + 3] for i in range(len(text) - 2))
    return list(dict.fromkeys(g for g in grams if "\x00" not in g))


def _one_edit_variants(text: str) -> list[list[str]]:
    """For each position of ``text``, the trigrams that do not cover it (deduplicated)."""
    grams = [(i, text[i : i + 3]) for i in range(len(text) - 2) if "\x00" not in text[i : i + 3]]
    variants: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for at in range(len(text)):
        kept = list(dict.fromkeys(g for i, g in grams if not i <= at <= i + 2))
        key = frozenset(g.lower() for g in kept)
        if kept and key not in seen:
            seen.add(key)
            variants.append(kept)
    return variants


def _hit(
    score: float, seq: int, case_id: str, kind: Kind, name: Field, text: str, start: int, end: int
) -> Hit:
    """A hit with the text around ``text[start:end]``."""
    begin = max(0, start - CONTEXT_BEFORE)
    if begin:
        space = text.find(" ", begin, start)
        if space != -1:
            begin = space + 1
    stop = max(end, min(len(text), begin + SNIPPET_LENGTH))
    prefix = "…" if begin else ""
    snippet = prefix + text[begin:stop] + ("…" if stop < len(text) else "")
    shift = len(prefix) - begin
    return Hit(score, seq, case_id, snippet, kind, name, start + shift, end + shift)


def search_cases(
    store: Store,
    query: str,
    *,
    limit: int = 20,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: Callable[[SearchProgress], None] | None = None,
    use_index: bool = True,
) -> list[Hit]:
    """The best ``limit`` current cases for ``query``, best first (see the module docstring).

    ``use_index=False`` scans every case instead (benchmarks and tests compare the two).
    """
    matcher = Matcher(query)
    if matcher.empty:
        return []
    top = _Top(limit)

    def report(step: str, scanned: int = 0, to_scan: int = 0) -> None:
        if on_progress is not None:
            on_progress(SearchProgress(top.sorted(), False, step, scanned, to_scan))

    row = idx.case_with_id(store, matcher.raw)
    if row is not None:
        top.add(_hit(EXACT_ID_SCORE, row[0], row[1], "id", "id", row[1], 0, len(row[1])))
    report("exact matches")
    through = 0
    if matcher.indexable and use_index:
        through = idx.index_state(store).indexed_through
        if through:
            _from_index(store, matcher, top, through, should_stop, report)
    if not should_stop():
        _scan(store, matcher, top, through, should_stop, report)
    hits = top.sorted()
    if on_progress is not None and not should_stop():
        on_progress(SearchProgress(hits, True, "done"))
    return hits


def _from_index(
    store: Store,
    matcher: Matcher,
    top: _Top,
    through: int,
    should_stop: Callable[[], bool],
    report: Callable[[str], None],
) -> None:
    """Exact, all-words and typo hits among the cases the index holds (numbers <= through).

    Several words: the words index gives the cases with those words side by side (the last may
    be unfinished); the trigrams then give up to ``PHRASE_TRIGRAM_CANDIDATES`` more (a phrase
    that starts inside a word). One word: the trigrams give every candidate.
    """
    several = len(matcher.words) > 1
    steps: list[tuple[Kind, str, str, int | None]] = []
    if several and idx.has_words(store):
        phrase = idx.fts_phrase(matcher.words, last_is_prefix=True)
        steps.append(("exact", idx.WORDS, phrase, None))
        steps.append(
            ("exact", idx.TABLE, idx.fts_all_of(matcher.exact_terms()), PHRASE_TRIGRAM_CANDIDATES)
        )
    else:
        steps.append(("exact", idx.TABLE, idx.fts_all_of(matcher.exact_terms()), None))
    if several and matcher.words_terms():
        steps.append(("words", idx.TABLE, idx.fts_all_of(matcher.words_terms()), None))
    for kind, table, query, cap in steps:
        after = 0
        checked = 0
        page = 2 * top.limit
        while not should_stop() and not top.settled_before(_best_after(kind, after)):
            if cap is not None and checked >= cap:
                break
            seqs = idx.matching_seqs(
                store, query, after=after, through=through, limit=page, table=table
            )
            if not seqs:
                break
            after = seqs[-1]
            checked += len(seqs)
            page = min(EXACT_PAGE, 2 * page)
            for seq, case_id, input_text, output in idx.case_texts(store, seqs):
                hit = matcher.match(seq, case_id, input_text, output)
                if hit is not None:
                    top.add(hit)
        report("all words" if kind == "exact" and several else "typos")
    if should_stop() or top.settled_before(_best_after("typo", 0)):
        return
    candidates: dict[int, None] = {}

    def collect(seqs: list[int]) -> None:
        for seq in seqs:
            if seq not in top:
                candidates[seq] = None

    if idx.has_words(store):
        for parts in matcher.typo_phrases():
            if should_stop() or len(candidates) >= TYPO_MAX_CANDIDATES:
                break
            query = idx.fts_phrase_parts(parts)
            collect(
                idx.matching_seqs(
                    store, query, after=0, through=through, limit=TYPO_PER_VARIANT, table=idx.WORDS
                )
            )
    for terms in matcher.typo_variants():
        if should_stop() or len(candidates) >= TYPO_MAX_CANDIDATES:
            break
        collect(
            idx.matching_seqs(
                store, idx.fts_all_of(terms), after=0, through=through, limit=TYPO_PER_VARIANT
            )
        )
    word_groups = matcher.word_typo_groups()
    if word_groups and not should_stop():
        query = " AND ".join(f"({idx.fts_any_of(group)})" for group in word_groups)
        collect(idx.matching_seqs(store, query, after=0, through=through, limit=TYPO_PER_QUERY))
    grams = matcher.exact_terms()
    if grams and not should_stop():
        counts = idx.term_counts(store, grams, through=through, cap=RARE_TERM_CASES)
        rare = sorted((n, g) for n, g in zip(counts, grams, strict=True) if n <= RARE_TERM_CASES)
        terms = [g for _, g in rare[:RARE_TERMS]]
        collect(idx.most_terms(store, terms, through=through, limit=TYPO_PER_QUERY))
    seqs = list(candidates)[:TYPO_MAX_CANDIDATES]
    for start in range(0, len(seqs), EXACT_PAGE):
        if should_stop():
            return
        for seq, case_id, input_text, output in idx.case_texts(
            store, seqs[start : start + EXACT_PAGE]
        ):
            hit = matcher.match(seq, case_id, input_text, output) or matcher.typo(
                seq, case_id, input_text, output
            )
            if hit is not None:
                top.add(hit)


def _scan(
    store: Store,
    matcher: Matcher,
    top: _Top,
    after: int,
    should_stop: Callable[[], bool],
    report: Callable[..., None],
) -> None:
    """Scan the current cases numbered above ``after`` (those the index does not hold)."""
    to_scan = idx.count_current_after(store, after)
    if not to_scan:
        return
    scanned = 0
    fuzzy = matcher.indexable
    report("scanning", 0, to_scan)
    chunk = min(CHUNK, FIRST_CHUNK)
    while not should_stop() and not top.settled_before(_best_after("exact", after)):
        rows = idx.scan_texts(store, after=after, through=None, limit=chunk)
        chunk = min(CHUNK, 2 * chunk)
        if not rows:
            break
        after = int(rows[-1][0])
        scanned += len(rows)
        for seq, case_id, input_text, output in rows:
            hit = matcher.match(seq, case_id, input_text, output)
            if hit is not None:
                top.add(hit)
        if fuzzy:
            choices = [
                f"{r[1]} {r[2][:SNIPPET_CHARS]} {r[3][:SNIPPET_CHARS]}".lower() for r in rows
            ]
            for _choice, _score, index in process.extract(
                matcher.lower,
                choices,
                scorer=fuzz.partial_ratio,
                limit=top.limit,
                score_cutoff=FUZZY_CUTOFF,
            ):
                seq, case_id, input_text, output = rows[index]
                if seq not in top:
                    hit = matcher.typo(seq, case_id, input_text, output)
                    if hit is not None:
                        top.add(hit)
        report("scanning", min(scanned, to_scan), to_scan)


# -- building the index ---------------------------------------------------------------------

BATCH_SECONDS = 0.25
"""How long one indexing transaction should hold the write lock while nobody else writes."""
BUSY_BATCH_SECONDS = 0.05
"""The same while someone else writes (a reviewer labeling): a label write waits less."""
IDLE_PAUSE = 0.002
"""The pause between transactions while nobody else writes to the store."""
BUSY_WINDOW = 5.0
"""After another connection wrote, for this long: short transactions, each followed by a
pause as long as it took."""


@dataclass
class IndexProgress:
    """Where an index build stands (read from other threads; written by the builder)."""

    state: Literal["idle", "running", "done", "failed", "read-only"] = "idle"
    indexed: int = 0
    """Cases indexed by this build."""
    total: int = 0
    """Cases this build had to index when it started."""
    error: str | None = None
    finished_at: float = field(default=0.0)


def build_index(
    store: Store,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: Callable[[int, int], None] | None = None,
    batch_seconds: float = BATCH_SECONDS,
    busy_batch_seconds: float = BUSY_BATCH_SECONDS,
) -> int:
    """Index every case not indexed yet; return how many were indexed.

    Each transaction holds the write lock about ``batch_seconds`` (the batch size follows the
    measured speed; FTS5 has a cost per transaction, so longer batches index faster). When
    another connection wrote in the last few seconds (a reviewer labeling), transactions are
    cut to ``busy_batch_seconds`` and each is followed by a pause as long as it took: a label
    write then waits a few tens of milliseconds, not the whole build. The WAL is checkpointed
    by this connection after each transaction, outside the lock, so that a label write never
    pays for copying the index's pages.
    """
    total = idx.index_state(store).pending
    done = 0
    batch = 100
    version = idx.foreign_writes(store.conn)
    last_foreign = float("-inf")
    autocheckpoint = idx.wal_autocheckpoint(store)
    idx.set_wal_autocheckpoint(store, 0)
    if on_progress is not None:
        on_progress(0, total)
    try:
        while not should_stop():
            busy = time.perf_counter() - last_foreign < BUSY_WINDOW
            target = busy_batch_seconds if busy else batch_seconds
            started = time.perf_counter()
            count, _ = idx.index_next(store, batch)
            took = time.perf_counter() - started
            if count == 0:
                break
            done += count
            if on_progress is not None:
                on_progress(done, max(total, done))
            batch = int(min(20_000, max(8, batch * target / max(took, 1e-4))))
            idx.checkpoint_passive(store)
            now_version = idx.foreign_writes(store.conn)
            if now_version != version:
                version = now_version
                last_foreign = time.perf_counter()
                if not busy:  # someone started writing: short transactions from now on
                    batch = max(8, int(batch * busy_batch_seconds / batch_seconds))
            busy = time.perf_counter() - last_foreign < BUSY_WINDOW
            time.sleep(max(took, IDLE_PAUSE) if busy else IDLE_PAUSE)
    finally:
        idx.set_wal_autocheckpoint(store, autocheckpoint)
    return done


class IndexBuilder:
    """Builds a store's search index on a daemon thread; one per store path in a process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.progress = IndexProgress()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.started_at = 0.0
        """When the last build started (``time.monotonic()``)."""

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Catch up with the store (no-op while a build runs); returns at once."""
        with self._lock:
            if self.running:
                return
            self._stop.clear()
            self.started_at = time.monotonic()
            self.progress = IndexProgress(state="running")
            self._thread = threading.Thread(
                target=self._run, name=f"search-index {self.path.name}", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the build to stop after its current transaction, and wait for it."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        progress = self.progress

        def on_progress(done: int, total: int) -> None:
            progress.indexed, progress.total = done, total

        try:
            with open_store(self.path) as store:
                # The index can always be built again: a commit need not wait for the disk.
                idx.relax_sync(store)
                build_index(store, should_stop=self._stop.is_set, on_progress=on_progress)
        except StorePermission as exc:
            progress.state, progress.error = "read-only", str(exc)
        except StoreError as exc:
            progress.state, progress.error = "failed", str(exc)
        except Exception as exc:  # a bug: say so on the screen rather than die silently
            progress.state, progress.error = "failed", f"{type(exc).__name__}: {exc}"
        else:
            progress.state = "done"
        progress.finished_at = time.monotonic()


_BUILDERS: dict[Path, IndexBuilder] = {}
_BUILDERS_LOCK = threading.Lock()


def index_builder(path: Path) -> IndexBuilder:
    """The builder for the store at ``path`` (one per process), started."""
    key = Path(path).absolute()
    with _BUILDERS_LOCK:
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = IndexBuilder(key)
    builder.start()
    return builder


@atexit.register
def _stop_builders() -> None:
    for builder in list(_BUILDERS.values()):
        builder.stop(timeout=1.0)
