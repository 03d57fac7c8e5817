"""The reviewer pairs and the confusion matrix in the text of ``stats`` and the gate report.

Only pairs that share cases are listed (most shared first, capped), with one line for the
pairs left out; ``--json`` still lists every pair. The confusion matrix is a numbered table
when it fits in 80 columns, else a list of the cells where the two reviewers differ.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from gates_fixtures import OWNER, build_store, case, ids, reviewer

from labeler.cases import find_case_seq
from labeler.cli import main
from labeler.gates import EXAMPLE_GATES
from labeler.labels import set_label
from labeler.stats.agreement import Confusion, LabelMatrix, compute_agreement
from labeler.stats.compute import StatsRequest, compute_stats
from labeler.stats.confusion import busiest_pair, pair_confusion, shown_confusion
from labeler.stats.render import CELLS_LISTED, PAIRS_LISTED, WIDTH, format_stats
from labeler.store import Store
from labeler.taxonomy import parse_taxonomy, replace_taxonomy


def _section(lines: list[str], title: str) -> list[str]:
    """The lines under ``title`` up to the next blank line."""
    start = lines.index(title) + 1
    end = lines.index("", start)
    return lines[start:end]


def _confusion(lines: list[str]) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith("Confusion matrix"))
    return lines[start : lines.index("", start)]


def _few_sharing(tmp_path: Path) -> Store:
    """23 reviewers: 20 each alone on a case, alice and bob on 3 cases, alice and carol on 1."""
    labels: dict[str, dict[str, str]] = {
        f"c{n:04d}": {f"solo{n:02d}": "other"} for n in range(10, 30)
    }
    for cid in ids(range(1, 4)):
        labels[cid] = {"alice": "other", "bob": "other"}
    labels[ids([4])[0]] = {"alice": "other", "carol": "too_slow"}
    return build_store(tmp_path, [case(n) for n in range(1, 30)], labels)


def test_only_pairs_that_share_cases_are_listed_with_a_count_of_the_rest(tmp_path: Path) -> None:
    store = _few_sharing(tmp_path)
    report = compute_stats(store)
    assert len(report.agreement.pairwise) == 23 * 22 // 2
    pairs = _section(format_stats(report), "Pairs (Cohen's kappa)")
    assert [line.split()[0] for line in pairs[:2]] == ["alice|bob", "alice|carol"]
    assert pairs[0].endswith("on 3 cases") and pairs[1].endswith("on 1 cases")
    assert pairs[2:] == ["  2 pairs of reviewers share cases; 251 pairs share none, not listed"]
    # The JSON is a contract: it still lists every pair, 0-case ones included.
    out = CliRunner().invoke(main, ["stats", str(store.path), "--json"])
    assert out.exit_code == 0, out.output
    pairwise = json.loads(out.output)["pairwise"]
    assert len(pairwise) == 253
    assert pairwise["bob|solo10"] == {
        "cohen_kappa": None,
        "cases": 0,
        "undefined": pairwise["bob|solo10"]["undefined"],
    }


def test_the_gate_report_lists_the_same_pairs(tmp_path: Path) -> None:
    store = _few_sharing(tmp_path)
    (tmp_path / "gates.toml").write_text(EXAMPLE_GATES, encoding="utf-8")
    report = tmp_path / "report.md"
    args = ["gate", str(store.path), "--gates", str(tmp_path / "gates.toml")]
    result = CliRunner().invoke(main, [*args, "--report", str(report)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result
    lines = report.read_text(encoding="utf-8").splitlines()
    start = lines.index("Pairs (Cohen's kappa):")
    assert lines[start + 1 : start + 6] == [
        "",
        "- alice\\|bob: — on 3 cases",
        "- alice\\|carol: 0.000 on 1 cases",  # kappa 0: they differ
        "",
        "2 pairs of reviewers share cases; 251 pairs share none, not listed.",
    ]
    assert "on 0 cases" not in report.read_text(encoding="utf-8")


def test_a_long_list_of_pairs_is_capped_most_shared_first(tmp_path: Path) -> None:
    names = [f"r{i}" for i in range(1, 10)]  # 36 pairs, all on case 1
    labels = {"c0001": dict.fromkeys(names, "other"), "c0002": {"r9": "other", "r8": "other"}}
    store = build_store(tmp_path, [case(1), case(2)], labels)
    pairs = _section(format_stats(compute_stats(store)), "Pairs (Cohen's kappa)")
    assert len(pairs) == PAIRS_LISTED + 1
    assert pairs[0].split()[0] == "r8|r9" and pairs[0].endswith("on 2 cases")
    assert [line.split()[0] for line in pairs[1:4]] == ["r1|r2", "r1|r3", "r1|r4"]
    assert pairs[-1] == f"  ... {36 - PAIRS_LISTED:,} more (--json lists them)"


def _labels(
    pairs: Mapping[int, tuple[str, str]], first: str, second: str
) -> dict[str, dict[str, str]]:
    return {ids([n])[0]: {first: a, second: b} for n, (a, b) in pairs.items()}


def test_the_confusion_matrix_of_two_reviewers_counts_by_hand(tmp_path: Path) -> None:
    shared = {
        1: ("wrong_intent", "wrong_intent"),
        2: ("wrong_intent", "other"),
        3: ("other", "other"),
        4: ("not_a_failure", "wrong_intent"),
        5: ("not_a_failure", "not_a_failure"),
    }
    labels = _labels(shared, "alice", "bob")
    labels["c0006"] = {"alice": "too_slow"}  # not shared: in no cell
    store = build_store(tmp_path, [case(n) for n in range(1, 7)], labels)
    report = compute_stats(store)
    block = _confusion(format_stats(report))
    assert block[:3] == [
        "Confusion matrix (rows: alice, columns: bob)",
        "  5 cases labeled by both, 3 of them with the same bucket",
        "  (6 buckets neither gave on these cases: not shown)",
    ]
    table = block[3:]
    assert [line.split() for line in table] == [
        ["1", "2", "3", "total"],
        ["1", "wrong_intent", "1", "1", "·", "2"],
        ["2", "other", "·", "1", "·", "1"],
        ["3", "not_a_failure", "1", "·", "1", "2"],
        ["total", "2", "2", "1", "5"],
    ]
    assert len({len(line) for line in table}) == 1  # right-aligned columns
    assert max(map(len, block)) <= WIDTH
    # The same numbers as --json's "confusion" (taxonomy order, every bucket).
    assert report.shown_confusion == report.agreement.confusion


def test_with_more_reviewers_the_pair_sharing_most_cases_is_shown(tmp_path: Path) -> None:
    labels = _labels({1: ("other", "too_slow"), 2: ("other", "other")}, "bob", "carol")
    labels.update(_labels({3: ("other", "other")}, "alice", "carol"))
    labels["c0001"]["alice"] = "other"  # alice|carol 2 cases, alice|bob 1, bob|carol 2
    store = build_store(tmp_path, [case(n) for n in range(1, 4)], labels)
    report = compute_stats(store)
    assert report.agreement.confusion is None  # --json has no matrix for three reviewers
    block = _confusion(format_stats(report))
    assert block[:3] == [
        "Confusion matrix (rows: alice, columns: carol)",  # tie on 2 cases: first by name
        "  2 cases labeled by both, 1 of them with the same bucket",
        "  (the pair sharing the most cases; --reviewers A,B shows another pair)",
    ]
    assert [line.split() for line in block[4:]] == [
        ["1", "2", "total"],
        ["1", "too_slow", "·", "·", "·"],
        ["2", "other", "1", "1", "2"],
        ["total", "1", "1", "2"],
    ]
    two = compute_stats(store, StatsRequest(reviewers=("bob", "carol")))
    assert _confusion(format_stats(two))[0] == "Confusion matrix (rows: bob, columns: carol)"


_WIDE = "\n".join(
    f'[[bucket]]\nkey = "failure_kind_{i:02d}"\nname = "Kind {i}"\nshortcut = "{s}"\n'
    for i, s in enumerate("0123456789hilmorvwy")
)


def _wide_store(tmp_path: Path, shared: Mapping[int, tuple[str, str]]) -> Store:
    """19 buckets, and alice's and bob's labels on the cases of ``shared``."""
    store = build_store(tmp_path, [case(n) for n in shared])
    replace_taxonomy(store, parse_taxonomy(_WIDE, "wide.toml"), OWNER)
    for number, buckets in shared.items():
        seq = find_case_seq(store, ids([number])[0])
        assert seq is not None
        for who, bucket in zip(("alice", "bob"), buckets, strict=True):
            set_label(store, seq, reviewer(who), bucket, expected_version=None)
    return store


def test_a_wide_taxonomy_lists_the_differing_cells(tmp_path: Path) -> None:
    keys = [f"failure_kind_{i:02d}" for i in range(19)]
    shared = {n + 1: (keys[n], keys[n] if n % 4 else keys[(n + 1) % 19]) for n in range(19)}
    shared[20] = (keys[0], keys[1])  # a second case in the cell kind_00 -> kind_01
    block = _confusion(format_stats(compute_stats(_wide_store(tmp_path, shared))))
    assert block == [
        "Confusion matrix (rows: alice, columns: bob)",
        "  20 cases labeled by both, 14 of them with the same bucket",
        "  (too many buckets for a table; where the two differ, most cases first)",
        "  alice said failure_kind_00, bob said failure_kind_01: 2",
        "  alice said failure_kind_04, bob said failure_kind_05: 1",
        "  alice said failure_kind_08, bob said failure_kind_09: 1",
        "  alice said failure_kind_12, bob said failure_kind_13: 1",
        "  alice said failure_kind_16, bob said failure_kind_17: 1",
    ]


def test_a_long_list_of_differing_cells_is_capped(tmp_path: Path) -> None:
    keys = [f"failure_kind_{i:02d}" for i in range(19)]
    # Every case differs: alice gives kind i, bob kind i+1 and i+2 (38 distinct cells).
    shared = {n + 1: (keys[n % 19], keys[(n % 19 + 1 + n // 19) % 19]) for n in range(38)}
    block = _confusion(format_stats(compute_stats(_wide_store(tmp_path, shared))))
    assert block[1] == "  38 cases labeled by both, 0 of them with the same bucket"
    cells = block[3:]
    assert len(cells) == CELLS_LISTED + 1
    assert cells[0] == "  alice said failure_kind_00, bob said failure_kind_01: 1"
    assert cells[-1] == f"  ... {38 - CELLS_LISTED} more (--json lists them)"


_HOSTILE_REVIEWERS = ("\x1b[2J\x1b]8;;https://evil.example\x07click", "\u202eevil" + "w" * 200)
_HOSTILE_BUCKETS = ("plain", "\x1b[31mred\x1b[0m", "\u202eright-to-left", "long_" * 40)


def test_hostile_names_in_the_matrix_are_shown_as_data(tmp_path: Path) -> None:
    store = build_store(tmp_path, [case(1), case(2)], _labels({1: ("other", "other")}, "a", "b"))
    hostile = Confusion(
        reviewers=_HOSTILE_REVIEWERS,
        buckets=_HOSTILE_BUCKETS,
        matrix=((1, 0, 0, 2), (0, 3, 0, 0), (4, 0, 0, 0), (0, 0, 0, 5)),
    )
    report = replace(compute_stats(store), shown_confusion=hostile)
    block = _confusion(format_stats(report))
    text = "\n".join(block)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    title = "Confusion matrix (rows: ␛[2J␛]8;;https://ev…, columns: ⟨U+202E⟩evilwwwwwww…)"
    assert block[0] == title  # each name cut to 20 characters
    assert max(map(len, block)) <= WIDTH
    table = block[2:]
    assert [line.split()[:2] for line in table[1:5]] == [
        ["1", "plain"],
        ["2", "␛[31mred␛[0m"],
        ["3", "⟨U+202E⟩right-to-left"],
        ["4", "long_long_long_long_lon…"],
    ]
    assert [line.split()[-5:] for line in table[1:]] == [
        ["1", "·", "·", "2", "3"],
        ["·", "3", "·", "·", "3"],
        ["4", "·", "·", "·", "4"],
        ["·", "·", "·", "5", "5"],
        ["5", "3", "·", "7", "15"],
    ]


def test_pair_confusion_counts_only_the_items_both_labeled() -> None:
    rows = [
        ("c1", "ann", "ok"),
        ("c1", "bob", "bad"),
        ("c1", "cy", "ok"),
        ("c2", "ann", "bad"),
        ("c2", "cy", "bad"),
        ("c3", "bob", "ok"),
        ("c3", "cy", "ok"),
        ("c4", "ann", "ok"),
        ("c4", "cy", "bad"),
        ("c5", "ann", "ok"),
    ]
    matrix = LabelMatrix.from_rows(rows, buckets=["ok", "bad"])
    agreement = compute_agreement(matrix)
    best = busiest_pair(agreement.pairwise.values())
    assert best is not None and (best.reviewers, best.cases) == (("ann", "cy"), 3)
    # ann (rows) x cy (columns): c1 ok/ok, c2 bad/bad, c4 ok/bad.
    assert pair_confusion(matrix, ("ann", "cy")).matrix == ((1, 1), (0, 1))
    assert pair_confusion(matrix, ("cy", "ann")).matrix == ((1, 0), (1, 1))
    assert shown_confusion(matrix, agreement) == pair_confusion(matrix, ("ann", "cy"))
    two = compute_agreement(matrix, reviewers=["ann", "cy"])
    assert two.confusion == pair_confusion(matrix, ("ann", "cy"))
