"""The comparison the TUI stats screen shows: the two versions imported last.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

import re

from labeler.blind_meta import hidden_meta_fields
from labeler.compare.chart import format_compare
from labeler.compare.data import DEFAULT_VERSION_KEYS, CompareRequest
from labeler.compare.run import compare_versions
from labeler.store.compare_queries import version_values
from labeler.store.connection import Store


def version_order(value: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that puts v9 before v10 and 2026-09 before 2026-11 (numbers as numbers)."""
    parts = re.split(r"(\d+)", value)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def latest_versions(store: Store) -> tuple[str, str, str] | None:
    """``(field, baseline, candidate)``: of the first version field with two values or more
    (``meta.prompt_version``, else ``meta.model``), the two highest (v7 and v8 of v6, v7, v8)."""
    with store.snapshot() as conn:
        for key in DEFAULT_VERSION_KEYS:
            values = sorted((v for v, _ in version_values(conn, key)), key=version_order)
            if len(values) >= 2:
                return key, values[-2], values[-1]
    return None


def compare_view(store: Store, width: int = 80) -> list[str]:
    """The stats screen's compare section: the chart of the two latest versions, or why not.

    A version field the store hides from reviewers (``hidden_meta``) is not compared here:
    the screen is a reviewer's; ``labeler compare`` shows it.
    """
    found = latest_versions(store)
    if found is None:
        return ["Compare: the cases have one version only (meta.prompt_version, meta.model)."]
    key, baseline, candidate = found
    if key.removeprefix("meta.") in hidden_meta_fields(store):
        return [
            f"Compare: {key} is hidden from reviewers (hidden_meta); run labeler compare "
            "from a shell to see it."
        ]
    report = compare_versions(store, CompareRequest(baseline, candidate, by=key, bootstrap=200))
    return format_compare(report, width)
