"""Importing cases from JSON lines or CSV files: validated, all or nothing, idempotent.

The public API:

* :func:`import_files` runs an import into a store and returns an :class:`ImportResult`;
* :func:`read_records` streams one file as :class:`Parsed` records or :class:`Problem` items,
  without touching a store;
* :func:`parse_mapping` turns ``--map TARGET=SOURCE`` options into a :class:`Mapping`.

This package is part of the pure core: no textual, rich or click.
"""

from labeler.importing.csv_reader import CSV_FIELD_LIMIT
from labeler.importing.importer import Progress, import_files
from labeler.importing.jsonl import MAX_LINE_BYTES
from labeler.importing.mapping import Mapping, MappingError, MapRule, parse_mapping
from labeler.importing.readers import Parsed, SeenIds, read_records
from labeler.importing.report import (
    MAX_KEPT_PROBLEMS,
    FileResult,
    ImportResult,
    PreviousImport,
    Problem,
)
from labeler.importing.sources import EXTENSIONS, FORMATS, Format, FormatUnknown, detect_format
from labeler.importing.stored import StoredCase

__all__ = [
    "CSV_FIELD_LIMIT",
    "EXTENSIONS",
    "FORMATS",
    "MAX_KEPT_PROBLEMS",
    "MAX_LINE_BYTES",
    "FileResult",
    "Format",
    "FormatUnknown",
    "ImportResult",
    "MapRule",
    "Mapping",
    "MappingError",
    "Parsed",
    "PreviousImport",
    "Problem",
    "Progress",
    "SeenIds",
    "StoredCase",
    "detect_format",
    "import_files",
    "parse_mapping",
    "read_records",
]
