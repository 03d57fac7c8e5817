"""The best case for any two-CPU import of 9 KB cases: parse, insert, and both overlapped.

Run by hand (not part of ``benchmarks/run``)::

    .venv/bin/python benchmarks/bench_import_parallel_ceiling.py    # 100,000 cases, 3 rounds
    .venv/bin/python benchmarks/bench_import_parallel_ceiling.py --rounds 3 --wait 30 --retries 0
    .venv/bin/python benchmarks/bench_import_parallel_ceiling.py --n 30000 --rounds 1

About 4 minutes a round on 100,000 cases (plus the waits for a quiet machine); figures and
conclusion of 2026-12-03 in ``HISTORY.md``.

Issue 16 asks ``labeler import`` for 15,000 cases a second (66.7 µs a case, all included) where
the disk allows. This settles whether ANY importer that does the same work can get there on
this machine, whatever its design, by timing only what cannot be left out: reading the JSON
lines, ``json.loads``, the stored fields (context, slices and meta as compact JSON with sorted
keys, a sha256, texts as UTF-8 bytes bound with ``CAST(? AS TEXT)`` as labeler binds them), and
SQLite inserting them into the real schema (a store made by ``create_store``: same tables,
indexes, triggers, WAL, ``synchronous=FULL``, one ``BEGIN IMMEDIATE`` ... ``COMMIT`` with the
review order's ``place_new_cases`` and the automatic checkpoint at COMMIT). There is no
validation, no duplicate or conflict check, no spool, no event. Each round, in turn, each step
in a process of its own:

1. **floor**: the rows built in memory first (untimed), then only the inserts and the COMMIT,
   into a store with 4 KB pages (``create_store``'s) and one rewritten to 64 KB pages while
   empty (``VACUUM``), in the same process;
2. **parse**: one process reading the file and making every row (nothing inserted); also
   ``json.loads`` alone, so the difference is the serialising and hashing;
3. **pipelines**, two processes overlapped, with 4 KB and with 64 KB pages; the wall time is
   from starting the parser to the end of the last COMMIT, the CPU both processes':

   * **pipeline**: one process parses and sends every row (frames of ``--frame`` cases: the
     case rows ``marshal``-ed, the texts as one blob that the writer binds as memoryview
     slices, over a pipe of 8 MiB), the other inserts them in batches of 500, in one
     transaction; a thread of the writer drains the pipe into a queue of up to 64 frames, so
     that neither process waits for the other while the writer inserts a batch;
   * **balanced**: the same, but the writer also parses a share of the frames itself (spread
     evenly, in file order), so that both CPUs do the same work a case: share s = (P - W) / 2P
     from this round's parse CPU P and the floor's insert CPU W (``--share-4k``,
     ``--share-64k`` to set it);
   * **balanced, commits** (information): the balanced pipeline with a COMMIT every ``--txn``
     cases, so that the COMMITs' fsyncs and checkpoints overlap the parsing; not what labeler
     may do (an import must write all or nothing), but the most any design could get.

The file is read through ``mmap`` (1.6 µs a 9 KB line; 7-10 µs through a buffered file).

Each figure is the median of the rounds, as cases/s and µs a case of wall and of CPU time (user
+ system, the process and its children). Before each step the benchmark waits (up to
``--wait`` seconds) until other processes use at most ``--others`` CPUs over 3 s. With each
step it records the load average when it started and the CPU other processes used meanwhile
(``/proc/stat``'s busy time less the step's own and the kernel threads'); a round in which that
was over ``--others`` CPUs in a step is measured again (up to ``--retries`` times). The load
average counts the benchmark itself (a pipeline keeps both CPUs busy; a COMMIT waits on the
disk), so it is shown for information. The disk's write speed (512 MB written and fsynced) is
measured before and after.

The cases are ``bench_import.py``'s 100,000 cases of 9.1 KB (its JSONL file in
``/work/bench-data/run/million/import/`` when ``benchmarks/run --million`` made it; otherwise
written into ``--dir`` and removed). Stores are made in ``--dir``
(``/work/bench-data/tmp-ceiling/``), one at a time (about 2 GB for 100,000 cases: the store and
its WAL), and the folder is removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import hashlib
import json
import marshal
import mmap
import os
import queue
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bench_import
import benchlib

RUN_SOURCE = Path("/work/bench-data/run/million/import")
DEFAULT_DIR = Path("/work/bench-data/tmp-ceiling")
TARGET = 15_000
PAGES = (4096, 65536)
BATCH = 500
"""Rows per ``executemany`` (labeler's ``SPOOL_BATCH``)."""
F_SETPIPE_SZ = 1031
PIPE_BYTES = 8 << 20
"""The pipe's buffer asked for (root may exceed /proc/sys/fs/pipe-max-size; else 1 MiB)."""
QUEUE_FRAMES = 64
"""Frames the writer's reading thread may hold beside the pipe (about 15 MB of 25 cases)."""

_CASE_SQL = (
    "INSERT INTO cases (seq, case_id, version, is_current, content_hash, slices, meta,"
    " label_count, import_id, imported_at) VALUES (?, ?, 1, 1, ?, ?, ?, 0, {import_id},"
    " '2026-01-01T00:00:00.000Z')"
)
_TEXT_SQL = (
    "INSERT INTO case_texts (case_seq, input_kind, input, context, output, expected) "
    "VALUES (?, ?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))"
)


# -- the work every importer must do -----------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _utf8(value: str | None) -> bytes | None:
    return None if value is None else value.encode()


def make_rows(line: bytes, seq: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The ``cases`` and ``case_texts`` rows of one JSON line (texts as UTF-8 bytes)."""
    data = json.loads(line)
    value = data["input"]
    kind = "text"
    if not isinstance(value, str):
        kind, value = "chat", _dumps(value)
    context = data.get("context")
    case = (
        seq,
        data["id"],
        hashlib.sha256(line).hexdigest(),
        _dumps(data.get("slices", {})),
        _dumps(data.get("meta", {})),
    )
    texts = (
        seq,
        kind,
        value.encode(),
        None if context is None else _dumps(context).encode(),
        _utf8(data.get("output")),
        _utf8(data.get("expected")),
    )
    return case, texts


class Writer:
    """One write transaction into a store, as labeler's write phase opens and runs it."""

    def __init__(self, store: Path) -> None:
        self.conn = sqlite3.connect(store, isolation_level=None)
        self.conn.execute("PRAGMA busy_timeout = 10000")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.case_sql = ""
        self.commit_s = 0.0
        self.commit_cpu = 0.0

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        if self.case_sql:  # a later transaction of the same import
            return
        import_id = self.conn.execute(
            "INSERT INTO imports (file_name, sha256, format, imported_at, actor, account,"
            " records, inserted, updated, unchanged, skipped) VALUES ('cases.jsonl', ?,"
            " 'jsonl', '2026-01-01T00:00:00.000Z', 'bench', 'bench', 0, 0, 0, 0, 0)",
            ("0" * 64,),
        ).lastrowid
        self.case_sql = _CASE_SQL.format(import_id=import_id)

    def insert(self, cases: list[Any], texts: list[Any]) -> None:
        self.conn.executemany(self.case_sql, cases)
        self.conn.executemany(_TEXT_SQL, texts)

    def commit(self, close: bool = True) -> None:
        from labeler.store.order import place_new_cases

        place_new_cases(self.conn)
        started, cpu = time.perf_counter(), _cpu()
        self.conn.execute("COMMIT")  # SQLite's automatic checkpoint runs here
        self.commit_s = time.perf_counter() - started
        self.commit_cpu = _cpu() - cpu
        if close:
            self.conn.close()


def _cpu() -> float:
    """CPU seconds (user + system) of this process so far."""
    return time.process_time()


# -- the steps (each in a process of its own) --------------------------------------------------


def child_floor(source: Path, folder: Path, pages: list[int]) -> None:
    """Rows built first; then, per page size, a new store and the timed inserts + COMMIT."""
    cases: list[Any] = []
    texts: list[Any] = []
    for seq, line in enumerate(lines_of(source), 1):
        case, txt = make_rows(line, seq)
        cases.append(case)
        texts.append(txt)
    gc.collect()
    gc.freeze()
    out = {}
    for page in pages:
        store = bench_import.fresh_store(folder / "floor.db", None if page == 4096 else page)
        os.sync()
        writer = Writer(store)
        wall0, cpu0 = time.perf_counter(), _cpu()
        writer.begin()
        for start in range(0, len(cases), BATCH):
            writer.insert(cases[start : start + BATCH], texts[start : start + BATCH])
        writer.commit()
        wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
        out[str(page)] = {"wall": wall, "cpu": cpu, "commit": writer.commit_s,
                          "commit_cpu": writer.commit_cpu,
                          "store_bytes": bench_import.store_bytes(store)}  # fmt: skip
        remove_store(store)
    print(json.dumps(out))


def child_parse(source: Path) -> None:
    """Every row made and dropped; and json.loads alone."""
    out = {}
    wall0, cpu0 = time.perf_counter(), _cpu()
    for line in lines_of(source):
        json.loads(line)
    out["loads"] = {"wall": time.perf_counter() - wall0, "cpu": _cpu() - cpu0}
    wall0, cpu0 = time.perf_counter(), _cpu()
    for seq, line in enumerate(lines_of(source), 1):
        make_rows(line, seq)
    out["rows"] = {"wall": time.perf_counter() - wall0, "cpu": _cpu() - cpu0}
    print(json.dumps(out))


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def writers_frame(i: int, share: float) -> bool:
    """Whether frame ``i`` (frames of ``--frame`` lines, from 0) is parsed by the writer itself:
    a ``share`` of the frames, spread evenly."""
    return int((i + 1) * share) > int(i * share)


def lines_of(source: Path) -> Iterator[bytes]:
    """The file's lines (with their newline), each one copy out of a map of the file: the
    cheapest way found to read them (1.6 µs a 9 KB line, against 4.6 µs for 1 MiB reads split
    on newlines and 7-10 µs for a buffered file's lines)."""
    with source.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        pos, size, find = 0, len(mm), mm.find
        while pos < size:
            end = find(b"\n", pos)
            end = size if end < 0 else end + 1
            yield mm[pos:end]
            pos = end


def frames_of(source: Path, frame: int, share: float, writer: bool) -> Iterator[Any]:
    """(frame number, its lines) over the file, in frames of ``frame`` lines; the lines only
    of the frames this process parses (the writer's share, or the rest), None for the others
    (their ends found without copying them)."""
    with source.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        pos, size, find = 0, len(mm), mm.find
        i = 0
        while pos < size:
            mine = writers_frame(i, share) == writer
            lines = []
            for _ in range(frame):
                if pos >= size:
                    break
                end = find(b"\n", pos)
                end = size if end < 0 else end + 1
                if mine:
                    lines.append(mm[pos:end])
                pos = end
            yield i, (lines if mine else None)
            i += 1


def child_produce(source: Path, frame: int, share: float) -> None:
    """The parsing process of the pipeline: the rows of every frame that is not the writer's,
    to stdout. Each frame: 8 bytes (two lengths), ``marshal.dumps((cases, kinds, lengths))``
    and the frame's texts as one blob (``lengths``: four a case, -1 for None), so the writer
    binds slices of the blob (memoryview) instead of unpacking a copy of each text."""
    for size in (PIPE_BYTES, 1 << 20):  # Linux; over 1 MiB as root only
        with contextlib.suppress(OSError):
            fcntl.fcntl(1, F_SETPIPE_SZ, size)
            break
    blocked = 0.0
    for i, lines in frames_of(source, frame, share, writer=False):
        if lines is None:
            continue
        cases, kinds, lengths, parts = [], [], [], []
        for j, line in enumerate(lines):
            case, txt = make_rows(line, i * frame + j + 1)
            cases.append(case)
            kinds.append(txt[1])
            for value in txt[2:]:
                if value is None:
                    lengths.append(-1)
                else:
                    lengths.append(len(value))
                    parts.append(value)
        meta = marshal.dumps((cases, kinds, lengths))
        blob = b"".join(parts)
        head = len(meta).to_bytes(4, "little") + len(blob).to_bytes(4, "little")
        t0 = time.perf_counter()
        _write_all(1, head + meta)
        _write_all(1, blob)
        blocked += time.perf_counter() - t0
    _write_all(1, bytes(8))  # the end
    print(json.dumps({"write_wait": blocked}), file=sys.stderr)


def _read_exact(fd: int, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if k == 0:
            raise EOFError("the parser stopped early")
        got += k
    return buf


def _receive(fd: int) -> tuple[list[Any], list[Any]] | None:
    """One frame from the parser: its case rows and text rows (texts as memoryviews)."""
    head = _read_exact(fd, 8)
    if not any(head):
        return None
    meta = _read_exact(fd, int.from_bytes(head[:4], "little"))
    blob = memoryview(_read_exact(fd, int.from_bytes(head[4:], "little")))
    cases, kinds, lengths = marshal.loads(meta)
    texts = []
    pos = 0
    k = 0
    for case, kind in zip(cases, kinds, strict=True):
        row: list[Any] = [case[0], kind]
        for size in lengths[k : k + 4]:
            if size < 0:
                row.append(None)
            else:
                row.append(blob[pos : pos + size])
                pos += size
        k += 4
        texts.append(row)
    return cases, texts


def child_pipeline(source: Path, store: Path, frame: int, share: float, txn: int) -> None:
    """The writing process: starts the parser; inserts the frames it sends and parses the
    writer's own share of the frames itself; commits (every ``txn`` cases if not 0)."""
    writer = Writer(store)
    wall0, cpu0 = time.perf_counter(), _cpu()
    me = str(Path(__file__).resolve())
    producer = subprocess.Popen(
        [sys.executable, me, "--child-produce", str(source), "--frame", str(frame),
         "--share", str(share)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert producer.stdout is not None and producer.stderr is not None
    fd = producer.stdout.fileno()
    frames: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_FRAMES)

    def receive_all() -> None:  # os.readv and SQLite both let go of the GIL
        while True:
            try:
                got: Any = _receive(fd)
            except Exception as exc:  # handed to the writer
                got = exc
            frames.put(got)
            if got is None or isinstance(got, Exception):
                return

    reader = threading.Thread(target=receive_all, daemon=True)
    reader.start()
    writer.begin()
    read_wait = commits = 0.0
    since = 0
    cases: list[Any] = []
    texts: list[Any] = []
    for i, lines in frames_of(source, frame, share, writer=True):
        if lines is not None:
            for j, line in enumerate(lines):
                case, txt = make_rows(line, i * frame + j + 1)
                cases.append(case)
                texts.append(txt)
        else:
            t0 = time.perf_counter()
            got = frames.get()
            if not isinstance(got, tuple):
                raise RuntimeError(f"the parser stopped early: {got!r}")
            more_cases, more_texts = got
            read_wait += time.perf_counter() - t0
            cases += more_cases
            texts += more_texts
        if len(cases) >= BATCH:
            writer.insert(cases, texts)
            since += len(cases)
            cases, texts = [], []
            if txn and since >= txn:
                writer.commit(close=False)
                commits += writer.commit_s
                writer.begin()
                since = 0
    if cases:
        writer.insert(cases, texts)
    if frames.get() is not None:
        raise RuntimeError("the parser sent more frames than the file has")
    reader.join()
    parsed = time.perf_counter() - wall0
    writer.commit()
    wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
    said = producer.stderr.read()
    _, status, usage = os.wait4(producer.pid, 0)
    producer.returncode = os.waitstatus_to_exitcode(status)
    if producer.returncode != 0:
        raise RuntimeError(f"the parser failed: {said.decode(errors='replace')}")
    produced = json.loads(said.decode().strip().splitlines()[-1])
    print(json.dumps({
        "wall": wall, "cpu_writer": cpu, "cpu_parser": usage.ru_utime + usage.ru_stime,
        "commit": writer.commit_s, "commits_before": commits, "inserted_at": parsed,
        "read_wait": read_wait, "write_wait": produced["write_wait"],
        "store_bytes": bench_import.store_bytes(store),
    }))  # fmt: skip


# -- the driver --------------------------------------------------------------------------------


def remove_store(store: Path) -> None:
    for p in store.parent.glob(store.name + "*"):
        p.unlink()


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all CPUs; /proc/stat, without iowait)
    less those of the kernel's threads (writing back our own dirty pages, among others)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    kernel = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()
        if rest[1] in ("0", "2"):  # kthreadd and its children
            kernel += int(rest[11]) + int(rest[12])
    return (user + nice + system + irq + softirq + steal - kernel) / os.sysconf("SC_CLK_TCK")


def spawn(cmd: list[str]) -> tuple[str, float, float]:
    """Run ``cmd`` to the end; its stdout, wall and CPU (itself and the children it waited for)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return out.decode(), time.perf_counter() - started, usage.ru_utime + usage.ru_stime


QUIET = {"cpus": 0.3, "wait": 180.0}
"""Before each step, wait (up to ``wait`` seconds) until other processes use at most ``cpus``
CPUs over 3 seconds (``--others``, ``--wait``)."""


def wait_quiet(log: Any) -> float:
    """Wait for the other processes to leave the CPUs; the CPUs they used in the last 3 s."""
    started = time.perf_counter()
    while True:
        busy0 = busy_seconds()
        time.sleep(3.0)
        others = (busy_seconds() - busy0) / 3.0
        if others <= QUIET["cpus"] or time.perf_counter() - started > QUIET["wait"]:
            return others
        log(f"  waiting: other processes use {others:.2f} CPUs")


def step(cmd: list[str], log: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """One step in a process of its own: its answer, and the machine meanwhile."""
    free = shutil.disk_usage(DEFAULT_DIR.parent).free
    if free < 3e9:
        raise SystemExit(f"only {free / 1e9:.1f} GB free on the disk: stopping")
    wait_quiet(log)
    load = os.getloadavg()[0]
    busy0 = busy_seconds()
    out, wall, cpu = spawn(cmd)
    others = max(0.0, busy_seconds() - busy0 - cpu) / wall
    return json.loads(out), {"load": load, "others": others, "wall": wall}


def pipelines(args: argparse.Namespace, shares: dict[int, float]) -> dict[str, Any]:
    """The pipelines measured: name -> (page size, writer's share of the parsing, cases per
    transaction or 0 for one)."""
    out = {}
    for page in PAGES:
        out[f"pipeline {page}"] = (page, 0.0, 0)
        out[f"balanced {page}"] = (page, shares[page], 0)
        if args.txn:
            out[f"balanced, commits {page}"] = (page, shares[page], args.txn)
    return out


def balanced_shares(args: argparse.Namespace, res: dict[str, Any]) -> dict[int, float]:
    """The writer's share of the parsing that gives both processes the same CPU time a case:
    the parser does (1 - s) P, the writer W + s P (P: parse CPU, W: the floor's insert CPU, as
    measured in this round, without the COMMIT's), so s = (P - W) / 2P; or as given."""
    given = {4096: args.share_4k, 65536: args.share_64k}
    out = {}
    for page in PAGES:
        if given[page] is not None:
            out[page] = given[page]
        elif "parse" in res:
            floor = res[f"floor {page}"]
            p, w = res["parse"]["cpu"], floor["cpu"] - floor["commit_cpu"]
            out[page] = round(max(0.0, (p - w) / (2 * p)), 2)
        else:
            out[page] = 0.25
    return out


def one_round(
    me: list[str], source: Path, folder: Path, args: argparse.Namespace, log: Any
) -> dict[str, Any]:
    res: dict[str, Any] = {}
    machine: dict[str, dict[str, float]] = {}
    if not args.only_pipelines:
        floor, machine["floor"] = step([*me, "--child-floor", str(source), str(folder)], log)
        for page in PAGES:
            res[f"floor {page}"] = floor[str(page)]
        parse, machine["parse"] = step([*me, "--child-parse", str(source)], log)
        res["loads"], res["parse"] = parse["loads"], parse["rows"]
    res["shares"] = shares = balanced_shares(args, res)
    for name, (page, share, txn) in pipelines(args, shares).items():
        store = bench_import.fresh_store(folder / "pipe.db", None if page == 4096 else page)
        os.sync()
        cmd = [*me, "--child-pipeline", str(source), str(store), "--frame", str(args.frame),
               "--share", str(share), "--txn", str(txn)]  # fmt: skip
        res[name], machine[name] = step(cmd, log)
        remove_store(store)
        log(f"  {name}: {args.n / res[name]['wall']:,.0f} cases/s")
    res["machine"] = machine
    for name, m in machine.items():
        log(f"  {name}: load {m['load']:.2f}, other processes {m['others']:.2f} CPUs")
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of cases")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=str(DEFAULT_DIR), help="working folder (removed)")
    parser.add_argument("--frame", type=int, default=25, help="cases per frame in the pipe")
    parser.add_argument(
        "--share-4k",
        type=float,
        default=None,
        help="writer's share of parsing, 4 KB pages "
        "(default: from the round's floor and parse CPU times)",
    )
    parser.add_argument("--share-64k", type=float, default=None, help="the same for 64 KB pages")
    parser.add_argument(
        "--txn", type=int, default=10_000, help="cases per transaction (the chunked variant)"
    )
    parser.add_argument("--only-pipelines", action="store_true", help="no floor, no parse")
    parser.add_argument("--share", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--others", type=float, default=0.3, help="re-run a round if others used more CPUs"
    )
    parser.add_argument("--child-floor", nargs=2, metavar=("FILE", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--child-parse", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--child-produce", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument(
        "--child-pipeline", nargs=2, metavar=("FILE", "STORE"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--retries", type=int, default=2, help="times a noisy round is measured again"
    )
    parser.add_argument(
        "--wait", type=float, default=180.0, help="longest wait for a quiet machine per step"
    )
    args = parser.parse_args()
    QUIET.update(cpus=args.others, wait=args.wait)
    if args.child_floor:
        child_floor(Path(args.child_floor[0]), Path(args.child_floor[1]), list(PAGES))
        return
    if args.child_parse:
        child_parse(Path(args.child_parse))
        return
    if args.child_produce:
        child_produce(Path(args.child_produce), args.frame, args.share)
        return
    if args.child_pipeline:
        source, store = (Path(x) for x in args.child_pipeline)
        child_pipeline(source, store, args.frame, args.share, args.txn)
        return

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    folder = Path(args.dir)
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        report(args, folder, log)
    finally:
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for p in folder.glob("*.db*"):
                p.unlink()
        shutil.rmtree(Path(__file__).parent / "__pycache__", ignore_errors=True)


def report(args: argparse.Namespace, folder: Path, log: Any) -> None:
    source = RUN_SOURCE / f"import-cases-{args.n}.jsonl"
    if not (RUN_SOURCE / f"import-cases-{args.n}.done").exists():
        source = bench_import.cases_file(folder, args.n)
    size = source.stat().st_size
    n = args.n
    benchlib.print_machine()
    print(f"source {source}: {n:,} cases, {size / n / 1000:.1f} KB a case")
    me = [sys.executable, str(Path(__file__).resolve())]
    disk = [benchlib.disk_write_speed(folder)]
    log(f"disk write speed (512 MB, fsynced): {disk[0]:,.0f} MB/s")
    rounds: list[dict[str, Any]] = []
    for r in range(args.rounds):
        for attempt in range(args.retries + 1):
            log(f"round {r + 1}" + (f", again ({attempt + 1})" if attempt else ""))
            res = one_round(me, source, folder, args, log)
            worst = max(m["others"] for m in res["machine"].values())
            if worst <= args.others or attempt == args.retries:
                break
            log(f"  other processes used {worst:.2f} CPUs during a step: measuring it again")
        rounds.append(res)
        log("  " + json.dumps({k: v for k, v in res.items() if k != "machine"}, default=str))
    disk.append(benchlib.disk_write_speed(folder))
    log(f"disk write speed after: {disk[1]:,.0f} MB/s")
    summarise(rounds, args, disk)


LABELS = {
    "pipeline": "pipeline (parser -> writer), one transaction",
    "balanced": "balanced pipeline, one transaction",
    "balanced, commits": "balanced pipeline, a COMMIT every {txn:,} cases (not all-or-nothing)",
}


def summarise(rounds: list[dict[str, Any]], args: argparse.Namespace, disk: list[float]) -> None:
    med = statistics.median
    n = args.n

    def per_case(name: str, key: str) -> float:
        return med(r[name][key] for r in rounds) / n * 1e6

    print(f"\n{n:,} cases, {len(rounds)} rounds, medians; disk {disk[0]:,.0f} and "
          f"{disk[1]:,.0f} MB/s (512 MB written and fsynced, before and after)")  # fmt: skip
    print("| step | cases/s | wall µs/case | CPU µs/case | notes |")
    print("|---|---|---|---|---|")
    if "parse" in rounds[0]:
        for page in PAGES:
            name = f"floor {page}"
            wall, cpu = per_case(name, "wall"), per_case(name, "cpu")
            commit = med(r[name]["commit"] for r in rounds)
            commit_cpu = med(r[name]["commit_cpu"] for r in rounds)
            kb = med(r[name]["store_bytes"] for r in rounds) / n / 1000
            print(f"| insert floor, {page // 1024} KB pages | {1e6 / wall:,.0f} | {wall:.1f} "
                  f"| {cpu:.1f} | COMMIT {commit:.2f} s ({commit_cpu:.2f} s CPU); store "
                  f"{kb:.1f} KB/case |")  # fmt: skip
        for name, what in (("loads", "json.loads only"), ("parse", "parse + serialise + hash")):
            wall, cpu = per_case(name, "wall"), per_case(name, "cpu")
            print(f"| {what}, one process | {1e6 / wall:,.0f} | {wall:.1f} | {cpu:.1f} | |")
    shares = rounds[-1]["shares"]
    for name, (page, _, txn) in pipelines(args, shares).items():
        wall = per_case(name, "wall")
        share = med(r["shares"][page] if "balanced" in name else 0.0 for r in rounds)
        cpu = med(r[name]["cpu_writer"] + r[name]["cpu_parser"] for r in rounds) / n * 1e6
        parser_cpu, writer_cpu = per_case(name, "cpu_parser"), per_case(name, "cpu_writer")
        commit = med(r[name]["commit"] + r[name]["commits_before"] for r in rounds)
        inserted = med(r[name]["inserted_at"] for r in rounds)
        read_wait = med(r[name]["read_wait"] for r in rounds)
        write_wait = med(r[name]["write_wait"] for r in rounds)
        label = LABELS[name.rsplit(" ", 1)[0]].format(txn=txn)
        print(f"| {label}, {page // 1024} KB pages | {1e6 / wall:,.0f} | {wall:.1f} "
              f"| {cpu:.1f} | parser {parser_cpu:.1f} + writer {writer_cpu:.1f} µs CPU; writer "
              f"parses {share:.0%}; last row inserted at {inserted:.2f} s, COMMIT(s) "
              f"{commit:.2f} s; writer waited for rows {read_wait:.2f} s, parser for the "
              f"writer {write_wait:.2f} s |")  # fmt: skip
    print("\nper round: load average at the start of each step / CPUs used by other processes")
    for i, r in enumerate(rounds, 1):
        shown = ", ".join(f"{k} {m['load']:.2f}/{m['others']:.2f}"
                          for k, m in r["machine"].items())  # fmt: skip
        print(f"round {i}: {shown}")
    print(f"\n{TARGET:,} cases/s = {1e6 / TARGET:.1f} µs a case of wall time")


if __name__ == "__main__":
    main()
