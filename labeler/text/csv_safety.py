"""Neutralise spreadsheet formulas in CSV cells, in a way that can be undone exactly.

A spreadsheet that opens a CSV file runs a cell as a formula (or a DDE command) when the cell
starts with ``=``, ``+``, ``-`` or ``@``, also after leading blanks, and also with the
full-width forms. Text written by a model or a user must never run on a reviewer's machine.

The rule
--------
1. A cell is *dangerous* when either

   * its first character is TAB or CR, or
   * after skipping leading whitespace and invisible characters it starts with one of
     ``= + - @`` or their full-width forms ``＝ ＋ － ＠`` (U+FF1D, U+FF0B, U+FF0D, U+FF20).

   "Whitespace and invisible characters" are: every Unicode whitespace character (space, TAB,
   LF, VT, FF, CR, NBSP, U+3000 IDEOGRAPHIC SPACE, ...), every C0 and C1 control character,
   and the zero-width, bidi and byte-order-mark characters (U+200B-U+200F, U+2028-U+202E,
   U+2060-U+206F, U+FEFF). Skipping more than a spreadsheet does only costs an apostrophe.
2. ``neutralise`` puts one apostrophe ``'`` in front of a dangerous cell, **and** in front of
   every cell that already starts with an apostrophe. No other cell changes.
3. ``restore`` removes exactly one leading apostrophe if there is one; nothing else.

So ``restore(neutralise(x)) == x`` for every string ``x``: a neutralised cell starts with an
apostrophe exactly when the rule added one. ``restore`` is only meant for cells that
``neutralise`` produced.

Consequences worth knowing:

* Negative numbers stored as text, like ``-5`` or ``-0.25``, get the apostrophe too
  (``'-5``): a spreadsheet shows them as text, not numbers. That is the price of never running
  ``-2+3+cmd|...``; the raw (non-spreadsheet) export keeps them as they are.
* ``'hello`` becomes ``''hello``; ``'=1`` becomes ``''=1``.
* Cells such as ``1-2``, ``a=b`` or ``hello`` are untouched.

CSV itself: Python's ``csv`` module, with files opened with ``newline=''``, round-trips quotes,
commas, CR, LF and CRLF inside cells exactly, and since Python 3.11 also NUL characters
(older versions refused to read them). Its reader refuses fields over 131,072 characters
unless ``csv.field_size_limit`` is raised.

This module is part of the pure core: standard library only.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["FORMULA_PREFIXES", "is_dangerous", "neutralise", "restore"]

#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES: Final[frozenset[str]] = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")

_LEADING_BLANKS: Final[re.Pattern[str]] = re.compile(
    "[\\s\\x00-\\x1f\\x7f-\\x9f\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff]*"
)
_APOSTROPHE: Final = "'"


def is_dangerous(cell: str) -> bool:
    """Return True if a spreadsheet could read `cell` as a formula (see the module rule)."""
    if not cell:
        return False
    if cell[0] in "\t\r":
        return True
    start = _LEADING_BLANKS.match(cell)
    position = start.end() if start is not None else 0
    return position < len(cell) and cell[position] in FORMULA_PREFIXES


def neutralise(cell: str) -> str:
    """Return `cell` safe to open in a spreadsheet: prefix "'" if dangerous or starting with "'".

    The change is undone exactly by `restore`.
    """
    if cell.startswith(_APOSTROPHE) or is_dangerous(cell):
        return _APOSTROPHE + cell
    return cell


def restore(cell: str) -> str:
    """Undo `neutralise`: remove exactly one leading apostrophe, if there is one."""
    if cell.startswith(_APOSTROPHE):
        return cell[1:]
    return cell
