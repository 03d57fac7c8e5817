"""A typo is an error, not an empty result: exit 2, the known names and "did you mean"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from labeler.cli import main
from labeler.labels import set_label
from labeler.review.empty_queue import empty_queue_reason
from labeler.review.queue import QueueSpec
from labeler.store import Store
from labeler.text.suggest import UnknownName, check_known, did_you_mean


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def labeled(make_store: Any, make_actor: Any) -> Store:
    """Ten cases (length short/long, channel chat), each labeled by alice and bob."""
    store: Store = make_store()
    for name in ("alice", "bob"):
        for seq in range(1, 11):
            set_label(store, seq, make_actor(name), "wrong_intent", expected_version=None)
    return store


def test_did_you_mean_and_message() -> None:
    assert did_you_mean("lenght", ["length", "channel"]) == "length"
    assert did_you_mean("zzzz", ["length", "channel"]) is None
    with pytest.raises(UnknownName) as caught:
        check_known("slice", "lenght", ["length", "channel"])
    assert str(caught.value) == (
        "unknown slice 'lenght'; did you mean 'length'? Known: 'channel', 'length'"
    )
    check_known("reviewer", "bob", [])  # nothing to check against: a store without labels
    check_known("slice", "length", ["length"])


@pytest.mark.parametrize(
    ("args", "hint", "suggestion"),
    [
        (["stats", "{s}", "--by", "lenght"], "--by", "'length'"),
        (["stats", "{s}", "--by", "meta.prompt_verison"], "--by", "'meta.prompt_version'"),
        (["stats", "{s}", "--reviewers", "alice,bbo"], "--reviewers", "'bob'"),
        (["resolve", "{s}", "--slice", "lenght=long"], "--slice", "'length'"),
        (["resolve", "{s}", "--pair", "wrong_intnet,too_slow"], "--pair", "'wrong_intent'"),
        (["export", "{s}", "{out}", "--slice", "length=lnog"], "--slice", "'long'"),
        (["review", "{s}", "--slice", "chanel=chat"], "--slice", "'channel'"),
        (["progress", "{s}", "--slice", "channel=caht"], "--slice", "'chat'"),
    ],
)
def test_typo_is_a_usage_error(
    labeled: Store, tmp_path: Path, args: list[str], hint: str, suggestion: str
) -> None:
    filled = [a.format(s=labeled.path, out=tmp_path / "out.csv") for a in args]
    code, out = run(*filled)
    assert code == 2, out
    assert hint in out and f"did you mean {suggestion}?" in out and "Known:" in out
    assert not (tmp_path / "out.csv").exists()


def test_known_names_pass(labeled: Store) -> None:
    code, out = run("stats", str(labeled.path), "--by", "length", "--reviewers", "alice,bob")
    assert code == 0, out
    code, out = run("stats", str(labeled.path), "--by", "meta.prompt_version")
    assert code == 0, out


def test_gates_file_unknown_slices_all_named_with_lines(labeled: Store, tmp_path: Path) -> None:
    gates = tmp_path / "gates.toml"
    gates.write_text(
        "[[rule]]\n"
        'kind = "must_pass"\n'
        'on_fail = "block"\n'
        'slice = "lenght=long"\n'
        "\n"
        "[[rule]]\n"
        'name = "long ones"\n'
        'kind = "must_pass"\n'
        'on_fail = "flag"\n'
        'slice = "length=lnog"\n'
        "\n"
        "[[rule]]\n"
        'kind = "must_pass"\n'
        'on_fail = "flag"\n'
        'slice = "meta.modle=x"\n',
        encoding="utf-8",
    )
    code, out = run("gate", str(labeled.path), "--gates", str(gates))
    assert code == 2, out
    assert f"{gates}:4: rule #1: unknown slice 'lenght'; did you mean 'length'?" in out
    assert "rule #2" not in out  # a known slice: a value no case has yet is judged, not refused
    assert (
        f"{gates}:15: rule #3: unknown meta field 'meta.modle'; did you mean 'meta.model'?" in out
    )


def test_empty_queue_says_why_overlap(labeled: Store, make_actor: Any) -> None:
    code, out = run("review", str(labeled.path), "--reviewer", "carol")
    assert code == 0
    assert "Nothing to review: every case has its overlap" in out
    assert "--overlap 3" in out and "--revisit" in out
    reason = empty_queue_reason(labeled, QueueSpec("carol", 3))
    assert reason is None
    reason = empty_queue_reason(labeled, QueueSpec("alice", 2))
    assert reason is not None and "you labeled 10" in reason


def test_empty_queue_says_why_slice(make_store: Any, make_cases: Any) -> None:
    records = make_cases(4)
    records[0]["slices"] = {"length": "short", "channel": "email"}
    store: Store = make_store(records)
    code, out = run("review", str(store.path), "--slice", "length=long", "--slice", "channel=email")
    assert code == 0
    assert "Nothing to review: no case in length=long, channel=email" in out
    reason = empty_queue_reason(store, QueueSpec("carol", revisit=True))
    assert reason is not None and "--revisit" in reason


def test_gates_file_mistakes_all_reported_in_file_order(labeled: Store, tmp_path: Path) -> None:
    gates = tmp_path / "gates.toml"
    gates.write_text(
        "[[rule]]\n"
        'kind = "must_pass"\n'
        'bucket = "wrong_intnet"\n'
        'on_fail = "block"\n'
        "\n"
        "[[rule]]\n"
        'kind = "must_pass"\n'
        'bucket = "too_slow"\n'
        'on_fail = "flag"\n'
        'slice = "chanel=chat"\n',
        encoding="utf-8",
    )
    code, out = run("gate", str(labeled.path), "--gates", str(gates))
    assert code == 2, out
    bucket = out.index(f"{gates}:3: rule #1: unknown bucket 'wrong_intnet'")
    sliced = out.index(f"{gates}:10: rule #2: unknown slice 'chanel'; did you mean 'channel'?")
    assert bucket < sliced


def test_gates_file_validation_mistakes_all_reported(labeled: Store, tmp_path: Path) -> None:
    gates = tmp_path / "gates.toml"
    gates.write_text(
        "[[rule]]\n"
        'kind = "bucket_rate"\n'
        'bucket = "wrong_intent"\n'
        'max_per_1000 = "ten"\n'
        'on_fail = "block"\n'
        "\n"
        "[[rule]]\n"
        'kind = "must_pas"\n'
        'on_fail = "block"\n',
        encoding="utf-8",
    )
    code, out = run("gate", str(labeled.path), "--gates", str(gates))
    assert code == 2, out
    assert f"{gates}:4: rule #1: max_per_1000" in out
    assert f"{gates}:8: rule #2: unknown kind 'must_pas'" in out
