"""The search indexes: FTS5 tables over each case's id, input and output (SQL only).

Two tables (migration 3 in :mod:`labeler.store.schema`), one row per case row each, ``rowid``
the case's ``seq``, both *contentless* (``content=''``: the texts stay in ``case_texts``):

* ``case_search``: trigrams, without positions (``detail=none``): about 1 KB per 9 KB case.
  A query asks for every trigram of a text (``"ref" AND "efu" AND ...``): the cases that hold
  any substring, or a word with a typo, are among the answers; the caller checks each against
  the real text (:mod:`labeler.review.search`).
* ``case_words``: words, with positions (``unicode61``, case and accents folded): about
  1.5 KB per case. Trigrams without positions cannot tell "refund policy" from a text with
  "refund" and "policy" far apart: with common words nearly every case would be a candidate.
  A phrase query on words answers exactly that (``"refund polic" *``).

What is indexed, per case: the id, the input (for a chat, the ``content`` of every turn, one per
line) and the output, each cut to its first ``INDEX_CHARS`` characters. The same SQL
expression gives the text to check candidates against, so both always agree.

The indexes are filled after the cases are written, never inside an import: case numbers
only grow (an import gives ``max(seq) + 1`` onwards), so everything above the highest indexed
``rowid`` is what remains to index, and :func:`index_next` indexes the next cases into both
tables in one short write transaction. Older versions of updated cases stay in the index; a
search keeps only current cases (``cases.is_current``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from labeler.store.connection import Store

TABLE = "case_search"
WORDS = "case_words"
INDEX_CHARS = 10_000
"""How much of each input and output is indexed (and checked): the first 10,000 characters.
Most inputs and outputs are shorter; a 100 KB output is found by its beginning."""

_INPUT_TEXT = """CASE
        WHEN t.input_kind = 'chat' AND json_valid(t.input) THEN (
            SELECT group_concat(
                CASE WHEN m.type = 'object' THEN json_extract(m.value, '$.content') END,
                char(10))
            FROM json_each(t.input) AS m)
        ELSE t.input
    END"""
"""The searchable text of an input: a chat's turns, one per line, without roles or JSON."""

_TEXT_COLUMNS = (
    f"c.seq, c.case_id, substr(coalesce({_INPUT_TEXT}, ''), 1, {INDEX_CHARS}) AS input,"
    f" substr(coalesce(t.output, ''), 1, {INDEX_CHARS}) AS output"
)

_PARAMS_PER_QUERY = 500


@dataclass(frozen=True)
class IndexState:
    """How far the index has come."""

    indexed_through: int
    """The highest case number in the index (0 when it is empty): every case row up to it is
    indexed."""
    last_seq: int
    """The highest case number in the store."""
    pending: int
    """Case rows (all versions) not indexed yet."""

    @property
    def complete(self) -> bool:
        """True when every case row is indexed."""
        return self.pending == 0


def fts5_trigram_available() -> bool:
    """True when this Python's SQLite has FTS5 with the trigram tokenizer (SQLite 3.34+)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram', detail = 'none')")
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return True


def indexed_through(conn: sqlite3.Connection) -> int:
    """The highest case number in the index, or 0 (an index lookup, not a scan)."""
    row = conn.execute(f"SELECT rowid FROM {TABLE} ORDER BY rowid DESC LIMIT 1").fetchone()
    return int(row[0]) if row else 0


def index_state(store: Store) -> IndexState:
    """How many case rows are indexed and how many remain, in one read transaction."""
    with store.snapshot() as conn:
        through = indexed_through(conn)
        last = int(conn.execute("SELECT coalesce(max(seq), 0) FROM cases").fetchone()[0])
        pending = int(
            conn.execute("SELECT count(*) FROM cases WHERE seq > ?", (through,)).fetchone()[0]
        )
    return IndexState(through, last, pending)


def has_words(store: Store) -> bool:
    """True when the store has the words index (a store migrated by a development version of
    migration 3 may not)."""
    return bool(
        store.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (WORDS,))
    )


def index_next(store: Store, max_cases: int) -> tuple[int, int]:
    """Index the next ``max_cases`` case rows (at least one) in one write transaction.

    Returns (case rows indexed, highest case number now indexed); (0, ...) when none was left.
    Each row costs at most ``2 * INDEX_CHARS`` characters of text, so a batch stays short.
    """
    words = has_words(store)
    with store.write() as conn:
        after = indexed_through(conn)
        cursor = conn.execute(
            f"INSERT INTO {TABLE} (rowid, case_id, input, output)"
            f" SELECT {_TEXT_COLUMNS} FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
            " WHERE c.seq > ? ORDER BY c.seq LIMIT ?",
            (after, max(1, max_cases)),
        )
        count = max(cursor.rowcount, 0)
        if not count:
            return 0, after
        upto = indexed_through(conn)
        if words:
            conn.execute(
                f"INSERT INTO {WORDS} (rowid, case_id, input, output)"
                f" SELECT {_TEXT_COLUMNS} FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
                " WHERE c.seq > ? AND c.seq <= ?",
                (after, upto),
            )
        return count, upto


def clear_index(store: Store) -> None:
    """Empty the index (it is filled again from the cases by :func:`index_next`)."""
    words = has_words(store)
    with store.write() as conn:
        conn.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('delete-all')")
        if words:
            conn.execute(f"INSERT INTO {WORDS} ({WORDS}) VALUES ('delete-all')")


def fts_all_of(terms: Sequence[str]) -> str:
    """An FTS5 query for rows holding every term (each a quoted string, so nothing a user
    typed is read as FTS5 syntax)."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def fts_phrase(words: Sequence[str], *, last_is_prefix: bool) -> str:
    """An FTS5 query for ``case_words``: these words side by side (the last one may be the
    beginning of a word)."""
    phrase = '"' + " ".join(words).replace('"', '""') + '"'
    return phrase + " *" if last_is_prefix else phrase


def fts_phrase_parts(parts: Sequence[tuple[str, bool]]) -> str:
    """An FTS5 query for ``case_words``: these words side by side, each (word, is a prefix)."""
    return " + ".join(
        '"' + word.replace('"', '""') + '"' + (" *" if prefix else "") for word, prefix in parts
    )


def fts_any_of(groups: Sequence[Sequence[str]]) -> str:
    """An FTS5 query for rows holding every term of at least one group."""
    return " OR ".join(f"({fts_all_of(group)})" for group in groups if group)


def term_counts(store: Store, terms: Sequence[str], *, through: int, cap: int) -> list[int]:
    """How many indexed cases up to ``through`` hold each term, counting at most ``cap + 1``."""
    counts = []
    for term in terms:
        row = store.query(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH ?"
            " AND rowid <= ? LIMIT ?)",
            (fts_all_of([term]), through, cap + 1),
        )
        counts.append(int(row[0][0]))
    return counts


def most_terms(store: Store, terms: Sequence[str], *, through: int, limit: int) -> list[int]:
    """Current cases up to ``through`` holding the most of ``terms`` (rare terms only: each
    term's rows are all read), most first."""
    if not terms:
        return []
    union = " UNION ALL ".join(
        f"SELECT rowid AS seq FROM {TABLE} WHERE {TABLE} MATCH ? AND rowid <= ?" for _ in terms
    )
    params: list[object] = []
    for term in terms:
        params += [fts_all_of([term]), through]
    rows = store.query(
        f"SELECT u.seq FROM ({union}) u JOIN cases c ON c.seq = u.seq WHERE +c.is_current = 1"
        " GROUP BY u.seq ORDER BY count(*) DESC, u.seq LIMIT ?",
        (*params, limit),
    )
    return [int(r[0]) for r in rows]


def matching_seqs(
    store: Store,
    fts_query: str,
    *,
    after: int,
    through: int,
    limit: int,
    table: str = TABLE,
) -> list[int]:
    """Current cases in ``(after, through]`` that ``table`` finds for the query, in order."""
    if table not in (TABLE, WORDS):
        raise ValueError(f"not a search table: {table!r}")
    rows = store.query(
        f"SELECT s.rowid FROM {table} s JOIN cases c ON c.seq = s.rowid"
        f" WHERE {table} MATCH ? AND s.rowid > ? AND s.rowid <= ? AND +c.is_current = 1"
        " ORDER BY s.rowid LIMIT ?",
        (fts_query, after, through, limit),
    )
    return [int(r[0]) for r in rows]


def case_with_id(store: Store, case_id: str) -> sqlite3.Row | None:
    """(seq, case_id, input, output) of the current case with this id, or None."""
    rows = store.query(
        f"SELECT {_TEXT_COLUMNS} FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
        " WHERE c.case_id = ? AND +c.is_current = 1",
        (case_id,),
    )
    return rows[0] if rows else None


def case_texts(store: Store, seqs: Sequence[int]) -> list[sqlite3.Row]:
    """(seq, case_id, input, output) of these cases, as indexed, in the order of ``seqs``."""
    found: dict[int, sqlite3.Row] = {}
    for start in range(0, len(seqs), _PARAMS_PER_QUERY):
        part = seqs[start : start + _PARAMS_PER_QUERY]
        marks = ",".join("?" * len(part))
        for row in store.query(
            f"SELECT {_TEXT_COLUMNS} FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
            f" WHERE c.seq IN ({marks})",
            tuple(part),
        ):
            found[int(row[0])] = row
    return [found[s] for s in seqs if s in found]


def scan_texts(store: Store, *, after: int, through: int | None, limit: int) -> list[sqlite3.Row]:
    """(seq, case_id, input, output) of the next ``limit`` current cases after ``after``
    (up to ``through`` when given), in order: for searching cases the index does not hold."""
    bound = "" if through is None else " AND c.seq <= ?"
    params: tuple[int, ...] = (after,) if through is None else (after, through)
    return store.query(
        f"SELECT {_TEXT_COLUMNS} FROM cases c JOIN case_texts t ON t.case_seq = c.seq"
        f" WHERE c.seq > ?{bound} AND +c.is_current = 1 ORDER BY c.seq LIMIT ?",
        (*params, limit),
    )


def count_current_after(store: Store, after: int) -> int:
    """How many current cases have a number above ``after``."""
    return int(
        store.query("SELECT count(*) FROM cases WHERE seq > ? AND +is_current = 1", (after,))[0][0]
    )


def foreign_writes(conn: sqlite3.Connection) -> int:
    """SQLite's ``data_version``: changes when another connection commits."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def wal_autocheckpoint(store: Store) -> int:
    """This connection's automatic checkpoint threshold, in WAL pages (0: off)."""
    return int(store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


def set_wal_autocheckpoint(store: Store, pages: int) -> None:
    """Set this connection's automatic checkpoint threshold (0 turns it off)."""
    store.conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")


def checkpoint_passive(store: Store) -> None:
    """Copy what the WAL holds into the database as far as readers allow, without waiting."""
    store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def relax_sync(store: Store) -> None:
    """Commits on this connection need not wait for the disk (the index can be built again)."""
    store.conn.execute("PRAGMA synchronous = NORMAL")
