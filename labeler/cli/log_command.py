"""``log``: the audit trail of a store or of one case, oldest first."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import click

from labeler.audit_log import Event, case_known, event_json, format_event, iter_events
from labeler.cli.common import STORE_ARGUMENT, fail, friendly_errors, open_existing
from labeler.text.display import safe_inline

_CHUNK = 500
"""Lines written to the terminal per write call."""


@click.command("log")
@STORE_ARGUMENT
@click.option("--case", "case_id", metavar="ID", help="Only the events of this case (by its id).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of event objects.")
@click.option(
    "--kind",
    "kind_prefix",
    metavar="PREFIX",
    help="Only events whose kind starts with PREFIX, e.g. label or resolution.change.",
)
@friendly_errors
def log_command(
    store_path: Path, case_id: str | None, as_json: bool, kind_prefix: str | None
) -> None:
    """Print the audit trail: who did what, when, before and after; oldest first.

    \b
    Examples:
      labeler log failures.db --case sup-0003
      labeler log failures.db --kind resolution --json > resolutions.json

    Plain output is one line per event, with control characters shown as visible symbols;
    --json keeps the raw values (non-ASCII characters escaped).
    """
    with open_existing(store_path, write=False) as store:
        if case_id is not None and not case_known(store, case_id):
            fail(f"no case with id {safe_inline(case_id, 200)!r} in this store")
        events = iter_events(store, case_id=case_id, kind_prefix=kind_prefix)
        try:
            if as_json:
                _print_json(events)
            else:
                while chunk := list(islice(events, _CHUNK)):
                    click.echo("\n".join(format_event(e) for e in chunk))
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # `labeler log STORE | head`: click exits quietly
                raise
            fail(f"could not write the log: {exc.strerror or exc}")


def _print_json(events: Iterator[Event]) -> None:
    """Stream ``[``, one object per line, ``]``: valid JSON without holding the whole log."""
    opening = "["
    while chunk := list(islice(events, _CHUNK)):
        rows = ",\n".join(json.dumps(event_json(e), ensure_ascii=True) for e in chunk)
        click.echo(opening + "\n" + rows, nl=False)
        opening = ","
    click.echo("[]" if opening == "[" else "\n]")
