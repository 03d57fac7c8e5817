"""SQL for the slice names and values the current cases have (to check ``--slice``/``--by``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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


# Checking a name the user typed: an EXISTS query stops at the first case that has it, so a
# correct --slice costs next to nothing on a million cases; the full scans above (for "did you
# mean") run only when something is missing.

_SLICE_VALUE = (
    "SELECT EXISTS (SELECT 1 FROM cases c, json_each(c.slices) s"
    " WHERE c.is_current = 1 AND s.key = ? AND s.value = ?)"
)
_SLICE_NAME = (
    "SELECT EXISTS (SELECT 1 FROM cases c, json_each(c.slices) s"
    " WHERE c.is_current = 1 AND s.key = ?)"
)
_META_FIELD = (
    "SELECT EXISTS (SELECT 1 FROM cases c, json_each(c.meta) m"
    " WHERE c.is_current = 1 AND m.key = ?)"
)
_REVIEWER = "SELECT EXISTS (SELECT 1 FROM labels WHERE reviewer = ?)"


def _absent(store: Store, exists_sql: str, params: Sequence[object]) -> bool:
    return not store.query(exists_sql, params)[0][0]


def missing_slice_values(store: Store, filters: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs no current case has, in the order given."""
    return [pair for pair in filters if _absent(store, _SLICE_VALUE, pair)]


def missing_slice_names(store: Store, names: Iterable[str]) -> list[str]:
    """The slice names no current case has, in the order given."""
    return [name for name in names if _absent(store, _SLICE_NAME, [name])]


def missing_meta_fields(store: Store, fields: Iterable[str]) -> list[str]:
    """The top-level meta fields no current case has, in the order given."""
    return [field for field in fields if _absent(store, _META_FIELD, [field])]


def missing_reviewers(store: Store, names: Iterable[str]) -> list[str]:
    """The reviewer names with no label in the store, in the order given."""
    return [name for name in names if _absent(store, _REVIEWER, [name])]
