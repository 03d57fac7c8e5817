"""The ``labeler`` command line: a thin layer over the core in ``labeler``."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

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


FIXED_TEXT: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {
    ("gate", "--example"): ("gates/example.py", ("EXAMPLE_GATES", "REGRESSION_EXAMPLE")),
}
"""Command lines whose whole output is fixed text: (file under ``labeler/``, the names of the
strings it defines, printed one after the other). They are answered from that file alone, as
the command itself would answer (``tests/test_cli_startup.py`` compares the two): ``labeler
gate --example`` would otherwise import the gates package, numpy and the statistics (0.3-0.9 s
to print a text)."""


def _fixed_text(file: str, names: tuple[str, ...]) -> str:
    """The strings ``names`` of ``labeler/<file>``, run as a module of its own (not through its
    package, whose ``__init__`` may import much more)."""
    path = Path(__file__).resolve().parent.parent / file
    spec = importlib.util.spec_from_file_location(f"labeler._fixed_text_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return "".join(str(getattr(module, name, "")) for name in names)


def _fixed_text_command(name: str, args: tuple[str, ...]) -> click.Command:
    file, names = FIXED_TEXT[(name, *args)]

    def show() -> None:
        click.echo(_fixed_text(file, names), nl=False)

    flags = [click.Option([arg], is_flag=True) for arg in args]
    return click.Command(name, params=list(flags), callback=lambda **_: show())


class LazyGroup(click.Group):
    """Lists commands in workflow order and imports each one only when it is needed."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A command line of :data:`FIXED_TEXT` is answered without importing its command."""
        if tuple(args) in FIXED_TEXT:
            return args[0], _fixed_text_command(args[0], tuple(args[1:])), args[1:]
        return super().resolve_command(ctx, args)

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
