"""Reasons a person can act on: pydantic's validation errors and lone surrogates, put in words.

Pydantic's messages name union branches (``input.list[ChatTurn].0.content``) and link to its
documentation; here each error names the field path as the user wrote it (``input[0].content``)
and what was expected there, briefly. Keys and values from the file are made safe to print.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from labeler.text.display import safe_inline

if TYPE_CHECKING:  # (a parse worker starts without pydantic: see labeler.importing.workers)
    from pydantic import ValidationError

MISSING_OUTPUT = 'no `output` key: add "output": null when the model produced nothing'
MISSING_INPUT = (
    "no `input` key: every case needs the user's input "
    '(a string, or a list of {"role": ..., "content": ...} turns)'
)
MAX_REASONS = 3
"""At most this many errors are described for one record; the rest are counted."""

_UNION_TAG = re.compile(r"^(str|none|ChatTurn|ContextDoc|(list|dict|union|function-\w+)\[.*\])$")

_EXPECTED: dict[tuple[str, ...], str] = {
    ("id",): "a non-empty string (or leave `id` out to use a content hash)",
    ("input",): 'a string, or a list of {"role": ..., "content": ...} turns',
    ("input", "*"): 'a {"role": ..., "content": ...} turn',
    ("input", "*", "role"): "a non-empty string",
    ("input", "*", "content"): "a string",
    ("context",): 'a string, a list of strings or {"text": ...} documents, or null',
    ("context", "*"): 'a string or a {"text": ..., "title": ..., "source": ...} document',
    ("context", "*", "text"): "a string",
    ("context", "*", "title"): "a string or null",
    ("context", "*", "source"): "a string or null",
    ("output",): "a string, or null when the model produced nothing",
    ("slices",): 'an object of names to short texts, e.g. {"length": "long"}',
    ("slices", "*"): "a string, number or boolean",
    ("meta",): "an object",
}
_ALLOWED_KEYS = {
    "input": "a turn has `role` and `content`",
    "context": "a document has `text`, `title` and `source`",
}


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, with an article: ``a number``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown_key(key: object, max_chars: int = 60) -> str:
    """A key or id from the file, safe to print, in backquotes."""
    return f"`{safe_inline(str(key), max_chars)}`"


def path_text(path: Sequence[str | int]) -> str:
    """``("input", 0, "content")`` as ``input[0].content``; keys made safe."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            shown = safe_inline(part, 60)
            out += shown if not out else f".{shown}"
    return out or "the record"


def _clean_loc(loc: Sequence[str | int], keep_last: bool) -> tuple[str | int, ...]:
    """Drop pydantic's union branch tags from a location (not user keys in slices or meta)."""
    if not loc or loc[0] not in ("input", "context"):
        return tuple(loc)
    last = len(loc) - 1
    return tuple(
        part
        for i, part in enumerate(loc)
        if not (isinstance(part, str) and i > 0 and _UNION_TAG.match(part))
        or (keep_last and i == last)
    )


def _pattern(path: Sequence[str | int]) -> tuple[str, ...]:
    """The lookup key of a path: list indexes and slice names become ``*``."""
    out: list[str] = []
    for i, part in enumerate(path):
        if isinstance(part, int) or (i == 1 and path[0] == "slices"):
            out.append("*")
        else:
            out.append(str(part))
    return tuple(out)


def _one_error(path: tuple[str | int, ...], error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    where = f"`{path_text(path)}`"
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        if path == ("output",):
            return MISSING_OUTPUT
        if path == ("input",):
            return MISSING_INPUT
        parent, key = path[:-1], path[-1]
        return f"`{path_text(parent)}` has no {shown_key(key)} key"
    if kind == "extra_forbidden":
        parent, key = path[:-1], path[-1]
        hint = _ALLOWED_KEYS.get(str(path[0]), "")
        return f"`{path_text(parent)}` has an unknown key {shown_key(key)}" + (
            f" ({hint})" if hint else ""
        )
    if kind == "string_too_long":
        size = f"{len(value):,} characters" if isinstance(value, str) else "too long"
        return f"{where} is too large: {size}, the limit is {ctx.get('max_length', 0):,}"
    if kind == "too_long":
        return f"{where} has too many items (the limit is {ctx.get('max_length', 0):,})"
    if kind == "string_too_short":
        if path == ("id",):
            return "`id` is empty: give a non-empty id, or leave `id` out to use a content hash"
        return f"{where} is empty"
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        return f"{where}: {safe_inline(message, 200)}"
    expected = _EXPECTED.get(_pattern(path))
    if expected is not None and (kind.endswith("_type") or kind.endswith("_parsing")):
        return f"{where} should be {expected}, not {json_type(value)}"
    message = str(error.get("msg", "is not valid")).replace("Input should be", "should be")
    return f"{where} {safe_inline(message, 200)}"


def validation_reason(exc: ValidationError) -> str:
    """A short sentence for a record that failed validation."""
    errors = exc.errors(include_url=False)
    cleaned = [
        (_clean_loc(e["loc"], keep_last=e["type"] == "extra_forbidden"), dict(e)) for e in errors
    ]
    paths = [p for p, _ in cleaned]

    def has_deeper(path: tuple[str | int, ...]) -> bool:
        return any(len(other) > len(path) and other[: len(path)] == path for other in paths)

    reasons: list[str] = []
    for path, error in cleaned:
        if has_deeper(path):
            continue  # a union branch that failed only because another branch is the real one
        reason = _one_error(path, error)
        if reason not in reasons:
            reasons.append(reason)
    text = "; ".join(reasons[:MAX_REASONS])
    if len(reasons) > MAX_REASONS:
        text += f" (and {len(reasons) - MAX_REASONS} more problems in this record)"
    return text


def find_surrogate(value: Any) -> tuple[tuple[str | int, ...], int, str] | None:
    """Where the first lone surrogate is: (path, character index, the character), or None.

    Walks keys and values without recursion, so deep nesting cannot overflow the stack.
    """
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            found = _surrogate_at(item)
            if found is not None:
                return path, found, item[found]
        elif isinstance(item, dict):
            for key, sub in reversed(list(item.items())):
                found = _surrogate_at(str(key))
                if found is not None:
                    return (*path, str(key)), found, str(key)[found]
                stack.append(((*path, str(key)), sub))
        elif isinstance(item, list):
            for index in range(len(item) - 1, -1, -1):
                stack.append(((*path, index), item[index]))
    return None


def _surrogate_at(text: str) -> int | None:
    if text.isascii():
        return None
    for index, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":
            return index
    return None


def surrogate_reason(value: Any) -> str:
    """The reason for a JSON record holding a lone surrogate escape such as ``\\udc00``."""
    found = find_surrogate(value)
    if found is None:  # cannot happen when called after an encoding error; stay worded anyway
        return "holds text that is not valid Unicode (a lone surrogate); SQLite cannot store it"
    path, index, char = found
    return (
        f"`{path_text(path)}` holds an unpaired surrogate \\u{ord(char):04x} at character "
        f"{index + 1:,}: valid JSON, but not text SQLite can store. Fix the program that wrote "
        "the file (it split a UTF-16 pair), or replace the escape with \\ufffd"
    )
