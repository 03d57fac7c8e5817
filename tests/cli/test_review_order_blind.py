"""A store blind to version refuses the import order, which would show the versions in batches."""

from __future__ import annotations

from click.testing import CliRunner

from labeler.cli import main
from labeler.identity import Actor
from labeler.settings import set_setting
from labeler.store import Store


def test_import_order_is_refused_when_meta_is_hidden(store: Store, actor: Actor) -> None:
    set_setting(store, actor, "hidden_meta", "model,prompt_version")
    result = CliRunner().invoke(
        main, ["review", str(store.path), "--order", "import", "--reviewer", "bob"]
    )
    assert result.exit_code == 2, result.output
    assert "hidden_meta" in result.output and "random order" in result.output
