"""``settings``: show or change store-wide settings."""

from __future__ import annotations

from pathlib import Path

import click

from labeler.cli.common import (
    REVIEWER_OPTION,
    STORE_ARGUMENT,
    friendly_errors,
    get_actor,
    open_existing,
)
from labeler.settings import KNOWN_SETTINGS, read_settings, set_setting
from labeler.text.display import safe_inline


@click.command()
@STORE_ARGUMENT
@click.option("--set", "assignment", metavar="KEY=VALUE", help="Change one setting.")
@REVIEWER_OPTION
@friendly_errors
def settings(store_path: Path, assignment: str | None, reviewer: str | None) -> None:
    """Show the store's settings, or change one with --set KEY=VALUE.

    \b
    Example:
      labeler settings failures.db --set latency_threshold_ms=8000
    """
    with open_existing(store_path, write=assignment is not None) as store:
        if assignment is not None:
            key, sep, value = assignment.partition("=")
            if not sep:
                raise click.BadParameter("write it as KEY=VALUE", param_hint="--set")
            set_setting(store, get_actor(reviewer), key.strip(), value.strip())
        values = read_settings(store)
    for key, value in values.items():
        help_text = KNOWN_SETTINGS.get(key, ("", ""))[1]
        click.echo(f"{safe_inline(key, 60)} = {safe_inline(value, 200)}    {help_text}")
