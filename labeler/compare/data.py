"""What a comparison is computed from: the cases of two versions, read from one state of the store.

A *version* is the value of a meta field (``meta.prompt_version``, else ``meta.model``, or
``by``). Each case's final bucket and status come from
:func:`labeler.stats.compute.case_finals`, the
one rule for a final bucket; reviewed cases (every status but ``unlabeled``) are the
denominators, as in ``labeler stats``. Unresolved cases count in no bucket; for each bucket
the data keep which unresolved cases some reviewer put in it (they could still land there).

Paired design: two cases, one per version, that share the pair key's value (``meta.input_id``
by default) form a pair; a value held by more than one case of a version pairs nothing.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from labeler.review.hints import output_is_json
from labeler.stats.compute import case_finals
from labeler.stats.counts import UNCLEAR, UNLABELED, UNRESOLVED
from labeler.stats.latency import LATENCY_KEY, parse_latency_ms
from labeler.store.case_filters import NONE_GROUP
from labeler.store.compare_queries import (
    CaseRow,
    bucket_keys,
    disputed_labels,
    read_current_cases,
)
from labeler.store.connection import Store
from labeler.text.display import safe_inline

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

DEFAULT_VERSION_KEYS = ("meta.prompt_version", "meta.model")
DEFAULT_PAIR_KEY = "meta.input_id"
NOT_A_FAILURE = "not_a_failure"
"""The bucket of cases that are fine: not a failure, so not compared (its rate is the rest)."""
ANY_FAILURE = "(any failure)"
"""The pseudo-bucket of every failure bucket together: the overall failure rate."""
MAX_SLICE_VALUES = 50
"""A slice name with more values than this is left out of the default slicing (say it)."""
_READ_ATTEMPTS = 3

Scope = tuple[str, str] | None


@dataclass(frozen=True)
class CompareRequest:
    """What to compare."""

    baseline: str
    candidate: str
    by: str | None = None
    """The version field (``meta.<field>``); None: ``meta.prompt_version``, else ``meta.model``."""
    slice_by: tuple[str, ...] | None = None
    """Slice names (or ``meta.<field>``); None: every slice the compared cases have."""
    pair_key: str = DEFAULT_PAIR_KEY
    paired: bool | None = None
    """None: paired when pair keys match; False: never."""
    bootstrap: int = 1000
    """Replicates for the latency intervals (0: none)."""
    seed: int = 0


@dataclass(frozen=True)
class CompareData:
    """One entry per case of either version (in ``seq`` order) in every per-case array."""

    baseline: str
    candidate: str
    by: str
    pair_key: str | None
    buckets: tuple[str, ...]
    """The failure buckets compared: the taxonomy's order, then others in use, sorted."""
    seqs: IntArray
    is_candidate: BoolArray
    reviewed: BoolArray
    finals: npt.NDArray[np.object_]
    unresolved_named: dict[str, BoolArray]
    """Bucket (and :data:`ANY_FAILURE`) -> unresolved cases some reviewer put in it."""
    slice_keys: tuple[str, ...]
    groups: dict[str, npt.NDArray[np.object_]]
    must_be_json: BoolArray
    parses: BoolArray
    latency_ms: npt.NDArray[np.float64]
    """NaN where a case has no readable latency (:func:`labeler.stats.latency.parse_latency_ms`)."""
    pairs: IntArray
    """Shape (pairs, 2): the indices of the baseline and the candidate case of each pair."""
    paired: bool
    unpaired: tuple[int, int] = (0, 0)
    """Cases of the baseline and the candidate left out of a paired comparison."""
    notes: tuple[str, ...] = ()
    consistent: bool = True
    cases: tuple[int, int] = field(default=(0, 0))
    """Current cases of the baseline and the candidate."""

    def in_bucket(self, bucket: str) -> BoolArray:
        """Cases whose final bucket is ``bucket`` (any failure bucket for :data:`ANY_FAILURE`)."""
        if bucket == ANY_FAILURE:
            return np.isin(self.finals, np.array(self.buckets, dtype=object))
        return np.asarray(self.finals == bucket, dtype=np.bool_)

    def named(self, bucket: str) -> BoolArray:
        """Unresolved cases some reviewer put in ``bucket`` (none for a bucket not compared)."""
        found = self.unresolved_named.get(bucket)
        return np.zeros(len(self.seqs), dtype=np.bool_) if found is None else found

    def scope_mask(self, scope: Scope) -> BoolArray:
        """Cases in a scope: all of them for None, else those with the slice's value."""
        if scope is None:
            return np.ones(len(self.seqs), dtype=np.bool_)
        return np.asarray(self.groups[scope[0]] == scope[1], dtype=np.bool_)

    def scopes(self) -> list[Scope]:
        """All cases, then every value of every slice key (values sorted; no "(none)")."""
        out: list[Scope] = [None]
        for key in self.slice_keys:
            values = sorted({str(v) for v in self.groups[key]} - {NONE_GROUP})
            out += [(key, value) for value in values]
        return out


def _resolve_by(rows: Sequence[CaseRow], keys: Sequence[str], request: CompareRequest) -> int:
    """The index in ``keys`` of the first version field that has both versions."""
    wanted = (request.baseline, request.candidate)
    counts = [
        Counter(row.versions[i] for row in rows if row.versions[i] is not None)
        for i in range(len(keys))
    ]
    for index, found in enumerate(counts):
        if all(found[v] for v in wanted):
            return index
    lines = []
    for key, found in zip(keys, counts, strict=True):
        values = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{safe_inline(v, 40)} ({n:,})" for v, n in values[:12])
        more = f", and {len(values) - 12:,} more" if len(values) > 12 else ""
        lines.append(f"  {key}: {shown or 'no case has it'}{more}")
    missing = [v for v in wanted if not any(found[v] for found in counts)]
    what = " and ".join(repr(safe_inline(v, 40)) for v in (missing or wanted))
    hint = "" if request.by else " (or name the field with --by meta.KEY)"
    raise ValueError(
        f"no version {what} in {' or '.join(keys)}{hint}; values:\n" + "\n".join(lines)
    )


def _pairs(rows: Sequence[CaseRow], is_candidate: BoolArray) -> tuple[IntArray, int, int]:
    """Pairs of indices (baseline, candidate) sharing a pair value, unique in each version."""
    by_version: list[dict[str, list[int]]] = [{}, {}]
    for index, row in enumerate(rows):
        if row.pair is not None:
            by_version[int(is_candidate[index])].setdefault(row.pair, []).append(index)
    matched = [
        (base[0], cand[0])
        for value, base in by_version[0].items()
        if len(base) == 1 and len(cand := by_version[1].get(value, [])) == 1
    ]
    pairs = np.array(matched, dtype=np.int64).reshape(-1, 2)
    baseline_cases = int((~is_candidate).sum())
    return pairs, baseline_cases - len(matched), int(is_candidate.sum()) - len(matched)


def _groups(
    rows: Sequence[CaseRow], slice_by: Sequence[str] | None, meta_keys: Sequence[str]
) -> tuple[list[str], dict[str, npt.NDArray[np.object_]], list[str]]:
    """The slice keys, each case's value of each (``NONE_GROUP`` when it has none), and notes."""
    notes: list[str] = []
    if slice_by is None:
        keys = sorted({key for row in rows for key in row.slices})
    else:
        keys = list(dict.fromkeys(slice_by))
    groups: dict[str, npt.NDArray[np.object_]] = {}
    for key in keys:
        if key.startswith("meta."):
            i = meta_keys.index(key)
            values = [row.meta_groups[i] for row in rows]
        else:
            values = [row.slices.get(key) for row in rows]
        groups[key] = np.array([NONE_GROUP if v is None else v for v in values], dtype=object)
    if slice_by is None:
        for key in list(keys):
            distinct = len(set(groups[key].tolist()) - {NONE_GROUP})
            if distinct > MAX_SLICE_VALUES:
                notes.append(
                    f"slice {safe_inline(key, 40)} has {distinct:,} values: left out "
                    "(name it with --slice-by to compare it)"
                )
                keys.remove(key)
                del groups[key]
    return keys, groups, notes


def _must_be_json(meta: dict[str, Any]) -> bool:
    """The gate's and the hint's rule: ``meta.output_format`` is the text "json", in any case."""
    fmt = meta.get("output_format")
    return isinstance(fmt, str) and fmt.lower() == "json"


def _read(store: Store, request: CompareRequest) -> CompareData:
    keys = (request.by,) if request.by else DEFAULT_VERSION_KEYS
    wanted = (request.baseline, request.candidate)
    pair_key = None if request.paired is False else request.pair_key
    meta_keys = [k for k in dict.fromkeys(request.slice_by or ()) if k.startswith("meta.")]
    with store.snapshot() as conn:
        every = read_current_cases(conn, keys, pair_key, meta_keys)
        disputed = disputed_labels(conn)
        taxonomy = bucket_keys(conn)
    by_index = _resolve_by(every, keys, request)
    by = keys[by_index]
    rows = [row for row in every if row.versions[by_index] in wanted]
    finals_by_seq = case_finals(store)
    rows = [row for row in rows if row.seq in finals_by_seq]
    finals = [finals_by_seq[row.seq] for row in rows]
    used = {f.bucket for f in finals if f.status not in (UNRESOLVED, UNLABELED)}
    used |= {b for row in rows for b in disputed.get(row.seq, ())}
    used -= {UNRESOLVED, UNLABELED, UNCLEAR}
    buckets = tuple(b for b in [*taxonomy, *sorted(used - set(taxonomy))] if b != NOT_A_FAILURE)
    is_candidate = np.array(
        [row.versions[by_index] == request.candidate for row in rows], dtype=np.bool_
    )
    named_sets = [
        disputed.get(row.seq, frozenset()) if f.status == UNRESOLVED else frozenset()
        for row, f in zip(rows, finals, strict=True)
    ]
    unresolved_named = {b: np.array([b in s for s in named_sets], dtype=np.bool_) for b in buckets}
    failure_set = set(buckets)
    unresolved_named[ANY_FAILURE] = np.array(
        [bool(s & failure_set) for s in named_sets], dtype=np.bool_
    )
    slice_keys, groups, notes = _groups(rows, request.slice_by, meta_keys)
    must_be_json = [_must_be_json(row.meta) for row in rows]
    latency = [parse_latency_ms(row.meta.get(LATENCY_KEY)) for row in rows]
    pairs, left_base, left_cand = _pairs(rows, is_candidate)
    paired = request.paired is not False and len(pairs) > 0
    if not paired:
        pairs = np.empty((0, 2), dtype=np.int64)
        left_base = left_cand = 0
    return CompareData(
        baseline=request.baseline,
        candidate=request.candidate,
        by=by,
        pair_key=pair_key,
        buckets=buckets,
        seqs=np.array([row.seq for row in rows], dtype=np.int64),
        is_candidate=is_candidate,
        reviewed=np.array([f.status != UNLABELED for f in finals], dtype=np.bool_),
        finals=np.array([f.bucket for f in finals], dtype=object),
        unresolved_named=unresolved_named,
        slice_keys=tuple(slice_keys),
        groups=groups,
        must_be_json=np.array(must_be_json, dtype=np.bool_),
        parses=np.array(
            [ok and output_is_json(row.output) for ok, row in zip(must_be_json, rows, strict=True)],
            dtype=np.bool_,
        ),
        latency_ms=np.array([np.nan if v is None else v for v in latency], dtype=np.float64),
        pairs=pairs,
        paired=paired,
        unpaired=(left_base, left_cand),
        notes=tuple(notes),
        cases=(int((~is_candidate).sum()), int(is_candidate.sum())),
    )


def read_compare_data(store: Store, request: CompareRequest) -> CompareData:
    """Read both versions' cases; the reads are repeated if a write came in between."""
    if request.baseline == request.candidate:
        raise ValueError("the baseline and the candidate are the same version")
    for _ in range(_READ_ATTEMPTS):
        before = store.data_version()
        data = _read(store, request)
        if store.data_version() == before:
            return data
    return replace(data, consistent=False)
