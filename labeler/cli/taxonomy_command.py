"""``taxonomy``: show or replace the buckets."""

from __future__ import annotations

from pathlib import Path

import click

from labeler.cli.common import (
    REVIEWER_OPTION,
    STORE_ARGUMENT,
    echo_json,
    fail,
    friendly_errors,
    get_actor,
    open_existing,
)
from labeler.taxonomy import (
    TaxonomyFileError,
    load_taxonomy_file,
    read_taxonomy,
    replace_taxonomy,
    taxonomy_to_toml,
)
from labeler.text.display import safe_inline


def _parse_merges(items: tuple[str, ...]) -> dict[str, str]:
    merges: dict[str, str] = {}
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            raise click.BadParameter(f"{item!r}: write it as OLD=NEW", param_hint="--merge")
        merges[old] = new
    return merges


@click.command()
@STORE_ARGUMENT
@click.option(
    "--set",
    "set_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Replace the taxonomy with this TOML file of [[bucket]] entries.",
)
@click.option(
    "--merge",
    "merges",
    multiple=True,
    metavar="OLD=NEW",
    help="With --set: move the labels of a dropped bucket OLD to bucket NEW. Repeatable.",
)
@click.option("--toml", "as_toml", is_flag=True, help="Print the taxonomy as a TOML file.")
@click.option("--json", "as_json", is_flag=True, help="Print the taxonomy as JSON.")
@REVIEWER_OPTION
@friendly_errors
def taxonomy(
    store_path: Path,
    set_file: Path | None,
    merges: tuple[str, ...],
    as_toml: bool,
    as_json: bool,
    reviewer: str | None,
) -> None:
    """Show the store's buckets, or replace them with --set FILE.

    \b
    A taxonomy file has one [[bucket]] table per bucket:
      [[bucket]]
      key = "wrong_intent"          # stable id, letters/digits/_ . -
      name = "Wrong intent"
      shortcut = "1"                # the one key that assigns it
      description = "Answers a different request than the user made."
      must_pass = false             # true: the gate blocks on any case

    A bucket that has labels cannot be dropped or renamed silently: keep it, or move its
    labels with --merge OLD=NEW.
    """
    with open_existing(store_path, write=set_file is not None) as store:
        if set_file is not None:
            try:
                new = load_taxonomy_file(set_file)
            except TaxonomyFileError as exc:
                fail(str(exc))
            merge_map = _parse_merges(merges)
            moved = replace_taxonomy(store, new, get_actor(reviewer), merge_map)
            for old, count in moved.items():
                click.echo(
                    f"moved {count} labels from {safe_inline(old, 64)} "
                    f"to {safe_inline(merge_map[old], 64)}"
                )
            click.echo(f"taxonomy set: {len(new.buckets)} buckets")
            return
        tax = read_taxonomy(store)
    if as_json:
        echo_json([b.model_dump() for b in tax.buckets])
    elif as_toml:
        click.echo(taxonomy_to_toml(tax))
    else:
        for b in tax.buckets:
            flag = "  must-pass" if b.must_pass else ""
            click.echo(
                f"[{b.shortcut}] {safe_inline(b.key, 64):<20} {safe_inline(b.name, 60)}{flag}"
            )
            if b.description:
                click.echo(f"      {safe_inline(b.description, 400)}")
