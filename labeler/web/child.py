"""The process behind one browser tab: ``python -m labeler.web.child STORE [--overlap N]``.

Started by ``labeler serve`` with an argument vector that holds no reviewer name. The reviewer
comes from the session cookie in ``$LABELER_WEB_COOKIE``, checked against the store here again,
so labels are recorded under the token's reviewer, authenticated by token. Refuses to run
outside the web driver (a terminal has ``labeler review`` and its tty check).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from labeler.cli.common import STORE_ARGUMENT, friendly_errors
from labeler.cli.review_commands import SLICE_OPTION, finish_app, run_review
from labeler.login_tokens import AccessRefused, identify
from labeler.queue import QueueSpec
from labeler.slice_filter import parse_slice_filters
from labeler.store import open_store
from labeler.web.session_process import COOKIE_ENV, WEB_DRIVER


@click.command()
@STORE_ARGUMENT
@SLICE_OPTION
@click.option("--overlap", default=2, type=click.IntRange(1, 50))
@friendly_errors
def child(store_path: Path, slices: tuple[str, ...], overlap: int) -> None:
    """Run the review (or resolve) screen for the reviewer of a web session."""
    cookie = os.environ.pop(COOKIE_ENV, None)
    if os.environ.get("TEXTUAL_DRIVER") != WEB_DRIVER:
        raise click.ClickException("this runs only under labeler serve; use labeler review")
    filters = tuple(parse_slice_filters(slices))
    with open_store(store_path) as store:
        try:
            identity = identify(store, cookie)
        except AccessRefused as exc:
            raise click.ClickException(str(exc)) from None
        actor = identity.actor
        if identity.mode == "resolve":
            from labeler.disagreements import ResolveSpec, check_spec
            from labeler.tui.resolve_app import ResolveApp

            spec = ResolveSpec(slices=filters, pair=None)
            check_spec(store, spec)
            app = ResolveApp(store, actor, spec)
            app.run()
            finish_app(app.store_failure, app.return_code)
        else:
            run_review(store, actor, QueueSpec(actor.name, overlap, filters, False))


if __name__ == "__main__":
    child()
