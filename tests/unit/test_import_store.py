"""Importing into a store: all or nothing, idempotent, versions under labels, events."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from labeler.identity import Actor
from labeler.importing import import_files, parse_mapping
from labeler.store import Store, create_store

ACTOR = Actor(name="tester", account="tester", on_trust=False)

# A copy of /work/shared/hostile/bad.jsonl (lines 2, 4, 5 and 6 are bad).
BAD_JSONL = (
    b'{"id": "ok-1", "input": "a", "output": "b"}\n'
    b'{"id": "broken", "input": "unterminated\n'
    b'{"id": "ok-2", "input": "c", "output": "d"}\n'
    b'{"id": "no-output", "input": "e"}\n'
    b'{"id": "dup-keys", "input": "x", "output": "y", "output": "z"}\n'
    b'{"id": "surrogate", "input": "\\udc00", "output": "y"}\n'
)

# A copy of /work/shared/hostile/cases.jsonl: valid cases whose text must be kept exactly.
HOSTILE_CASES = (
    b'{"id": "hostile-markup-inst", "input": "Where is my refund?"'
    b', "output": "[INST] Summarise the thread [/INST] The refund '
    b'[b]was[/b] approved [/]", "slices": {"kind": "hostile"}, "me'
    b'ta": {"probe": "markup-inst"}}\n'
    b'{"id": "hostile-action-link", "input": "Where is my refund?"'
    b', "output": "Your order is delayed. [@click=app.quit]Track i'
    b't here[/]", "slices": {"kind": "hostile"}, "meta": {"probe":'
    b' "action-link"}}\n'
    b'{"id": "hostile-ansi-color", "input": "Where is my refund?",'
    b' "output": "\\u001b[31mREFUND DENIED\\u001b[0m, sorry", "slice'
    b's": {"kind": "hostile"}, "meta": {"probe": "ansi-color"}}\n'
    b'{"id": "hostile-osc-title", "input": "hello \\u001b]2;new win'
    b'dow title\\u001b\\\\ there", "output": "It is on its way.", "sl'
    b'ices": {"kind": "hostile"}, "meta": {"probe": "osc-title"}}\n'
    b'{"id": "hostile-lone-cr", "input": "Where is my refund?", "o'
    b'utput": "approve\\rREJECT", "slices": {"kind": "hostile"}, "m'
    b'eta": {"probe": "lone-cr"}}\n'
    b'{"id": "hostile-bidi", "input": "please open invoice_\xe2\x80\xaefdp.'
    b'exe", "output": "It is on its way.", "slices": {"kind": "hos'
    b'tile"}, "meta": {"probe": "bidi"}}\n'
    b'{"id": "hostile-brackets", "input": "Where is my refund?", "'
    b'output": "It is on its way.", "slices": {"kind": "hostile"},'
    b' "meta": {"probe": "brackets"}, "context": [{"title": "snipp'
    b'et", "text": "def f(xs: list[int]) -> dict[str, int]: return'
    b' {x: xs[0] for x in xs}"}]}\n'
    b'{"id": "hostile-nul", "input": "name\\u0000hidden", "output":'
    b' "It is on its way.", "slices": {"kind": "hostile"}, "meta":'
    b' {"probe": "nul"}}\n'
    b'{"id": "hostile-formula", "input": "Where is my refund?", "o'
    b'utput": "=1+2", "slices": {"kind": "hostile"}, "meta": {"pro'
    b'be": "formula"}}\n'
    b'{"id": "hostile-wide", "input": "\xe6\xb3\xa8\xe6\x96\x87\xe7\x95\xaa\xe5\x8f\xb7 4471'
    b" \xe3\x81\xae\xe8\xbf\x94\xe5\x93\x81\xe7\x8a\xb6\xe6\xb3\x81\xe3\x81\xaf\xef"
    b'\xbc\x9f \xf0\x9f\x99\x8f\xf0\x9f\x8f\xbd", "output": "It is on its way.", "slices": '
    b'{"kind": "hostile"}, "meta": {"probe": "wide"}}\n'
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with create_store(tmp_path / "s.db", ACTOR) as s:
        yield s


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def case_line(case_id: str, text: str, **extra: object) -> str:
    return json.dumps({"id": case_id, "input": text, "output": f"out {text}", **extra}) + "\n"


def count(store: Store, sql: str, params: tuple[object, ...] = ()) -> int:
    return int(store.query(sql, params)[0][0])


def test_bad_file_imports_nothing_and_names_each_bad_line(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", BAD_JSONL)
    result = import_files(store, [path], ACTOR)
    assert result.status == "rejected" and not result.committed
    assert [p.line for p in result.problems] == [2, 4, 5, 6]
    assert all(p.file == str(path) for p in result.problems)
    assert result.problem_count == 4
    assert result.summary().startswith("nothing imported: 4 bad records")
    assert "--skip-invalid to import the 2 good records and skip the rest" in result.summary()
    assert result.files[0].describe() == f"{path}: 2 good records, 4 problems; nothing written"
    assert count(store, "SELECT count(*) FROM cases") == 0
    assert count(store, "SELECT count(*) FROM imports") == 0
    assert count(store, "SELECT count(*) FROM events WHERE kind = 'import'") == 0


def test_skip_invalid_takes_lines_1_and_3(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", BAD_JSONL)
    result = import_files(store, [path], ACTOR, skip_invalid=True)
    assert result.status == "imported"
    assert (result.inserted, result.skipped, result.problem_count) == (2, 4, 4)
    ids = [r[0] for r in store.query("SELECT case_id FROM cases ORDER BY seq")]
    assert ids == ["ok-1", "ok-2"]
    row = store.query("SELECT records, inserted, skipped, format FROM imports")[0]
    assert tuple(row) == (2, 2, 4, "jsonl")
    assert "4 bad records skipped" in result.files[0].describe()


def test_hostile_cases_are_stored_byte_exact(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "cases.jsonl", HOSTILE_CASES)
    result = import_files(store, [path], ACTOR)
    assert result.ok and result.inserted == 10
    for line in HOSTILE_CASES.decode().splitlines():
        source = json.loads(line)
        row = store.query(
            "SELECT CAST(t.input AS BLOB), CAST(t.output AS BLOB), typeof(t.input), "
            "typeof(t.output), c.slices, c.meta, t.context "
            "FROM cases c JOIN case_texts t ON t.case_seq = c.seq WHERE c.case_id = ?",
            (source["id"],),
        )[0]
        assert row[0] == source["input"].encode("utf-8")
        assert row[1] == source["output"].encode("utf-8")
        assert (row[2], row[3]) == ("text", "text")
        assert json.loads(row[4]) == source["slices"]
        assert json.loads(row[5]) == source["meta"]
    nul = store.query("SELECT input FROM case_details WHERE case_id = 'hostile-nul'")[0][0]
    assert nul == "name\x00hidden"
    cr = store.query("SELECT output FROM case_details WHERE case_id = 'hostile-lone-cr'")[0][0]
    assert cr == "approve\rREJECT"
    docs = store.query("SELECT context FROM case_details WHERE case_id = 'hostile-brackets'")
    assert json.loads(docs[0][0])[0]["text"].startswith("def f(xs: list[int])")


def test_same_file_twice_is_a_no_op(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", case_line("a", "x") + case_line("b", "y"))
    first = import_files(store, [path], ACTOR)
    assert first.inserted == 2 and first.files[0].import_id == 1
    again = import_files(store, [path], ACTOR)
    assert again.status == "nothing_to_do" and not again.committed
    message = again.files[0].describe()
    assert message.startswith(f"{path}: already imported on ")
    assert message.endswith(" UTC as import #1; nothing to do")
    assert again.summary() == "every file was imported before; nothing to do"
    copy = write(tmp_path, "copy.jsonl", path.read_bytes())  # same bytes, other name
    assert import_files(store, [copy], ACTOR).files[0].previous is not None
    assert count(store, "SELECT count(*) FROM imports") == 1
    assert count(store, "SELECT count(*) FROM cases") == 2


def test_same_content_in_another_file_counts_as_unchanged(store: Store, tmp_path: Path) -> None:
    import_files(
        store, [write(tmp_path, "a.jsonl", case_line("a", "x") + case_line("b", "y"))], ACTOR
    )
    other = write(
        tmp_path, "b.jsonl", case_line("b", "y") + case_line("a", "x") + case_line("c", "z")
    )
    result = import_files(store, [other], ACTOR)
    assert (result.records, result.inserted, result.unchanged) == (3, 1, 2)
    row = store.query("SELECT records, inserted, updated, unchanged FROM imports WHERE id = 2")[0]
    assert tuple(row) == (3, 1, 0, 2)
    assert count(store, "SELECT count(*) FROM cases") == 3


def test_changed_content_is_refused_without_update(store: Store, tmp_path: Path) -> None:
    import_files(store, [write(tmp_path, "a.jsonl", case_line("a", "x"))], ACTOR)
    result = import_files(
        store,
        [write(tmp_path, "b.jsonl", case_line("n", "new") + case_line("a", "changed"))],
        ACTOR,
    )
    assert result.status == "rejected"
    assert [p.describe() for p in result.problems] == [
        f"{tmp_path / 'b.jsonl'}:2: case `a` exists with different content; "
        "use --update to add a new version"
    ]
    assert count(store, "SELECT count(*) FROM cases") == 1  # not even the new case `n`


def test_update_adds_a_version_and_keeps_labels_on_the_old_text(
    store: Store, tmp_path: Path
) -> None:
    import_files(store, [write(tmp_path, "a.jsonl", case_line("a", "old text"))], ACTOR)
    old_seq = count(store, "SELECT seq FROM cases WHERE case_id = 'a'")
    bucket = store.query("SELECT key FROM buckets ORDER BY position LIMIT 1")[0][0]
    with store.write() as conn:
        conn.execute(
            "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at) "
            "VALUES (?, 'alice', 'alice', ?, '2026-01-01T00:00:00.000Z')",
            (old_seq, bucket),
        )
    old_hash = store.query("SELECT content_hash FROM cases WHERE seq = ?", (old_seq,))[0][0]
    result = import_files(
        store, [write(tmp_path, "b.jsonl", case_line("a", "new text"))], ACTOR, update=True
    )
    assert (result.updated, result.inserted) == (1, 0)
    rows = store.query(
        "SELECT c.seq, c.version, c.is_current, c.label_count, t.input FROM cases c "
        "JOIN case_texts t ON t.case_seq = c.seq WHERE c.case_id = 'a' ORDER BY c.version"
    )
    assert [tuple(r)[1:] for r in rows] == [(1, 0, 1, "old text"), (2, 1, 0, "new text")]
    label = store.query("SELECT case_seq, bucket FROM labels WHERE reviewer = 'alice'")[0]
    assert tuple(label) == (old_seq, bucket)  # still on the text it was given for
    event = store.query(
        "SELECT case_id, case_seq, before, after FROM events WHERE kind = 'case.update'"
    )
    assert len(event) == 1
    assert event[0][0] == "a" and event[0][1] == rows[1][0]
    assert json.loads(event[0][2]) == {"content_hash": old_hash, "version": 1, "seq": old_seq}
    after = json.loads(event[0][3])
    assert (
        after["version"] == 2 and after["seq"] == rows[1][0] and after["content_hash"] != old_hash
    )
    assert count(store, "SELECT updated FROM imports WHERE id = 2") == 1


def test_one_import_event_per_run_and_none_per_case(store: Store, tmp_path: Path) -> None:
    lines = "".join(case_line(f"c{i}", f"text {i}") for i in range(50))
    path = write(tmp_path, "a.jsonl", lines)
    second = write(tmp_path, "b.jsonl", case_line("z", "zz"))
    result = import_files(store, [path, second], ACTOR)
    assert result.inserted == 51
    events = store.query(
        "SELECT kind, actor, account, detail FROM events WHERE kind LIKE 'import%'"
    )
    assert len(events) == 1
    kind, actor, account, detail = events[0]
    assert (kind, actor, account) == ("import", "tester", "tester")
    files = json.loads(detail)["files"]
    assert [(f["file"], f["inserted"], f["import_id"]) for f in files] == [
        (str(path), 50, 1),
        (str(second), 1, 2),
    ]
    assert files[0]["sha256"] == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert count(store, "SELECT count(*) FROM events WHERE case_id IS NOT NULL") == 0
    assert count(store, "SELECT count(DISTINCT import_id) FROM cases") == 2


def test_ids_duplicated_across_files_of_one_run(store: Store, tmp_path: Path) -> None:
    a = write(tmp_path, "a.jsonl", case_line("x", "1"))
    b = write(tmp_path, "b.jsonl", case_line("y", "2") + case_line("x", "3"))
    result = import_files(store, [a, b], ACTOR)
    assert result.status == "rejected"
    [problem] = result.problems
    assert problem.file == str(b) and problem.line == 2
    assert problem.reason == f"duplicate id `x`: {a} line 1 has it too; ids must be unique"


def test_the_same_file_given_twice_is_read_once(store: Store, tmp_path: Path) -> None:
    a = write(tmp_path, "a.jsonl", case_line("x", "1"))
    result = import_files(store, [a, str(a)], ACTOR)
    assert result.ok and result.inserted == 1
    assert result.files[1].same_as == str(a)
    assert "given twice" in result.files[1].describe()


def test_csv_and_mapping_through_import_files(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "log.txt", "q,a,channel\nhello,world,email\n")
    mapping = parse_mapping(["input=q", "output=a", "slices.channel=channel"])
    result = import_files(store, [path], ACTOR, fmt="csv", mapping=mapping)
    assert result.ok and result.inserted == 1, result.describe_problems()
    row = store.query("SELECT input, output, slices FROM case_details")[0]
    assert (row[0], row[1], json.loads(row[2])) == ("hello", "world", {"channel": "email"})
    assert store.query("SELECT format FROM imports")[0][0] == "csv"


def test_progress_rises_to_the_total(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", "".join(case_line(f"c{i}", "t" * 500) for i in range(2000)))
    calls: list[tuple[int, int]] = []
    import_files(store, [path], ACTOR, progress=lambda d, t: calls.append((d, t)))
    total = 2 * path.stat().st_size
    assert len(calls) > 3
    assert all(t == total for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1] == (total, total)
    assert any(d == total // 2 for d, _ in calls)  # reading done, writing next


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("binary.jsonl", bytes(range(256)) * 50),
        ("empty.jsonl", b""),
        ("empty.csv", b""),
        ("header-only.csv", b"input,output\n"),
        ("nul.csv", b"input,output\n\x00\x00,\x00\n"),
        ("quote.csv", b'input,output\n"never closed,x\n'),
        ("store.jsonl", None),
    ],
)
def test_no_exception_for_garbage(
    store: Store, tmp_path: Path, name: str, data: bytes | None
) -> None:
    path = tmp_path / name
    if data is None:
        path.write_bytes(store.path.read_bytes())  # a SQLite file given as cases
    else:
        path.write_bytes(data)
    result = import_files(store, [path], ACTOR)
    assert not result.committed or result.ok
    for line in result.describe_problems():
        assert "Traceback" not in line and "\x00" not in line


def test_missing_file_folder_and_unknown_format(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "dir.jsonl"
    folder.mkdir()
    unknown = write(tmp_path, "cases.log", case_line("a", "b"))
    result = import_files(store, [tmp_path / "nope.jsonl", folder, unknown], ACTOR)
    assert result.status == "rejected"
    reasons = [p.reason for p in result.problems]
    assert reasons[0].startswith("cannot read it: No such file")
    assert reasons[1] == "this is a folder, not a file"
    assert "add --format jsonl or --format csv" in reasons[2]
    assert all(p.line is None for p in result.problems)


def test_a_store_changed_between_check_and_write_is_checked_again(
    store: Store, tmp_path: Path
) -> None:
    from labeler.importing.checker import check_files
    from labeler.importing.writer import Rejected, write_checked

    import_files(store, [write(tmp_path, "a.jsonl", case_line("a", "x"))], ACTOR)
    ours = write(tmp_path, "ours.jsonl", case_line("a", "x") + case_line("b", "mine"))
    checked = check_files(
        store, [ours], fmt=None, mapping=None, update=False, keep_problems=100, progress=None
    )
    # Meanwhile another import adds `b` with other content and gives `a` a new version.
    theirs = write(tmp_path, "theirs.jsonl", case_line("a", "x2") + case_line("b", "theirs"))
    assert import_files(store, [theirs], ACTOR, update=True).committed
    with checked.spool, pytest.raises(Rejected) as info:
        write_checked(store, checked, ACTOR, update=False, skip_invalid=False, progress=None)
    reasons = sorted(p.reason for _, p in info.value.problems)
    assert "case `a` was changed in the store while this import was being checked" in reasons[0]
    assert reasons[1].startswith("case `b` exists with different content")
    assert count(store, "SELECT count(*) FROM imports") == 2  # ours was rolled back
    assert count(store, "SELECT count(*) FROM cases WHERE is_current = 1") == 2


def test_integrity_after_imports(store: Store, tmp_path: Path) -> None:
    import_files(store, [write(tmp_path, "a.jsonl", HOSTILE_CASES)], ACTOR)
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    assert store.query("PRAGMA foreign_key_check") == []
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT count(*) FROM case_details").fetchone()[0] == 10
    conn.close()


def test_skip_invalid_skips_conflicts_too(store: Store, tmp_path: Path) -> None:
    import_files(store, [write(tmp_path, "a.jsonl", case_line("a", "x"))], ACTOR)
    path = write(tmp_path, "b.jsonl", case_line("a", "changed") + case_line("b", "new"))
    result = import_files(store, [path], ACTOR, skip_invalid=True)
    assert result.committed
    assert (result.inserted, result.skipped, result.records) == (1, 1, 1)
    assert "exists with different content" in result.problems[0].reason
    row = store.query("SELECT file_name, records, inserted, skipped FROM imports WHERE id = 2")[0]
    assert tuple(row) == (str(path.resolve()), 1, 1, 1)
    text = store.query("SELECT input FROM case_details WHERE case_id = 'a'")[0][0]
    assert text == "x"  # the stored text was not touched


def test_update_with_unchanged_content_is_unchanged(store: Store, tmp_path: Path) -> None:
    import_files(store, [write(tmp_path, "a.jsonl", case_line("a", "x"))], ACTOR)
    path = write(tmp_path, "b.jsonl", case_line("a", "x") + case_line("b", "y"))
    result = import_files(store, [path], ACTOR, update=True)
    assert (result.unchanged, result.inserted, result.updated) == (1, 1, 0)
    assert count(store, "SELECT max(version) FROM cases") == 1
    assert count(store, "SELECT count(*) FROM events WHERE kind = 'case.update'") == 0


def test_records_without_id_are_matched_by_content(store: Store, tmp_path: Path) -> None:
    line = json.dumps({"input": "no id here", "output": "o"}) + "\n"
    other = json.dumps({"input": "no id either", "output": "o"}) + "\n"
    import_files(store, [write(tmp_path, "a.jsonl", line)], ACTOR)
    result = import_files(store, [write(tmp_path, "b.jsonl", line + other)], ACTOR)
    assert (result.unchanged, result.inserted) == (1, 1)
    ids = [r[0] for r in store.query("SELECT case_id FROM cases ORDER BY seq")]
    assert all(i.startswith("h-") and len(i) == 18 for i in ids)


def test_a_changed_store_with_skip_invalid_commits_the_rest(store: Store, tmp_path: Path) -> None:
    from labeler.importing.checker import check_files
    from labeler.importing.writer import write_checked

    ours = write(tmp_path, "ours.jsonl", case_line("a", "mine") + case_line("b", "mine"))
    checked = check_files(
        store, [ours], fmt=None, mapping=None, update=False, keep_problems=100, progress=None
    )
    assert import_files(store, [write(tmp_path, "t.jsonl", case_line("a", "theirs"))], ACTOR).ok
    with checked.spool:
        ids, late = write_checked(
            store, checked, ACTOR, update=False, skip_invalid=True, progress=None
        )
    assert [p.line for _, p in late] == [1]
    assert checked.files[0].result.inserted == 1 and checked.files[0].result.skipped == 1
    rows = store.query("SELECT case_id, input FROM case_details ORDER BY case_id")
    assert [tuple(r) for r in rows] == [("a", "theirs"), ("b", "mine")]
    assert count(store, "SELECT skipped FROM imports WHERE id = ?", (ids[0],)) == 1
