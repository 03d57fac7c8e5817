"""Tests for labeler.audit_log and ``labeler log``: the audit trail, plain and JSON, made safe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from resolve_fixtures import DIS_LONG, RESOLVED, actor, add_case, label, new_store, scenario

from labeler.audit_log import Event, case_known, event_json, format_event, iter_events
from labeler.cli import main
from labeler.resolve.resolutions import get_resolution, resolve, set_reason
from labeler.store import Store
from labeler.store.schema import SCHEMA_VERSION

OSC52 = "\x1b]52;c;ZXZpbA==\x07"
MARKUP = "[@click=app.quit]x[/]"
RAW_CONTROL = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return scenario(tmp_path)


def _run(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["log", str(tmp_path / "s.db"), *args])


def _json(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_whole_store_oldest_first(store: Store, tmp_path: Path) -> None:
    label(store, DIS_LONG, "bob", "too_slow", note="was wrong")
    result = _run(tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    count = store.query("SELECT count(*) FROM events")[0][0]
    assert len(lines) == count
    assert "store.create" in lines[0]
    assert "owner (acct owner)" in lines[0]
    assert f"schema_version: {SCHEMA_VERSION}" in lines[0]
    assert "taxonomy.default" in lines[1]
    assert "added: wrong_intent" in lines[1]
    last = lines[-1]
    assert "bob (acct bob)  label.change  case c-3" in last
    assert "bucket: bad_extraction -> too_slow" in last
    assert 'note: (none) -> "was wrong"' in last
    stamps = [line.split("  ")[0] for line in lines]
    assert stamps == sorted(stamps)


def test_case_filter_and_resolution_lines(store: Store, tmp_path: Path) -> None:
    current = get_resolution(store, RESOLVED)
    assert current is not None
    set_reason(store, RESOLVED, actor("sam"), "A read the guideline", expected_version=1)
    result = _run(tmp_path, "--case", "c-6")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # alice's and bob's labels, rita's resolution, sam's reason
    assert all("  case c-6  " in line for line in lines)
    assert lines[0].endswith("alice (acct alice)  label.create  case c-6  bucket: wrong_intent")
    assert "rita (acct rita)  resolution.create" in lines[2]
    assert "bucket: wrong_intent  method: took_a" in lines[2]
    assert "resolver" not in lines[2]  # the actor themself
    assert "sam (acct sam)  resolution.reason" in lines[3]
    assert 'reason: (none) -> "A read the guideline"' in lines[3]
    assert "resolver: rita" in lines[3]  # unchanged, but not the actor: shown


def test_case_covers_every_version(store: Store, tmp_path: Path) -> None:
    result = _run(tmp_path, "--case", "c-8")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2  # the old version's two labels


def test_unknown_case_is_an_error(store: Store, tmp_path: Path) -> None:
    result = _run(tmp_path, "--case", "nope-\x1b[2J")
    assert result.exit_code == 1
    assert "nope-" in result.stderr
    assert "no case" in result.stderr
    assert "\x1b" not in result.stderr


def test_json_output(store: Store, tmp_path: Path) -> None:
    data = _json(_run(tmp_path, "--json"))
    assert len(data) == store.query("SELECT count(*) FROM events")[0][0]
    assert [e["id"] for e in data] == sorted(e["id"] for e in data)
    first = data[0]
    assert set(first) == {
        "id",
        "at",
        "actor",
        "account",
        "kind",
        "case_id",
        "case_seq",
        "before",
        "after",
        "detail",
    }
    assert first["detail"] == {"schema_version": SCHEMA_VERSION}
    created = [e for e in data if e["kind"] == "resolution.create" and e["case_id"] == "c-7"]
    assert created[0]["after"] == {
        "resolver": "rita",
        "bucket": None,
        "method": "unclear",
        "reason": "guideline gap",
    }
    assert created[0]["before"] is None


def test_json_with_case_and_kind(store: Store, tmp_path: Path) -> None:
    data = _json(_run(tmp_path, "--json", "--case", "c-6", "--kind", "resolution"))
    assert [(e["kind"], e["case_id"]) for e in data] == [("resolution.create", "c-6")]
    assert _json(_run(tmp_path, "--json", "--kind", "nothing.like.this")) == []
    labels = _json(_run(tmp_path, "--json", "--kind", "label."))
    assert labels and all(e["kind"].startswith("label.") for e in labels)


def test_kind_filter_plain(store: Store, tmp_path: Path) -> None:
    result = _run(tmp_path, "--kind", "resolution.create")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all("resolution.create" in line for line in lines)
    assert _run(tmp_path, "--kind", "zzz").stdout == ""


def test_hostile_notes_and_ids_are_shown_safely(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    hostile_id = "id\x1b[2J\u202eevil\r"
    add_case(store, 1, hostile_id)
    label(store, 1, "alice", "wrong_intent", note=OSC52)
    label(store, 1, "bob", "other", note=MARKUP + "\x9b31m")
    resolve(
        store,
        1,
        actor("rita"),
        bucket=None,
        method="unclear",
        reason=OSC52 + MARKUP,
        expected_version=None,
    )
    plain = _run(tmp_path)
    assert plain.exit_code == 0
    for char in RAW_CONTROL:
        assert char not in plain.stdout
    assert "␛]52;c;ZXZpbA==␇" in plain.stdout
    assert MARKUP in plain.stdout  # shown as the literal text it is
    assert "⟨U+202E⟩" in plain.stdout
    by_case = _run(tmp_path, "--case", hostile_id)
    assert by_case.exit_code == 0
    assert len(by_case.stdout.splitlines()) == 3
    as_json = _run(tmp_path, "--json")
    for char in RAW_CONTROL:
        assert char not in as_json.stdout
    data = _json(as_json)  # the decoded values keep the raw text
    notes = [e["after"]["note"] for e in data if e["kind"] == "label.create"]
    assert notes == [OSC52, MARKUP + "\x9b31m"]
    assert data[-1]["case_id"] == hostile_id


def test_long_values_are_capped(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    add_case(store, 1, "c")
    label(store, 1, "alice", "wrong_intent", note="x" * 10_000)
    label(store, 1, "alice", "other", note="two words " * 1_000)
    lines = _run(tmp_path).stdout.splitlines()
    assert len(lines[-2]) < 400
    assert lines[-2].endswith("x…")
    assert len(lines[-1]) < 600
    assert lines[-1].endswith('…"')


def test_iter_events_batches_and_filters(store: Store) -> None:
    everything = list(iter_events(store))
    assert [e.id for e in iter_events(store, batch_size=3)] == [e.id for e in everything]
    assert [e.id for e in everything] == sorted(e.id for e in everything)
    only_c3 = list(iter_events(store, case_id="c-3", batch_size=1))
    assert [e.kind for e in only_c3] == ["label.create", "label.create"]
    assert all(isinstance(e, Event) and e.case_seq == DIS_LONG for e in only_c3)
    res = list(iter_events(store, kind_prefix="resolution"))
    assert [e.case_id for e in res] == ["c-6", "c-7"]
    assert event_json(res[0])["after"]["method"] == "took_a"


def test_case_known(store: Store) -> None:
    assert case_known(store, "c-1")
    assert case_known(store, "c-8")
    assert not case_known(store, "c-99")


def test_format_event_shapes() -> None:
    base: dict[str, Any] = dict(
        id=1,
        at="2026-11-26T11:46:34.123Z",
        actor="alice",
        account="alice",
        kind="label.change",
        case_seq=3,
        case_id="sup-0003",
        detail=None,
    )
    change = Event(
        **base,
        before={"reviewer": "alice", "bucket": "wrong_intent", "note": None},
        after={"reviewer": "alice", "bucket": "bad_extraction", "note": "see doc"},
    )
    assert format_event(change) == (
        "2026-11-26T11:46:34.123Z  alice (acct alice)  label.change  case sup-0003"
        '  bucket: wrong_intent -> bad_extraction  note: (none) -> "see doc"'
    )
    removed = Event(**base, before={"bucket": "x", "note": None}, after=None)
    assert format_event(removed).endswith("case sup-0003  bucket: x -> (removed)")
    scalar = Event(**base, before=1, after="two words")
    assert format_event(scalar).endswith('1 -> "two words"')
    weird = Event(**{**base, "detail": "not json {"}, before=None, after=None)
    assert format_event(weird).endswith('detail: "not json {"')


def test_log_help_lists_options() -> None:
    result = CliRunner().invoke(main, ["log", "--help"])
    assert result.exit_code == 0
    for option in ("--case", "--json", "--kind"):
        assert option in result.output


def test_odd_event_payloads_stay_valid_json(store: Store, tmp_path: Path) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO events (at, actor, account, kind, detail, before) VALUES"
            " ('2026-01-01T00:00:00.000Z', 'x', 'x', 'odd', '{\"v\": NaN}', 'not json {')"
        )

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    result = _run(tmp_path, "--json", "--kind", "odd")
    data = json.loads(result.stdout, parse_constant=refuse)
    assert data[0]["detail"] == {"v": "NaN"}
    assert data[0]["before"] == "not json {"
    plain = _run(tmp_path, "--kind", "odd").stdout
    assert '"not json {" -> (none)' in plain
    assert "v: NaN" in plain
