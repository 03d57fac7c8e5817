"""The ``labeler`` command line: a thin layer over the core in ``labeler``."""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("store_commands:init", "Create an empty store (--shared: for several reviewers)."),
    "import": ("import_command:import_command", "Import failed cases from JSONL or CSV files."),
    "review": ("review_commands:review", "Label cases, one key each, blind to other reviewers."),
    "stats": ("stats_command:stats", "Agreement overall and per bucket; counts per slice."),
    "progress": ("progress_command:progress", "Per reviewer: labels, queue left, pace."),
    "resolve": ("resolve_command:resolve", "Settle the cases reviewers disagreed on."),
    "export": ("export_command:export_command", "Write final buckets, labels or events to CSV."),
    "compare": ("compare_command:compare", "Compare two versions per bucket and slice."),
    "gate": ("gate_command:gate", "Judge the release: SHIP, SHIP BEHIND A FLAG, or BLOCK."),
    "info": ("store_commands:info", "Show what a store holds and its schema version."),
    "taxonomy": ("taxonomy_command:taxonomy", "Show the buckets, or replace them from a file."),
    "import-labels": ("labels_commands:import_labels_command", "Import labels from a CSV."),
    "log": ("log_command:log_command", "Print the audit trail of the store or of one case."),
    "settings": ("settings_command:settings", "Show or change the store's settings."),
    "backup": ("store_commands:backup", "Copy a live store safely."),
    "check": ("store_commands:check", "Run SQLite's full integrity check on the store."),
    "serve": ("serve_command:serve", "Serve the review screen in a browser (no SSH needed)."),
    "serve-token": ("serve_command:serve_token", "Make, revoke or list browser login links."),
    "demo": ("review_commands:demo", "Open the review screen on the bundled sample session."),
}
"""Command name -> (``module:attribute`` under ``labeler.cli``, one-line help), in workflow order.

Commands are imported only when run: ``labeler review`` then starts without loading numpy, the
exporters and the gates, and ``labeler --help`` lists the commands without importing any.
"""


class LazyGroup(click.Group):
    """Lists commands in workflow order and imports each one only when it is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their one-line help, without importing them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry[1]) for name, entry in COMMANDS.items()])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute = entry[0].split(":")
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
