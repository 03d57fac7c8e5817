"""A summary of a store: what is in it and what state it is in."""

from __future__ import annotations

from typing import Any

from labeler.store.connection import Store
from labeler.store.schema import SCHEMA_VERSION


def store_info(store: Store) -> dict[str, Any]:
    """Counts of cases, labels, reviewers, buckets, imports, and the schema version."""
    with store.snapshot() as conn:

        def one(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        reviewers = [
            r[0] for r in conn.execute("SELECT DISTINCT reviewer FROM labels ORDER BY reviewer")
        ]
        return {
            "store": str(store.path),
            "schema_version": int(conn.execute("PRAGMA user_version").fetchone()[0]),
            "labeler_schema_version": SCHEMA_VERSION,
            "cases": one("SELECT count(*) FROM cases WHERE is_current = 1"),
            "old_case_versions": one("SELECT count(*) FROM cases WHERE is_current = 0"),
            "labels": one("SELECT count(*) FROM labels"),
            "reviewers": reviewers,
            "buckets": one("SELECT count(*) FROM buckets"),
            "imports": one("SELECT count(*) FROM imports"),
            "resolutions": one("SELECT count(*) FROM resolutions"),
            "events": one("SELECT count(*) FROM events"),
        }


def integrity_problems(store: Store) -> list[str]:
    """SQLite's full ``integrity_check`` and a foreign key check; empty when all is well."""
    rows = store.query("PRAGMA integrity_check")
    problems = [str(r[0]) for r in rows if str(r[0]) != "ok"]
    problems += [
        f"foreign key: {r[0]} row {r[1]} points to a missing {r[2]}"
        for r in store.query("PRAGMA foreign_key_check")
    ]
    return problems
