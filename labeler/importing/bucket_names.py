"""Bucket names as a spreadsheet writes them ("wrong answer", "naïve-parse", "N/A") turned into
valid bucket keys, for ``import-labels --create-buckets``.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from labeler.taxonomy import KEY_PATTERN

_NOT_KEY = re.compile(r"[^a-z0-9_.-]+")


def key_for_name(name: str, taken: Collection[str]) -> str:
    """A valid bucket key for ``name`` not in ``taken``: accents dropped, lower case, every run
    of other characters one ``_`` ("tool/misuse" -> "tool_misuse", "N/A" -> "n_a"), at most 64
    characters; ``_2``, ``_3``... when the key is taken. A name that is already a free valid key
    is kept as it is."""
    if KEY_PATTERN.match(name) and name not in taken:
        return name
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    base = _NOT_KEY.sub("_", plain.lower()).strip("_.-")[:60] or "bucket"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key
