"""Parse workers change nothing but the speed: the same problems, counts and store contents.

Each test imports the same files twice, once checked in the importing process alone and once
through worker processes (with tiny chunks, so that lines, problems and duplicates fall on
every side of a chunk's edge), and compares everything the import reports and writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from labeler.identity import Actor
from labeler.importing import import_files, parse_mapping, workers
from labeler.importing import jsonl as jsonl_module
from labeler.store import create_store, open_store

ACTOR = Actor(name="tester", account="tester", on_trust=False)


def case(i: int, **extra: Any) -> bytes:
    record = {"id": f"c{i}", "input": f"input {i} " * (i % 7), "output": f"out {i}"}
    record.update(extra)
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def messy() -> bytes:
    """Good records with every kind of bad line between them."""
    parts = [case(i) for i in range(40)]
    parts += [
        b"\n",
        b"   \r\n",
        b"\xef\xbb\xbf" + case(100),  # a BOM at the start of a line
        b'{"id": "crlf", "input": "a", "output": "b"}\r\n',
        b'{"id": "bad-json", "input": "unterminated\n',
        b'{"id": "dup-key", "input": "a", "output": "b", "output": "c"}\n',
        b'{"id": "surrogate", "input": "\\udc00", "output": "b"}\n',
        b'{"id": "nan", "input": "a", "output": NaN}\n',
        b"[1, 2, 3]\n",
        b'{"id": "bad-utf8", "input": "caf\xe9", "output": "b"}\n',
        b'{"id": "no-output", "input": "a"}\n',
        case(5),  # a duplicate id
        b'{"input": "same content", "output": "x"}\n',
        b'{"input": "same content", "output": "x"}\n',  # the same hash id twice
        b'{"id": "model", "input": "a", "output": "b", "slices": {"n": null}}\n',
        b'{"id": "extra", "input": "a", "output": "b", "team": "red", "meta": {"k": 1}}\n',
        b'{"id": "chat", "input": [{"role": "user", "content": "q\\n\\"x\\""}], "output": "b"}\n',
        b'{"id": "ctx", "input": "a", "output": "b", "context": ["d", {"text": "t"}]}\n',
        b'{"id": "long", "input": "' + b"y" * 300 + b'", "output": "b"}\n',
    ]
    parts += [case(i, slices={"n": i % 3}) for i in range(200, 260)]
    parts.append(b'{"id": "last", "input": "no newline at the end", "output": "b"}')
    return b"".join(parts)


def run_import(
    tmp_path: Path,
    name: str,
    files: dict[str, bytes],
    *,
    pooled: bool,
    monkeypatch: pytest.MonkeyPatch,
    before: dict[str, bytes] | None = None,
    **options: Any,
) -> tuple[Any, list[tuple[Any, ...]]]:
    folder = tmp_path / name
    folder.mkdir()
    store = create_store(folder / "s.db", ACTOR)
    if before:
        for file_name, data in before.items():
            (folder / file_name).write_bytes(data)
            monkeypatch.setenv(workers.WORKERS_ENV, "0")
            import_files(store, [folder / file_name], ACTOR)
    paths = []
    for file_name, data in files.items():
        (folder / file_name).write_bytes(data)
        paths.append(folder / file_name)
    monkeypatch.setenv(workers.WORKERS_ENV, "2" if pooled else "0")
    monkeypatch.setattr(workers, "MIN_BYTES", 0)
    monkeypatch.setattr(workers, "CHUNK_BYTES", 701)
    result = import_files(store, paths, ACTOR, **options)
    rows = [
        tuple(r)
        for r in store.query(
            "SELECT c.case_id, c.version, c.is_current, c.content_hash, c.slices, c.meta, "
            "t.input_kind, t.input, t.context, t.output, t.expected, typeof(t.input) "
            "FROM cases c JOIN case_texts t ON t.case_seq = c.seq ORDER BY c.seq"
        )
    ]
    store.close()
    return result, rows


def outcome(result: Any) -> tuple[Any, ...]:
    folder = str(Path(result.files[0].path).parent) if result.files else "?"
    problems = [
        (Path(p.file).name, p.line, p.reason.replace(folder, "FOLDER")) for p in result.problems
    ]
    files = [
        (Path(f.path).name, f.records, f.inserted, f.updated, f.unchanged, f.skipped, f.problems)
        for f in result.files
    ]
    return result.status, result.committed, result.problem_count, problems, files


def compare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Any:
    alone, alone_rows = run_import(
        tmp_path, "alone", pooled=False, monkeypatch=monkeypatch, **kwargs
    )
    pooled, pooled_rows = run_import(
        tmp_path, "pooled", pooled=True, monkeypatch=monkeypatch, **kwargs
    )
    assert outcome(pooled) == outcome(alone)
    assert pooled_rows == alone_rows
    return alone, alone_rows


def test_a_messy_file_gives_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, rows = compare(tmp_path, monkeypatch, files={"m.jsonl": messy()})
    assert not result.committed and result.problem_count >= 10
    assert rows == []


def test_a_messy_file_skipping_bad_records_writes_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, rows = compare(
        tmp_path, monkeypatch, files={"m.jsonl": messy(), "n.jsonl": messy()}, skip_invalid=True
    )
    assert result.committed and len(rows) > 100
    assert {r[-1] for r in rows} == {"text"}  # texts stored as TEXT, not BLOB


def test_updates_and_unchanged_records_against_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {"old.jsonl": b"".join(case(i) for i in range(0, 300, 2))}
    changed = b"".join(
        case(i, output=f"changed {i}") if i % 6 == 0 else case(i) for i in range(300)
    )
    result, _rows = compare(
        tmp_path, monkeypatch, before=before, files={"new.jsonl": changed}, update=True
    )
    assert result.committed
    f = result.files[0]
    assert (f.inserted, f.updated, f.unchanged) == (150, 50, 100)
    (tmp_path / "again").mkdir()
    result, _ = compare(
        tmp_path / "again", monkeypatch, before=before, files={"new.jsonl": changed}
    )
    assert not result.committed and result.problem_count == 50


def test_a_mapping_is_applied_in_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (
        b"".join(
            json.dumps(
                {"key": f"k{i}", "request": {"text": f"q {i}"}, "response": f"r {i}"}
            ).encode()
            + b"\n"
            for i in range(120)
        )
        + b'{"key": "missing"}\n'
    )
    mapping = parse_mapping(["id=key", "input=request.text", "output=response"])
    result, rows = compare(
        tmp_path, monkeypatch, files={"m.jsonl": data}, mapping=mapping, skip_invalid=True
    )
    assert result.committed and len(rows) == 120
    assert "needed by --map" in result.problems[0].reason


def test_a_file_of_bad_lines_is_given_up_on_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = compare(tmp_path, monkeypatch, files={"bad.jsonl": b"not json\n" * 1500})
    assert result.problem_count == 1001
    assert any("stopped reading after 1,000 bad" in p.reason for p in result.problems)


def test_lines_too_long_are_skipped_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl_module, "MAX_LINE_BYTES", 2000)
    monkeypatch.setattr(workers, "MAX_LINE_BYTES", 2000)
    long_line = b'{"id": "huge", "input": "' + b"z" * 5000 + b'", "output": "b"}\n'
    exact = b'{"id": "exact", "input": "' + b"e" * 1950 + b'", "output": "b"}'
    exact += b" " * (1999 - len(exact)) + b"\n"
    assert len(exact) == 2000
    data = case(1) + long_line + case(2) + long_line + long_line + exact + case(3) + b"w" * 2500
    result, rows = compare(tmp_path, monkeypatch, files={"l.jsonl": data}, skip_invalid=True)
    assert [p.line for p in result.problems] == [2, 4, 5, 8]
    assert [r[0] for r in rows] == ["c1", "c2", "exact", "c3"]


def test_a_worker_that_fails_is_replaced_by_the_importing_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers that die at once: every chunk is checked by the importing process instead."""
    real_popen = subprocess.Popen

    def broken(args: Any, **kwargs: Any) -> Any:
        return real_popen([sys.executable, "-c", "pass"], **kwargs)

    monkeypatch.setattr(subprocess, "Popen", broken)
    compare(tmp_path, monkeypatch, files={"m.jsonl": messy()}, skip_invalid=True)


def test_the_worker_starts_without_pydantic() -> None:
    code = (
        "import sys, labeler.importing.workers\n"
        "print(','.join(m for m in ('pydantic', 'textual', 'click') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


KILLED_CHILD = """
import os, sys
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.store import open_store

store_path, cases, marker = sys.argv[1:4]
def progress(done, total):
    if done > total // 8 and not os.path.exists(marker):
        open(marker, "w").close()
store = open_store(store_path)
import_files(store, [cases], Actor(name="t", account="t", on_trust=False), progress=progress)
"""


def test_a_killed_import_leaves_no_worker_behind(tmp_path: Path) -> None:
    """SIGKILL the importing process while workers parse: they exit, and nothing is stored."""
    import signal
    import time

    store = create_store(tmp_path / "s.db", ACTOR)
    store.close()
    source = tmp_path / "c.jsonl"
    source.write_bytes(b"".join(case(i, context="d" * 400) for i in range(40_000)))
    assert source.stat().st_size > workers.MIN_BYTES
    marker = tmp_path / "marker"
    env = {**os.environ, workers.WORKERS_ENV: "2"}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD, str(tmp_path / "s.db"), str(source), str(marker)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), "the import never got going"
    kids = subprocess.run(
        ["pgrep", "-P", str(child.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert len(kids) == 2, kids  # the two workers
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    deadline = time.monotonic() + 20
    while kids and time.monotonic() < deadline:
        kids = [k for k in kids if Path(f"/proc/{k}").exists() and not _zombie(k)]
        time.sleep(0.05)
    assert kids == [], "a parse worker outlived the import"
    assert child.stderr is not None
    assert b"Traceback" not in child.stderr.read()
    child.stderr.close()
    with open_store(tmp_path / "s.db") as again:
        assert again.query("SELECT count(*) FROM cases")[0][0] == 0


def _zombie(pid: str) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
