"""The gate's regression rule: the cells of ``labeler compare`` turned into an exit status."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from compare_fixtures import Group, build, one_bucket_regresses_in_one_slice

from labeler.cli import main
from labeler.compare import CompareRequest, compare_versions
from labeler.gates import GatesFileError, check_buckets, parse_gates, run_gate
from labeler.gates.example import EXAMPLE_GATES, REGRESSION_EXAMPLE
from labeler.gates.spec import RegressionRule
from labeler.store import Store
from labeler.taxonomy import default_taxonomy

MakeStore = Callable[..., Store]


def regression(**fields: object) -> str:
    lines = ["[[rule]]", 'kind = "regression"', 'on_fail = "block"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def regressing_store(make_store: MakeStore, tmp_path: Path) -> Store:
    return build(make_store, tmp_path, one_bucket_regresses_in_one_slice())


def gate(store: Store, tmp_path: Path, text: str, *extra: str) -> tuple[int, str]:
    path = tmp_path / "gates.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["gate", str(store.path), "--gates", str(path), *extra])
    return result.exit_code, result.output


def test_a_regression_rule_on_the_regressed_cell_blocks(
    regressing_store: Store, tmp_path: Path
) -> None:
    rule = regression(
        bucket="invented_policy", slice="policy_edge=yes", baseline="v7", candidate="v8"
    )
    status, output = gate(regressing_store, tmp_path, rule, "--json")
    assert status == 1, output
    data = json.loads(output)
    (result,) = data["rules"]
    assert (result["kind"], result["outcome"], result["verdict"]) == ("regression", "fail", "block")
    assert result["value"] == pytest.approx(100.0)
    assert result["checked_value"] == result["interval95"][0] > 0
    assert result["regression"]["baseline"] == {
        "version": "v7",
        "n": 100,
        "k": 2,
        "per_1000": 20.0,
    }
    assert result["regression"]["candidate"]["k"] == 12
    # The same interval as compare's cell.
    cell = compare_versions(regressing_store, CompareRequest("v7", "v8")).cell(
        "invented_policy", ("policy_edge", "yes")
    )
    assert cell is not None and cell.ci95 == pytest.approx(tuple(result["interval95"]))


def test_a_regression_rule_on_another_bucket_passes(
    regressing_store: Store, tmp_path: Path
) -> None:
    rules = regression(bucket="wrong_intent", slice="policy_edge=yes") + regression(
        bucket="invented_policy", min_reviewed=100
    )
    status, output = gate(
        regressing_store, tmp_path, rules, "--baseline", "v7", "--candidate", "v8"
    )
    assert status == 0, output
    assert "Decision: SHIP" in output
    assert "increase ≤ 0/1k (lower bound)" in output


def test_the_bound_decides_how_much_evidence_a_regression_needs(
    regressing_store: Store, tmp_path: Path
) -> None:
    spec = (
        # bad_extraction on policy_edge=yes: 6 of 100 in both versions.
        regression(bucket="bad_extraction", slice="policy_edge=yes", bound="point")
        + regression(bucket="bad_extraction", slice="policy_edge=yes", bound="upper")
        + regression(bucket="bad_extraction", slice="policy_edge=yes", bound="lower")
        + regression(
            bucket="invented_policy",
            slice="policy_edge=yes",
            bound="lower",
            max_increase_per_1000=50,
        )
    )
    outcome, _ = run_gate(regressing_store, parse_gates(spec, "g.toml"), "v7", "v8")
    assert [r.outcome for r in outcome.results] == ["pass", "fail", "pass", "pass"]
    assert outcome.results[1].checked is not None and outcome.results[1].checked > 0


def test_evidence_comes_first(make_store: MakeStore, tmp_path: Path) -> None:
    groups = [
        Group("v7", {}, 50, {}),
        Group("v8", {}, 50, {"wrong_intent": 1}, unresolved=[("wrong_intent", "other")] * 4),
    ]
    store = build(make_store, tmp_path, groups)
    spec = regression(bucket="wrong_intent", min_reviewed=60) + regression(bucket="wrong_intent")
    outcome, _ = run_gate(store, parse_gates(spec, "g.toml"), "v7", "v8")
    few, hinges = outcome.results
    assert few.outcome == "insufficient"
    assert any("needs 60 per version" in reason for reason in few.reasons)
    assert hinges.outcome == "insufficient" and hinges.unresolved_in_bucket == 4
    assert any("4 unresolved case(s) of v8" in reason for reason in hinges.reasons)


def test_must_pass_gives_one_result_per_must_pass_bucket(
    regressing_store: Store, tmp_path: Path
) -> None:
    outcome, _ = run_gate(
        regressing_store, parse_gates(regression(must_pass=True), "g.toml"), "v7", "v8"
    )
    must_pass = [b.key for b in default_taxonomy().buckets if b.must_pass]
    assert [r.bucket for r in outcome.results] == must_pass
    assert all(r.from_taxonomy and r.outcome == "pass" for r in outcome.results)


def test_versions_must_be_given_and_exist(regressing_store: Store, tmp_path: Path) -> None:
    status, output = gate(regressing_store, tmp_path, regression(bucket="wrong_intent"))
    assert status == 2 and "rule #1: a regression rule needs two versions" in output
    status, output = gate(
        regressing_store,
        tmp_path,
        regression(bucket="wrong_intent", baseline="v7", candidate="v9"),
    )
    assert status == 2 and "no version 'v9'" in output and ":1: rule #1" in output


def test_the_rule_is_validated() -> None:
    with pytest.raises(GatesFileError, match=r"bucket = .* or must_pass = true"):
        parse_gates(regression(bucket="wrong_intent", must_pass=True), "g.toml")
    with pytest.raises(GatesFileError, match=r"bucket = .* or must_pass = true"):
        parse_gates(regression(), "g.toml")
    with pytest.raises(GatesFileError, match=r"meta\.<field>"):
        parse_gates(regression(bucket="wrong_intent", by="prompt_version"), "g.toml")
    with pytest.raises(GatesFileError, match="bound"):
        parse_gates(regression(bucket="wrong_intent", bound="middle"), "g.toml")
    with pytest.raises(GatesFileError, match="unknown bucket 'invented'"):
        check_buckets(parse_gates(regression(bucket="invented"), "g.toml"), default_taxonomy())


def test_gate_example_shows_a_regression_rule_that_works_uncommented() -> None:
    result = CliRunner().invoke(main, ["gate", "--example"])
    assert result.exit_code == 0
    assert result.output == EXAMPLE_GATES + REGRESSION_EXAMPLE
    assert '# kind = "regression"' in result.output
    prose, rule_text = REGRESSION_EXAMPLE.split("# [[rule]]")
    uncommented = prose + "[[rule]]" + rule_text.replace("\n# ", "\n")
    spec = parse_gates(EXAMPLE_GATES + uncommented, "example")
    check_buckets(spec, default_taxonomy())
    rule = spec.rules[-1]
    assert isinstance(rule, RegressionRule)
    assert (rule.bucket, rule.slice, rule.baseline, rule.candidate, rule.bound) == (
        "invented_policy",
        "policy_edge=yes",
        "v7",
        "v8",
        "lower",
    )
