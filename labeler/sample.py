"""The bundled sample session, and a fresh demo store made from it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from labeler.identity import Actor
from labeler.store.connection import Store, create_store

SAMPLE_ENV = "LABELER_SAMPLE_DIR"
SAMPLE_NAME = "support_assistant"


def sample_dir() -> Path:
    """Where the sample session lives (``$LABELER_SAMPLE_DIR`` overrides)."""
    override = os.environ.get(SAMPLE_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "sample_sessions" / SAMPLE_NAME


def make_demo_store(actor: Actor, folder: Path | None = None) -> Store:
    """Copy the sample session into a new store in a temporary folder; return it open.

    The packaged files are only read. The store holds the sample's taxonomy, its cases, and two
    reviewers' labels (alice and bob), so stats and resolve have something to show.
    """
    from labeler.importing import import_files
    from labeler.label_import import import_labels
    from labeler.taxonomy import load_taxonomy_file, replace_taxonomy

    source = sample_dir()
    cases = source / "cases.jsonl"
    if not cases.is_file():
        raise FileNotFoundError(f"the sample session is missing: {cases} not found")
    where = folder or Path(tempfile.mkdtemp(prefix="labeler-demo-"))
    store = create_store(where / "demo.db", actor)
    taxonomy_file = source / "taxonomy.toml"
    if taxonomy_file.is_file():
        replace_taxonomy(store, load_taxonomy_file(taxonomy_file), actor)
    import_files(store, [cases], actor)
    labels = source / "labels.csv"
    if labels.is_file():
        import_labels(store, labels, actor)
    return store
