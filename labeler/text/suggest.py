"""Unknown names: the one check every command uses for a typo in a slice, a value or a reviewer.

A name that is not known is an error, never an empty result: :func:`check_known` raises
:class:`UnknownName` whose message lists the known names and, when one is close, "did you
mean". The CLI turns it into a usage error (exit 2).

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

MAX_LISTED = 20
"""Known names listed in a message at most (the rest are counted)."""
MIN_SCORE = 60.0
"""rapidfuzz ``WRatio`` (0-100) a known name needs to be suggested."""
CAP = 200
"""Characters of each name compared (rapidfuzz is quadratic in text length)."""


class UnknownName(ValueError):
    """A name that is not among the known ones; ``what`` is e.g. "slice" or "reviewer"."""

    def __init__(self, what: str, given: str, known: Collection[str]) -> None:
        self.what = what
        self.given = given
        self.known = sorted(known)
        self.suggestion = did_you_mean(given, self.known)
        super().__init__(unknown_message(what, given, self.known, self.suggestion))


def did_you_mean(given: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``given``, if it is close enough; else None."""
    names = {name[:CAP]: name for name in known}
    if not names:
        return None
    # Imported here: every command imports this module, and only a typo needs rapidfuzz (10 ms).
    from rapidfuzz import fuzz, process

    best = process.extractOne(given[:CAP], list(names), scorer=fuzz.WRatio)
    if best is None or best[1] < MIN_SCORE:
        return None
    return names[best[0]]


def unknown_message(what: str, given: str, known: list[str], suggestion: str | None) -> str:
    """``unknown slice 'lenght'; did you mean 'length'? known: length, topic``."""
    text = f"unknown {what} {given!r}"
    if suggestion is not None:
        text += f"; did you mean {suggestion!r}?"
    if not known:
        return text + f" (there is no {what} in this store)"
    shown = ", ".join(repr(name) for name in known[:MAX_LISTED])
    more = f" and {len(known) - MAX_LISTED} more" if len(known) > MAX_LISTED else ""
    return f"{text}; known: {shown}{more}" if suggestion is None else f"{text} Known: {shown}{more}"


def check_known(what: str, given: str, known: Collection[str]) -> None:
    """Raise :class:`UnknownName` unless ``given`` is one of ``known``.

    When nothing is known (a store without cases or labels yet) there is nothing to check
    against: no name is refused, and the command says its result is empty in its own words.
    """
    if known and given not in known:
        raise UnknownName(what, given, known)
