"""`labeler stats`: counts agree with the store's case_status view and with the definition."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labeler.cli import main
from labeler.clock import utc_now
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.importing.labels import import_labels
from labeler.stats.compute import StatsRequest, compute_stats
from labeler.stats.counts import final_of
from labeler.store import Store, create_store

SAMPLE = Path(__file__).resolve().parents[2] / "labeler" / "sample_data" / "support_assistant"
ACTOR = Actor(name="owner", account="owner", on_trust=False)
BUCKETS = ["wrong_intent", "bad_extraction", "other", "not_a_failure"]


def _sample_store(tmp_path: Path) -> Store:
    store = create_store(tmp_path / "s.db", ACTOR)
    import_files(store, [SAMPLE / "cases.jsonl"], ACTOR)
    import_labels(store, SAMPLE / "labels.csv", ACTOR)
    return store


def _view_counts(store: Store) -> tuple[Counter[str], Counter[str]]:
    rows = store.query("SELECT final_bucket, status FROM case_status")
    return Counter(r[0] for r in rows), Counter(r[1] for r in rows)


def test_sample_counts_match_the_sql_view(tmp_path: Path) -> None:
    store = _sample_store(tmp_path)
    data = compute_stats(store, StatsRequest(by=("length", "meta.prompt_version")))
    finals, statuses = _view_counts(store)
    got = {k: v.cases for k, v in data.counts.overall.buckets.items() if v.cases}
    assert got == dict(finals)
    assert {k: v for k, v in data.status.items() if v} == dict(statuses)
    assert data.cases == 180
    assert data.reviewers == ("alice", "bob")
    # every case lands in exactly one group of each --by key
    for key in ("length", "meta.prompt_version"):
        assert sum(g.cases for g in data.counts.by[key].values()) == 180
    assert set(data.counts.by["meta.prompt_version"]) == {"v7", "v8"}


def test_rates_are_per_1000_reviewed_cases(tmp_path: Path) -> None:
    store = _sample_store(tmp_path)
    data = compute_stats(store)
    counts = data.counts.overall
    for bucket, c in counts.buckets.items():
        if bucket == "unlabeled":
            assert c.rate_per_1000 is None
        else:
            assert c.rate_per_1000 == c.cases * 1000 / counts.reviewed


def _insert_cases(store: Store, n: int) -> list[int]:
    with store.write() as conn:
        seqs = []
        for i in range(n):
            cur = conn.execute(
                "INSERT INTO cases (case_id, content_hash, slices, meta, imported_at)"
                " VALUES (?, ?, ?, '{}', ?)",
                (f"c{i}", f"h{i}", json.dumps({"half": str(i % 2)}), utc_now()),
            )
            assert cur.lastrowid is not None
            seqs.append(cur.lastrowid)
            conn.execute(
                "INSERT INTO case_texts (case_seq, input_kind, input, output)"
                " VALUES (?, 'text', 'in', 'out')",
                (cur.lastrowid,),
            )
    return seqs


labels_strategy = st.lists(
    st.lists(st.one_of(st.none(), st.sampled_from(BUCKETS)), min_size=3, max_size=3),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=labels_strategy,
    resolved=st.lists(
        st.one_of(st.none(), st.just("unclear"), st.sampled_from(BUCKETS)), max_size=25
    ),
)
def test_finals_follow_the_definition(tmp_path_factory, table, resolved) -> None:  # type: ignore[no-untyped-def]
    store = create_store(tmp_path_factory.mktemp("p") / "s.db", ACTOR)
    seqs = _insert_cases(store, len(table))
    reviewers = ["r1", "r2", "r3"]
    expected: Counter[str] = Counter()
    expected_half: dict[str, Counter[str]] = {"0": Counter(), "1": Counter()}
    with store.write() as conn:
        for i, (seq, row) in enumerate(zip(seqs, table, strict=True)):
            given_buckets = []
            for reviewer, bucket in zip(reviewers, row, strict=True):
                if bucket is not None:
                    conn.execute(
                        "INSERT INTO labels (case_seq, reviewer, account, bucket, labeled_at)"
                        " VALUES (?, ?, 'x', ?, 't')",
                        (seq, reviewer, bucket),
                    )
                    given_buckets.append(bucket)
            res = resolved[i] if i < len(resolved) else None
            if res is not None:
                bucket = None if res == "unclear" else res
                conn.execute(
                    "INSERT INTO resolutions (case_seq, bucket, method, resolver, account,"
                    " resolved_at) VALUES (?, ?, ?, 'x', 'x', 't')",
                    (seq, bucket, "unclear" if bucket is None else "other"),
                )
            final, _status = final_of(
                given_buckets, res is not None, None if res == "unclear" else res
            )
            expected[final] += 1
            expected_half[str(i % 2)][final] += 1
    data = compute_stats(store, StatsRequest(by=("half",)))
    got = {k: v.cases for k, v in data.counts.overall.buckets.items() if v.cases}
    assert got == dict(expected)
    view_finals, _ = _view_counts(store)
    assert dict(view_finals) == dict(expected)
    for half, counter in expected_half.items():
        if counter:
            groups = data.counts.by["half"][half].buckets
            assert {k: v.cases for k, v in groups.items() if v.cases} == dict(counter)
    store.close()


def test_stats_json_on_an_empty_store_has_reasons_not_numbers(tmp_path: Path) -> None:
    create_store(tmp_path / "e.db", ACTOR).close()
    result = CliRunner().invoke(main, ["stats", str(tmp_path / "e.db"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"):
        assert data["agreement"][key] is None
        assert data["agreement"]["undefined"][key]
    assert data["cases"] == 0 and data["labels"] == 0 and data["reviewers"] == []


def test_stats_cli_plain_and_json_contract(tmp_path: Path) -> None:
    store = _sample_store(tmp_path)
    store.close()
    runner = CliRunner()
    plain = runner.invoke(main, ["stats", str(tmp_path / "s.db"), "--by", "length"])
    assert plain.exit_code == 0, plain.output
    assert "Krippendorff's alpha" in plain.output and "length=long" in plain.output
    assert "Krippendorff's alpha 0.787 (substantial)" in plain.output
    out = runner.invoke(
        main, ["stats", str(tmp_path / "s.db"), "--json", "--bootstrap", "200", "--seed", "7"]
    )
    data = json.loads(out.output)
    for key in (
        "cases",
        "labels",
        "reviewers",
        "agreement",
        "per_bucket",
        "pairwise",
        "confusion",
        "counts",
    ):
        assert key in data
    low, high = data["agreement"]["krippendorff_alpha_ci95"]
    assert low <= data["agreement"]["krippendorff_alpha"] <= high
    assert data["pairwise"]["alice|bob"]["cases"] == 180
    assert data["confusion"]["reviewers"] == ["alice", "bob"]
    again = runner.invoke(
        main, ["stats", str(tmp_path / "s.db"), "--json", "--bootstrap", "200", "--seed", "7"]
    )
    assert json.loads(again.output)["agreement"] == data["agreement"]


def test_reviewers_option_restricts_agreement(tmp_path: Path) -> None:
    store = _sample_store(tmp_path)
    data = compute_stats(store, StatsRequest(reviewers=("alice",)))
    assert data.agreement.cohen_kappa is None
    assert "cohen_kappa" in data.agreement.undefined
    assert data.reviewers_in_play == ("alice",)


def test_unclear_cases_are_listed_for_the_guideline_owner(tmp_path: Path) -> None:
    store = _sample_store(tmp_path)
    seq = store.query("SELECT seq FROM cases WHERE case_id = 'sup-0001'")[0][0]
    with store.write() as conn:
        conn.execute(
            "INSERT INTO resolutions (case_seq, bucket, method, resolver, account, reason,"
            " resolved_at) VALUES (?, NULL, 'unclear', 'rita', 'rita', ?, 't')",
            (seq, "guideline says \x1b[2J nothing"),
        )
    data = compute_stats(store)
    assert [entry.to_json() for entry in data.unclear_cases] == [
        {"case_id": "sup-0001", "reason": "guideline says \x1b[2J nothing", "resolver": "rita"}
    ]
    assert data.status.unclear == 1
    store.close()
    out = CliRunner().invoke(main, ["stats", str(tmp_path / "s.db")]).output
    assert "Unclear cases" in out and "sup-0001" in out
    assert "\x1b" not in out and "␛[2J" in out
