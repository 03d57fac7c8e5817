"""The write phase: every checked row into the store in ONE transaction.

All of a run is written inside one ``store.write()`` (``BEGIN IMMEDIATE`` ... ``COMMIT``)
with raw ``executemany`` in batches, so a killed import leaves none or all of its rows
(sqlite-utils' ``insert_all`` commits chunk by chunk and would leave half). The lock is held
only for inserts: parsing, validation and hashing were done before (see
:mod:`labeler.importing.spool`).

What is written:

* one ``imports`` row per file (name, sha256 of its bytes, format, counts);
* per new case, a ``cases`` row (version 1) and its ``case_texts`` row;
* per updated case, the old row gets ``is_current = 0`` and a new row with the next version is
  added with its own texts. The old row and its texts are never changed otherwise, so labels
  stay attached to the text they were given for;
* one ``import`` event for the run (files, sha256, counts) and one ``case.update`` event per
  updated case (content hash and version before and after). There is no event per inserted
  case: a 1M-case import would double the size of the store; the ``imports`` row and each
  case's ``import_id`` already say where every case came from.

If a case row was added since the check phase (another import ran meanwhile), every row is
compared with the store again under the lock. A record that became a conflict is a problem;
with ``skip_invalid`` off the transaction is rolled back and nothing is written.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import Any

from labeler.clock import utc_now
from labeler.identity import Actor
from labeler.importing.checker import (
    NEW,
    SAME,
    UPDATE,
    Checked,
    FileCheck,
    conflict_reason,
)
from labeler.importing.outcome import Problem
from labeler.importing.spool import SpoolRow
from labeler.importing.wording import shown_key
from labeler.store import imports as import_sql
from labeler.store.connection import Store
from labeler.store.events import record_event
from labeler.store.order import place_new_cases


class Rejected(Exception):
    """Raised inside the transaction to roll it back when the store changed under a record."""

    def __init__(self, problems: list[tuple[FileCheck, Problem]]) -> None:
        super().__init__(f"{len(problems)} records conflict with the store as it is now")
        self.problems = problems


class _Writer:
    """Writes one checked run inside an open write transaction."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        checked: Checked,
        actor: Actor,
        *,
        update: bool,
        skip_invalid: bool,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.conn = conn
        self.checked = checked
        self.actor = actor
        self.update = update
        self.skip_invalid = skip_invalid
        self.progress = progress
        self.now = utc_now()
        self.files = {f.number: f for f in checked.files if f.writable}
        self.import_ids: dict[int, int] = {}
        self.late_problems: list[tuple[FileCheck, Problem]] = []
        found = import_sql.fingerprint_in(conn)
        self.next_seq = found[0] + 1
        self.recheck = found != checked.fingerprint

    def run(self) -> None:
        for number, check in self.files.items():
            r = check.result
            r.inserted = r.updated = r.unchanged = r.records = 0
            self.import_ids[number] = import_sql.start_import(
                self.conn,
                file_name=os.path.abspath(r.path),
                sha256=r.sha256,
                file_format=r.format,
                at=self.now,
                actor=self.actor.name,
                account=self.actor.account,
            )
        total_rows = max(self.checked.spool.count, 1)
        half = self.checked.total_bytes // 2
        done_rows = 0
        for batch in self.checked.spool.batches():
            rows = [row for row in batch if row[1] in self.files]
            if self.recheck:
                rows = self._reclassify(rows)
            self._write_batch(rows)
            done_rows += len(batch)
            if self.progress is not None:
                self.progress(half + (half * done_rows) // total_rows, self.checked.total_bytes)
        if self.late_problems and not self.skip_invalid:
            raise Rejected(self.late_problems)
        self._finish()

    def _reclassify(self, rows: list[SpoolRow]) -> list[SpoolRow]:
        """Compare rows with the store as it is now, under the lock."""
        if not rows:
            return rows
        current = import_sql.current_cases_in(self.conn, [row[3] for row in rows])
        out: list[SpoolRow] = []
        for row in rows:
            kind, number, line, case_id, content_hash = row[:5]
            old = current.get(case_id)
            check = self.files[number]
            if old is not None and old[2] == content_hash:
                out.append((SAME, number, line, case_id, content_hash))
            elif kind == SAME:  # unchanged when checked; changed by someone since
                self._late(check, line, _changed_reason(case_id))
            elif old is None:
                out.append((NEW, *row[1:5], None, None, None, *row[8:]))
            elif self.update:
                out.append((UPDATE, *row[1:5], *old, *row[8:]))
            else:
                self._late(check, line, conflict_reason(case_id))
        return out

    def _late(self, check: FileCheck, line: int, reason: str) -> None:
        self.late_problems.append((check, Problem(check.result.path, line, reason)))

    def _write_batch(self, rows: list[SpoolRow]) -> None:
        cases: list[tuple[Any, ...]] = []
        texts: list[tuple[Any, ...]] = []
        retire: list[tuple[int]] = []
        events: list[tuple[int, SpoolRow]] = []
        for row in rows:
            kind, number, _line, case_id, content_hash = row[:5]
            result = self.files[number].result
            result.records += 1
            if kind == SAME:
                result.unchanged += 1
                continue
            seq = self.next_seq
            self.next_seq += 1
            version = 1
            if kind == UPDATE:
                retire.append((row[5],))
                version = row[6] + 1
                events.append((seq, row))
                result.updated += 1
            else:
                result.inserted += 1
            input_kind, text, context, output, expected, slices, meta = row[8:]
            cases.append(
                (seq, case_id, version, content_hash, slices, meta, self.import_ids[number],
                 self.now)
            )  # fmt: skip
            texts.append((seq, input_kind, text, context, output, expected))
        import_sql.write_cases(self.conn, retire, cases, texts)
        for seq, row in events:
            number = row[1]
            record_event(
                self.conn,
                self.actor,
                "case.update",
                case_seq=seq,
                case_id=row[3],
                before={"content_hash": row[7], "version": row[6], "seq": row[5]},
                after={"content_hash": row[4], "version": row[6] + 1, "seq": seq},
                detail={"import_id": self.import_ids[number], "line": row[2]},
                at=self.now,
            )

    def _finish(self) -> None:
        late = Counter(check.number for check, _ in self.late_problems)
        summary = []
        for number, check in self.files.items():
            r = check.result
            if self.skip_invalid:
                r.skipped = r.problems + late[number]
            import_sql.finish_import(
                self.conn,
                self.import_ids[number],
                records=r.records,
                inserted=r.inserted,
                updated=r.updated,
                unchanged=r.unchanged,
                skipped=r.skipped,
            )
            summary.append(
                {
                    "import_id": self.import_ids[number],
                    "file": os.path.abspath(r.path),
                    "sha256": r.sha256,
                    "format": r.format,
                    "records": r.records,
                    "inserted": r.inserted,
                    "updated": r.updated,
                    "unchanged": r.unchanged,
                    "skipped": r.skipped,
                }
            )
        record_event(self.conn, self.actor, "import", detail={"files": summary}, at=self.now)


def write_checked(
    store: Store,
    checked: Checked,
    actor: Actor,
    *,
    update: bool,
    skip_invalid: bool,
    progress: Callable[[int, int], None] | None,
) -> tuple[dict[int, int], list[tuple[FileCheck, Problem]]]:
    """Write the run; return (import id per file number, problems found under the lock).

    Raises :class:`Rejected` (after rolling back) when the store changed under a record and
    ``skip_invalid`` is off; ``StoreError`` when the store cannot be written.
    """
    with store.write() as conn:
        writer = _Writer(
            conn, checked, actor, update=update, skip_invalid=skip_invalid, progress=progress
        )
        writer.run()
        place_new_cases(conn)  # the random review order: new cases among those not reached
    return writer.import_ids, writer.late_problems


def _changed_reason(case_id: str) -> str:
    return (
        f"case {shown_key(case_id)} was changed in the store while this import was being "
        "checked (by another import); run the import again"
    )
