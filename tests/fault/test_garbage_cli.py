"""Garbage through the real command line: no traceback, ever.

Valid files (cases as JSON lines and CSV, a labels CSV, a taxonomy and a gates file) are
mutated by hypothesis (flipped bytes, truncation, duplicated keys and lines, deep nesting, huge
numbers, NUL, lone surrogates, byte-order marks, CRLF, very long cells) and given to the
installed ``labeler`` command in a subprocess, on a fresh copy of one small store each time.

Whatever the file holds, the command must end with a status it documents (0, 1, 2; ``gate``
also 3), never print a traceback, say why on stderr when it fails, never send a raw escape
character to the terminal, and leave the store exactly as it was when it fails.

Then one test per known bug: a label cell over 131,072 characters, TOML nested 1,000 deep, an
integer of more than 4,300 digits, a gates file that is not UTF-8, a backup into a folder that
does not exist.

``LABELER_GARBAGE_EXAMPLES`` sets the examples per property (default 15: the file runs in
about a minute on two cores).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from terminal_run import installed_labeler

from labeler.gates import EXAMPLE_GATES
from labeler.taxonomy import default_taxonomy, taxonomy_to_toml

settings.register_profile(
    "labeler-garbage",
    max_examples=int(os.environ.get("LABELER_GARBAGE_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    print_blob=True,
)
GARBAGE = settings(settings.get_profile("labeler-garbage"))

HOSTILE_CASES = Path(__file__).resolve().parents[1] / "data" / "hostile_cases.jsonl"
TABLES = ("cases", "case_texts", "labels", "buckets", "resolutions", "imports", "events")


# -- the valid files ------------------------------------------------------------------------


def _case(number: int) -> dict[str, object]:
    return {
        "id": f"case-{number:03d}",
        "input": f"Where is my refund for order {4400 + number}?",
        "context": [{"title": "Refunds", "text": "Refunds within 30 days.", "source": "kb/r"}],
        "output": '{"answer": "on its way"}' if number % 3 == 0 else "Your return is on its way.",
        "expected": "The refund was issued on 3 May.",
        "slices": {"length": "short" if number % 2 else "long", "channel": "chat"},
        "meta": {
            "latency_ms": 900 + number * 37,
            "output_format": "json" if number % 3 == 0 else "text",
        },
    }


CASES = [_case(n) for n in range(1, 13)]
HOSTILE = [json.loads(line) for line in HOSTILE_CASES.read_text("utf-8").splitlines() if line]


def _jsonl(records: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


NEW_CASES = [{**_case(n), "id": f"new-{n:03d}"} for n in range(1, 4)] + [
    {**_case(1), "output": "a new version of case-001"},  # a changed case: --update matters
    HOSTILE[0],  # already in the store
]
SEED_JSONL = _jsonl(NEW_CASES)
SEED_CASES_CSV = _csv(
    [["id", "input", "context", "output", "expected", "slice.length", "meta.latency_ms"]]
    + [
        [
            f"csv-{n}",
            f'He said "refund, now"\non line {n}',
            "kb text",
            f"out {n}",
            "",
            "long",
            str(n),
        ]
        for n in range(1, 5)
    ]
    + [["case-002", str(CASES[1]["input"]), "", "changed", "", "short", "12"]]
)
SEED_LABELS = _csv(
    [["case_id", "reviewer", "bucket", "note"]]
    + [[f"case-{n:03d}", "alice", "wrong_intent", ""] for n in range(1, 7)]  # the same as stored
    + [[f"case-{n:03d}", "alice", "other", "changed"] for n in range(7, 9)]  # stored: wrong_intent
    + [[f"case-{n:03d}", "bob", "too_slow", "x"] for n in range(1, 5)]  # new
    + [[str(HOSTILE[1]["id"]), "carol", "unsafe_pii", "hostile id"]]
)
SEED_TAXONOMY = taxonomy_to_toml(default_taxonomy()).encode()
SEED_GATES = EXAMPLE_GATES.encode()


# -- the mutations --------------------------------------------------------------------------


def _deep_json(n: int) -> bytes:
    return b'{"a": ' * n + b"1" + b"}" * n


TOKENS: list[bytes] = [
    b"\x00",
    b"\xef\xbb\xbf",  # a byte-order mark in the middle
    b"\xff\xfe",  # a UTF-16 byte-order mark
    b"\xed\xa0\x80",  # a lone surrogate, encoded as UTF-8 would if it could
    b"\\ud800",  # a lone surrogate as a JSON or TOML escape
    b"\\udfff\\ud800",
    b"\\u0000",
    b"\r\n",
    b"\r",
    b"\n",
    b'"',
    b"'",
    b'"""',
    b",",
    b"=",
    b":",
    b"[",
    b"]]",
    b"{",
    b"}",
    b"#",
    b"\\",
    b"9" * 5000,  # more digits than Python turns into an int
    b"-" + b"9" * 4400,
    b"1e999",
    b"-1e999",
    b"NaN",
    b"nan",
    b"inf",
    b"-0",
    b"0x" + b"f" * 5000,
    b"1_000_000",
    b"1979-05-27T07:32:00Z",
    b"9999-99-99",
    b"true",
    b"null",
    b"[]",
    b"{}",
    b"[" * 1000 + b"]" * 1000,
    _deep_json(1000),
    b"{a = " * 1000 + b"1" + b"}" * 1000,
    b"x" * 200_000,  # a very long cell
    b'"' + b"y" * 140_000 + b'"',
    b"\x1b]0;owned\x07\x1b[2J",
    b"\xc2\x9b31m",  # a C1 control (CSI)
    b"\xe2\x80\xae",  # right-to-left override
    b'=HYPERLINK("http://x")',
    b"\xf0\x9f\x98\x80",
    b"\xc3",  # a truncated UTF-8 sequence
]
TOML_LINES: list[bytes] = [
    b"deep = " + b"[" * 1000 + b"]" * 1000,
    b"deep = " + b"{a = " * 1000 + b"1" + b"}" * 1000,
    b"huge = " + b"9" * 5000,
    b"max_per_1000 = " + b"9" * 4400,
    b"min_reviewed = " + b"9" * 4000,
    b"min_reviewed = 99999999999999999999999999999999",
    b"max_per_1000 = 1e999",
    b"percentile = 95.0",
    b"[[rule]]",
    b"[[bucket]]",
    b"[rule]",
    b"rule = 5",
    b"bucket = []",
    b'key = "\\u0000"',
    b'name = "\\ud800"',
    b'name = "' + b"n" * 200_000 + b'"',
    b'shortcut = "\\u001b"',
    b'slice = "=x"',
]
JSONL_LINES: list[bytes] = [
    b'{"id": "x", "input": "i", "output": ' + _deep_json(1000) + b"}",
    b'{"id": "x", "input": "i", "output": "o", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"id": "x", "id": "y", "input": "i", "output": "o", "output": null}',
    b'{"id": "\\ud800", "input": "\\udfff", "output": "o\\u0000"}',
    b'{"input": "i", "output": "o", "meta": {"latency_ms": ' + b"9" * 5000 + b"}}",
    b'{"input": "i", "output": "o", "meta": {"latency_ms": 1e999}}',
    b'{"input": "i", "output": NaN}',
    b"[" + b'{"input": "i", "output": "o"}' + b"]",
    b'{"input": "i", "output": "' + b"o" * 200_000 + b'"}',
    b'{"input": "i", "output": "o", "slices": {"k": 1}}',
    b'{"input": [{"role": "user"}], "output": "o"}',
    b'{"input": "i", "output": "o", "context": [{"title": null}]}',
]
CSV_LINES: list[bytes] = [
    b"id,input,output,id",
    b"id,input,output,slice.a,slices.a",
    b"id,input,output\n" + b",".join([b"x" * 140_000] * 3),
    b'x,"' + b"w" * 140_000,  # an unclosed quote: the rest of the file is one cell
    b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
    b"csv-9,in,,,,long," + b"9" * 5000,
    b"csv-9,in,,,,long,1e999",
]
LABEL_LINES: list[bytes] = [
    b"case_id,reviewer,bucket,case_id",
    b"case_id,reviewer,bucket,note,note",
    b'case-001,alice,other,"' + b"z" * 140_000 + b'"',
    b'"' + b"w" * 140_000,  # an unclosed quote: the rest of the file is one cell
    b" case-001 ,alice,other,",
    b"case-001,\x1b[31malice,other,",
    b"case-001," + b"r" * 100 + b",other,",
    b"case-009,bob,made\x1b]0;x\x07up,",
    b"case-009,bob,new_bucket,",
    b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
]

_VALUE = re.compile(rb'"(?:[^"\\\n]|\\.)*"|-?\b\d+(?:\.\d+)?\b|\btrue\b|\bfalse\b|\bnull\b')
_JSON_MEMBER = re.compile(rb'"[A-Za-z_]+": (?:"(?:[^"\\\n]|\\.)*"|[-0-9.eE]+|true|false|null), ')


def _pos(data: bytes, n: int) -> int:
    return n % (len(data) + 1)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _int(op: tuple[object, ...], i: int) -> int:
    value = op[i]
    assert isinstance(value, int)
    return value


def _bytes(op: tuple[object, ...], i: int) -> bytes:
    value = op[i]
    assert isinstance(value, bytes)
    return value


def apply(data: bytes, op: tuple[object, ...]) -> bytes:
    """One mutation of the file's bytes."""
    kind = op[0]
    if kind == "flip" and data:
        n, bits = _int(op, 1) % len(data), _int(op, 2)
        return data[:n] + bytes([data[n] ^ bits]) + data[n + 1 :]
    if kind == "truncate":
        return data[: _pos(data, _int(op, 1))]
    if kind == "delete":
        n = _pos(data, _int(op, 1))
        return data[:n] + data[n + _int(op, 2) :]
    if kind == "insert":
        n = _pos(data, _int(op, 1))
        return data[:n] + _bytes(op, 2) + data[n:]
    lines = _lines(data)
    if kind == "insert_line":
        n = _int(op, 1) % (len(lines) + 1)
        return b"\n".join([*lines[:n], _bytes(op, 2), *lines[n:]])
    if kind == "dup_line":
        n = _int(op, 1) % len(lines)
        return b"\n".join([*lines[: n + 1], lines[n], *lines[n + 1 :]])
    if kind == "swap_lines":
        a, b = (_int(op, i) % len(lines) for i in (1, 2))
        lines[a], lines[b] = lines[b], lines[a]
        return b"\n".join(lines)
    if kind == "replace_value":
        found = list(_VALUE.finditer(data))
        if not found:
            return data
        m = found[_int(op, 1) % len(found)]
        return data[: m.start()] + _bytes(op, 2) + data[m.end() :]
    if kind == "dup_key":
        found = list(_JSON_MEMBER.finditer(data))
        if not found:  # a CSV header or TOML: duplicate a cell of the first line
            head, sep, rest = data.partition(b"\n")
            end = b"\r" if head.endswith(b"\r") else b""
            cells = head.removesuffix(b"\r").split(b",")
            cell = cells[_int(op, 1) % len(cells)]
            return b",".join([*cells, cell]) + end + sep + rest
        m = found[_int(op, 1) % len(found)]
        return data[: m.end()] + m.group() + data[m.end() :]
    if kind == "crlf":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    return data


_INDEX = st.integers(min_value=0, max_value=1 << 20)


def _ops(lines: list[bytes]) -> st.SearchStrategy[tuple[object, ...]]:
    """Mutations; the ones that insert a format's known-hostile lines and values weigh more."""
    token = st.sampled_from(TOKENS)
    line = st.sampled_from(lines)
    return st.one_of(
        st.tuples(st.just("flip"), _INDEX, st.integers(min_value=1, max_value=255)),
        st.tuples(st.just("truncate"), _INDEX),
        st.tuples(st.just("delete"), _INDEX, st.integers(min_value=1, max_value=200)),
        st.tuples(st.just("insert"), _INDEX, token | st.binary(max_size=16)),
        st.tuples(st.just("insert_line"), _INDEX, line),
        st.tuples(st.just("insert_line"), _INDEX, line | token),
        st.tuples(st.just("dup_line"), _INDEX),
        st.tuples(st.just("swap_lines"), _INDEX, _INDEX),
        st.tuples(st.just("replace_value"), _INDEX, token),
        st.tuples(st.just("replace_value"), _INDEX, token),
        st.tuples(st.just("dup_key"), _INDEX),
        st.tuples(st.just("crlf")),
        st.tuples(st.just("bom")),
    )


def mutated(seed: bytes, lines: list[bytes]) -> st.SearchStrategy[bytes]:
    """The seed file with one to four mutations applied in turn."""

    def build(ops: list[tuple[object, ...]]) -> bytes:
        data = seed
        for op in ops:
            data = apply(data, op)
        return data

    return st.lists(_ops(lines), min_size=1, max_size=4).map(build)


# -- the store and the command --------------------------------------------------------------


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store made with the installed command, as a user makes one: twelve plain and
    the hostile cases, alice's labels on eight of them; closed, so that each example can start
    from a copy (made by the same code as the commands under test, so none migrates it)."""
    folder = tmp_path_factory.mktemp("garbage-base")
    path = folder / "base.db"
    cases = folder / "cases.jsonl"
    cases.write_bytes(_jsonl([*CASES, *HOSTILE]))
    labels = folder / "labels.csv"
    labels.write_bytes(
        _csv(
            [["case_id", "reviewer", "bucket"]]
            + [[f"case-{n:03d}", "alice", "wrong_intent"] for n in range(1, 9)]
        )
    )
    for args in (["init", str(path)], ["import", str(path), str(cases)]):
        assert run_labeler(args).returncode == 0
    assert run_labeler(["import-labels", str(path), str(labels)]).stdout.startswith("labels: 8 new")
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists(), "the closed store left its WAL behind"
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("garbage-runs")


def fresh_copy(base: Path, folder: Path) -> Path:
    """A copy of the closed base store, replacing the previous example's."""
    target = folder / "store.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, target)
    return target


def fingerprint(store: Path) -> dict[str, int]:
    """Row counts of every table, read after the command has exited."""
    conn = sqlite3.connect(store)
    try:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        counts["label_versions"] = conn.execute(
            "SELECT coalesce(sum(version), 0) FROM labels"
        ).fetchone()[0]
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        return counts
    finally:
        conn.close()


def run_labeler(
    args: list[str], *, statuses: frozenset[int] = frozenset({0, 1, 2})
) -> subprocess.CompletedProcess[str]:
    """Run the installed command and check what must hold for any input."""
    done = subprocess.run(
        [installed_labeler(), *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    out = done.stdout.decode("utf-8", "backslashreplace")
    err = done.stderr.decode("utf-8", "backslashreplace")
    shown = (
        f"labeler {' '.join(args)}\nexit {done.returncode}\n"
        f"stdout: {out[:2000]}\nstderr: {err[-3000:]}"
    )
    assert "Traceback" not in err and "Traceback" not in out, shown
    assert done.returncode in statuses, shown
    assert "\x1b" not in out + err, shown
    assert not re.search("[\x80-\x9f]", out + err), shown
    return subprocess.CompletedProcess(done.args, done.returncode, out, err)


def check_fails_cleanly(
    done: subprocess.CompletedProcess[str], before: dict[str, int], store: Path
) -> None:
    """A failing command said why on stderr and left the store as it was."""
    assert done.stderr.strip(), f"exit {done.returncode} with an empty stderr"
    assert fingerprint(store) == before, "a failing command changed the store"


# -- the properties -------------------------------------------------------------------------


# Each property first runs the inputs of the bugs it found (or guards against), then random ones.
@GARBAGE
@example(data=SEED_JSONL + JSONL_LINES[0], options=[])
@example(data=SEED_JSONL + JSONL_LINES[1], options=["--skip-invalid"])
@example(data=JSONL_LINES[2] + b"\n" + JSONL_LINES[3], options=[])
@example(data=SEED_JSONL + JSONL_LINES[4], options=[])
@given(
    data=mutated(SEED_JSONL, JSONL_LINES),
    options=st.sampled_from([[], ["--skip-invalid"], ["--update"]]),
)
def test_import_jsonl_garbage(
    base_store: Path, workdir: Path, data: bytes, options: list[str]
) -> None:
    store = fresh_copy(base_store, workdir)
    source = workdir / "cases.jsonl"
    source.write_bytes(data)
    before = fingerprint(store)
    done = run_labeler(["import", str(store), str(source), *options])
    if done.returncode != 0:
        check_fails_cleanly(done, before, store)


@GARBAGE
@example(data=SEED_CASES_CSV + CSV_LINES[3], options=[])
@example(data=CSV_LINES[2], options=["--skip-invalid"])
@given(
    data=mutated(SEED_CASES_CSV, CSV_LINES),
    options=st.sampled_from([[], ["--skip-invalid"], ["--update"]]),
)
def test_import_csv_garbage(
    base_store: Path, workdir: Path, data: bytes, options: list[str]
) -> None:
    store = fresh_copy(base_store, workdir)
    source = workdir / "cases.csv"
    source.write_bytes(data)
    before = fingerprint(store)
    done = run_labeler(["import", str(store), str(source), *options])
    if done.returncode != 0:
        check_fails_cleanly(done, before, store)


@GARBAGE
@example(data=SEED_LABELS + LABEL_LINES[2], options=[])
@example(data=SEED_LABELS + LABEL_LINES[3], options=["--dry-run"])
@example(data=LABEL_LINES[0] + b"\n" + SEED_LABELS, options=[])
@given(
    data=mutated(SEED_LABELS, LABEL_LINES),
    options=st.sampled_from([[], ["--replace"], ["--dry-run"], ["--create-buckets", "--replace"]]),
)
def test_import_labels_garbage(
    base_store: Path, workdir: Path, data: bytes, options: list[str]
) -> None:
    store = fresh_copy(base_store, workdir)
    source = workdir / "labels.csv"
    source.write_bytes(data)
    before = fingerprint(store)
    done = run_labeler(["import-labels", str(store), str(source), *options])
    if done.returncode != 0 or "--dry-run" in options:
        if done.returncode != 0:
            assert done.stderr.strip(), f"exit {done.returncode} with an empty stderr"
        assert fingerprint(store) == before


@GARBAGE
@example(data=SEED_TAXONOMY + TOML_LINES[0])
@example(data=SEED_TAXONOMY + TOML_LINES[1])
@example(data=SEED_TAXONOMY + TOML_LINES[2])
@given(data=mutated(SEED_TAXONOMY, TOML_LINES))
def test_taxonomy_set_garbage(base_store: Path, workdir: Path, data: bytes) -> None:
    store = fresh_copy(base_store, workdir)
    source = workdir / "taxonomy.toml"
    source.write_bytes(data)
    before = fingerprint(store)
    done = run_labeler(["taxonomy", str(store), "--set", str(source)])
    if done.returncode != 0:
        check_fails_cleanly(done, before, store)


@GARBAGE
@example(data=SEED_GATES + TOML_LINES[0], as_json=False)
@example(data=SEED_GATES + TOML_LINES[1], as_json=True)
@example(data=SEED_GATES + TOML_LINES[3], as_json=False)
@given(data=mutated(SEED_GATES, TOML_LINES), as_json=st.booleans())
def test_gate_garbage(base_store: Path, workdir: Path, data: bytes, as_json: bool) -> None:
    store = fresh_copy(base_store, workdir)
    source = workdir / "gates.toml"
    source.write_bytes(data)
    before = fingerprint(store)
    args = ["gate", str(store), "--gates", str(source), *(["--json"] if as_json else [])]
    done = run_labeler(args, statuses=frozenset({0, 1, 2, 3}))
    if done.returncode == 2:
        assert done.stderr.strip(), "a bad gates file (exit 2) with an empty stderr"
    elif done.returncode in (1, 3):
        assert done.stdout.strip(), "BLOCK or FLAG without the table that says why"
    assert fingerprint(store) == before, "gate changed the store"


def test_the_mutations_reach_what_they_are_meant_to() -> None:
    """The mutators do produce the inputs the properties are about."""
    assert apply(SEED_JSONL, ("dup_key", 0)).startswith(b'{"id": "new-001", "id": "new-001", ')
    assert apply(SEED_LABELS, ("dup_key", 0)).startswith(b"case_id,reviewer,bucket,note,case_id")
    assert b"\r\n" in apply(SEED_GATES, ("crlf",))
    assert apply(SEED_TAXONOMY, ("bom",)).startswith(b"\xef\xbb\xbf[[bucket]]")
    assert apply(b"ab", ("flip", 1, 1)) == b"ac"
    assert apply(SEED_TAXONOMY, ("replace_value", 0, b"9" * 5000)).startswith(
        b"[[bucket]]\nkey = " + b"9" * 5000
    )


# -- one test per bug the garbage found -----------------------------------------------------


@pytest.fixture
def store(base_store: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store.db"
    shutil.copyfile(base_store, target)
    return target


def test_import_labels_reads_a_cell_over_131072_characters(store: Path, tmp_path: Path) -> None:
    note = "n" * 140_000
    labels = tmp_path / "long.csv"
    labels.write_bytes(
        _csv([["case_id", "reviewer", "bucket", "note"], ["case-010", "bob", "other", note]])
    )
    done = run_labeler(["import-labels", str(store), str(labels)])
    assert done.returncode == 0, done.stderr
    assert "1 new" in done.stdout
    conn = sqlite3.connect(store)
    try:
        stored = conn.execute("SELECT note FROM labels WHERE reviewer = 'bob'").fetchone()[0]
    finally:
        conn.close()
    assert stored == note


def test_import_labels_with_an_unclosed_quote_names_the_line(store: Path, tmp_path: Path) -> None:
    labels = tmp_path / "quote.csv"
    labels.write_bytes(
        b'case_id,reviewer,bucket,note\ncase-010,bob,"never closed\n' + b"x" * 140_000 + b"\n"
    )
    before = fingerprint(store)
    done = run_labeler(["import-labels", str(store), str(labels)])
    assert done.returncode == 1
    # The quote opens a cell that runs to the end of the file: that row has 3 cells.
    assert "quote.csv:2: 3 cells, the header has 4" in done.stderr
    assert fingerprint(store) == before


def _nested(depth: int) -> bytes:
    return b"[[bucket]]\nkey = " + b"[" * depth + b"]" * depth + b"\n"


def test_taxonomy_set_with_toml_nested_1000_deep_is_an_error_naming_the_line(
    store: Path, tmp_path: Path
) -> None:
    source = tmp_path / "deep.toml"
    source.write_bytes(SEED_TAXONOMY + _nested(1000))
    before = fingerprint(store)
    done = run_labeler(["taxonomy", str(store), "--set", str(source)])
    assert done.returncode == 1
    line = SEED_TAXONOMY.count(b"\n") + 2
    assert f"deep.toml:{line}: " in done.stderr and "nested too deeply" in done.stderr
    assert fingerprint(store) == before


def test_gate_with_toml_nested_1000_deep_is_a_bad_gates_file(store: Path, tmp_path: Path) -> None:
    source = tmp_path / "deep.toml"
    source.write_bytes(
        b'[[rule]]\nkind = "must_pass"\non_fail = "block"\nslice = '
        + b"{a = " * 1000
        + b"1"
        + b"}" * 1000
        + b"\n"
    )
    done = run_labeler(["gate", str(store), "--gates", str(source)])
    assert done.returncode == 2
    assert "deep.toml:4: " in done.stderr and "nested too deeply" in done.stderr


def test_gate_with_an_integer_of_more_than_4300_digits_names_the_line(
    store: Path, tmp_path: Path
) -> None:
    source = tmp_path / "huge.toml"
    source.write_bytes(
        b'[[rule]]\nkind = "latency"\non_fail = "block"\npercentile = 95\n'
        b"# a comment with 99999 in it\nmax_ms = " + b"9" * 5000 + b"\n"
    )
    done = run_labeler(["gate", str(store), "--gates", str(source)])
    assert done.returncode == 2
    assert "huge.toml:6: " in done.stderr and "more than 4,300 digits" in done.stderr


def test_taxonomy_set_with_an_integer_of_more_than_4300_digits_names_the_line(
    store: Path, tmp_path: Path
) -> None:
    source = tmp_path / "huge.toml"
    source.write_bytes(b'[[bucket]]\nkey = "x"\nname = "X"\nshortcut = ' + b"7" * 4400 + b"\n")
    before = fingerprint(store)
    done = run_labeler(["taxonomy", str(store), "--set", str(source)])
    assert done.returncode == 1
    assert "huge.toml:4: " in done.stderr and "more than 4,300 digits" in done.stderr
    assert fingerprint(store) == before


def test_gate_file_that_is_not_utf8_names_the_line(store: Path, tmp_path: Path) -> None:
    source = tmp_path / "latin1.toml"
    source.write_bytes(
        SEED_GATES.replace(b"wrong intent stays rare", b"wrong intent \xe9tait rare")
    )
    done = run_labeler(["gate", str(store), "--gates", str(source)])
    assert done.returncode == 2
    line = SEED_GATES[: SEED_GATES.index(b"wrong intent stays rare")].count(b"\n") + 1
    assert f"latin1.toml:{line}: not UTF-8" in done.stderr


def test_backup_into_a_folder_that_does_not_exist(store: Path) -> None:
    done = run_labeler(["backup", str(store), "/no/such/dir/b.db"])
    assert done.returncode == 1
    assert "/no/such/dir" in done.stderr
    assert not Path("/no/such/dir").exists()
