"""Reading TOML that a person wrote (taxonomy and gates files), every failure worded.

``tomllib.loads`` raises :class:`tomllib.TOMLDecodeError` for a syntax error, but also
``RecursionError`` on arrays or inline tables nested a few hundred levels deep, and a plain
``ValueError`` on an integer of more than 4,300 decimal digits (Python's limit on converting
text to ``int``). :func:`loads_toml` turns all three into :class:`TomlInputError`, with the
line when it can be found, so no caller shows a traceback for a file a user wrote.

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
from typing import Any

DEEP_NESTING = 100
"""Nesting depth reported as the place where a too-deeply nested value starts."""

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


class TomlInputError(ValueError):
    """TOML that cannot be read: ``line`` (or None) and a reason a person can act on."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason

    def located(self, source: str) -> str:
        """``source:line: reason`` (``source: reason`` when the line is not known)."""
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.reason}"


def loads_toml(text: str) -> dict[str, Any]:
    """Parse TOML text; raise :class:`TomlInputError` for anything that is not usable TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_LINE.search(message)
        line = int(found.group(1)) if found else None
        if line is None and "end of document" in message:
            line = max(1, len(text.splitlines()))
        raise TomlInputError(line, f"not valid TOML: {message}") from None
    except RecursionError:
        raise TomlInputError(
            deep_nesting_line(text),
            "not usable TOML: arrays or inline tables are nested too deeply to read "
            f"(more than {DEEP_NESTING} levels from this line); remove the nesting",
        ) from None
    except ValueError as exc:  # int() refuses more than sys.get_int_max_str_digits() digits
        limit = sys.get_int_max_str_digits()
        if "digits" not in str(exc):
            raise TomlInputError(None, f"not usable TOML: {exc}") from None
        raise TomlInputError(
            long_integer_line(text, limit),
            f"not usable TOML: an integer has more than {limit:,} digits, more than Python "
            "reads; write a smaller number",
        ) from None


def _code_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, character)`` for each character outside strings and comments.

    A string or comment is yielded as one space, so that it separates what is around it.
    """
    i, line, n = 0, 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            yield line - 1, ch
            i += 1
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            yield line, " "
        elif ch in "\"'":
            triple = text.startswith(ch * 3, i)
            quote = ch * 3 if triple else ch
            j = i + len(quote)
            while j < n:
                if ch == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    j += len(quote)
                    break
                if text[j] == "\n" and not triple:
                    break  # an unclosed one-line string: tomllib would have said so
                j += 1
            yield line, " "
            line += text.count("\n", i, min(j, n))
            i = j
        else:
            yield line, ch
            i += 1


def deep_nesting_line(text: str, depth: int = DEEP_NESTING) -> int | None:
    """The line where brackets and braces (outside strings) first nest ``depth`` deep."""
    level = 0
    for line, ch in _code_lines(text):
        if ch in "[{":
            level += 1
            if level > depth:
                return line
        elif ch in "]}":
            level = max(0, level - 1)
    return None


def long_integer_line(text: str, limit: int) -> int | None:
    """The line of the first run of more than ``limit`` decimal digits outside strings."""
    digits = 0
    for line, ch in _code_lines(text):
        if "0" <= ch <= "9":
            digits += 1
            if digits > limit:
                return line
        elif ch != "_":
            digits = 0
    return None


def decode_toml_bytes(raw: bytes) -> str:
    """The text of a TOML file: UTF-8, a byte-order mark allowed; else :class:`TomlInputError`
    naming the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
        hint = " (it looks like UTF-16)" if utf16 else ""
        raise TomlInputError(
            line,
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start:,} cannot be "
            f"read{hint}; save the file as UTF-8",
        ) from None
