"""The few HTML pages of ``labeler serve``: the review page, the login page, a refusal.

Every value put into a page is HTML-escaped. No page refers to anything off the machine: the
review page uses the Roboto Mono that textual-serve bundles, not a font CDN.
"""

from __future__ import annotations

import html
from importlib import resources
from string import Template

from labeler.text.display import safe_inline


def _template(name: str) -> Template:
    text = (resources.files("labeler.web") / "templates" / name).read_text(encoding="utf-8")
    return Template(text)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def index_page(*, title: str, static_url: str, assets_url: str, ws_url: str, font_size: int) -> str:
    """The page that runs the review (or resolve) screen in xterm.js."""
    return _template("index.html").substitute(
        title=_e(title),
        static=_e(static_url),
        assets=_e(assets_url),
        ws_url=_e(ws_url),
        font_size=_e(font_size),
    )


_SHELL = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>{title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="{assets}/page.css" />
    {script}
  </head>
  <body>
    <div class="dialog-container"><div class="shade"></div><div class="intro">{body}</div></div>
  </body>
</html>
"""


def login_page(*, assets_url: str) -> str:
    """The page a login link opens: one button, which posts the link's secret."""
    body = (
        "<div>labeler: sign in to review</div>"
        '<form method="post" action="login">'
        '<input type="hidden" name="token" id="token" value="" />'
        '<button type="submit" id="go">Sign in</button>'
        "</form>"
        '<div id="note">The link works once; this browser then stays signed in.</div>'
    )
    script = f'<script src="{_e(assets_url)}/login.js"></script>'
    return _SHELL.format(title="labeler: sign in", assets=_e(assets_url), script=script, body=body)


def refusal_page(reason: str, *, assets_url: str, home_url: str) -> str:
    """Why access was refused, and what to do."""
    body = (
        f"<div>{_e(safe_inline(reason, 300))}</div>"
        f'<p><a href="{_e(home_url)}" style="color:#ac5af4">Open the review</a>'
        " (if you signed in already)</p>"
    )
    return _SHELL.format(
        title="labeler: not signed in", assets=_e(assets_url), script="", body=body
    )
