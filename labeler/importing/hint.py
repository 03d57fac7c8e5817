"""One message instead of one line per record when records lack ``input`` or ``output``: the
keys the file's records have, and the ``--map`` that likely fits (e.g. ``--map input=prompt``).

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from labeler.importing.outcome import Problem
from labeler.importing.wording import MISSING_INPUT, MISSING_OUTPUT
from labeler.text.display import safe_inline
from labeler.text.suggest import did_you_mean

SYNONYMS = {
    "input": ("prompt", "question", "query", "user_input", "request", "user", "text", "message"),
    "output": ("response", "completion", "answer", "reply", "model_output", "generation"),
}
"""Keys that usually hold a case's input or output, most likely first."""
_PEEK_BYTES = 1 << 20


def missing_fields(problem: Problem) -> list[str]:
    """Which of ``input`` and ``output`` the problem says its record lacks."""
    return [
        name
        for name, text in (("input", MISSING_INPUT), ("output", MISSING_OUTPUT))
        if text in problem.reason
    ]


def first_record_keys(path: Path) -> list[str]:
    """The keys of the first JSON object in a JSON lines file (empty when it cannot tell)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_PEEK_BYTES)
    except OSError:
        return []
    for line in head.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            return []
        return [str(k) for k in record] if isinstance(record, dict) else []
    return []


def suggest_map(keys: Sequence[str], missing: Sequence[str]) -> list[str]:
    """``input=prompt`` style suggestions for the missing fields, from the keys found."""
    out = []
    taken: set[str] = set()
    for target in missing:
        free = [k for k in keys if k not in taken and k not in ("input", "output")]
        lowered = {k.lower(): k for k in free}
        found = next((lowered[s] for s in SYNONYMS[target] if s in lowered), None)
        if found is None:
            found = did_you_mean(target, free)
        if found is not None:
            taken.add(found)
            out.append(f"{target}={found}")
    return out


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's header row (empty when it cannot tell)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_PEEK_BYTES).decode("utf-8-sig", "replace")
    except OSError:
        return []
    rows = csv.reader(io.StringIO(head, newline=""))
    try:
        return [name.strip() for name in next(rows, [])]
    except csv.Error:
        return []


def _with_columns(problem: Problem) -> Problem:
    """A CSV header without ``input``/``output``: add the columns found and a ``--map``."""
    missing = [
        name for name in ("input", "output") if problem.reason.startswith(f"no `{name}` column")
    ]
    if not missing:
        return problem
    columns = csv_header(Path(problem.file))
    if not columns:
        return problem
    text = problem.reason + ". The header has the columns: "
    text += ", ".join(safe_inline(c, 60) for c in columns) + "."
    absent = [m for m in ("input", "output") if m not in columns]
    maps = suggest_map(columns, absent)
    if maps:
        text += " Try: " + " ".join(f"--map {safe_inline(m, 130)}" for m in maps)
    return replace(problem, reason=text)


def summarise_missing(problems: Sequence[Problem]) -> tuple[list[Problem], list[str]]:
    """Split the problems: those kept as they are, and one message per file for the records
    that lack ``input`` or ``output`` (when two or more records of a file do)."""
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        if p.line is not None and missing_fields(p):
            by_file.setdefault(p.file, []).append(p)
    grouped = {f for f, ps in by_file.items() if len(ps) >= 2}
    kept = [_with_columns(p) for p in problems if not (p.file in grouped and p in by_file[p.file])]
    messages = []
    for file in sorted(grouped):
        found = by_file[file]
        missing = sorted(
            {m for p in found for m in missing_fields(p)}, key=["input", "output"].index
        )
        lines = ", ".join(str(p.line) for p in found[:5]) + (", ..." if len(found) > 5 else "")
        keys = first_record_keys(Path(file))
        name = safe_inline(file, 200)
        text = (
            f"{name}: {len(found):,} records have no "
            + " or ".join(f"`{m}`" for m in missing)
            + f" key (lines {lines})."
        )
        if keys:
            text += " The records have the keys: " + ", ".join(safe_inline(k, 60) for k in keys)
            text += "."
        maps = suggest_map(keys, missing)
        if maps:
            text += " Try: " + " ".join(f"--map {safe_inline(m, 130)}" for m in maps)
        messages.append(text)
    return kept, messages
