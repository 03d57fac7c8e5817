"""A summary of a store: what is in it and what state it is in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labeler.store.connection import Store
from labeler.store.schema import SCHEMA_VERSION


@dataclass(frozen=True)
class StoreInfo:
    """What a store holds; :meth:`to_json` is ``labeler info --json``."""

    store: str
    schema_version: int
    """The store's ``PRAGMA user_version``."""
    labeler_schema_version: int
    """The schema version this labeler writes."""
    cases: int
    """Current cases."""
    old_case_versions: int
    labels: int
    reviewers: tuple[str, ...]
    buckets: int
    imports: int
    resolutions: int
    events: int
    tables: tuple[str, ...]
    views: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "schema_version": self.schema_version,
            "labeler_schema_version": self.labeler_schema_version,
            "cases": self.cases,
            "old_case_versions": self.old_case_versions,
            "labels": self.labels,
            "reviewers": list(self.reviewers),
            "buckets": self.buckets,
            "imports": self.imports,
            "resolutions": self.resolutions,
            "events": self.events,
            "tables": list(self.tables),
            "views": list(self.views),
        }


def store_info(store: Store) -> StoreInfo:
    """Counts of cases, labels, reviewers, buckets, imports, and the schema version.

    Read through sqlite-utils, as a user of the store would, in one read transaction.
    """
    db = store.db
    with store.snapshot():
        reviewers = tuple(
            str(r["reviewer"])
            for r in db.query("SELECT DISTINCT reviewer FROM labels ORDER BY reviewer")
        )
        return StoreInfo(
            store=str(store.path),
            schema_version=int(db.execute("PRAGMA user_version").fetchone()[0]),
            labeler_schema_version=SCHEMA_VERSION,
            cases=int(db["cases"].count_where("is_current = 1")),
            old_case_versions=int(db["cases"].count_where("is_current = 0")),
            labels=int(db["labels"].count),
            reviewers=reviewers,
            buckets=int(db["buckets"].count),
            imports=int(db["imports"].count),
            resolutions=int(db["resolutions"].count),
            events=int(db["events"].count),
            tables=tuple(sorted(db.table_names())),
            views=tuple(sorted(db.view_names())),
        )


def integrity_problems(store: Store) -> list[str]:
    """SQLite's full ``integrity_check`` and a foreign key check; empty when all is well."""
    rows = store.query("PRAGMA integrity_check")
    problems = [str(r[0]) for r in rows if str(r[0]) != "ok"]
    problems += [
        f"foreign key: {r[0]} row {r[1]} points to a missing {r[2]}"
        for r in store.query("PRAGMA foreign_key_check")
    ]
    return problems
