"""Issue 13 through the CLI: AC1 and "too few cases" in stats, agreement by slice, the sampling
line, ``stats --plan``, ``gate --plan``, ``interval``, ``review --order``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from labeler.cli import main
from labeler.identity import Actor
from labeler.labels import set_label
from labeler.stats.agreement import band_for
from labeler.store import Store

MakeStore = Callable[..., Store]


def _who(name: str) -> Actor:
    return Actor(name=name, account=name, on_trust=True)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _order(store: Store) -> list[int]:
    return [int(r[0]) for r in store.query("SELECT seq FROM cases ORDER BY review_order, seq")]


def _skewed(make_store: MakeStore, n: int = 120) -> Store:
    """Two reviewers who agree on almost everything, almost all 'not_a_failure': kappa
    collapses, AC1 does not."""
    store = make_store(n=n)
    for i, seq in enumerate(_order(store)):
        a = "wrong_intent" if i == 0 else "not_a_failure"
        b = "wrong_intent" if i == 1 else "not_a_failure"
        set_label(store, seq, _who("ann"), a, expected_version=None)
        set_label(store, seq, _who("bo"), b, expected_version=None)
    return store


def test_band_words_need_enough_cases() -> None:
    assert band_for(0.9, 29) == "too few cases"
    assert band_for(0.9, 30) == "almost perfect"
    assert band_for(0.9, 300, in_bucket=4) == "too few cases"
    assert band_for(0.9, 300, in_bucket=5) == "almost perfect"


def test_stats_has_ac1_overall_and_per_bucket_and_the_paradox(make_store: MakeStore) -> None:
    store = _skewed(make_store)
    code, out = _run("stats", str(store.path), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["agreement"]["gwet_ac1"] > 0.9
    entry = data["per_bucket"]["not_a_failure"]
    assert entry["gwet_ac1"] > 0.9 and entry["krippendorff_alpha"] < 0.1
    assert entry["pairable_in_bucket"] == 120
    assert "gwet_ac1" in data["per_bucket"]["unsafe_pii"]["undefined"]  # never used
    code, text = _run("stats", str(store.path))
    assert "Gwet's AC1" in text and "kappa paradox" in text
    # wrong_intent was used on 2 cases: numbers, but no words.
    [row] = [line for line in text.splitlines() if line.strip().startswith("wrong_intent ")]
    assert "too few cases" in row


def test_small_stores_say_too_few_cases(make_store: MakeStore) -> None:
    store = make_store(n=10)
    for seq in _order(store):
        for who in ("ann", "bo"):
            set_label(store, seq, _who(who), "other", expected_version=None)
    set_label(store, _order(store)[0], _who("bo"), "too_slow", expected_version=1)
    _, text = _run("stats", str(store.path))
    assert "(too few cases)" in text
    assert "almost perfect" not in text and "substantial" not in text


def test_stats_by_splits_agreement_and_sampling(make_store: MakeStore) -> None:
    store = _skewed(make_store, n=80)
    code, out = _run("stats", str(store.path), "--by", "length", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data["agreement_by"]["length"]) == {"long", "short"}
    long = data["agreement_by"]["length"]["long"]
    assert long["agreement"]["pairable_items"] == 40
    assert "gwet_ac1" in long["per_bucket"]["not_a_failure"]
    assert data["sampling"]["by"]["length"]["long"]["random_prefix"] is True
    _, text = _run("stats", str(store.path), "--by", "length")
    assert "Agreement by length" in text


def test_the_sampling_line(make_store: MakeStore) -> None:
    store = make_store(n=50)
    order = _order(store)
    for seq in order[:12]:
        set_label(store, seq, _who("ann"), "other", expected_version=None)
    _, text = _run("stats", str(store.path))
    assert text.splitlines()[1] == "sampling: random order, 12 of 50 cases labeled"
    set_label(store, order[40], _who("ann"), "other", expected_version=None, reached_by="jump")
    _, text = _run("stats", str(store.path))
    assert "NOT A RANDOM-ORDER PREFIX" in text.splitlines()[1]
    assert "1 labeled after a g or / jump" in text
    _, out = _run("gate", str(store.path), "--gates", str(_gates(store.path.parent)), "--json")
    data = json.loads(out)
    assert data["sampling"]["random_prefix"] is False
    assert data["sampling"]["strays_by_cause"]["jump"] == 1
    _, table = _run("gate", str(store.path), "--gates", str(_gates(store.path.parent)))
    assert "NOT A RANDOM-ORDER PREFIX" in table


def _gates(folder: Path, extra: str = "") -> Path:
    path = folder / "gates.toml"
    path.write_text(
        extra
        + """
[[rule]]
kind = "bucket_rate"
bucket = "other"
max_per_1000 = 500
bound = "upper"
on_fail = "flag"
min_agreement = 0.8

[[rule]]
kind = "latency"
percentile = 95
max_ms = 100000
on_fail = "flag"
""",
        encoding="utf-8",
    )
    return path


def test_gate_plan(make_store: MakeStore) -> None:
    store = _skewed(make_store, n=60)
    gates = _gates(store.path.parent, 'interval = "anytime"\n')
    _, out = _run("gate", str(store.path), "--gates", str(gates), "--plan", "--json")
    data = json.loads(out)
    rate, latency = data["rules"]
    assert rate["interval"] == "anytime"
    plan = rate["to_decide"]
    assert plan["method"] == "anytime" and plan["more_cases"] == 0 and plan["decided_now"]
    assert plan["agreement"]["bucket"] == "other"
    assert latency["to_decide"]["more_cases"] is None and latency["to_decide"]["reason"]
    _, text = _run("gate", str(store.path), "--gates", str(gates), "--plan")
    assert "to decide: decided now (pass)" in text
    assert "to decide: no number: a latency rule has no interval to plan" in text
    # Without --plan there is no to_decide.
    _, out = _run("gate", str(store.path), "--gates", str(gates), "--json")
    assert "to_decide" not in json.loads(out)["rules"][0]


def test_stats_plan(make_store: MakeStore) -> None:
    store = _skewed(make_store, n=60)
    code, out = _run("stats", str(store.path), "--plan", "--json", "--bootstrap", "200")
    assert code == 0
    plan = json.loads(out)["plan"]
    assert plan["targets_from"] == "defaults" and plan["rules"] is None
    targets = {(b["bucket"], b["min_agreement"]) for b in plan["agreement"]["buckets"]}
    assert ("not_a_failure", 0.8) in targets and ("other", 0.667) in targets
    assert [w["min_agreement"] for w in plan["agreement"]["bootstrap"]] == [0.667, 0.8]
    gates = _gates(store.path.parent)
    code, out = _run(
        "stats", str(store.path), "--plan", "--gates", str(gates), "--by", "length", "--json"
    )
    plan = json.loads(out)["plan"]
    scopes = [(r["index"], r["slice"]) for r in plan["rules"]]
    assert scopes == [(0, None), (1, None), (0, "length=long"), (0, "length=short")]
    assert all("to_decide" in r for r in plan["rules"])
    _, text = _run("stats", str(store.path), "--plan")
    assert "Bloch & Kraemer" in text
    code, out = _run("stats", str(store.path), "--gates", str(gates))
    assert code != 0 and "--gates goes with --plan" in out


def test_review_and_gate_help_and_example() -> None:
    _, text = _run("review", "--help")
    assert "--order [random|import]" in text
    _, example = _run("gate", "--example")
    assert 'interval = "wilson"' in example and '"anytime"' in example
    assert "every push" in example
