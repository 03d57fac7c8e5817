"""A summary of a store: what is in it and what state it is in."""

from __future__ import annotations

from typing import Any

from labeler.store.connection import Store
from labeler.store.schema import SCHEMA_VERSION


def store_info(store: Store) -> dict[str, Any]:
    """Counts of cases, labels, reviewers, buckets, imports, and the schema version.

    Read through sqlite-utils, as a user of the store would, in one read transaction.
    """
    db = store.db
    with store.snapshot():
        reviewers = [
            r["reviewer"]
            for r in db.query("SELECT DISTINCT reviewer FROM labels ORDER BY reviewer")
        ]
        return {
            "store": str(store.path),
            "schema_version": int(db.execute("PRAGMA user_version").fetchone()[0]),
            "labeler_schema_version": SCHEMA_VERSION,
            "cases": db["cases"].count_where("is_current = 1"),
            "old_case_versions": db["cases"].count_where("is_current = 0"),
            "labels": db["labels"].count,
            "reviewers": reviewers,
            "buckets": db["buckets"].count,
            "imports": db["imports"].count,
            "resolutions": db["resolutions"].count,
            "events": db["events"].count,
            "tables": sorted(db.table_names()),
            "views": sorted(db.view_names()),
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
