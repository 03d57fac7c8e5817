"""The store's schema: numbered migrations, each a list of SQL statements.

The store records `PRAGMA application_id` (so a random SQLite file is not mistaken for a store)
and `PRAGMA user_version` (the number of migrations applied). Migrations run in one transaction.

We keep the DDL as plain SQL rather than sqlite-utils' ``Migrations`` helper because the issue asks
for the version in ``PRAGMA user_version`` and because a reader of the store should be able to
read its schema in one place, exactly as SQLite sees it.
"""

from __future__ import annotations

import functools

APPLICATION_ID = 0x4C41424C  # "LABL"

_V1 = [
    # The taxonomy: one row per bucket. `position` orders the bucket bar.
    """CREATE TABLE buckets (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        shortcut TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        must_pass INTEGER NOT NULL DEFAULT 0 CHECK (must_pass IN (0, 1)),
        position INTEGER NOT NULL
    )""",
    # One row per version of a case. `seq` is the internal key and the stable review order;
    # `case_id` is the user's id, kept as given. Only the current version is reviewed; older
    # versions keep the labels that were given for their text (see `import --update`).
    """CREATE TABLE cases (
        seq INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        is_current INTEGER NOT NULL DEFAULT 1 CHECK (is_current IN (0, 1)),
        content_hash TEXT NOT NULL,
        slices TEXT NOT NULL DEFAULT '{}',
        meta TEXT NOT NULL DEFAULT '{}',
        label_count INTEGER NOT NULL DEFAULT 0,
        import_id INTEGER REFERENCES imports(id),
        imported_at TEXT NOT NULL,
        UNIQUE (case_id, version)
    )""",
    "CREATE UNIQUE INDEX cases_current_id ON cases(case_id) WHERE is_current = 1",
    "CREATE INDEX cases_queue ON cases(is_current, label_count, seq)",
    # The large texts live apart from `cases`, so that scans for counts and queues stay small.
    # `input` is the text, or a JSON list of {role, content} when `input_kind` is 'chat'.
    # `context` is a JSON list of {title, text, source} documents, or NULL.
    """CREATE TABLE case_texts (
        case_seq INTEGER PRIMARY KEY REFERENCES cases(seq),
        input_kind TEXT NOT NULL CHECK (input_kind IN ('text', 'chat')),
        input TEXT NOT NULL,
        context TEXT,
        output TEXT,
        expected TEXT
    )""",
    # One current label per case and reviewer. `reviewer` is the display name (or the OS account
    # when none was given); `account` is always the OS account that wrote it. `version` is the
    # compare-and-swap counter: a write names the version it saw.
    """CREATE TABLE labels (
        case_seq INTEGER NOT NULL REFERENCES cases(seq),
        reviewer TEXT NOT NULL,
        account TEXT NOT NULL,
        bucket TEXT NOT NULL REFERENCES buckets(key),
        note TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        labeled_at TEXT NOT NULL,
        PRIMARY KEY (case_seq, reviewer)
    )""",
    "CREATE INDEX labels_reviewer ON labels(reviewer, case_seq)",
    "CREATE INDEX labels_bucket ON labels(bucket)",
    """CREATE TRIGGER labels_count_insert AFTER INSERT ON labels BEGIN
        UPDATE cases SET label_count = label_count + 1 WHERE seq = NEW.case_seq;
    END""",
    """CREATE TRIGGER labels_count_delete AFTER DELETE ON labels BEGIN
        UPDATE cases SET label_count = label_count - 1 WHERE seq = OLD.case_seq;
    END""",
    # The final decision on a case, kept apart from the labels it settles. `bucket` is NULL when
    # the resolvers marked the case unclear.
    """CREATE TABLE resolutions (
        case_seq INTEGER PRIMARY KEY REFERENCES cases(seq),
        bucket TEXT REFERENCES buckets(key),
        method TEXT NOT NULL CHECK (method IN ('took_a', 'took_b', 'took_label', 'other',
                                               'unclear')),
        resolver TEXT NOT NULL,
        account TEXT NOT NULL,
        reason TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        resolved_at TEXT NOT NULL,
        CHECK ((method = 'unclear') = (bucket IS NULL))
    )""",
    """CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        account TEXT NOT NULL,
        records INTEGER NOT NULL,
        inserted INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        skipped INTEGER NOT NULL
    )""",
    # Store-wide settings, e.g. the latency over which the review screen shows a hint.
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # The audit log: append-only, enforced by triggers.
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        account TEXT NOT NULL,
        kind TEXT NOT NULL,
        case_seq INTEGER,
        case_id TEXT,
        before TEXT,
        after TEXT,
        detail TEXT
    )""",
    "CREATE INDEX events_case ON events(case_id, id)",
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
        SELECT RAISE(ABORT, 'the events table is append-only');
    END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
        SELECT RAISE(ABORT, 'the events table is append-only');
    END""",
    # Views for people querying the store with sqlite3, sqlite-utils or Datasette.
    """CREATE VIEW case_status AS
    SELECT
        c.seq AS case_seq,
        c.case_id,
        c.version,
        c.label_count,
        (SELECT group_concat(l.reviewer || ':' || l.bucket, '; ')
           FROM (SELECT reviewer, bucket FROM labels WHERE case_seq = c.seq ORDER BY reviewer) l
        ) AS labels,
        (SELECT count(DISTINCT bucket) FROM labels WHERE case_seq = c.seq) AS distinct_buckets,
        r.method AS resolution_method,
        r.resolver,
        CASE
            WHEN r.case_seq IS NOT NULL AND r.method = 'unclear' THEN 'unclear'
            WHEN r.case_seq IS NOT NULL THEN 'resolved'
            WHEN c.label_count = 0 THEN 'unlabeled'
            WHEN c.label_count = 1 THEN 'single'
            WHEN (SELECT count(DISTINCT bucket) FROM labels WHERE case_seq = c.seq) = 1
                THEN 'agreed'
            ELSE 'unresolved'
        END AS status,
        CASE
            WHEN r.case_seq IS NOT NULL AND r.method = 'unclear' THEN 'unclear'
            WHEN r.case_seq IS NOT NULL THEN r.bucket
            WHEN c.label_count = 0 THEN 'unlabeled'
            WHEN (SELECT count(DISTINCT bucket) FROM labels WHERE case_seq = c.seq) = 1
                THEN (SELECT bucket FROM labels WHERE case_seq = c.seq LIMIT 1)
            ELSE 'unresolved'
        END AS final_bucket,
        c.slices,
        c.meta
    FROM cases c
    LEFT JOIN resolutions r ON r.case_seq = c.seq
    WHERE c.is_current = 1""",
    """CREATE VIEW case_details AS
    SELECT c.case_id, c.version, c.is_current, t.input_kind, t.input, t.context, t.output,
           t.expected, c.slices, c.meta, c.content_hash, c.imported_at
    FROM cases c JOIN case_texts t ON t.case_seq = c.seq""",
    """CREATE VIEW label_rows AS
    SELECT c.case_id, l.reviewer, l.account, l.bucket, l.note, l.labeled_at
    FROM labels l JOIN cases c ON c.seq = l.case_seq""",
]

# `labeler serve`: login tokens for reviewers without SSH. Only SHA-256 hashes of the token
# and of the session cookie it was exchanged for are kept; `mode` is the screen it opens.
_V2 = [
    """CREATE TABLE web_tokens (
        id INTEGER PRIMARY KEY,
        reviewer TEXT NOT NULL,
        mode TEXT NOT NULL DEFAULT 'review' CHECK (mode IN ('review', 'resolve')),
        token_sha256 TEXT NOT NULL UNIQUE,
        cookie_sha256 TEXT UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        revoked_at TEXT
    )""",
    "CREATE INDEX web_tokens_reviewer ON web_tokens(reviewer)",
]

# `/` search (labeler.store.search_index): two full-text indexes over each case's id, input and
# output, rowid = cases.seq, both contentless (the texts stay in case_texts). `case_search`
# holds trigrams without positions (any substring, typo candidates; about 1 KB per 9 KB case);
# `case_words` holds words with positions (phrases of several words; about 1.5 KB per case).
# The migration only creates the empty tables, so a big old store migrates at once: they are
# filled afterwards in short transactions, from the lowest case number not yet indexed, by the
# search screen on a thread of its own (with a progress line), and cases not yet indexed are
# scanned meanwhile. Needs SQLite 3.34+ with FTS5.
_V3 = [
    """CREATE VIRTUAL TABLE case_search USING fts5(
        case_id, input, output,
        tokenize = 'trigram', detail = 'none', content = ''
    )""",
    """CREATE VIRTUAL TABLE case_words USING fts5(
        case_id, input, output,
        tokenize = 'unicode61 remove_diacritics 2', detail = 'full', content = ''
    )""",
]

SCHEMA_VERSION = 7
"""The number of migrations (:func:`migrations`); a store at it needs none. A plain number, so
that opening an up-to-date store does not build the migrations' SQL (the triggers are
generated: about 0.5 ms of every command's start)."""


@functools.cache
def migrations() -> list[list[str]]:
    """Migration N (1-based) brings a store from user_version N-1 to N."""
    from labeler.store import order, tallies

    return [
        _V1,
        _V2,
        _V3,
        # The random review order (labeler.store.order): a seeded key per case, drawn here for
        # an old store (its cases in a random order, labels or not), the queue's index over it,
        # and for each label how its case was reached (random-order queue, import order, a
        # jump, a file).
        order.migration_statements(),
        # Counts kept by triggers as labels and resolutions are written (labeler.store.tallies),
        # so that `labeler progress` reads a few rows instead of counting every label.
        tallies.migration_statements(),
        # Each reviewer's events, newest first: `labeler progress` reads a reviewer's last
        # labels for their pace, which without it scanned the whole log back to that reviewer's
        # last session.
        ["CREATE INDEX events_actor ON events(actor, id)"],
        # Where the labeled cases lie in the random order, by block of keys
        # (labeler.store.order_tallies), so that `labeler progress` finds the best cut of the
        # order without sorting every key.
        tallies.cause_migration_statements(),
    ]


def __getattr__(name: str) -> list[list[str]]:
    """``MIGRATIONS``: :func:`migrations` (built on first use)."""
    if name == "MIGRATIONS":
        return migrations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
