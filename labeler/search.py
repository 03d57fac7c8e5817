"""Fuzzy search over case ids, inputs and outputs (rapidfuzz), on capped text, in chunks.

rapidfuzz is quadratic in text length, so each text is cut to ``SNIPPET_CHARS`` before scoring,
and the store is read in chunks so that a caller (a worker thread) can stop early and report
progress. Only current case versions are searched.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from labeler.store.connection import Store

SNIPPET_CHARS = 240
CHUNK = 20_000
EXACT_ID_SCORE = 200.0
"""The score of the case whose id is the query (fuzzy scores are at most 100)."""


@dataclass(frozen=True, order=True)
class Hit:
    """One search result (raw text: make it safe before display)."""

    score: float
    seq: int
    case_id: str
    snippet: str


def _choice(case_id: str, input_text: str, output: str | None) -> str:
    return f"{case_id} {input_text[:SNIPPET_CHARS]} {(output or '')[:SNIPPET_CHARS]}"


def search_cases(
    store: Store,
    query: str,
    *,
    limit: int = 20,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: Callable[[int, list[Hit]], None] | None = None,
) -> list[Hit]:
    """The best ``limit`` cases for ``query``, best first. An exact id match always ranks first."""
    query = query.strip()
    if not query:
        return []
    best: list[Hit] = []
    # A case whose id is the query comes first, at once (an index lookup), before the scan.
    exact = store.query(
        "SELECT c.seq, c.case_id, substr(t.input, 1, ?) FROM cases c"
        " JOIN case_texts t ON t.case_seq = c.seq WHERE c.case_id = ? AND c.is_current = 1",
        (SNIPPET_CHARS, query),
    )
    exact_seq = None
    if exact:
        exact_seq = exact[0][0]
        best.append(Hit(EXACT_ID_SCORE, exact_seq, exact[0][1], (exact[0][2] or "")[:120]))
        if on_progress is not None:
            on_progress(0, list(best))
    after = 0
    scanned = 0
    while not should_stop():
        rows = store.query(
            "SELECT c.seq, c.case_id, substr(t.input, 1, ?), substr(t.output, 1, ?)"
            " FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
            " WHERE c.seq > ? AND c.is_current = 1 ORDER BY c.seq LIMIT ?",
            (SNIPPET_CHARS, SNIPPET_CHARS, after, CHUNK),
        )
        if not rows:
            break
        after = rows[-1][0]
        scanned += len(rows)
        choices = [_choice(r[1], r[2], r[3]) for r in rows]
        for _choice_text, score, index in process.extract(
            query,
            choices,
            scorer=fuzz.partial_ratio,
            processor=utils.default_process,
            limit=limit,
        ):
            r = rows[index]
            if r[0] == exact_seq:
                continue  # already first
            hit = Hit(score, r[0], r[1], (r[2] or "")[:120])
            if len(best) < limit:
                heapq.heappush(best, hit)
            else:
                heapq.heappushpop(best, hit)
        if on_progress is not None:
            on_progress(scanned, sorted(best, reverse=True))
    return sorted(best, reverse=True)
