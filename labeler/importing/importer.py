"""``import_files``: cases from JSON lines or CSV files into a store, all or nothing.

A run has two phases:

1. **Check** (:mod:`labeler.importing.checker`), without the write lock: stream every file,
   validate every record, compare it with the store, and spool what is to be written to an
   unnamed temporary file (:mod:`labeler.importing.spool`). Memory stays flat: records are
   dropped once spooled; only one small entry per id is kept, to name duplicates. The usual
   record shapes are checked without pydantic (:mod:`labeler.importing.fastpath`), and a large
   JSON lines file is parsed in worker processes when a CPU is spare
   (:mod:`labeler.importing.workers`); either way the outcome is the same.
2. **Write** (:mod:`labeler.importing.writer`), in ONE transaction: only if no record was bad
   (or ``skip_invalid`` is set). A killed import leaves no rows or all of them.

Idempotent: a file whose bytes (sha256) were imported before is a no-op that says so; a record
whose case exists with the same content is counted as unchanged; one with other content is a
problem unless ``update`` is set, in which case the case gets a new version and its old one,
with its labels, is kept as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from labeler.identity import Actor
from labeler.importing.checker import FileCheck, check_files
from labeler.importing.mapping import Mapping
from labeler.importing.outcome import MAX_KEPT_PROBLEMS, ImportResult, Problem
from labeler.importing.writer import Rejected, write_checked
from labeler.store.connection import Store

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called often during a run, ``done`` rising to ``total``.

Units are bytes of input, counted twice: the first half of ``total`` is reading and checking
the files, the second half writing the checked records to the store.
"""


def import_files(
    store: Store,
    paths: Sequence[Path | str],
    actor: Actor,
    *,
    fmt: str | None = None,
    mapping: Mapping | None = None,
    skip_invalid: bool = False,
    update: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the cases in ``paths`` into ``store`` as ``actor``; see the module docstring.

    ``fmt`` (``"jsonl"`` or ``"csv"``) applies to every file and is needed when a name does not
    end in ``.jsonl``, ``.ndjson``, ``.json`` or ``.csv``. ``mapping`` comes from
    :func:`labeler.importing.parse_mapping`. Bad records never raise: they are in
    ``ImportResult.problems``. Raises ``StoreError``: busy, full, read-only, damaged, or
    ``SpoolError`` / ``SpoolFull`` when the temporary spool file in the store's folder cannot be
    made or filled (the store is then unchanged).
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    result = ImportResult(skip_invalid=skip_invalid)
    checked = check_files(
        store,
        list(paths),
        fmt=fmt,
        mapping=mapping,
        update=update,
        keep_problems=MAX_KEPT_PROBLEMS,
        progress=progress,
    )
    with checked.spool:
        result.files = [f.result for f in checked.files]
        active = [
            f for f in checked.files if f.result.previous is None and f.result.same_as is None
        ]
        bad = sum(f.problem_count for f in active)
        writable = [f for f in checked.files if f.writable]
        late: list[tuple[FileCheck, Problem]] = []
        if writable and (skip_invalid or bad == 0):
            try:
                import_ids, late = write_checked(
                    store,
                    checked,
                    actor,
                    update=update,
                    skip_invalid=skip_invalid,
                    progress=progress,
                )
            except Rejected as exc:
                late = exc.problems
            else:
                result.committed = True
                for f in writable:
                    f.result.import_id = import_ids[f.number]
    for check, problem in late:
        check.problems.append(problem)
        check.problem_count += 1
        check.result.problems += 1
    _collect(result, checked.files)
    if progress is not None:
        progress(checked.total_bytes, checked.total_bytes)
    return result


def _collect(result: ImportResult, files: list[FileCheck]) -> None:
    """Gather the problems of the files that were read, and settle the counts shown."""
    for check in files:
        r = check.result
        if r.previous is not None or r.same_as is not None:  # a no-op: nothing read counts
            r.records = r.inserted = r.updated = r.unchanged = r.skipped = r.problems = 0
            continue
        check.problems.sort(key=lambda p: p.line or 0)
        for problem in check.problems:
            result.add_problem(problem)
        result.problem_count += check.problem_count - len(check.problems)
        if result.skip_invalid:
            r.skipped = r.problems
        if not result.committed:
            r.inserted = r.updated = r.unchanged = 0
