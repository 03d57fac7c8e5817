"""Per-case facts the gate needs beyond bucket counts, read in one snapshot of the store.

Bucket counts and agreement come from :func:`labeler.stats.compute.compute_stats` only. This module
reads what stats does not give: the cases' meta metrics (does the output parse as JSON where
``meta.output_format`` is json; ``meta.latency_ms``, read by the rule of
:mod:`labeler.stats.latency`), each case's status (from the ``case_status`` view, the SQL twin of
:mod:`labeler.stats.counts`) and the buckets named in unresolved cases, per slice.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from labeler.clock import utc_now
from labeler.review.hints import output_is_json
from labeler.stats.counts import UNRESOLVED
from labeler.stats.intervals import percentile
from labeler.stats.latency import parse_latency_ms
from labeler.store import reports
from labeler.store.case_filters import NONE_GROUP
from labeler.store.connection import Store


@dataclass(frozen=True)
class CaseFacts:
    """One entry per current case (in ``seq`` order) in every per-case list."""

    seqs: list[int]
    statuses: list[str]
    groups: dict[str, list[str]]
    """Scope key (slice name or ``meta.<field>``) -> the case's value, as stats groups it."""
    json_ok: list[bool | None]
    """Whether the output parses as JSON; None where meta.output_format is not json."""
    latency_ms: list[float | None]
    unresolved_buckets: dict[int, frozenset[str]]
    """For each unresolved case: the buckets its reviewers gave."""
    reviewer_labels: dict[str, int] = field(default_factory=dict)
    """Current labels per reviewer (on current cases)."""
    schema_version: int = 0
    read_at: str = ""

    def scope(self, scope: tuple[str, str] | None) -> list[int]:
        """Indices of the cases in a scope (``(key, value)``), or of all cases."""
        if scope is None:
            return list(range(len(self.seqs)))
        key, wanted = scope
        values = self.groups.get(key)
        if values is None:
            raise KeyError(f"scope key {key!r} was not read")
        return [i for i, value in enumerate(values) if value == wanted]

    def has_key(self, key: str) -> bool:
        """True when at least one case has a value for the slice name (or meta field)."""
        return any(value != NONE_GROUP for value in self.groups.get(key, ()))

    def unresolved(self, indices: Iterable[int]) -> int:
        """Unresolved cases among ``indices``."""
        return sum(1 for i in indices if self.statuses[i] == UNRESOLVED)

    def unresolved_with(self, indices: Iterable[int], bucket: str) -> int:
        """Unresolved cases among ``indices`` where some reviewer gave ``bucket``."""
        empty: frozenset[str] = frozenset()
        return sum(
            1
            for i in indices
            if self.statuses[i] == UNRESOLVED
            and bucket in self.unresolved_buckets.get(self.seqs[i], empty)
        )

    def json_share(self, indices: Iterable[int]) -> tuple[int, int]:
        """``(outputs that parse, outputs that must be JSON)`` among ``indices``."""
        flags = [self.json_ok[i] for i in indices if self.json_ok[i] is not None]
        return sum(1 for ok in flags if ok), len(flags)

    def latency(self, indices: Iterable[int], q: float) -> tuple[float | None, int]:
        """``(q-th percentile of latency in ms, cases with a latency)`` among ``indices``."""
        values = [v for v in (self.latency_ms[i] for i in indices) if v is not None]
        return percentile(values, q), len(values)


def _latency(kind: str | None, value: object) -> float | None:
    """The latency of a case from SQLite's ``json_type`` and ``json_extract`` of it.

    SQLite gives ``true`` as 1 and an object as its text, so only numbers and strings are
    passed on as what :func:`json.loads` would give; the rule is :func:`parse_latency_ms`.
    """
    return parse_latency_ms(value if kind in ("integer", "real", "text") else None)


def read_case_facts(store: Store, keys: Sequence[str]) -> CaseFacts:
    """Read every current case's status, scope values and meta metrics in one snapshot."""
    keys = list(dict.fromkeys(keys))
    with store.snapshot() as conn:
        rows = reports.case_fact_rows(conn, keys)
        unresolved_rows = reports.labels_with_status(conn, UNRESOLVED)
        reviewer_labels = reports.current_label_counts(conn)
        schema_version = reports.schema_version(conn)
        read_at = utc_now()
    groups: dict[str, list[str]] = {k: [] for k in keys}
    seqs: list[int] = []
    statuses: list[str] = []
    json_ok: list[bool | None] = []
    latency: list[float | None] = []
    for row in rows:
        seqs.append(row.seq)
        statuses.append(row.status)
        json_ok.append(output_is_json(row.output) if row.output_is_json_format else None)
        latency.append(_latency(row.latency_kind, row.latency_value))
        for key, value in zip(keys, row.groups, strict=True):
            groups[key].append(NONE_GROUP if value is None else value)
    named: dict[int, set[str]] = {}
    for seq, bucket in unresolved_rows:
        named.setdefault(seq, set()).add(bucket)
    return CaseFacts(
        seqs=seqs,
        statuses=statuses,
        groups=groups,
        json_ok=json_ok,
        latency_ms=latency,
        unresolved_buckets={seq: frozenset(b) for seq, b in named.items()},
        reviewer_labels=reviewer_labels,
        schema_version=schema_version,
        read_at=read_at,
    )
