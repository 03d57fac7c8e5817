"""``labeler compare``: read two versions, compute every cell and metric, write the headline.

The same function feeds the CLI (text, ``--json``, ``--report``) and the TUI stats screen.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from labeler.compare.cells import all_cells, reviewed_in
from labeler.compare.data import ANY_FAILURE, CompareRequest, read_compare_data
from labeler.compare.headline import find_reversals, make_headline
from labeler.compare.metrics import all_metrics
from labeler.compare.results import CompareReport
from labeler.store.connection import Store


def compare_versions(store: Store, request: CompareRequest) -> CompareReport:
    """Compare the candidate with the baseline, bucket by bucket and slice by slice."""
    data = read_compare_data(store, request)
    cells = all_cells(data, [ANY_FAILURE, *data.buckets])
    metrics = all_metrics(data, request.bootstrap, request.seed)
    reversals = find_reversals(cells)
    notes = list(data.notes)
    if data.paired and any(data.unpaired):
        notes.append(
            f"{data.unpaired[0]:,} baseline and {data.unpaired[1]:,} candidate case(s) have no "
            f"partner with the same {data.pair_key}: left out of the paired comparison"
        )
    if len(cells) > 20:
        notes.append(
            f"{len(cells):,} cells, each with its own 95% interval: about 1 in 20 cells with no "
            "real change can still cross 0 by chance; look twice at a lone regression with a "
            "wide interval"
        )
    return CompareReport(
        baseline=data.baseline,
        candidate=data.candidate,
        by=data.by,
        pair_key=data.pair_key,
        paired=data.paired,
        pairs=len(data.pairs),
        unpaired=data.unpaired,
        cases=data.cases,
        reviewed=reviewed_in(data, None),
        slice_keys=data.slice_keys,
        cells=tuple(cells),
        metrics=tuple(metrics),
        reversals=tuple(reversals),
        headline=make_headline(cells, metrics, reversals, data.baseline, data.candidate),
        notes=tuple(notes),
        consistent=data.consistent,
    )
