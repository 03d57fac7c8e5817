"""The ``labeler`` command line: a thin layer over the core in ``labeler``."""

from __future__ import annotations

import click

from labeler.cli.export_command import export_command
from labeler.cli.gate_command import gate
from labeler.cli.import_command import import_command
from labeler.cli.labels_commands import import_labels_command
from labeler.cli.log_command import log_command
from labeler.cli.resolve_command import resolve
from labeler.cli.review_commands import demo, review
from labeler.cli.settings_command import settings
from labeler.cli.stats_command import stats
from labeler.cli.store_commands import backup, check, info, init
from labeler.cli.taxonomy_command import taxonomy

COMMANDS_IN_ORDER = [
    "init",
    "import",
    "review",
    "stats",
    "resolve",
    "export",
    "gate",
    "info",
    "taxonomy",
    "import-labels",
    "log",
    "backup",
    "check",
    "demo",
]


class OrderedGroup(click.Group):
    """Lists commands in the order of the workflow rather than alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(self.commands)
        return [c for c in COMMANDS_IN_ORDER if c in names] + sorted(names - set(COMMANDS_IN_ORDER))


@click.group(cls=OrderedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="labeler")
def main() -> None:
    """Review the failed cases of an AI product, two reviewers blind, in a terminal.

    \b
    The flow:
      labeler import failures.db cases.jsonl      load failed cases (JSONL or CSV)
      labeler review failures.db --reviewer alice label them, one key per case
      labeler stats failures.db                   agreement and counts per slice
      labeler resolve failures.db                 settle the disagreements
      labeler export failures.db buckets.csv      final bucket per case
      labeler gate failures.db --gates gates.toml ship / flag / block, for CI

    The store is one SQLite file: the first argument of every command.
    Try it on the bundled sample: labeler demo
    """


for command in (
    init,
    import_command,
    info,
    backup,
    check,
    taxonomy,
    import_labels_command,
    log_command,
    review,
    demo,
    export_command,
    stats,
    gate,
    resolve,
    settings,
):
    main.add_command(command)
