"""The process behind one browser tab: ``python -m labeler.cli.web_session STORE [--overlap N]``.

Started by ``labeler serve`` with an argument vector that holds no reviewer name, often before
any browser asks (a warm spare): it imports the app, then waits for its hello, one JSON line on
stdin with the session cookie and the terminal size. The reviewer comes from that cookie,
checked against the store here again, so labels are recorded under the token's reviewer,
authenticated by token. The rest of stdin is textual-serve's packet stream. Refuses to run
outside the web driver (a terminal has ``labeler review`` and its tty check).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from labeler.cli.common import STORE_ARGUMENT, finish_app, friendly_errors, slice_option
from labeler.cli.review_commands import run_review
from labeler.login_tokens import AccessRefused, identify
from labeler.review.queue import Order, QueueSpec
from labeler.slice_filter import parse_slice_filters
from labeler.store import open_store
from labeler.web.session_process import MAX_HELLO, WEB_DRIVER


def read_hello(fd: int = 0) -> dict[str, object] | None:
    """The first line on ``fd``, read a byte at a time so that nothing after it is taken from
    the web driver; None at end of input (an unused spare being stopped)."""
    line = bytearray()
    while len(line) <= MAX_HELLO:
        byte = os.read(fd, 1)
        if not byte:
            return None
        if byte == b"\n":
            value = json.loads(line)
            return value if isinstance(value, dict) else {}
        line += byte
    raise click.ClickException("the session's hello is too long")


@click.command()
@STORE_ARGUMENT
@slice_option()
@click.option("--overlap", default=2, type=click.IntRange(1, 50))
@click.option("--order", type=click.Choice(["random", "import"]), default="random")
@friendly_errors
def child(store_path: Path, slices: tuple[str, ...], overlap: int, order: str) -> None:
    """Run the review (or resolve) screen for the reviewer of a web session."""
    if os.environ.get("TEXTUAL_DRIVER") != WEB_DRIVER:
        raise click.ClickException("this runs only under labeler serve; use labeler review")
    filters = tuple(parse_slice_filters(slices))
    # The slow part of a start, done before the browser asks.
    import labeler.tui.app
    import labeler.tui.resolve_app  # noqa: F401

    hello = read_hello()
    if hello is None:
        return
    for key, name in (("width", "COLUMNS"), ("height", "ROWS")):
        if isinstance(hello.get(key), int):
            os.environ[name] = str(hello[key])
    cookie = hello.get("cookie")
    with open_store(store_path) as store:
        try:
            identity = identify(store, cookie if isinstance(cookie, str) else None)
        except AccessRefused as exc:
            raise click.ClickException(str(exc)) from None
        actor = identity.actor
        if identity.mode == "resolve":
            from labeler.resolve.disagreements import ResolveSpec, check_spec
            from labeler.tui.resolve_app import ResolveApp

            spec = ResolveSpec(slices=filters, pair=None)
            check_spec(store, spec)
            app = ResolveApp(store, actor, spec)
            app.run()
            finish_app(app.store_failure, app.return_code)
        else:
            queue_order: Order = "import" if order == "import" else "random"
            run_review(store, actor, QueueSpec(actor.name, overlap, filters, False, queue_order))


if __name__ == "__main__":
    child()
