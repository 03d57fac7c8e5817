"""SQL fragments that pick current cases: ``--slice`` filters and ``--by`` group keys.

Both are built here so the SQL stays in the store; callers pass plain names and values.
A second backend implements the same two functions with its own JSON operators.
"""

from __future__ import annotations

from collections.abc import Sequence

SliceFilter = tuple[str, str]
"""A ``--slice NAME=VALUE`` filter: (name, value)."""

NONE_GROUP = "(none)"
"""The group of a case that has no value for a ``--by`` key."""


def group_sql(key: str) -> tuple[str, list[str]]:
    """The SQL for one ``--by`` key (a slice name or ``meta.<field>``) and its parameter."""
    column, name = ("meta", key[5:]) if key.startswith("meta.") else ("slices", key)
    if not name:
        raise ValueError(f"--by {key!r}: give a slice name or meta.<field>")
    return f"(SELECT value FROM json_each(c.{column}) WHERE key = ?)", [name]


def slice_sql(filters: Sequence[SliceFilter], alias: str = "c") -> tuple[str, list[str]]:
    """A SQL condition (``AND ...``, or empty) and its parameters for the cases table ``alias``.

    Slice names are matched with ``json_each`` so that any name, quotes included, is data.
    """
    parts: list[str] = []
    params: list[str] = []
    for name, value in filters:
        parts.append(
            f" AND EXISTS (SELECT 1 FROM json_each({alias}.slices) s"
            " WHERE s.key = ? AND s.value = ?)"
        )
        params.extend([name, value])
    return "".join(parts), params
