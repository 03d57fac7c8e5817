"""``serve`` and ``serve-token``: the review screen in a browser, for reviewers without SSH."""

from __future__ import annotations

from pathlib import Path

import click

from labeler.cli.common import (
    STORE_ARGUMENT,
    fail,
    friendly_errors,
    get_actor,
    open_existing,
    slice_option,
)
from labeler.login_tokens import (
    DEFAULT_EXPIRY,
    issue_token,
    list_tokens,
    parse_duration,
    revoke,
)
from labeler.slice_filter import parse_slice_filters
from labeler.text.display import safe_inline
from labeler.web.config import (
    DEFAULT_HOST,
    DEFAULT_MAX_SESSIONS,
    DEFAULT_PORT,
    ServeConfig,
    normalise_public_url,
)

WEB_EXTRA_HINT = (
    "labeler serve needs the web extra (aiohttp and textual-serve): pip install 'labeler[web]'"
)


@click.command()
@STORE_ARGUMENT
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    metavar="URL",
    help="The address reviewers open, e.g. behind a reverse proxy https://labels.example.com "
    "(default: http://HOST:PORT). The WebSocket must come from its origin.",
)
@click.option(
    "--max-sessions",
    default=DEFAULT_MAX_SESSIONS,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="At most this many browser sessions (one app process each) at once.",
)
@click.option(
    "--tls-cert",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Serve HTTPS with this certificate (PEM); needs --tls-key.",
)
@click.option("--tls-key", type=click.Path(dir_okay=False, path_type=Path), help="Its key (PEM).")
@click.option(
    "--insecure-http",
    is_flag=True,
    help="Allow plain HTTP on an address other than loopback (a trusted network only).",
)
@click.option(
    "--overlap",
    default=2,
    show_default=True,
    type=click.IntRange(1, 50),
    help="How many reviewers label each case (as for review).",
)
@slice_option()
@click.option(
    "--order",
    type=click.Choice(["random", "import"]),
    default="random",
    show_default=True,
    help="The review queue's order, as for review --order.",
)
@click.option(
    "--warm-spare/--no-warm-spare",
    default=True,
    show_default=True,
    help="Keep one session process started ahead (the first screen comes sooner; "
    "about 40 MB while idle).",
)
@friendly_errors
def serve(
    store_path: Path,
    host: str,
    port: int,
    public_url: str | None,
    max_sessions: int,
    tls_cert: Path | None,
    tls_key: Path | None,
    insecure_http: bool,
    overlap: int,
    slices: tuple[str, ...],
    order: str,
    warm_spare: bool,
) -> None:
    """Serve the review screen in a browser, for reviewers without SSH.

    \b
    Each reviewer signs in once with a link from `labeler serve-token`; their labels are
    recorded under the token's name. Listens on 127.0.0.1 by default: reviewers come through
    an SSH tunnel (ssh -L 8765:127.0.0.1:8765 HOST) or a TLS reverse proxy (--public-url).
    A token made with --resolve opens the resolve screen instead (for a lead).
    """
    try:
        from labeler.web.server import WebServer
    except ImportError:
        fail(WEB_EXTRA_HINT)
    try:
        parse_slice_filters(slices)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--slice") from None
    config = ServeConfig(
        store_path=store_path,
        host=host,
        port=port,
        public_url=public_url,
        max_sessions=max_sessions,
        tls_cert=tls_cert,
        tls_key=tls_key,
        insecure_http=insecure_http,
        overlap=overlap,
        slices=slices,
        order=order,
        warm_spare=warm_spare,
    )
    with open_existing(store_path) as store:
        server = WebServer(config, store, log=lambda line: click.echo(line, err=True))
        click.echo(f"labeler serve: {safe_inline(str(store_path), 200)}", err=True)
        click.echo(f"  open {server.public_url}/ (listening on {host}:{port})", err=True)
        click.echo(
            "  sign-in links: labeler serve-token STORE --reviewer NAME"
            + ("" if public_url is None else f" --public-url {server.public_url}"),
            err=True,
        )
        click.echo("  Ctrl+C stops (open sessions are asked to save and quit)", err=True)
        try:
            server.run()
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


@click.command("serve-token")
@STORE_ARGUMENT
@click.option("--reviewer", metavar="NAME", help="Make a one-time login link for this reviewer.")
@click.option(
    "--expires",
    default=DEFAULT_EXPIRY,
    show_default=True,
    metavar="DURATION",
    help="How long the link and the sign-in it gives last: 30m, 12h, 7d, 2w.",
)
@click.option(
    "--resolve", "resolve_mode", is_flag=True, help="The link opens the resolve screen (a lead)."
)
@click.option("--revoke", "revoke_name", metavar="NAME", help="End every access of NAME.")
@click.option("--list", "show_list", is_flag=True, help="List the tokens and their status.")
@click.option(
    "--public-url",
    metavar="URL",
    help=f"The address given to labeler serve (default http://{DEFAULT_HOST}:{DEFAULT_PORT}).",
)
@friendly_errors
def serve_token(
    store_path: Path,
    reviewer: str | None,
    expires: str,
    resolve_mode: bool,
    revoke_name: str | None,
    show_list: bool,
    public_url: str | None,
) -> None:
    """Make a one-time login link for `labeler serve`, revoke access, or list tokens.

    \b
    The link is printed on stdout; send it to the reviewer privately: whoever opens it first
    signs in as that reviewer. The store keeps only a hash of it.
      labeler serve-token failures.db --reviewer alice --expires 7d
      labeler serve-token failures.db --revoke alice
      labeler serve-token failures.db --list
    """
    chosen = [x for x in (reviewer, revoke_name) if x is not None] + (["list"] if show_list else [])
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --reviewer NAME, --revoke NAME, --list")
    if show_list:
        _print_list(store_path)
        return
    actor = get_actor(None)
    if revoke_name is not None:
        with open_existing(store_path) as store:
            ids = revoke(store, actor, revoke_name)
        name = safe_inline(revoke_name, 60)
        if not ids:
            fail(f"{name} has no access to revoke")
        click.echo(
            f"revoked {len(ids)} token(s) of {name}; a running labeler serve closes their "
            "session within seconds",
            err=True,
        )
        return
    assert reviewer is not None
    url = normalise_public_url(public_url or f"http://{DEFAULT_HOST}:{DEFAULT_PORT}")
    with open_existing(store_path) as store:
        token = issue_token(
            store,
            actor,
            reviewer,
            expires=parse_duration(expires),
            mode="resolve" if resolve_mode else "review",
        )
    until = token.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    click.echo(
        f"one-time {token.mode} link for {safe_inline(token.reviewer, 60)}, valid until {until}."
        " Send it privately: whoever opens it first signs in under that name.",
        err=True,
    )
    click.echo(f"{url}/login#token={token.secret}")


def _print_list(store_path: Path) -> None:
    with open_existing(store_path, write=False) as store:
        tokens = list_tokens(store)
    if not tokens:
        click.echo("no tokens yet: labeler serve-token STORE --reviewer NAME makes one")
        return
    click.echo(f"{'id':>4}  {'reviewer':<24} {'mode':<8} {'status':<10} {'expires':<17} by")
    for t in tokens:
        expires = t.expires_at[:16].replace("T", " ")
        click.echo(
            f"{t.token_id:>4}  {safe_inline(t.reviewer, 24):<24} {t.mode:<8} {t.status:<10} "
            f"{expires:<17} {safe_inline(t.created_by, 24)}"
        )
