"""Import labels from a spreadsheet pass: CSV with ``case_id,reviewer,bucket[,note]``.

All or nothing: unknown case ids and buckets are listed and nothing is written (unless
``create_buckets`` adds the unknown buckets). Each new or changed label is an event, as if
the reviewer had pressed the key; the importing OS account is recorded as the writer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from labeler.clock import utc_now
from labeler.display_text import safe_inline
from labeler.identity import Actor
from labeler.store.connection import Store
from labeler.store.errors import StoreError
from labeler.store.events import record_event
from labeler.taxonomy import KEY_PATTERN, RESERVED_SHORTCUTS

REQUIRED = ("case_id", "reviewer", "bucket")
SPARE_SHORTCUTS = "0hilmoprvwy" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class LabelFileError(ValueError):
    """A labels file that cannot be imported; the message lists every problem."""


@dataclass
class LabelImportResult:
    """What an import of labels did."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    new_buckets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LabelRow:
    """One label read from the file."""

    line: int
    case_id: str
    reviewer: str
    bucket: str
    note: str | None


def read_label_rows(path: Path) -> list[LabelRow]:
    """Read and check the rows; raise LabelFileError naming ``file:line`` for each bad one."""
    name = safe_inline(str(path), 300)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabelFileError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise LabelFileError(f"{name}: cannot read: {exc.strerror}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise LabelFileError(
            f"{name}: the file is empty; expected a header case_id,reviewer,bucket"
        )
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LabelFileError(
            f"{name}:1: missing column(s) {', '.join(missing)}; "
            "the header must be case_id,reviewer,bucket[,note]"
        )
    index = {h: i for i, h in enumerate(header)}
    problems: list[str] = []
    rows: list[LabelRow] = []
    seen: dict[tuple[str, str], int] = {}
    start = reader.line_num + 1
    for cells in reader:
        line = start
        start = reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"{name}:{line}: {len(cells)} cells, the header has {len(header)}")
            continue
        case_id, reviewer, bucket = (cells[index[c]].strip() for c in REQUIRED)
        note = cells[index["note"]] if "note" in index else None
        if not case_id or not reviewer or not bucket:
            problems.append(f"{name}:{line}: case_id, reviewer and bucket must not be empty")
            continue
        key = (case_id, reviewer)
        if key in seen:
            problems.append(
                f"{name}:{line}: a second label by {safe_inline(reviewer)} on case "
                f"{safe_inline(case_id)} (first on line {seen[key]})"
            )
            continue
        seen[key] = line
        rows.append(LabelRow(line, case_id, reviewer, bucket, note or None))
    if problems:
        raise LabelFileError("\n".join(problems))
    return rows


def import_labels(
    store: Store, path: Path, actor: Actor, *, create_buckets: bool = False
) -> LabelImportResult:
    """Import a labels CSV in one transaction."""
    rows = read_label_rows(path)
    result = LabelImportResult()
    with store.write() as conn:
        seqs = {
            r[0]: r[1] for r in conn.execute("SELECT case_id, seq FROM cases WHERE is_current = 1")
        }
        buckets = {r[0] for r in conn.execute("SELECT key FROM buckets")}
        unknown_cases = sorted({r.case_id for r in rows if r.case_id not in seqs})
        unknown_buckets = sorted({r.bucket for r in rows if r.bucket not in buckets})
        problems = []
        if unknown_cases:
            shown = ", ".join(safe_inline(c, 60) for c in unknown_cases[:20])
            more = f" and {len(unknown_cases) - 20} more" if len(unknown_cases) > 20 else ""
            problems.append(f"unknown case ids: {shown}{more}")
        bad_keys = [b for b in unknown_buckets if not KEY_PATTERN.match(b)]
        if create_buckets and bad_keys:
            shown = ", ".join(safe_inline(b, 60) for b in bad_keys)
            problems.append(
                f"cannot create buckets {shown}: a bucket key is 1-64 letters, digits, '_', '.' "
                "or '-'"
            )
        if unknown_buckets and not create_buckets:
            shown = ", ".join(safe_inline(b, 60) for b in unknown_buckets)
            problems.append(
                f"unknown buckets: {shown} (add them to the taxonomy, or use --create-buckets)"
            )
        if problems:
            raise StoreError(f"{safe_inline(str(path), 300)}: " + "; ".join(problems))
        if unknown_buckets:
            _create_buckets(conn, unknown_buckets, actor)
            result.new_buckets = unknown_buckets
        now = utc_now()
        for r in rows:
            seq = seqs[r.case_id]
            old = conn.execute(
                "SELECT bucket, note FROM labels WHERE case_seq = ? AND reviewer = ?",
                (seq, r.reviewer),
            ).fetchone()
            after = {"reviewer": r.reviewer, "bucket": r.bucket, "note": r.note}
            if old is None:
                conn.execute(
                    "INSERT INTO labels (case_seq, reviewer, account, bucket, note, version,"
                    " labeled_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
                    (seq, r.reviewer, actor.account, r.bucket, r.note, now),
                )
                result.created += 1
                before = None
            elif (old[0], old[1]) == (r.bucket, r.note):
                result.unchanged += 1
                continue
            else:
                conn.execute(
                    "UPDATE labels SET bucket = ?, note = ?, account = ?, version = version + 1,"
                    " labeled_at = ? WHERE case_seq = ? AND reviewer = ?",
                    (r.bucket, r.note, actor.account, now, seq, r.reviewer),
                )
                result.changed += 1
                before = {"reviewer": r.reviewer, "bucket": old[0], "note": old[1]}
            record_event(
                conn,
                actor,
                "label.import",
                case_seq=seq,
                case_id=r.case_id,
                at=now,
                before=before,
                after=after,
                detail={"file": path.name, "line": r.line},
            )
    return result


def _create_buckets(conn: object, keys: list[str], actor: Actor) -> None:
    import sqlite3

    assert isinstance(conn, sqlite3.Connection)
    used = {r[0] for r in conn.execute("SELECT shortcut FROM buckets")}
    position = conn.execute("SELECT coalesce(max(position), -1) FROM buckets").fetchone()[0]
    free = [c for c in SPARE_SHORTCUTS if c not in used and c not in RESERVED_SHORTCUTS]
    if len(free) < len(keys):
        raise StoreError(f"not enough free shortcut keys for {len(keys)} new buckets")
    for key, shortcut in zip(keys, free, strict=False):
        position += 1
        conn.execute(
            "INSERT INTO buckets (key, name, shortcut, description, must_pass, position)"
            " VALUES (?, ?, ?, '', 0, ?)",
            (key, key, shortcut, position),
        )
        record_event(
            conn,
            actor,
            "taxonomy.add",
            after={"key": key, "shortcut": shortcut},
            detail={"reason": "import-labels --create-buckets"},
        )
