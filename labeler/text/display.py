"""Make untrusted text safe to show in a terminal UI.

Everything a reviewer sees (case text, model output, notes, ids, slice names, file names) is
untrusted. The store keeps the raw text; only what is *displayed* goes through this module.

`make_safe` maps every control and invisible character to a visible stand-in, so that nothing
in the text can talk to the terminal (ESC sequences, 8-bit C1 controls, NUL), hide or reorder
what the reviewer reads (bidi controls, zero-width and tag characters, lone CR), or break the
line structure (U+2028/U+2029, VT, FF). It also says which kinds of hidden characters it found,
so the UI can show a badge: for someone auditing AI failures, hidden characters are evidence.

Mapping (every other character is left alone):

* ESC -> "␛", NUL -> "␀", a lone CR -> "␍" (CRLF becomes LF and is not flagged), other C0
  controls -> the Control Pictures block (U+2400 + code), DEL -> "␡". TAB and LF are kept.
* C1 controls (U+0080-U+009F), bidi controls, zero-width characters, tag characters
  (U+E0000-U+E007F), every other format character (category Cf, e.g. the soft hyphen) and the
  line/paragraph separators U+2028/U+2029 -> a "⟨U+202E⟩"-style stand-in.
* Lone surrogates -> U+FFFD.
* ZERO WIDTH JOINER (U+200D) and ZERO WIDTH NON-JOINER are always revealed, even inside emoji
  sequences or Indic/Persian words: they are format characters that can smuggle or disguise
  text, and the output is guaranteed to contain no format character at all. The price is that
  a family emoji shows as "👨⟨U+200D⟩👩" and the case gets a "zero-width" badge.
* Variation selectors: the emoji/text presentation selectors U+FE0E and U+FE0F are kept when
  they directly follow a visible character (so "❤️" stays as it is). Every other variation
  selector (U+FE00-U+FE0D, U+E0100-U+E01EF), and any selector that follows a space, a control,
  another selector or the start of the text, is revealed as "⟨U+E0100⟩" (kind
  "variation-selector"): runs of selectors are a known way to hide data inside an emoji.

A literal "⟨U+202E⟩" typed in the raw text looks the same as a revealed one; the `hidden` badge
tells them apart.

Limits: text over `max_chars` characters is cut and ends with a plain-text note line
"… [truncated: showing 200,000 of 1,048,576 characters]"; more than `max_lines` lines are cut
with a similar note; a line longer than `max_line_chars` is cut and marked with "…". Without a
limit being hit, `make_safe(make_safe(x).text).text == make_safe(x).text`.

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import functools
import re
from typing import Final, NamedTuple

__all__ = ["HIDDEN_KINDS", "SafeText", "make_safe", "safe_inline"]

#: Every kind name `SafeText.hidden` can contain, in the order it lists them.
HIDDEN_KINDS: Final[tuple[str, ...]] = (
    "escape",
    "nul",
    "carriage-return",
    "control",
    "c1-control",
    "bidi",
    "zero-width",
    "tag",
    "format",
    "separator",
    "variation-selector",
    "surrogate",
)

# (first, last, kind) code point ranges of characters that are always replaced.
# The format ("Cf") ranges cover Unicode 15.1; tests check them against `unicodedata`.
_RANGES: Final[tuple[tuple[int, int, str], ...]] = (
    (0x00, 0x00, "nul"),
    (0x01, 0x08, "control"),
    (0x0B, 0x0C, "control"),
    (0x0D, 0x0D, "carriage-return"),
    (0x0E, 0x1A, "control"),
    (0x1B, 0x1B, "escape"),
    (0x1C, 0x1F, "control"),
    (0x7F, 0x7F, "control"),
    (0x80, 0x9F, "c1-control"),
    (0xAD, 0xAD, "format"),
    (0x600, 0x605, "format"),
    (0x61C, 0x61C, "bidi"),
    (0x6DD, 0x6DD, "format"),
    (0x70F, 0x70F, "format"),
    (0x890, 0x891, "format"),
    (0x8E2, 0x8E2, "format"),
    (0x180E, 0x180E, "zero-width"),
    (0x200B, 0x200D, "zero-width"),
    (0x200E, 0x200F, "bidi"),
    (0x2028, 0x2029, "separator"),
    (0x202A, 0x202E, "bidi"),
    (0x2060, 0x2064, "zero-width"),
    (0x2066, 0x2069, "bidi"),
    (0x206A, 0x206F, "format"),
    (0xD800, 0xDFFF, "surrogate"),
    (0xFEFF, 0xFEFF, "zero-width"),
    (0xFFF9, 0xFFFB, "format"),
    (0x110BD, 0x110BD, "format"),
    (0x110CD, 0x110CD, "format"),
    (0x13430, 0x1343F, "format"),
    (0x1BCA0, 0x1BCA3, "format"),
    (0x1D173, 0x1D17A, "format"),
    (0xE0000, 0xE007F, "tag"),
)

_VS_RANGES: Final[tuple[tuple[int, int], ...]] = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_PRESENTATION_SELECTORS: Final[frozenset[str]] = frozenset("\ufe0e\ufe0f")

_SPECIAL_PICTURES: Final[dict[int, str]] = {0x7F: "\u2421"}  # DEL -> ␡


def _code_label(code: int) -> str:
    return f"⟨U+{code:04X}⟩"


def _stand_in(code: int, kind: str) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ␛ ␍ and the rest of the Control Pictures block
    if code in _SPECIAL_PICTURES:
        return _SPECIAL_PICTURES[code]
    if kind == "surrogate":
        return "\ufffd"
    return _code_label(code)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    parts = []
    for first, last in ranges:
        if first == last:
            parts.append(f"\\U{first:08x}")
        else:
            parts.append(f"\\U{first:08x}-\\U{last:08x}")
    return "[" + "".join(parts) + "]"


# Deleting ASCII controls keeps str.translate on CPython's all-ASCII fast path: a length
# change means something must be replaced.
_ASCII_DELETE: Final[dict[int, None]] = {
    code: None for first, last, _ in _RANGES for code in range(first, min(last, 0x7F) + 1)
}


class _Tables(NamedTuple):
    """What non-ASCII text needs: built on first use (about 4 ms, which every command that
    only prints ASCII would pay at start-up)."""

    stand_in: dict[str, str]
    kind_of: dict[str, str]
    translate: dict[int, str]
    hidden_re: re.Pattern[str]
    vs_re: re.Pattern[str]
    any_re: re.Pattern[str]
    not_a_base: frozenset[str]


@functools.cache
def _tables() -> _Tables:
    stand_in: dict[str, str] = {}
    kind_of: dict[str, str] = {}
    for first, last, kind in _RANGES:
        for code in range(first, last + 1):
            stand_in[chr(code)] = _stand_in(code, kind)
            kind_of[chr(code)] = kind
    hidden = tuple((first, last) for first, last, _ in _RANGES)
    return _Tables(
        stand_in=stand_in,
        kind_of=kind_of,
        translate={ord(c): s for c, s in stand_in.items()},
        hidden_re=re.compile(_char_class(hidden)),
        vs_re=re.compile(_char_class(_VS_RANGES)),
        any_re=re.compile(_char_class(hidden + _VS_RANGES)),
        not_a_base=frozenset(stand_in)
        | frozenset(chr(code) for first, last in _VS_RANGES for code in range(first, last + 1)),
    )


# Above this many distinct hidden characters one translate pass beats repeated str.replace.
_REPLACE_LOOP_LIMIT: Final = 16
_KIND_RANK: Final[dict[str, int]] = {kind: rank for rank, kind in enumerate(HIDDEN_KINDS)}


class SafeText(NamedTuple):
    """Text ready for display, and what had to be done to make it so.

    `text` contains no control character except TAB and LF, no format, surrogate or
    line/paragraph separator character, and no ESC. `hidden` names the kinds of hidden
    characters found (see `HIDDEN_KINDS`), `truncated` says a limit cut the text, and
    `original_length` is the length of the raw text in characters.
    """

    text: str
    hidden: tuple[str, ...]
    truncated: bool
    original_length: int

    @property
    def has_hidden(self) -> bool:
        """True when the raw text contained any hidden or control character."""
        return bool(self.hidden)


def _reveal_selectors(body: str, kinds: set[str]) -> str:
    """Reveal variation selectors that do not directly follow a visible character."""
    not_a_base = _tables().not_a_base

    def replace(match: re.Match[str]) -> str:
        selector = match.group()
        start = match.start()
        if selector in _PRESENTATION_SELECTORS and start > 0:
            previous = body[start - 1]
            if previous not in not_a_base and not previous.isspace():
                return selector
        kinds.add("variation-selector")
        return _code_label(ord(selector))

    return _tables().vs_re.sub(replace, body)


def _reveal(body: str) -> tuple[str, set[str]]:
    """Replace hidden characters in `body` (CRLF already normalised); return the kinds found."""
    kinds: set[str] = set()
    if body.isascii():
        if len(body.translate(_ASCII_DELETE)) == len(body):
            return body, kinds
        tables = _tables()
    else:
        tables = _tables()
        if tables.any_re.search(body) is None:
            return body, kinds
        if tables.vs_re.search(body) is not None:
            body = _reveal_selectors(body, kinds)
    found = set(tables.hidden_re.findall(body))
    if not found:
        return body, kinds
    kinds.update(tables.kind_of[char] for char in found)
    if len(found) <= _REPLACE_LOOP_LIMIT:
        for char in found:
            body = body.replace(char, tables.stand_in[char])
    else:
        body = body.translate(tables.translate)
    return body, kinds


def _has_long_line(body: str, max_line_chars: int) -> bool:
    """True if some line of `body` is longer than `max_line_chars` (no per-line Python loop)."""
    position = 0
    end = len(body)
    while end - position > max_line_chars:
        # The last LF within the next max_line_chars + 1 characters ends the current line in
        # time; without one, the line starting at `position` is too long.
        newline = body.rfind("\n", position, position + max_line_chars + 1)
        if newline == -1:
            return True
        position = newline + 1
    return False


def _cut_long_lines(body: str, max_line_chars: int) -> tuple[str, bool]:
    if not _has_long_line(body, max_line_chars):
        return body, False
    cut_lines = [
        line
        if len(line) <= max_line_chars
        else f"{line[:max_line_chars]}… [line truncated: showing {max_line_chars:,} "
        f"of {len(line):,} characters]"
        for line in body.split("\n")
    ]
    return "\n".join(cut_lines), True


def _check_limit(name: str, value: int) -> None:
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")


def make_safe(
    text: str | None,
    *,
    max_chars: int = 200_000,
    max_lines: int = 5_000,
    max_line_chars: int = 10_000,
) -> SafeText:
    """Return `text` with every control and invisible character made visible, within limits.

    `None` is treated as an empty text. See the module docstring for the mapping. When the
    raw text is longer than `max_chars` characters, has more than `max_lines` lines, or has a
    line longer than `max_line_chars` characters, it is cut and a plain-text note says so;
    `truncated` is then True. Raises `ValueError` if a limit is below 1.
    """
    _check_limit("max_chars", max_chars)
    _check_limit("max_lines", max_lines)
    _check_limit("max_line_chars", max_line_chars)
    if text is None:
        text = ""
    original_length = len(text)
    notes: list[str] = []
    body = text
    if len(body) > max_chars:
        cut = max_chars
        if body[cut - 1] == "\r" and body[cut] == "\n":
            cut -= 1  # do not turn half of a CRLF into a lone CR
        body = body[:cut]
        notes.append(f"… [truncated: showing {cut:,} of {original_length:,} characters]")
    if "\r" in body:
        body = body.replace("\r\n", "\n")
    if body.count("\n") >= max_lines:
        body = "\n".join(body.split("\n", max_lines)[:max_lines])
        total_lines = text.count("\n") + 1
        notes.insert(0, f"… [truncated: showing {max_lines:,} of {total_lines:,} lines]")
    body, lines_cut = _cut_long_lines(body, max_line_chars)
    body, kinds = _reveal(body)
    if notes:
        body = "\n".join([body, *notes])
    return SafeText(
        text=body,
        hidden=tuple(sorted(kinds, key=_KIND_RANK.__getitem__)),
        truncated=bool(notes) or lines_cut,
        original_length=original_length,
    )


def safe_inline(text: str | None, max_chars: int = 200) -> str:
    """Return `text` as one safe line of at most `max_chars` characters.

    For ids, slice names and values, meta values and file names in headers and toasts. Hidden
    characters are revealed as by `make_safe`; in addition LF becomes "␊" and TAB "␉" (CRLF
    counts as one LF). A longer result is cut and ends with "…", never in the middle of a
    "⟨U+…⟩" stand-in. Raises `ValueError` if `max_chars` is below 1.
    """
    _check_limit("max_chars", max_chars)
    if not text:
        return ""
    # Every raw character gives at least one output character except CRLF (two give one),
    # so this prefix always yields more than max_chars characters when the text is cut.
    raw = text[: 2 * max_chars + 2]
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n")
    body, _ = _reveal(raw)
    if "\n" in body or "\t" in body:
        body = body.replace("\n", "\u240a").replace("\t", "\u2409")
    if len(body) <= max_chars:
        return body
    head = body[: max_chars - 1]
    opening = head.rfind("⟨")
    if opening != -1 and "⟩" not in head[opening:]:
        head = head[:opening]
    return head + "…"
