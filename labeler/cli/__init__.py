"""The ``labeler`` command line: a thin layer over the core in ``labeler``."""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "init": "store_commands:init",
    "import": "import_command:import_command",
    "review": "review_commands:review",
    "stats": "stats_command:stats",
    "resolve": "resolve_command:resolve",
    "export": "export_command:export_command",
    "gate": "gate_command:gate",
    "info": "store_commands:info",
    "taxonomy": "taxonomy_command:taxonomy",
    "import-labels": "labels_commands:import_labels_command",
    "log": "log_command:log_command",
    "settings": "settings_command:settings",
    "backup": "store_commands:backup",
    "check": "store_commands:check",
    "demo": "review_commands:demo",
}
"""Command name -> ``module:attribute`` under ``labeler.cli``, in the order of the workflow.

Commands are imported only when run (or listed by --help): ``labeler review`` then starts
without loading numpy, the exporters and the gates, which the review screen does not need.
"""


class LazyGroup(click.Group):
    """Lists commands in workflow order and imports each one only when it is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        module = importlib.import_module(f"labeler.cli.{module_name}")
        command = getattr(module, attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
