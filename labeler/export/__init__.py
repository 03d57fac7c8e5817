"""Exporting a store: final buckets, labels or the audit log, as safe CSV or lossless JSON lines.

* `rows`: the columns and rows of each export kind, streamed from one snapshot of the store.
* `writers`: spreadsheet-safe CSV cells, JSON lines, and safe file names for a split export.
* `run`: `export_store`, which writes it all without ever leaving a half-written file.

This package is part of the pure core: standard library only.
"""

from labeler.export.rows import (
    EVENT_COLUMNS,
    FINAL_COLUMNS,
    LABEL_COLUMNS,
    PSEUDO_BUCKETS,
    TEXT_COLUMNS,
    ExportSpec,
)
from labeler.export.run import ExportResult, Format, export_store, format_for

__all__ = [
    "EVENT_COLUMNS",
    "FINAL_COLUMNS",
    "LABEL_COLUMNS",
    "PSEUDO_BUCKETS",
    "TEXT_COLUMNS",
    "ExportResult",
    "ExportSpec",
    "Format",
    "export_store",
    "format_for",
]
