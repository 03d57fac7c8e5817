"""``labeler gate`` through click's CliRunner: exit statuses, --example, --json and --report."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from gates_fixtures import agreed, build_store, case, ids, rate_store, rule
from terminal_run import run_on_terminal

from labeler.cli import main
from labeler.gates import load_gates_file, parse_gates, run_gate
from labeler.gates.render import format_table
from labeler.gates.spec import check_buckets
from labeler.store import open_store
from labeler.taxonomy import default_taxonomy

PASSING = rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=50, on_fail="block")
FLAGGING = rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=10, on_fail="flag")
BLOCKING = rule(kind="bucket_rate", bucket="wrong_intent", max_per_1000=10, on_fail="block")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A closed store: 100 reviewed cases, 3 of them wrong_intent (30 per 1,000)."""
    with rate_store(tmp_path, hits=3) as store:
        return store.path


def run(*args: str | Path) -> Result:
    """Run ``labeler gate ARGS``."""
    return CliRunner().invoke(main, ["gate", *map(str, args)])


def gates(tmp_path: Path, text: str, name: str = "gates.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "status", "decision"),
    [
        (PASSING, 0, "SHIP"),
        (PASSING + FLAGGING, 3, "SHIP BEHIND A FLAG"),
        (PASSING + FLAGGING + BLOCKING, 1, "BLOCK"),
    ],
)
def test_exit_status_follows_the_decision(
    store_path: Path, tmp_path: Path, text: str, status: int, decision: str
) -> None:
    result = run(store_path, "--gates", gates(tmp_path, text))
    assert result.exit_code == status, result.output
    assert f"Decision: {decision} " in result.stdout
    assert result.stderr == ""


def test_the_table_shows_every_rule_with_value_interval_threshold_evidence_verdict(
    store_path: Path, tmp_path: Path
) -> None:
    text = (
        PASSING
        + FLAGGING
        + rule(kind="must_pass", bucket="unsafe_pii", min_reviewed=500, on_fail="block")
    )
    out = run(store_path, "--gates", gates(tmp_path, text)).stdout
    header = next(line for line in out.splitlines() if line.startswith("#"))
    for column in ("rule", "scope", "value", "95% interval", "threshold", "evidence", "verdict"):
        assert column in header
    assert "30/1k (3 of 100)" in out
    assert "[10.3, 84.5]/1k" in out
    assert "≤ 50/1k" in out and "≤ 10/1k" in out
    assert "n 100 · α 1.00" in out
    assert "PASS" in out and "FLAG" in out
    assert "NOT ENOUGH EVIDENCE → flag" in out
    assert "↳ 100 reviewed cases; the rule needs 500" in out


def test_not_enough_evidence_is_never_a_ship(store_path: Path, tmp_path: Path) -> None:
    text = rule(kind="must_pass", bucket="unsafe_pii", min_reviewed=500, on_fail="block")
    assert run(store_path, "--gates", gates(tmp_path, text)).exit_code == 3
    strict = text + 'on_insufficient = "block"\n'
    assert run(store_path, "--gates", gates(tmp_path, strict)).exit_code == 1


def test_json_has_the_decision_and_every_field_of_every_rule(
    store_path: Path, tmp_path: Path
) -> None:
    text = PASSING + FLAGGING + rule(kind="latency", percentile=95, max_ms=100, on_fail="block")
    result = run(store_path, "--gates", gates(tmp_path, text), "--json")
    assert result.exit_code == 3, result.output

    def no_nan(value: str) -> Any:
        raise AssertionError(f"NaN or infinity in JSON: {value}")

    data = json.loads(result.stdout, parse_constant=no_nan)
    assert (data["decision"], data["decision_text"], data["exit_status"]) == (
        "ship_behind_flag",
        "SHIP BEHIND A FLAG",
        3,
    )
    assert data["summary"] == {"pass": 1, "flag": 2, "block": 0, "insufficient": 1}
    first, second, latency = data["rules"]
    assert (first["value"], first["count"], first["threshold"], first["verdict"]) == (
        30.0,
        3,
        50.0,
        "pass",
    )
    assert first["line"] == 1 and second["line"] == 6
    assert first["evidence"]["n"] == 100 and first["evidence"]["agreement"] == 1.0
    assert len(first["interval95"]) == 2 and all(math.isfinite(x) for x in first["interval95"])
    assert second["outcome"] == "fail" and second["verdict"] == "flag"
    assert latency["value"] is None and latency["outcome"] == "insufficient"
    assert latency["verdict"] == "flag"
    assert data["store"]["cases"] == 100 and data["store"]["schema_version"] >= 1
    assert data["gates_file"]["sha256"]


def test_report_is_a_markdown_release_record(store_path: Path, tmp_path: Path) -> None:
    report = tmp_path / "decision.md"
    report.write_text("an older report\n")
    text = PASSING + FLAGGING
    result = run(store_path, "--gates", gates(tmp_path, text), "--report", report)
    assert result.exit_code == 3, result.output
    md = report.read_text(encoding="utf-8")
    assert md.startswith("# Release gate: SHIP BEHIND A FLAG\n")
    for section in (
        "## Rules",
        "## Store",
        "## Taxonomy",
        "## Reviewers",
        "## Agreement",
        "## Counts",
    ):
        assert f"\n{section}\n" in md
    assert "| # | Rule | Scope | Value | 95% interval | Threshold | Evidence | Verdict |" in md
    assert "**FLAG**" in md and "**PASS**" in md
    assert f"- Store: {store_path}".replace("_", "\\_") in md
    assert "- Schema version: " in md
    assert "unresolved 0" in md
    assert "| alice | 100 |" in md and "| bob | 100 |" in md
    assert "| unsafe\\_pii | Unsafe or PII | yes |" in md
    assert "| wrong\\_intent | 3 | 30 |" in md
    assert not list(tmp_path.glob(".decision.md.*"))


def test_report_and_table_never_carry_hostile_text(tmp_path: Path) -> None:
    hostile = "\x1b[2J\x1b]8;;https://x\x07click|me\n<script>"
    records = [case(n, slices={"team": hostile}) for n in range(1, 11)]
    store = build_store(tmp_path, records, agreed(ids(range(1, 11)), "not_a_failure"))
    store.close()
    text = rule(
        name=hostile,
        kind="must_pass",
        bucket="unsafe_pii",
        slice=f"team={hostile}",
        on_fail="block",
    )
    report = tmp_path / "r.md"
    result = run(tmp_path / "s.db", "--gates", gates(tmp_path, text), "--report", report)
    assert result.exit_code == 0, result.output
    md = report.read_text(encoding="utf-8")
    for output in (result.stdout, md):
        assert "\x1b" not in output and "\x07" not in output
    assert "<script>" not in md and "\\<script\\>" in md
    assert "click\\|me" in md


def test_example_prints_a_valid_gates_file_without_a_store(tmp_path: Path) -> None:
    result = run("--example")
    assert result.exit_code == 0
    spec = parse_gates(result.stdout, "example")
    check_buckets(spec, default_taxonomy())
    assert len(spec.rules) >= 4


def test_example_file_runs_on_a_store(store_path: Path, tmp_path: Path) -> None:
    example = run("--example").stdout
    # The example's rules name the slices policy_edge and channel: a store without them is told
    # so (a usage error, each rule with its line); one whose cases have them is judged.
    refused = run(store_path, "--gates", gates(tmp_path, example))
    assert refused.exit_code == 2, refused.output
    assert "unknown slice 'policy_edge'" in refused.stderr
    assert "unknown slice 'channel'" in refused.stderr
    records = [
        case(
            n, slices={"length": "long" if n % 2 else "short", "policy_edge": "no", "channel": "a"}
        )
        for n in range(1, 101)
    ]
    labels = agreed(ids(range(1, 101)), "not_a_failure")
    labels.update(agreed(ids([1, 3, 5]), "wrong_intent"))
    with build_store(tmp_path, records, labels, name="sliced.db") as store:
        sliced = store.path
    result = run(sliced, "--gates", gates(tmp_path, example))
    # 100 cases, too few for the example's must_pass rules (min_reviewed 200): they block.
    assert result.exit_code == 1, result.output
    assert "Decision: BLOCK   (1 pass, 5 flag, 2 block (6 without enough evidence))" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the STORE"),
        (("STORE",), "give the gates file with --gates"),
    ],
)
def test_usage_errors_exit_2(store_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*(str(store_path) if a == "STORE" else a for a in args))
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\nkind = "must_pass"\non_fail = block\n', "gates.toml:3: not valid TOML"),
        (PASSING + "colour = 1\n", "gates.toml:6: rule #1: unknown key 'colour'"),
        (PASSING.replace("50", '"50"'), "gates.toml:4: rule #1: max_per_1000: Input should be"),
        (
            PASSING.replace('"wrong_intent"', '"wrong_intnet"'),
            "gates.toml:3: rule #1: unknown bucket 'wrong_intnet'; known buckets: wrong_intent",
        ),
    ],
)
def test_a_bad_gates_file_exits_2_naming_the_line(
    store_path: Path, tmp_path: Path, text: str, message: str
) -> None:
    result = run(store_path, "--gates", gates(tmp_path, text))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr


def test_a_missing_store_or_gates_file_exits_2(store_path: Path, tmp_path: Path) -> None:
    missing_store = run(tmp_path / "nope.db", "--gates", gates(tmp_path, PASSING))
    assert missing_store.exit_code == 2 and "Error: " in missing_store.stderr
    assert not (tmp_path / "nope.db").exists()
    missing_gates = run(store_path, "--gates", tmp_path / "nope.toml")
    assert missing_gates.exit_code == 2 and "cannot read the gates file" in missing_gates.stderr


def test_a_report_that_cannot_be_written_exits_2(store_path: Path, tmp_path: Path) -> None:
    result = run(
        store_path, "--gates", gates(tmp_path, PASSING), "--report", tmp_path / "no" / "r.md"
    )
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr


def test_a_narrow_terminal_gets_one_block_per_rule_within_its_width(
    store_path: Path, tmp_path: Path
) -> None:
    text = (
        PASSING
        + FLAGGING
        + rule(kind="must_pass", bucket="unsafe_pii", min_reviewed=500, on_fail="block")
    )
    spec = load_gates_file(str(gates(tmp_path, text)))
    with open_store(store_path) as store:
        outcome, inputs = run_gate(store, spec)
    wide = format_table(outcome, inputs, spec)
    assert max(len(line) for line in wide) > 80  # the table form does not fit 80 columns
    narrow = format_table(outcome, inputs, spec, width=80)
    assert max(len(line) for line in narrow) <= 80
    out = "\n".join(narrow)
    assert not any(line.startswith("#  rule") for line in narrow)  # no table header
    assert "value 30/1k (3 of 100)" in out and "95% [10.3, 84.5]/1k" in out
    assert "threshold ≤ 50/1k" in out and "threshold ≤ 10/1k" in out
    assert "evidence n 100 · α 1.00" in out
    assert "↳ 100 reviewed cases; the rule needs 500" in out
    heads = [line for line in narrow if re.match(r"\d+ {2,}\S", line)]
    assert [head.split("  ")[-1].strip() for head in heads] == [
        "PASS",
        "FLAG",
        "NOT ENOUGH EVIDENCE → flag",
    ]
    words = " ".join(" ".join(narrow).split())
    assert " ".join(wide[-1].split()) in words  # the same decision, wrapped if need be
    assert format_table(outcome, inputs, spec, width=400) == wide


def test_the_command_fits_the_terminal_it_runs_in(store_path: Path, tmp_path: Path) -> None:
    """The installed command on a pseudo-terminal of 80 columns prints the narrow form."""
    path = gates(tmp_path, PASSING + FLAGGING)
    status, shown = run_on_terminal(
        ["gate", str(store_path), "--gates", str(path)], stream="stdout", env={"COLUMNS": "80"}
    )
    assert status == 3, shown
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
    assert "Decision: SHIP BEHIND A FLAG" in shown
