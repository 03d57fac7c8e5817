"""The ``settings`` table: store-wide key/value settings."""

from __future__ import annotations

import sqlite3

from labeler.store.connection import Store


def read_stored_settings(store: Store) -> dict[str, str]:
    """Every stored setting, key -> value."""
    return {str(r[0]): str(r[1]) for r in store.query("SELECT key, value FROM settings")}


def get_setting(conn: sqlite3.Connection, key: str) -> str | None:
    """The stored value of one setting inside the caller's transaction, or None."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store one setting (insert or replace) inside the caller's write transaction."""
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
