"""Importing cases from JSON lines or CSV files: validated, all or nothing, idempotent.

The public API:

* :func:`import_files` runs an import into a store and returns an :class:`ImportResult`;
* :func:`read_records` streams one file as :class:`Parsed` records or :class:`Problem` items,
  without touching a store;
* :func:`parse_mapping` turns ``--map TARGET=SOURCE`` options into a :class:`Mapping`.

This package is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labeler.importing.csv_reader import CSV_FIELD_LIMIT
    from labeler.importing.importer import Progress, import_files
    from labeler.importing.jsonl import MAX_LINE_BYTES
    from labeler.importing.mapping import Mapping, MappingError, MapRule, parse_mapping
    from labeler.importing.outcome import (
        MAX_KEPT_PROBLEMS,
        FileResult,
        ImportResult,
        PreviousImport,
        Problem,
    )
    from labeler.importing.readers import Parsed, SeenIds, read_records
    from labeler.importing.sources import (
        EXTENSIONS,
        FORMATS,
        Format,
        FormatUnknown,
        detect_format,
    )
    from labeler.importing.stored import StoredCase

_WHERE = {
    "CSV_FIELD_LIMIT": "csv_reader",
    "Progress": "importer",
    "import_files": "importer",
    "MAX_LINE_BYTES": "jsonl",
    "Mapping": "mapping",
    "MappingError": "mapping",
    "MapRule": "mapping",
    "parse_mapping": "mapping",
    "Parsed": "readers",
    "SeenIds": "readers",
    "read_records": "readers",
    "MAX_KEPT_PROBLEMS": "outcome",
    "FileResult": "outcome",
    "ImportResult": "outcome",
    "PreviousImport": "outcome",
    "Problem": "outcome",
    "EXTENSIONS": "sources",
    "FORMATS": "sources",
    "Format": "sources",
    "FormatUnknown": "sources",
    "detect_format": "sources",
    "StoredCase": "stored",
}
"""Where each public name lives. They are imported on first use, so that a parse worker
(:mod:`labeler.importing.workers`), which needs only the JSON reader, starts without pydantic."""


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
