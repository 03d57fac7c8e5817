"""Parse workers: the lines of a JSON lines file parsed and checked in other processes.

Parsing a 9 KB line, checking it and hashing its stored texts costs about 80 µs of CPU
(``benchmarks/bench_import.py``). With a :class:`ParsePool`, the importing process only reads
the file in chunks of whole lines (hashing its bytes on the way), sends each chunk to a worker
process, and takes the answers back *in order*: for each line a problem or the record's id and
content hash, and the records' spool rows already serialised. It then names duplicate ids,
compares ids with the store and appends the serialised rows to the spool as they are (see
:class:`Chunk`), so the texts are never decoded or copied into Python objects in the importing
process. Every problem, count and decision is the one the single-process path makes
(``tests/test_import_workers.py`` compares them).

The workers are plain child processes running :func:`serve` (``python -c``), not
``multiprocessing``: they start without pydantic (it is imported only for a record the fast
path leaves to the model), they write nothing to the terminal (stderr goes to /dev/null and a
failure comes back as a message), and when the importing process dies, even by SIGKILL, their
pipes close and they exit at once. A worker that fails or cannot start is not fatal: its
chunks, and every later one, are checked in the importing process instead, with the same code.

Protocol: frames of an 8-byte little-endian length and a body. The first frame to a worker is
its mapping (``marshal`` of a list of ``(target, source, text)``). Then each request is an
8-byte header length, a ``marshal`` header ``(file number, first line number, byte offset,
first-line flag, ends at end of file)`` and the chunk's bytes; each answer an 8-byte length,
the ``marshal`` list of entries (``(line, reason)`` for a problem, ``(line, case id, content
hash, id given)`` for a record), and the ``marshal`` list of the records' spool rows.
"""

from __future__ import annotations

import contextlib
import io
import marshal
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from labeler.importing.fastpath import stored_row
from labeler.importing.jsonl import _BOM, MAX_LINE_BYTES, _parse
from labeler.importing.mapping import MapMiss, Mapping, MapRule
from labeler.importing.outcome import Problem

CHUNK_BYTES = 1 << 20
"""The file is read and sent in chunks of about this many bytes (cut after a newline)."""
IN_FLIGHT = 2
"""Chunks sent ahead to each worker: one being checked, one waiting."""

MIN_BYTES = 8 << 20
"""Below this many bytes of JSON lines, an import checks them in its own process: starting a
worker (about 0.1 s) would cost more than it saves."""

WORKERS_ENV = "LABELER_IMPORT_WORKERS"
"""Set to a number of parse workers (``0``: none) to override the default."""

NEW = "new"
"""The spool's kind for a new case (as :data:`labeler.importing.checker.NEW`)."""

Header = tuple[int, int, int, bool, bool]
"""(file number, number of the chunk's first line, its byte offset, whether the file's first
non-blank line may be in it, whether the chunk ends at the end of the file)."""

Entry = tuple[int, str] | tuple[int, str, str, bool]


def default_workers() -> int:
    """How many parse workers an import uses, or :data:`WORKERS_ENV`.

    One per CPU this process may use (at most 4), but none on a single CPU, and none when the
    machine is already busy (a load average of at least the number of CPUs less one half). The
    workers cost about 15% more CPU in all (the pipes), so they only pay with a CPU to spare. On
    a 2-CPU machine (``benchmarks/RESULTS.md``): 100,000 9 KB cases in 19.2 s with two workers
    and 20.9 s without at a load average of about 1.3; 30,000 cases in 14.7 s with them and
    12.5 s without at a load average of 6 to 9.
    """
    value = os.environ.get(WORKERS_ENV, "").strip()
    if value:
        try:
            return max(0, int(value))
        except ValueError:
            pass
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0] >= cpus - 0.5
    except OSError:
        busy = False
    return 0 if cpus < 2 or busy else min(cpus, 4)


# -- checking a chunk (in a worker, or in the importing process when none is left) -------------


def check_chunk(header: Header, data: bytes, mapping: Mapping) -> tuple[list[Entry], bytes]:
    """Parse and check the lines of one chunk: (entries in line order, the spool rows of its
    records, serialised). The lines are cut, numbered and parsed as
    :func:`labeler.importing.jsonl.read_jsonl` does."""
    number, line_no, offset, first, at_eof = header
    entries: list[Entry] = []
    rows: list[tuple[Any, ...]] = []
    lines = data.split(b"\n")
    last = len(lines) - 1  # the piece after the last newline: empty unless the file ends there
    for index, body in enumerate(lines):
        ended = index < last
        if not ended and (not body or not at_eof):
            break
        start = offset
        offset += len(body) + ended
        line = line_no + index
        if body.startswith(_BOM):
            body = body[3:]
            start += 3
        if not body or body.isspace():
            continue
        if ended and body.endswith(b"\r"):
            body = body[:-1]
        parsed = _parse(body, "", line, start, first)
        first = False
        if isinstance(parsed, Problem):
            entries.append((line, parsed.reason))
            continue
        checked = _check(line, parsed[1], mapping)
        if isinstance(checked, str):
            entries.append((line, checked))
            continue
        entries.append((line, checked[0], checked[1], checked[2]))
        rows.append((NEW, number, line, checked[0], checked[1], None, None, None, *checked[3:]))
    return entries, marshal.dumps(rows)


def _check(line: int, data: dict[str, Any], mapping: Mapping) -> tuple[Any, ...] | str:
    """The stored row of one parsed line, or the reason it is a problem."""
    if mapping:
        try:
            data = mapping.apply(data)
        except MapMiss as exc:
            return str(exc)
    try:
        row = stored_row(data)
    except (UnicodeEncodeError, RecursionError):
        row = None
    if row is None:  # the model decides, and words the problem
        from labeler.importing.readers import check_record

        checked = check_record("", line, data, Mapping(), True)
        if isinstance(checked, Problem):
            return checked.reason
        return tuple(checked[1])
    return tuple(row)


# -- the worker process -------------------------------------------------------------------------


def _read_exact(stream: IO[bytes], size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = _read_exact(stream, 8)
    if head is None:
        return None
    return _read_exact(stream, int.from_bytes(head, "little"))


def _frame(*parts: bytes) -> list[bytes]:
    """``parts`` as one frame: the total length, then the parts (the first with its length)."""
    first = parts[0]
    size = 8 + sum(len(p) for p in parts)
    return [size.to_bytes(8, "little"), len(first).to_bytes(8, "little"), *parts]


def serve() -> None:
    """The worker's main loop (stdin: requests; stdout: answers)."""
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 20)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing printed by accident can break the protocol
    stdin = os.fdopen(0, "rb", buffering=1 << 20)
    _bigger_pipe(out)
    try:
        first = _read_frame(stdin)
        if first is None:
            return
        rules = marshal.loads(first)
        mapping = Mapping(tuple(MapRule(tuple(t), tuple(s), x) for t, s, x in rules))
        while (frame := _read_frame(stdin)) is not None:
            view = memoryview(frame)
            size = int.from_bytes(view[:8], "little")
            header = marshal.loads(view[8 : 8 + size])
            try:
                entries, rows = check_chunk(header, frame[8 + size :], mapping)
            except Exception as exc:  # reported to the importing process, which takes over
                out.writelines(_frame(marshal.dumps(f"{type(exc).__name__}: {exc}"), b""))
                out.flush()
                return
            out.writelines(_frame(marshal.dumps(entries), rows))
            out.flush()
    except (OSError, EOFError, ValueError, KeyboardInterrupt):
        pass  # the importing process is gone or stopping: nothing to report to
    finally:
        with contextlib.suppress(OSError):
            out.close()
        os._exit(0)


def _bigger_pipe(stream: IO[bytes]) -> None:
    """Ask for a 1 MiB pipe buffer (Linux): fewer wake-ups per chunk. Best effort."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if setpipe is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(stream.fileno(), setpipe, 1 << 20)


# -- the importing process ----------------------------------------------------------------------


class Chunk:
    """The answer for one chunk, as the importing process keeps it."""

    __slots__ = ("_rows", "blob", "count")

    def __init__(self, blob: bytes | memoryview, count: int) -> None:
        self.blob = blob
        """The spool rows of the chunk's records (``marshal``), in line order."""
        self.count = count
        """How many records it holds."""
        self._rows: list[tuple[Any, ...]] | None = None

    def row(self, index: int) -> tuple[Any, ...]:
        """One spool row (the blob is read on first use)."""
        if self._rows is None:
            self._rows = marshal.loads(self.blob)
        return self._rows[index]


class ChunkRow(NamedTuple):
    """A record checked by a worker: what the importing process needs to decide, and where its
    spool row is."""

    case_id: str
    content_hash: str
    id_given: bool
    chunk: Chunk
    position: int
    """Its place among the chunk's records."""


class _Worker:
    """One worker process, with a thread feeding its stdin (so that sending a chunk never
    waits for the worker to finish writing an answer, and the other way round)."""

    def __init__(self, mapping: Mapping) -> None:
        root = str(Path(__file__).resolve().parent.parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from labeler.importing.workers import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
            bufsize=1 << 20,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._stdin = self.proc.stdin
        self._stdout = self.proc.stdout
        _bigger_pipe(self._stdin)
        self._queue: queue.SimpleQueue[list[bytes] | None] = queue.SimpleQueue()
        self.failed = False
        self._thread = threading.Thread(target=self._feed, name="import-worker-feed", daemon=True)
        self._thread.start()
        rules = marshal.dumps([(r.target, r.source, r.text) for r in mapping.rules])
        self._queue.put([len(rules).to_bytes(8, "little"), rules])

    def _feed(self) -> None:
        while (parts := self._queue.get()) is not None:
            try:
                self._stdin.writelines(parts)
                self._stdin.flush()
            except (OSError, ValueError):
                self.failed = True
                return
        with contextlib.suppress(OSError, ValueError):
            self._stdin.close()

    def send(self, header: Header, data: bytes) -> None:
        self._queue.put(_frame(marshal.dumps(header), data))

    def receive(self) -> tuple[list[Entry], memoryview] | None:
        """The answer to the oldest chunk sent, or None if the worker failed."""
        try:
            frame = _read_frame(self._stdout)
        except (OSError, ValueError):
            frame = None
        if frame is None:
            self.failed = True
            return None
        view = memoryview(frame)
        size = int.from_bytes(view[:8], "little")
        entries = marshal.loads(view[8 : 8 + size])
        if isinstance(entries, str):  # the worker's error: it stopped
            self.failed = True
            return None
        return entries, view[8 + size :]

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self._stdout.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_Pending = tuple[Header, bytes, "_Worker | None"] | Problem


class ParsePool:
    """Worker processes that parse and check JSON lines; see the module docstring."""

    def __init__(self, count: int, mapping: Mapping) -> None:
        self.mapping = mapping
        self.workers: list[_Worker] = []
        try:
            for _ in range(count):
                self.workers.append(_Worker(mapping))
        except OSError:  # no (more) process could be started: fewer, or none
            pass

    def check(self, stream: io.BufferedReader, file: str, number: int) -> Iterator[Any]:
        """Each record of the JSON lines ``stream`` as ``(line, ChunkRow)`` or a Problem, in
        order, as :func:`labeler.importing.readers.read_rows` yields them; an OSError from
        reading is raised once every record before it was given."""
        chunks = _chunks(stream, file, number)
        pending: deque[_Pending] = deque()
        failure: OSError | None = None
        turn = 0
        try:
            while True:
                while failure is None and len(pending) < IN_FLIGHT * max(len(self.workers), 1):
                    try:
                        item = next(chunks, None)
                    except OSError as exc:
                        failure = exc
                        break
                    if item is None:
                        break
                    if isinstance(item, Problem):
                        pending.append(item)
                        continue
                    worker = self._pick(turn)
                    turn += 1
                    if worker is not None:
                        worker.send(*item)
                    pending.append((*item, worker))
                if not pending:
                    if failure is not None:
                        raise failure
                    return
                head = pending.popleft()
                if isinstance(head, Problem):
                    yield head
                    continue
                yield from self._answer(file, *head)
        finally:
            for left in pending:  # answers to chunks no longer wanted (a file given up on)
                if not isinstance(left, Problem) and left[2] is not None and not left[2].failed:
                    left[2].receive()

    def _answer(
        self, file: str, header: Header, data: bytes, worker: _Worker | None
    ) -> Iterator[Any]:
        answer = worker.receive() if worker is not None else None
        if answer is None:  # checked here: no worker, or it failed
            entries, rows = check_chunk(header, data, self.mapping)
            answer = entries, memoryview(rows)
        entries, blob = answer
        chunk = Chunk(blob, sum(len(e) == 4 for e in entries))
        position = 0
        for entry in entries:
            if len(entry) == 2:
                yield Problem(file, entry[0], entry[1])
            else:
                line, case_id, content_hash, id_given = entry
                yield line, ChunkRow(case_id, content_hash, id_given, chunk, position)
                position += 1

    def _pick(self, turn: int) -> _Worker | None:
        if any(w.failed for w in self.workers) or not self.workers:
            return None  # a worker failed: the importing process checks every later chunk
        return self.workers[turn % len(self.workers)]

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
        self.workers = []


def _chunks(
    stream: io.BufferedReader, file: str, number: int
) -> Iterator[tuple[Header, bytes] | Problem]:
    """The file in chunks of whole lines, with a Problem in place of each line longer than
    :data:`labeler.importing.jsonl.MAX_LINE_BYTES`, which is never held whole (as in
    :func:`labeler.importing.jsonl.jsonl_lines`: the same lines, numbers and offsets)."""
    line_no = 1  # the number of the first line not sent yet
    offset = 0  # its byte offset in the file
    first = True  # no non-blank line was sent yet
    carry = b""  # the lines read but not sent yet (no newline in it, unless a line was skipped)
    while True:
        block = stream.read(CHUNK_BYTES)
        at_eof = not block
        data = carry + block if carry else block
        if not data:
            return
        newline = data.find(b"\n")
        if (newline < 0 and len(data) >= MAX_LINE_BYTES) or newline >= MAX_LINE_BYTES:
            yield _too_long(file, line_no)
            if newline < 0:
                offset += len(data) + _skip_line(stream)
                carry = b""
            else:
                offset += newline + 1
                carry = data[newline + 1 :]
            line_no += 1
            first = False
            continue
        if newline < 0 and not at_eof:
            carry = data
            continue
        end = len(data) if at_eof else data.rfind(b"\n") + 1
        chunk = data[:end] if end < len(data) else data
        yield (number, line_no, offset, first, at_eof), chunk
        if first:
            for body in chunk.split(b"\n"):
                if body.startswith(_BOM):
                    body = body[3:]
                if body and not body.isspace():
                    first = False
                    break
        line_no += chunk.count(b"\n")
        offset += end
        carry = data[end:]
        if at_eof:
            return


def _too_long(file: str, line: int) -> Problem:
    return Problem(
        file,
        line,
        f"the line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB; it was not read",
    )


def _skip_line(stream: io.BufferedReader) -> int:
    """Read past the end of the current line; return the bytes skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(CHUNK_BYTES)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped
