"""Compare two versions of a product bucket by bucket, slice by slice.

* :func:`compare_versions` reads the store and gives a :class:`CompareReport`;
* :mod:`labeler.compare.chart` draws it as text (80 columns), :mod:`labeler.compare.markdown`
  writes it as Markdown, :meth:`CompareReport.to_json` is the ``--json`` object;
* :mod:`labeler.compare.intervals` holds the intervals (Newcombe unpaired and paired, exact
  McNemar, bootstrap of percentiles).

This package is part of the pure core: no textual, rich or click.
"""

from labeler.compare.data import (
    ANY_FAILURE,
    DEFAULT_PAIR_KEY,
    DEFAULT_VERSION_KEYS,
    CompareData,
    CompareRequest,
    read_compare_data,
)
from labeler.compare.results import (
    IMPROVED,
    NO_EVIDENCE,
    REGRESSED,
    Cell,
    CompareReport,
    MetricCell,
    Rate,
    Reversal,
    Verdict,
)
from labeler.compare.run import compare_versions

__all__ = [
    "ANY_FAILURE",
    "DEFAULT_PAIR_KEY",
    "DEFAULT_VERSION_KEYS",
    "IMPROVED",
    "NO_EVIDENCE",
    "REGRESSED",
    "Cell",
    "CompareData",
    "CompareReport",
    "CompareRequest",
    "MetricCell",
    "Rate",
    "Reversal",
    "Verdict",
    "compare_versions",
    "read_compare_data",
]
