"""``labeler compare``: the cells, verdicts, headline, pairs, unresolved cases and outputs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from compare_fixtures import Group, build, one_bucket_regresses_in_one_slice

from labeler.cli import main
from labeler.compare import ANY_FAILURE, CompareRequest, compare_versions
from labeler.compare.chart import columns, format_compare
from labeler.compare.intervals import PairedTable, mcnemar_exact_p, paired_difference
from labeler.compare.markdown import markdown_compare
from labeler.gates.metrics import read_case_facts
from labeler.stats.compute import StatsRequest, compute_stats
from labeler.store import Store

MakeStore = Callable[..., Store]

CELL_KEYS = {
    "bucket",
    "slice",
    "baseline",
    "candidate",
    "difference_per_1000",
    "ci95",
    "verdict",
}


@pytest.fixture
def regressing_store(make_store: MakeStore, tmp_path: Path) -> Store:
    return build(make_store, tmp_path, one_bucket_regresses_in_one_slice())


def test_compare_names_exactly_the_cell_that_regressed(regressing_store: Store) -> None:
    report = compare_versions(regressing_store, CompareRequest("v7", "v8"))
    regressed = [(c.bucket, c.slice) for c in report.cells if c.verdict == "regressed"]
    assert regressed == [("invented_policy", "policy_edge=yes")]
    cell = report.cell("invented_policy", ("policy_edge", "yes"))
    assert cell is not None
    assert (cell.baseline.k, cell.baseline.n, cell.candidate.k, cell.candidate.n) == (
        2,
        100,
        12,
        100,
    )
    assert cell.difference_per_1000 == pytest.approx(100.0)
    overall = report.cell(ANY_FAILURE)
    assert overall is not None and overall.verdict == "improved"
    # Most slices improve.
    improved = {c.slice for c in report.cells if c.verdict == "improved"}
    assert {None, "length=long", "length=short", "policy_edge=no"} <= improved


def test_the_headline_says_better_overall_but_regressed_in_that_cell(
    regressing_store: Store,
) -> None:
    report = compare_versions(regressing_store, CompareRequest("v7", "v8"))
    pattern = (
        r"^v8 is better overall \(failures 293 → 140 per 1,000\) but regressed in: "
        r"invented_policy on policy_edge=yes \(\+100 per 1,000, 95% \+\d+ to \+\d+\)$"
    )
    assert re.match(pattern, report.headline), report.headline


def test_rates_are_the_final_buckets_stats_counts(regressing_store: Store) -> None:
    report = compare_versions(regressing_store, CompareRequest("v7", "v8"))
    stats = compute_stats(regressing_store, StatsRequest(by=("meta.prompt_version",)))
    for version, side in (("v7", "baseline"), ("v8", "candidate")):
        counts = stats.counts.by["meta.prompt_version"][version]
        for bucket in ("wrong_intent", "bad_extraction", "invented_policy"):
            cell = report.cell(bucket)
            assert cell is not None
            rate = getattr(cell, side)
            assert (rate.k, rate.n) == (counts.cases_in(bucket), counts.reviewed)


def test_the_json_is_the_contract(regressing_store: Store) -> None:
    result = CliRunner().invoke(
        main,
        [
            "compare",
            str(regressing_store.path),
            "--baseline",
            "v7",
            "--candidate",
            "v8",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["baseline", "candidate", "by", "paired", "cells", "metrics", "headline"]
    assert (data["baseline"], data["candidate"], data["by"], data["paired"]) == (
        "v7",
        "v8",
        "meta.prompt_version",
        False,
    )
    for cell in data["cells"]:
        assert set(cell) >= CELL_KEYS
        assert set(cell["baseline"]) == set(cell["candidate"]) == {"n", "k", "per_1000"}
        assert cell["verdict"] in ("regressed", "improved", "no evidence")
        assert cell["slice"] is None or re.match(r"^[^=]+=.+$", cell["slice"])
    slices = {c["slice"] for c in data["cells"]}
    assert None in slices and "policy_edge=yes" in slices and "length=long" in slices
    hit = [c for c in data["cells"] if c["verdict"] == "regressed"]
    assert [(c["bucket"], c["slice"]) for c in hit] == [("invented_policy", "policy_edge=yes")]
    assert hit[0]["ci95"][0] > 0
    metrics = {(m["metric"], m["slice"]) for m in data["metrics"]}
    assert ("latency_p50", None) in metrics and ("latency_p95", "policy_edge=yes") in metrics
    assert data["headline"].startswith("v8 is better overall")


def test_the_chart_fits_80_columns_and_puts_regressions_first(
    regressing_store: Store, tmp_path: Path
) -> None:
    report_path = tmp_path / "compare.md"
    result = CliRunner().invoke(
        main,
        [
            "compare",
            str(regressing_store.path),
            "--baseline",
            "v7",
            "--candidate",
            "v8",
            "--report",
            str(report_path),
        ],
    )
    assert result.exit_code == 0, result.output
    *lines, written = result.stdout.splitlines()
    assert written.startswith("report written to ")
    assert max(columns(line) for line in lines) <= 80
    drawn = [line for line in lines if "│" in line or "█" in line]
    assert drawn[0].startswith("invented_pol") and "policy_edge=y" in drawn[0]
    assert "█" in drawn[0] and "+100 [+" in drawn[0]
    text = report_path.read_text(encoding="utf-8")
    assert text.startswith("# Compare v7 → v8")
    assert "| **regressed** | invented\\_policy | policy\\_edge=yes |" in text


def test_a_simpson_reversal_is_named(make_store: MakeStore, tmp_path: Path) -> None:
    # v8 is better in both slices but worse overall: it got the hard cases.
    groups = [
        Group("v7", {"difficulty": "easy"}, 90, {"wrong_intent": 9}),
        Group("v7", {"difficulty": "hard"}, 10, {"wrong_intent": 5}),
        Group("v8", {"difficulty": "easy"}, 10, {}),
        Group("v8", {"difficulty": "hard"}, 90, {"wrong_intent": 40}),
    ]
    store = build(make_store, tmp_path, groups)
    report = compare_versions(store, CompareRequest("v7", "v8"))
    found = {(r.bucket, r.key, r.slices_direction) for r in report.reversals}
    assert (ANY_FAILURE, "difficulty", "better") in found
    assert ("wrong_intent", "difficulty", "better") in found
    assert "Reversal: v8 is better on failures in every difficulty slice (2) but worse overall" in (
        report.headline
    )


def test_unresolved_cases_that_could_flip_a_verdict_count_against_the_candidate(
    make_store: MakeStore, tmp_path: Path
) -> None:
    groups = [
        Group("v7", {}, 50, {}),
        # 3 final, and 4 where alice says wrong_intent and bob other: 7 pessimistically.
        Group("v8", {}, 50, {"wrong_intent": 3}, unresolved=[("wrong_intent", "other")] * 4),
    ]
    store = build(make_store, tmp_path, groups)
    report = compare_versions(store, CompareRequest("v7", "v8"))
    cell = report.cell("wrong_intent")
    assert cell is not None
    assert cell.unresolved.candidate == 4 and cell.unresolved.counted
    assert (cell.candidate.k, cell.verdict) == (7, "regressed")
    assert "counting 4 unresolved" in report.headline
    # The same cases named other could not flip other's verdict: shown, not counted.
    other = report.cell("other")
    assert other is not None and other.unresolved.candidate == 4
    assert not other.unresolved.counted and other.candidate.k == 0


def test_paired_cases_use_discordant_pairs(make_store: MakeStore, tmp_path: Path) -> None:
    # 40 inputs run by both versions: 30 fine in both, 2 wrong_intent in both,
    # 1 only with v7, 7 only with v8.
    ids = [f"in-{i:03d}" for i in range(40)]
    base_buckets = (
        ["not_a_failure"] * 30 + ["wrong_intent"] * 2 + ["wrong_intent"] + ["not_a_failure"] * 7
    )
    cand_buckets = (
        ["not_a_failure"] * 30 + ["wrong_intent"] * 2 + ["not_a_failure"] + ["wrong_intent"] * 7
    )
    groups = [
        Group("v7", {"lang": "en"}, 1, {b: 1} if b != "not_a_failure" else {}, pair_ids=[i])
        for i, b in zip(ids, base_buckets, strict=True)
    ] + [
        Group("v8", {"lang": "en"}, 1, {b: 1} if b != "not_a_failure" else {}, pair_ids=[i])
        for i, b in zip(ids, cand_buckets, strict=True)
    ]
    store = build(make_store, tmp_path, groups)
    report = compare_versions(store, CompareRequest("v7", "v8"))
    assert report.paired and report.pairs == 40
    cell = report.cell("wrong_intent")
    assert cell is not None and cell.paired is not None
    assert (cell.paired.baseline_only, cell.paired.candidate_only, cell.paired.both) == (1, 7, 2)
    assert cell.paired.mcnemar_p == pytest.approx(mcnemar_exact_p(1, 7))
    expected = paired_difference(PairedTable(both=2, baseline_only=1, candidate_only=7, neither=30))
    assert expected is not None and cell.ci95 is not None
    assert np.allclose(cell.ci95, (expected[0] * 1000, expected[1] * 1000))
    assert cell.difference_per_1000 == pytest.approx(150.0)
    unpaired = compare_versions(store, CompareRequest("v7", "v8", paired=False))
    assert not unpaired.paired
    again = unpaired.cell("wrong_intent")
    assert again is not None and again.paired is None


def test_json_validity_counts_as_the_gate_counts(make_store: MakeStore, tmp_path: Path) -> None:
    groups = [
        Group("v7", {"channel": "api"}, 20, {}, meta={"output_format": "json"}),
        Group("v8", {"channel": "api"}, 20, {}, meta={"output_format": "JSON"}),
    ]
    store = build(make_store, tmp_path, groups)
    report = compare_versions(store, CompareRequest("v7", "v8"))
    facts = read_case_facts(store, ["meta.prompt_version"])
    json_cell = next(m for m in report.metrics if m.metric == "json_valid" and m.slice is None)
    for version, value in (("v7", json_cell.baseline), ("v8", json_cell.candidate)):
        ok, n = facts.json_share(facts.scope(("meta.prompt_version", version)))
        assert (value.k, value.n) == (ok, n) == (0, 20)  # "answer N" is not JSON


def test_unknown_versions_are_named_with_the_values_there_are(regressing_store: Store) -> None:
    with pytest.raises(ValueError, match=r"(?s)no version .v9.*v7 \(300\)"):
        compare_versions(regressing_store, CompareRequest("v7", "v9"))
    with pytest.raises(ValueError, match="same version"):
        compare_versions(regressing_store, CompareRequest("v7", "v7"))
    result = CliRunner().invoke(
        main, ["compare", str(regressing_store.path), "--baseline", "v7", "--candidate", "v9"]
    )
    assert result.exit_code == 1 and "no version 'v9'" in result.output


def test_hostile_names_stay_inert(make_store: MakeStore, tmp_path: Path) -> None:
    evil_slice = {"pol\x1b]52;c;AAAA\x07icy": "[@click=app.quit]y\u202e[/]"}
    groups = [
        Group("v7\x1b[2J", evil_slice, 30, {"wrong_intent": 1}),
        Group("v8|<b>", evil_slice, 30, {"wrong_intent": 12}),
    ]
    store = build(make_store, tmp_path, groups)
    report = compare_versions(store, CompareRequest("v7\x1b[2J", "v8|<b>"))
    lines = format_compare(report)
    text = "\n".join(lines)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert max(columns(line) for line in lines) <= 80
    markdown = markdown_compare(report, "store.db")
    assert "<b>" not in markdown and "\x1b" not in markdown
