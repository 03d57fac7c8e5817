"""The JSON (and plain text) of ``stats``, ``gate`` and ``info``, pinned byte for byte.

Scripts read these outputs, so their keys and values are a contract. The golden files in
``golden/`` were written by the code *before* the results became typed dataclasses; the
typed code must print exactly the same bytes. Stores are built the product's way (the demo
store, ``import_files``, ``set_label``, ``resolve``); the only things masked are the store's
path (a temporary folder), the gate's read time, and what a new schema migration changes (the
schema version, the lists of tables and views).

To rewrite the golden files after an intended change of the output::

    LABELER_WRITE_GOLDEN=1 .venv/bin/pytest tests/unit/test_json_contract.py
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from labeler.cases import find_case_seq
from labeler.cli import main
from labeler.gates import EXAMPLE_GATES
from labeler.identity import Actor
from labeler.importing import import_files
from labeler.labels import set_label
from labeler.resolve.disagreements import case_labels
from labeler.resolve.resolutions import method_for, resolve
from labeler.sample import make_demo_store, sample_dir
from labeler.store import Store, create_store
from labeler.store.schema import SCHEMA_VERSION
from labeler.taxonomy import load_taxonomy_file, replace_taxonomy
from labeler.text.markdown import md

GOLDEN = Path(__file__).resolve().parent / "golden"
WRITE = os.environ.get("LABELER_WRITE_GOLDEN") == "1"
OWNER = Actor(name="owner", account="owner", on_trust=False)


def _who(name: str) -> Actor:
    return Actor(name=name, account=name, on_trust=True)


def _extra_cases() -> list[dict[str, object]]:
    """Cases with every kind of latency and output format the gate and hints must read."""
    latencies: list[object] = ["inf", "1200", -3, True, None, "abc", 1e308, "nan", 250, "-inf"]
    cases: list[dict[str, object]] = []
    for i, latency in enumerate(latencies):
        meta: dict[str, object] = {"prompt_version": "v9", "latency_ms": latency}
        if i % 3 == 0:
            meta["output_format"] = "json"
        cases.append(
            {
                "id": f"extra-{i:02d}",
                "input": f"question {i}",
                "output": '{"ok": true}' if i % 2 else "not json",
                "slices": {"length": "long" if i % 2 else "short", "channel": "chat"},
                "meta": meta,
            }
        )
    return cases


def _mixed_store(folder: Path) -> Store:
    """The demo store plus a third reviewer, resolutions of every kind, old versions, odd meta."""
    store = make_demo_store(OWNER, folder)
    extra = folder / "extra.jsonl"
    extra.write_text("".join(json.dumps(c) + "\n" for c in _extra_cases()), encoding="utf-8")
    import_files(store, [extra], OWNER)
    # New versions of two labeled sample cases: their labels stay on the old versions.
    records = [
        json.loads(line)
        for line in (sample_dir() / "cases.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    ]
    for record in records:
        record["output"] = str(record["output"]) + " (edited)"
    updated = folder / "updated.jsonl"
    updated.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    import_files(store, [updated], OWNER, update=True)

    buckets = [str(r[0]) for r in store.query("SELECT key FROM buckets ORDER BY position")]
    for number in range(3, 40):
        seq = find_case_seq(store, f"sup-{number:04d}")
        assert seq is not None
        given = {label.reviewer: label.bucket for label in case_labels(store, seq)}
        mine = given.get("alice", buckets[0])
        if number % 3 == 0:
            mine = buckets[(buckets.index(mine) + 1) % len(buckets)]
        set_label(store, seq, _who("carol"), mine, expected_version=None)
    for number, bucket in ((1, buckets[2]), (4, buckets[0])):
        seq = find_case_seq(store, f"extra-{number:02d}")
        assert seq is not None
        set_label(store, seq, _who("alice"), bucket, expected_version=None)

    rows = store.query(
        # The order the store's indexes gave before the random order's index existed.
        "SELECT case_seq FROM case_status WHERE status = 'unresolved'"
        " ORDER BY label_count, case_seq"
    )
    disagreements = [int(r[0]) for r in rows]
    for i, seq in enumerate(disagreements[:15]):
        labels = case_labels(store, seq)
        labeled = [label.bucket for label in labels]
        if i % 3 == 0:
            final: str | None = None
        elif i % 3 == 1:
            final = labels[0].bucket
        else:
            final = next(b for b in buckets if b not in labeled)
        reason = f"reason {i} \x1b[1m [/] ü" if i % 2 == 0 else None
        resolve(
            store,
            seq,
            _who("rita"),
            bucket=final,
            method=method_for(labels, final),
            reason=reason,
            expected_version=None,
        )
    # A resolution on an agreed case and on a case nobody labeled.
    agreed = int(
        store.query(
            "SELECT case_seq FROM case_status WHERE status = 'agreed'"
            " ORDER BY label_count, case_seq LIMIT 1"
        )[0][0]
    )
    nobody = find_case_seq(store, "extra-09")
    assert nobody is not None
    for seq in (agreed, nobody):
        labels = case_labels(store, seq)
        bucket = next(b for b in reversed(buckets) if b not in {x.bucket for x in labels})
        resolve(
            store,
            seq,
            _who("rita"),
            bucket=bucket,
            method=method_for(labels, bucket),
            reason=None,
            expected_version=None,
        )
    return store


def _unlabeled_store(folder: Path) -> Store:
    """The sample taxonomy and a few cases, no labels at all."""
    store = create_store(folder / "bare.db", OWNER)
    replace_taxonomy(store, load_taxonomy_file(sample_dir() / "taxonomy.toml"), OWNER)
    extra = folder / "extra.jsonl"
    extra.write_text("".join(json.dumps(c) + "\n" for c in _extra_cases()), encoding="utf-8")
    import_files(store, [extra], OWNER)
    return store


def _empty_store(folder: Path) -> Store:
    return create_store(folder / "empty.db", OWNER)


STORES: dict[str, Callable[[Path], Store]] = {
    "demo": lambda folder: make_demo_store(OWNER, folder),
    "mixed": _mixed_store,
    "unlabeled": _unlabeled_store,
    "empty": _empty_store,
}

COMMANDS: dict[str, list[str]] = {
    "stats.json": ["stats", "{store}", "--json"],
    "stats_by.json": [
        "stats",
        "{store}",
        "--json",
        "--by",
        "length",
        "--by",
        "meta.prompt_version",
        "--bootstrap",
        "200",
        "--seed",
        "1",
    ],
    "stats_reviewers.json": ["stats", "{store}", "--json", "--reviewers", "alice,carol"],
    "stats_by.txt": ["stats", "{store}", "--by", "length", "--by", "meta.prompt_version"],
    "gate.json": ["gate", "{store}", "--gates", "{gates}", "--json", "--report", "{report}"],
    "gate.txt": ["gate", "{store}", "--gates", "{gates}"],
    "info.json": ["info", "{store}", "--json"],
    "info.txt": ["info", "{store}"],
}


def _mask(text: str, folder: Path, schema_version: int = SCHEMA_VERSION) -> str:
    """Mask the temporary folder, the read time, and what a new migration changes."""
    text = text.replace(str(folder), "TMP").replace(md(str(folder), 1000), "TMP")
    text = re.sub(r'"read_at": "[^"]*"', '"read_at": "READ_AT"', text)
    text = re.sub(r"Read at \(UTC\): .*", "Read at (UTC): READ_AT", text)
    version = str(schema_version)
    text = re.sub(r'(schema_version": )' + version + r"\b", r"\1SCHEMA", text)
    text = re.sub(r"([Ss]chema version:? +)" + version + r"\b", r"\1SCHEMA", text)
    return re.sub(r'"(tables|views)": \[[^\]]*\]', r'"\1": LIST', text)


def _outputs(name: str, folder: Path) -> dict[str, str]:
    """Every command's stdout (and exit status) on the named store, masked.

    The commands run in ``folder`` with relative paths, so that no output depends on the
    length of the temporary folder's path (a long path is shortened with "…").
    """
    folder.mkdir()
    store = STORES[name](folder)
    path = store.path.relative_to(folder)
    store.close()
    (folder / "gates.toml").write_text(EXAMPLE_GATES, encoding="utf-8")
    report = folder / "report.md"
    runner = CliRunner()
    outputs: dict[str, str] = {}
    with contextlib.chdir(folder):
        for key, template in COMMANDS.items():
            args = [
                a.format(store=path, gates="gates.toml", report="report.md") if "{" in a else a
                for a in template
            ]
            result = runner.invoke(main, args)
            assert result.exception is None or isinstance(result.exception, SystemExit), result
            outputs[key] = _mask(f"exit {result.exit_code}\n{result.stdout}", folder)
            if key == "gate.json":
                text = report.read_text(encoding="utf-8") if report.exists() else "(no report)\n"
                outputs["gate_report.md"] = _mask(text, folder)
    return outputs


@pytest.mark.parametrize("name", sorted(STORES))
def test_outputs_are_the_pinned_bytes(name: str, tmp_path: Path) -> None:
    outputs = _outputs(name, tmp_path / name)
    folder = GOLDEN / name
    if WRITE:
        folder.mkdir(parents=True, exist_ok=True)
        for key, text in outputs.items():
            (folder / key).write_text(text, encoding="utf-8", newline="\n")
    for key, text in outputs.items():
        expected = (folder / key).read_text(encoding="utf-8")
        assert text == expected, (
            f"{name}/{key} differs from the pinned output (if the bundled sample session changed "
            "on purpose, rewrite the golden files: see the module docstring)"
        )
