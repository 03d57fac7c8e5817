"""Import labels from a spreadsheet pass: CSV with ``case_id,reviewer,bucket[,note]``.

All or nothing: unknown case ids and buckets are listed and nothing is written (unless
``create_buckets`` adds the unknown buckets). Each new or changed label is an event, as if
the reviewer had pressed the key; the importing OS account is recorded as the writer.

Labels already in the store are never overwritten silently: a label of the same reviewer on
the same case that differs from the file's is a conflict, and the whole import is refused
(:class:`LabelConflictError`) unless ``replace`` is given. ``dry_run`` works out the same
counts and changes and writes nothing.

Cells are kept as written, except that ``reviewer`` and ``bucket`` are stripped of surrounding
blanks (a reviewer name never has them, nor does a bucket key). Case ids are matched exactly as
they were imported, spaces included, as the case CSV reader keeps them. Without a ``note``
column, a label's note in the store is kept; with one, an empty cell means "no note".
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path

from labeler.clock import utc_now
from labeler.identity import Actor
from labeler.importing.bucket_names import key_for_name
from labeler.importing.csv_reader import CSV_FIELD_LIMIT
from labeler.store import labels as label_rows
from labeler.store import taxonomy as bucket_rows
from labeler.store.cases import current_seq
from labeler.store.connection import Store
from labeler.store.errors import StoreError
from labeler.store.events import record_event
from labeler.store.order import REACHED_FROM_FILE
from labeler.taxonomy import KEY_PATTERN, RESERVED_SHORTCUTS
from labeler.text.display import safe_inline

REQUIRED = ("case_id", "reviewer", "bucket")
SPARE_SHORTCUTS = "0hilmoprvwy" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_REVIEWER_CHARS = 64
"""As for ``--reviewer``: a name the review screen could have recorded."""
CONFLICTS_SHOWN = 5
"""How many conflicting labels a refusal names before it gives the count of the rest."""


class LabelFileError(ValueError):
    """A labels file that cannot be imported; the message lists every problem."""


class LabelConflictError(StoreError):
    """The file would change labels already in the store, and ``replace`` was not given."""

    def __init__(self, message: str, changes: list[LabelChange]) -> None:
        super().__init__(message)
        self.changes = changes


@dataclass(frozen=True)
class LabelRow:
    """One label read from the file."""

    line: int
    case_id: str
    reviewer: str
    bucket: str
    note: str | None
    note_given: bool = True
    """False when the file has no ``note`` column: the stored note is then kept."""


@dataclass(frozen=True)
class LabelChange:
    """A label in the store that the file changes."""

    line: int
    case_id: str
    reviewer: str
    old_bucket: str
    old_note: str | None
    new_bucket: str
    new_note: str | None


@dataclass
class LabelImportResult:
    """What an import of labels did (or, with ``dry_run``, would do)."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    new_buckets: list[str] = field(default_factory=list)
    bucket_names: dict[str, str] = field(default_factory=dict)
    """Key -> the name the file gave, for each new bucket (the key when it was one)."""
    changes: list[LabelChange] = field(default_factory=list)
    """Every label the file changes (written only with ``replace``)."""
    dry_run: bool = False
    """Nothing was written."""
    refused: bool = False
    """Dry run only: the changes would be refused without ``replace``."""


def _reviewer_problem(reviewer: str) -> str | None:
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in reviewer):
        return "the reviewer name contains control characters"
    if len(reviewer) > MAX_REVIEWER_CHARS:
        return f"the reviewer name is longer than {MAX_REVIEWER_CHARS} characters"
    return None


def _read_text(path: Path, name: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LabelFileError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LabelFileError(
            f"{name}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start:,}); save the file as CSV UTF-8"
        ) from None


def _header(header: list[str] | None, name: str, line: int) -> list[str]:
    if header is None:
        raise LabelFileError(
            f"{name}: the file is empty; expected a header case_id,reviewer,bucket[,note]"
        )
    columns = [h.strip() for h in header]
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            raise LabelFileError(
                f"{name}:{line}: the header names the column `{safe_inline(column, 60)}` twice; "
                "keep one of them"
            )
        seen.add(column)
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        raise LabelFileError(
            f"{name}:{line}: missing column(s) {', '.join(missing)}; "
            "the header must be case_id,reviewer,bucket[,note]"
        )
    return columns


def read_label_rows(path: Path) -> list[LabelRow]:
    """Read and check the rows; raise LabelFileError naming ``file:line`` for each bad one."""
    name = safe_inline(str(path), 300)
    text = _read_text(path, name)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise LabelFileError(f"{name}:1: {_csv_reason(exc)}") from None
    header = _header(first, name, reader.line_num or 1)
    index = {h: i for i, h in enumerate(header)}
    note_given = "note" in index
    problems: list[str] = []
    rows: list[LabelRow] = []
    seen: dict[tuple[str, str], int] = {}
    start = reader.line_num + 1
    while True:
        line = start
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"{name}:{line}: {_csv_reason(exc)}; the rest of the file was not read")
            break
        start = reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"{name}:{line}: {len(cells)} cells, the header has {len(header)}")
            continue
        case_id = cells[index["case_id"]]
        reviewer = cells[index["reviewer"]].strip()
        bucket = cells[index["bucket"]].strip()
        note = cells[index["note"]] if note_given else None
        if not case_id or not reviewer or not bucket:
            problems.append(f"{name}:{line}: case_id, reviewer and bucket must not be empty")
            continue
        reviewer_problem = _reviewer_problem(reviewer)
        if reviewer_problem:
            problems.append(f"{name}:{line}: {reviewer_problem}")
            continue
        key = (case_id, reviewer)
        if key in seen:
            problems.append(
                f"{name}:{line}: a second label by {safe_inline(reviewer)} on case "
                f"{_shown_id(case_id)} (first on line {seen[key]})"
            )
            continue
        seen[key] = line
        rows.append(LabelRow(line, case_id, reviewer, bucket, note or None, note_given))
    if problems:
        raise LabelFileError("\n".join(problems))
    return rows


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"a cell is larger than {CSV_FIELD_LIMIT:,} characters (an unclosed double quote "
            "can make the rest of the file one cell)"
        )
    return f"the CSV cannot be read here ({safe_inline(text, 120)})"


def _shown_id(case_id: str) -> str:
    """A case id for a message: made safe, in quotes so surrounding spaces show."""
    return f'"{safe_inline(case_id, 60)}"'


@dataclass
class _Plan:
    writes: list[tuple[LabelRow, int, tuple[str, str | None] | None]]
    """(row, case seq, stored bucket and note or None) of each label to insert or update."""
    new_buckets: list[str]
    result: LabelImportResult


def _plan(
    conn: sqlite3.Connection, rows: list[LabelRow], name: str, *, create_buckets: bool
) -> _Plan:
    """Check the rows against the store and sort them into new, changed and unchanged."""
    seqs: dict[str, int] = {}
    unknown_cases: list[str] = []
    for r in rows:
        if r.case_id in seqs:
            continue
        found = current_seq(conn, r.case_id)
        if found is None:
            if r.case_id not in unknown_cases:
                unknown_cases.append(r.case_id)
        else:
            seqs[r.case_id] = found
    rows, names = _match_bucket_names(conn, rows, create_buckets)
    buckets = {key for key, _ in bucket_rows.bucket_keys_and_names(conn)}
    unknown_buckets = sorted({r.bucket for r in rows if r.bucket not in buckets})
    problems = []
    if unknown_cases:
        unknown_cases.sort()
        shown = ", ".join(_shown_id(c) for c in unknown_cases[:20])
        more = f" and {len(unknown_cases) - 20} more" if len(unknown_cases) > 20 else ""
        problems.append(f"unknown case ids: {shown}{more}{_spaces_hint(conn, unknown_cases)}")
    bad_keys = [b for b in unknown_buckets if not KEY_PATTERN.match(b)]
    if create_buckets and bad_keys:
        shown = ", ".join(safe_inline(b, 60) for b in bad_keys)
        problems.append(
            f"cannot create buckets {shown}: a bucket key is 1-64 letters, digits, '_', '.' or '-'"
        )
    if unknown_buckets and not create_buckets:
        shown = ", ".join(safe_inline(b, 60) for b in unknown_buckets)
        problems.append(
            f"unknown buckets: {shown} (add them to the taxonomy, or use --create-buckets)"
        )
    if unknown_buckets and create_buckets and not bad_keys:
        free = _free_shortcuts(conn)
        if len(free) < len(unknown_buckets):
            problems.append(
                f"not enough free shortcut keys for {len(unknown_buckets)} new buckets "
                f"({len(free)} left)"
            )
    if problems:
        raise StoreError(f"{name}: " + "; ".join(problems))
    result = LabelImportResult(
        new_buckets=unknown_buckets,
        bucket_names={key: names.get(key, key) for key in unknown_buckets},
    )
    writes: list[tuple[LabelRow, int, tuple[str, str | None] | None]] = []
    for r in rows:
        seq = seqs[r.case_id]
        stored = label_rows.current_label(conn, seq, r.reviewer)
        if stored is None:
            result.created += 1
            writes.append((r, seq, None))
            continue
        old = (stored.bucket, stored.note)
        new_note = r.note if r.note_given else old[1]
        if (old[0], old[1] or None) == (r.bucket, new_note or None):  # "" and None: no note
            result.unchanged += 1
            continue
        result.changed += 1
        result.changes.append(
            LabelChange(r.line, r.case_id, r.reviewer, old[0], old[1], r.bucket, new_note)
        )
        writes.append((r, seq, (old[0], old[1])))
    return _Plan(writes, unknown_buckets, result)


def _match_bucket_names(
    conn: sqlite3.Connection, rows: list[LabelRow], create_buckets: bool
) -> tuple[list[LabelRow], dict[str, str]]:
    """Rows whose bucket is a stored bucket's key or name (exact, else ignoring case) get its
    key; with ``create_buckets``, an unknown name gets a new valid key (:func:`key_for_name`).
    Returns the rows and new key -> name as the file wrote it."""
    stored = bucket_rows.bucket_keys_and_names(conn)
    keys = {str(k) for k, _ in stored}
    by_name = {str(n): str(k) for k, n in stored}
    by_folded = {str(n).casefold(): str(k) for k, n in reversed(stored)}
    new: dict[str, str] = {}
    key_of: dict[str, str] = {}
    for written in dict.fromkeys(r.bucket for r in rows):
        if written in keys:
            continue
        found = by_name.get(written) or by_folded.get(written.casefold())
        if found is None and create_buckets and written.strip() and written.isprintable():
            # A name with control or invisible characters is refused below, not renamed.
            found = key_for_name(written, keys | set(new))
            new[found] = written
        if found is not None:
            key_of[written] = found
    mapped = [replace(r, bucket=key_of.get(r.bucket, r.bucket)) for r in rows]
    return mapped, new


def _spaces_hint(conn: sqlite3.Connection, unknown: list[str]) -> str:
    """A hint when an unknown id only differs from a stored one by surrounding blanks."""
    for case_id in unknown[:1000]:
        stripped = case_id.strip()
        if stripped == case_id or not stripped:
            continue
        if current_seq(conn, stripped) is not None:
            return (
                f" (case ids are matched exactly: {_shown_id(case_id)} has blanks around it, "
                f"the store has {_shown_id(stripped)})"
            )
    return ""


def _conflict_message(name: str, changes: list[LabelChange]) -> str:
    count = (
        "1 label in the file differs from the one"
        if len(changes) == 1
        else f"{len(changes)} labels in the file differ from the ones"
    )
    lines = [f"{name}: {count} the same reviewer already gave the same case; nothing was written:"]
    for c in changes[:CONFLICTS_SHOWN]:
        what = (
            f"{safe_inline(c.old_bucket, 64)} in the store, {safe_inline(c.new_bucket, 64)} "
            "in the file"
            if c.old_bucket != c.new_bucket
            else f"{safe_inline(c.old_bucket, 64)} in both, the note differs"
        )
        lines.append(
            f"  line {c.line}: case {_shown_id(c.case_id)} by {safe_inline(c.reviewer, 64)}: "
            + what
        )
    if len(changes) > CONFLICTS_SHOWN:
        lines.append(f"  and {len(changes) - CONFLICTS_SHOWN} more")
    lines.append(
        "--replace would overwrite the stored labels with the file's; --dry-run lists every change."
    )
    return "\n".join(lines)


def import_labels(
    store: Store,
    path: Path,
    actor: Actor,
    *,
    create_buckets: bool = False,
    replace: bool = False,
    dry_run: bool = False,
) -> LabelImportResult:
    """Import a labels CSV in one transaction (``dry_run``: work it out, write nothing).

    Raises :class:`LabelFileError` for a bad file, :class:`LabelConflictError` when the file
    differs from stored labels and ``replace`` is not given, :class:`StoreError` for unknown
    case ids or buckets.
    """
    name = safe_inline(str(path), 300)
    rows = read_label_rows(path)
    if dry_run:
        with store.snapshot() as conn:
            plan = _plan(conn, rows, name, create_buckets=create_buckets)
        plan.result.dry_run = True
        plan.result.refused = bool(plan.result.changes) and not replace
        return plan.result
    with store.write() as conn:
        plan = _plan(conn, rows, name, create_buckets=create_buckets)
        if plan.result.changes and not replace:
            raise LabelConflictError(
                _conflict_message(name, plan.result.changes), plan.result.changes
            )
        if plan.new_buckets:
            _create_buckets(conn, plan.new_buckets, actor, plan.result.bucket_names)
        now = utc_now()
        for r, seq, old in plan.writes:
            detail: dict[str, object] = {"file": path.name, "line": r.line}
            if old is None:
                note = r.note
                label_rows.insert_label(
                    conn,
                    case_seq=seq,
                    reviewer=r.reviewer,
                    account=actor.account,
                    bucket=r.bucket,
                    note=note,
                    labeled_at=now,
                    reached_by=REACHED_FROM_FILE,
                )
                before = None
            else:
                note = r.note if r.note_given else old[1]
                label_rows.update_label(
                    conn,
                    case_seq=seq,
                    reviewer=r.reviewer,
                    account=actor.account,
                    bucket=r.bucket,
                    note=note,
                    labeled_at=now,
                )
                before = {"reviewer": r.reviewer, "bucket": old[0], "note": old[1]}
                detail["replace"] = True
            record_event(
                conn,
                actor,
                "label.import",
                case_seq=seq,
                case_id=r.case_id,
                at=now,
                before=before,
                after={"reviewer": r.reviewer, "bucket": r.bucket, "note": note},
                detail=detail,
            )
    return plan.result


def _free_shortcuts(conn: sqlite3.Connection) -> list[str]:
    used = bucket_rows.used_shortcuts(conn)
    return [c for c in SPARE_SHORTCUTS if c not in used and c not in RESERVED_SHORTCUTS]


def _create_buckets(
    conn: sqlite3.Connection, keys: list[str], actor: Actor, names: dict[str, str]
) -> None:
    position = bucket_rows.last_position(conn)
    free = _free_shortcuts(conn)
    if len(free) < len(keys):
        raise StoreError(f"not enough free shortcut keys for {len(keys)} new buckets")
    for key, shortcut in zip(keys, free, strict=False):
        position += 1
        bucket_rows.add_bucket(
            conn, key=key, name=names.get(key, key), shortcut=shortcut, position=position
        )
        record_event(
            conn,
            actor,
            "taxonomy.add",
            after={"key": key, "name": names.get(key, key), "shortcut": shortcut},
            detail={"reason": "import-labels --create-buckets"},
        )
