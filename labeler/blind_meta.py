"""Blind to version: meta fields that reviewers must not see.

When two versions of a product are compared (``labeler compare``), the reviewers must not know
which output is the new one. ``labeler settings STORE --set hidden_meta=model,prompt_version``
names the meta fields to hide: they are left out of every case a review or resolve screen loads
(:func:`labeler.cases.load_case`), so of its header and of the hints shown after labeling. They
stay in the store, and in stats, compare, gate and exports.

Case ids and texts are shown as they are: a case id that spells the version ("v8-0012")
gives it away whatever this setting says.

This module is part of the pure core: standard library only (and the store).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, Final

from labeler.store.connection import Store

HIDDEN_META_SETTING: Final = "hidden_meta"
_FIELD = re.compile(r"^[^\s,=\x00-\x1f\x7f]{1,200}$")


def parse_hidden_meta(value: str | None) -> tuple[str, ...]:
    """The field names of a ``hidden_meta`` value: comma-separated, ``meta.`` prefix optional,
    blanks and repeats dropped. ``""`` and None mean none."""
    names: list[str] = []
    for part in (value or "").split(","):
        name = part.strip().removeprefix("meta.")
        if name and name not in names:
            names.append(name)
    return tuple(names)


def normalize_hidden_meta(value: str) -> str:
    """The value to store for ``hidden_meta`` (``model,prompt_version``); raise ValueError
    naming a field that cannot be a meta key."""
    names = parse_hidden_meta(value)
    for name in names:
        if not _FIELD.match(name):
            raise ValueError(
                f"{HIDDEN_META_SETTING}: {name!r} is not a meta field name; give names separated "
                "by commas, e.g. model,prompt_version"
            )
    return ",".join(names)


def visible_meta(meta: Mapping[str, Any], hidden: Collection[str]) -> dict[str, Any]:
    """``meta`` without the hidden fields (a new dict; ``meta`` is not changed)."""
    return {key: value for key, value in meta.items() if key not in hidden}


def hidden_meta_fields(store: Store) -> frozenset[str]:
    """The meta fields the store's ``hidden_meta`` setting hides from reviewers."""
    return frozenset(parse_hidden_meta(store.setting(HIDDEN_META_SETTING)))
