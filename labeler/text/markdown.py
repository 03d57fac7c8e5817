"""Untrusted text in Markdown reports: one safe line, with Markdown's markup characters escaped."""

from __future__ import annotations

import re

from labeler.text.display import safe_inline

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md(text: str | None, limit: int = 200) -> str:
    """Untrusted text as inert Markdown: one safe line, markup characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", safe_inline(text, limit)).replace("&", "&amp;")
