"""Blind to version in the core: the ``hidden_meta`` setting, ``visible_meta``, the case every
screen loads (review, resolve, prefetch), its hints, and search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from labeler.blind_meta import (
    hidden_meta_fields,
    normalize_hidden_meta,
    parse_hidden_meta,
    visible_meta,
)
from labeler.cases import find_case_seq, load_case
from labeler.cli import main
from labeler.identity import Actor
from labeler.review.hints import hints_for
from labeler.review.search import search_cases
from labeler.settings import read_settings, set_setting
from labeler.stats.compute import StatsRequest, compute_stats
from labeler.store import Store

OWNER = Actor(name="owner", account="owner", on_trust=False)
MakeStore = Callable[..., Store]


def make_case(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"case-{number:03d}",
        "input": f"question {number}",
        "output": f"answer {number}",
        **fields,
    }


def test_visible_meta_leaves_out_the_hidden_fields() -> None:
    meta = {"model": "m-2", "prompt_version": "v8", "ticket": "T-1", "latency_ms": 12}
    assert visible_meta(meta, {"model", "prompt_version"}) == {"ticket": "T-1", "latency_ms": 12}
    assert visible_meta(meta, ()) == meta
    assert meta["model"] == "m-2"  # not changed in place


def test_the_setting_is_parsed_and_normalized() -> None:
    assert parse_hidden_meta(" model, meta.prompt_version ,,model ") == ("model", "prompt_version")
    assert parse_hidden_meta("") == () == parse_hidden_meta(None)
    assert normalize_hidden_meta("meta.model ,prompt_version") == "model,prompt_version"
    with pytest.raises(ValueError, match="not a meta field name"):
        normalize_hidden_meta("model,prompt version")


def test_settings_command_sets_hidden_meta(make_store: MakeStore) -> None:
    store = make_store([make_case(1), make_case(2)])
    runner = CliRunner()
    result = runner.invoke(
        main, ["settings", str(store.path), "--set", "hidden_meta=model, prompt_version"]
    )
    assert result.exit_code == 0, result.output
    assert "hidden_meta = model,prompt_version" in result.output
    assert hidden_meta_fields(store) == {"model", "prompt_version"}
    assert read_settings(store)["hidden_meta"] == "model,prompt_version"
    result = runner.invoke(main, ["settings", str(store.path), "--set", "hidden_meta=a b"])
    assert result.exit_code == 1 and "not a meta field name" in result.output


def test_screens_load_cases_without_the_hidden_fields(make_store: MakeStore) -> None:
    record = make_case(1, output="not json")
    record["meta"] = {
        "prompt_version": "v8",
        "model": "new-model",
        "latency_ms": 9000,
        "output_format": "json",
    }
    store = make_store([record, make_case(2)])
    seq = find_case_seq(store, "case-001")
    assert seq is not None
    case = load_case(store, seq)
    assert case is not None and case.meta["prompt_version"] == "v8"
    assert len(hints_for(case, 2000)) == 2
    set_setting(store, OWNER, "hidden_meta", "prompt_version,model,latency_ms,output_format")
    blind = load_case(store, seq)
    assert blind is not None and blind.meta == {}
    assert hints_for(blind, 2000) == []  # hints cannot name a hidden field
    # Stats still read every field.
    stats = compute_stats(store, StatsRequest(by=("meta.prompt_version",)))
    assert "v8" in stats.counts.by["meta.prompt_version"]


def test_search_never_matches_or_shows_meta(make_store: MakeStore) -> None:
    record = make_case(1)
    record["meta"] = {"prompt_version": "zqv-secret-version"}
    store = make_store([record])
    set_setting(store, OWNER, "hidden_meta", "prompt_version")
    hits = search_cases(store, "zqv-secret-version")
    assert hits == []
