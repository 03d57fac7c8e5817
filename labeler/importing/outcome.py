"""What an import reports: problems with records, per-file counts, and the outcome of a run.

Every text here may be printed by the CLI. File names and ids come from the user's data, so
the ``describe`` methods pass them through :func:`labeler.text.display.safe_inline`; the raw
values stay in the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from labeler.text.display import safe_inline

MAX_KEPT_PROBLEMS = 10_000
"""At most this many problems are kept in :attr:`ImportResult.problems`; all are counted.

A file of the wrong kind can have a million bad lines; keeping them all would cost more memory
than the import itself. The count in :attr:`ImportResult.problem_count` is always exact.
"""

Status = Literal["imported", "nothing_to_do", "rejected"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad record (or a whole file that could not be read), in words a person can act on."""

    file: str
    """The file as given by the user (raw; use :meth:`describe` to print it)."""
    line: int | None
    """The 1-based line where the record starts, or None when the problem is the whole file."""
    reason: str
    """What is wrong and, where it helps, how to fix it. Untrusted parts are already made safe."""

    def describe(self) -> str:
        """``file:line: reason`` (or ``file: reason``), safe to print."""
        name = safe_inline(self.file, 200)
        if self.line is None:
            return f"{name}: {self.reason}"
        return f"{name}:{self.line}: {self.reason}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True, slots=True)
class PreviousImport:
    """An earlier import of the very same bytes (same sha256)."""

    import_id: int
    imported_at: str
    """ISO-8601 UTC, as stored in ``imports.imported_at``."""
    file_name: str


@dataclass(slots=True)
class FileResult:
    """What happened to one input file."""

    path: str
    """The file as given by the user (raw)."""
    format: str | None = None
    """``jsonl`` or ``csv``; None when the format could not be told."""
    size: int = 0
    """The file size in bytes when the import started."""
    sha256: str | None = None
    """The sha256 of the bytes read; None when the file could not be read to the end."""
    records: int = 0
    """Good records: valid, and not in conflict with the store (unchanged ones included)."""
    inserted: int = 0
    """New cases written (version 1)."""
    updated: int = 0
    """Cases given a new version (only with ``update=True``)."""
    unchanged: int = 0
    """Records whose case already exists with the same content."""
    skipped: int = 0
    """Bad records left out because ``skip_invalid`` was set."""
    problems: int = 0
    """How many problems this file had."""
    import_id: int | None = None
    """The ``imports`` row written for this file, when the run committed."""
    previous: PreviousImport | None = None
    """Set when the same bytes were imported before: the file was a no-op."""
    same_as: str | None = None
    """Set when this file is the same file as one given earlier in the run (skipped)."""

    def describe(self) -> str:
        """One line for the user, safe to print."""
        name = safe_inline(self.path, 200)
        if self.previous is not None:
            when = _shown_time(self.previous.imported_at)
            return (
                f"{name}: already imported on {when} as import #{self.previous.import_id}; "
                "nothing to do"
            )
        if self.same_as is not None:
            return f"{name}: given twice in this run; read once"
        if self.import_id is None:
            if not self.records and not self.problems:
                return f"{name}: no records; nothing written"
            text = f"{name}: {plural(self.records, 'good record')}"
            if self.problems:
                text += f", {plural(self.problems, 'problem')}"
            return text + "; nothing written"
        counts = (
            f"{plural(self.records, 'record')}: {self.inserted:,} new, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged"
        )
        if self.skipped:
            counts += f", {plural(self.skipped, 'bad record')} skipped"
        return f"{name}: {counts} (import #{self.import_id})"


@dataclass(slots=True)
class ImportResult:
    """The outcome of :func:`labeler.importing.import_files`."""

    files: list[FileResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """The problems found, in file and line order, at most :data:`MAX_KEPT_PROBLEMS`."""
    problem_count: int = 0
    """How many problems were found in all (may exceed ``len(problems)``)."""
    committed: bool = False
    """True when the run wrote to the store (its cases, ``imports`` rows and events)."""
    skip_invalid: bool = False
    """Whether bad records were skipped (True) or made the run write nothing (False)."""

    @property
    def status(self) -> Status:
        """``imported`` (the run wrote), ``rejected`` (bad records; nothing written) or
        ``nothing_to_do`` (every file had been imported before, or held no records)."""
        if self.committed:
            return "imported"
        if self.problem_count and not self.skip_invalid:
            return "rejected"
        return "nothing_to_do"

    @property
    def ok(self) -> bool:
        """True when no problem was found at all."""
        return self.problem_count == 0

    @property
    def records(self) -> int:
        """Valid records read in all files."""
        return sum(f.records for f in self.files)

    @property
    def inserted(self) -> int:
        """New cases written."""
        return sum(f.inserted for f in self.files)

    @property
    def updated(self) -> int:
        """Cases given a new version."""
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        """Records whose case already held the same content."""
        return sum(f.unchanged for f in self.files)

    @property
    def skipped(self) -> int:
        """Bad records left out (``skip_invalid``)."""
        return sum(f.skipped for f in self.files)

    def add_problem(self, problem: Problem) -> None:
        """Count a problem and keep it if there is room."""
        self.problem_count += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(problem)

    def summary(self) -> str:
        """One sentence saying what happened, safe to print."""
        if self.status == "rejected":
            good = self.records
            text = f"nothing imported: {plural(self.problem_count, 'bad record')}."
            if not good:
                return text + " Fix them and run the import again."
            return (
                f"{text} Fix them, or use --skip-invalid to import the "
                f"{plural(good, 'good record')} and skip the rest."
            )
        if self.status == "nothing_to_do":
            if self.files and all(f.previous is not None for f in self.files):
                return "every file was imported before; nothing to do"
            return "nothing to import"
        text = (
            f"imported {plural(self.records, 'record')}: {self.inserted:,} new, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged"
        )
        if self.skipped:
            text += f"; skipped {plural(self.skipped, 'bad record')}"
        return text

    def describe_problems(self) -> list[str]:
        """Every kept problem as ``file:line: reason``, plus a line for those not kept."""
        lines = [p.describe() for p in self.problems]
        hidden = self.problem_count - len(self.problems)
        if hidden > 0:
            lines.append(f"... and {hidden:,} more problems")
        return lines


def plural(count: int, noun: str) -> str:
    """``1 record``, ``2 records``, ``1,000 records``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _shown_time(iso: str) -> str:
    """``2026-11-26T11:46:34.123Z`` as ``2026-11-26 11:46 UTC``."""
    if len(iso) >= 16 and iso[10] == "T":
        return f"{iso[:10]} {iso[11:16]} UTC"
    return safe_inline(iso, 40)
