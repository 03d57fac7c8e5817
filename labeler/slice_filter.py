"""``--slice KEY=VALUE`` filters, shared by review, resolve, stats and export."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from labeler.store.case_filters import SliceFilter, slice_sql

__all__ = [
    "SliceFilter",
    "check_slice_filters",
    "parse_slice_filters",
    "slice_sql",
]


def parse_slice_filters(items: Iterable[str]) -> list[SliceFilter]:
    """Parse ``length=long`` strings; raise ValueError with the fix for a bad one."""
    filters: list[SliceFilter] = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--slice {item!r}: write it as NAME=VALUE, e.g. --slice length=long")
        filters.append((name, value))
    return filters


def check_slice_filters(
    filters: Sequence[SliceFilter], known: Mapping[str, Collection[str]]
) -> None:
    """Raise :class:`labeler.text.suggest.UnknownName` for a slice name or value no case has.

    ``known`` is slice name -> values (:func:`labeler.store.slice_queries.known_slices`).
    """
    from labeler.text.suggest import check_known

    for name, value in filters:
        check_known("slice", name, known)
        check_known(f"value of slice {name!r}:", value, known[name])
