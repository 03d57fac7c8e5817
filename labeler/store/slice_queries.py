"""SQL for the slice names and values the current cases have (to check ``--slice``/``--by``)."""

from __future__ import annotations

from labeler.store.connection import Store


def known_slices(store: Store) -> dict[str, set[str]]:
    """Slice name -> the values current cases have for it."""
    rows = store.query(
        "SELECT DISTINCT s.key, s.value FROM cases c, json_each(c.slices) s WHERE c.is_current = 1"
    )
    known: dict[str, set[str]] = {}
    for name, value in rows:
        known.setdefault(str(name), set()).add(str(value))
    return known


def known_reviewers(store: Store) -> set[str]:
    """Every reviewer with a label in the store."""
    return {str(r[0]) for r in store.query("SELECT DISTINCT reviewer FROM labels")}


def known_meta_fields(store: Store) -> set[str]:
    """Every top-level meta field of the current cases."""
    rows = store.query(
        "SELECT DISTINCT m.key FROM cases c, json_each(c.meta) m WHERE c.is_current = 1"
    )
    return {str(r[0]) for r in rows}
