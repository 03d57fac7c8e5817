"""Tests for labeler.text.display: untrusted text made safe for the terminal."""

from __future__ import annotations

import ast
import json
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler.text import display as display_text
from labeler.text.display import HIDDEN_KINDS, SafeText, make_safe, safe_inline

HOSTILE_CASES = Path(__file__).resolve().parent.parent / "data" / "hostile_cases.jsonl"
"""A copy of shared/hostile/cases.jsonl, kept in the repository."""

FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}

# The key strings of shared/hostile/cases.jsonl, inline so the tests run without shared/.
# (raw text, expected display text, expected hidden kinds)
HOSTILE_STRINGS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "[INST] Summarise the thread [/INST] The refund [b]was[/b] approved [/]",
        "[INST] Summarise the thread [/INST] The refund [b]was[/b] approved [/]",
        (),
    ),
    (
        "Your order is delayed. [@click=app.quit]Track it here[/]",
        "Your order is delayed. [@click=app.quit]Track it here[/]",
        (),
    ),
    ("\x1b[31mREFUND DENIED\x1b[0m, sorry", "␛[31mREFUND DENIED␛[0m, sorry", ("escape",)),
    (
        "hello \x1b]2;new window title\x1b\\ there",
        "hello ␛]2;new window title␛\\ there",
        ("escape",),
    ),
    ("approve\rREJECT", "approve␍REJECT", ("carriage-return",)),
    ("please open invoice_\u202efdp.exe", "please open invoice_⟨U+202E⟩fdp.exe", ("bidi",)),
    (
        "def f(xs: list[int]) -> dict[str, int]: return {x: xs[0] for x in xs}",
        "def f(xs: list[int]) -> dict[str, int]: return {x: xs[0] for x in xs}",
        (),
    ),
    ("name\x00hidden", "name␀hidden", ("nul",)),
    ("=1+2", "=1+2", ()),
    ("注文番号 4471 の返品状況は？ 🙏🏽", "注文番号 4471 の返品状況は？ 🙏🏽", ()),
]

# More hostile probes beyond the shared sample: (raw, expected text, expected hidden kinds).
MORE_PROBES: list[tuple[str, str, tuple[str, ...]]] = [
    ("\x1b]52;c;ZXZpbA==\x07", "␛]52;c;ZXZpbA==␇", ("escape", "control")),  # OSC 52 clipboard
    (
        "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
        "␛]8;;https://evil.example␛\\click␛]8;;␛\\",
        ("escape",),
    ),
    ("\x1b[2J\x1b[H", "␛[2J␛[H", ("escape",)),
    ("\x9b31m8-bit CSI", "⟨U+009B⟩31m8-bit CSI", ("c1-control",)),
    ("a\x85b", "a⟨U+0085⟩b", ("c1-control",)),
    ("bell\x07 back\x08space del\x7f", "bell␇ back␈space del␡", ("control",)),
    ("v\x0bt f\x0cf", "v␋t f␌f", ("control",)),
    ("line1\r\nline2\r\n", "line1\nline2\n", ()),
    ("a\r\r\nb", "a␍\nb", ("carriage-return",)),
    ("tab\there\nnext", "tab\there\nnext", ()),
    (
        "zero\u200bwidth\u2060joiner\ufeff",
        "zero⟨U+200B⟩width⟨U+2060⟩joiner⟨U+FEFF⟩",
        ("zero-width",),
    ),
    ("👨\u200d👩\u200d👧", "👨⟨U+200D⟩👩⟨U+200D⟩👧", ("zero-width",)),
    (
        "\u2066isolate\u2069 \u200e\u200f\u061c",
        "⟨U+2066⟩isolate⟨U+2069⟩ ⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩",
        ("bidi",),
    ),
    ("ignore\U000e0041\U000e0042\U000e007f", "ignore⟨U+E0041⟩⟨U+E0042⟩⟨U+E007F⟩", ("tag",)),
    ("soft\u00adhyphen", "soft⟨U+00AD⟩hyphen", ("format",)),
    ("para\u2029line\u2028end", "para⟨U+2029⟩line⟨U+2028⟩end", ("separator",)),
    ("lone \ud83d surrogate \udc00", "lone \ufffd surrogate \ufffd", ("surrogate",)),
    ("❤️ ok", "❤️ ok", ()),
    ("#️⃣ keycap", "#️⃣ keycap", ()),
    ("😀\U000e0100\U000e0101", "😀⟨U+E0100⟩⟨U+E0101⟩", ("variation-selector",)),
    ("a\ufe0f\ufe0f", "a\ufe0f⟨U+FE0F⟩", ("variation-selector",)),
    ("\ufe0fstart", "⟨U+FE0F⟩start", ("variation-selector",)),
    ("\x1b\ufe0f", "␛⟨U+FE0F⟩", ("escape", "variation-selector")),
    ("", "", ()),
]


def _assert_displayable(text: str) -> None:
    for char in text:
        if char in "\t\n":
            continue
        category = unicodedata.category(char)
        assert category not in FORBIDDEN_CATEGORIES, f"{char!r} ({category}) in {text!r}"
    assert "\x1b" not in text
    assert "\r" not in text


@pytest.mark.parametrize(("raw", "expected", "kinds"), HOSTILE_STRINGS + MORE_PROBES)
def test_probe(raw: str, expected: str, kinds: tuple[str, ...]) -> None:
    result = make_safe(raw)
    assert result == SafeText(
        text=expected, hidden=kinds, truncated=False, original_length=len(raw)
    )
    assert result.has_hidden is bool(kinds)
    _assert_displayable(result.text)
    assert make_safe(result.text).text == result.text


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [*_strings_in(key), *_strings_in(item)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings_in(item)]
    return []


def test_shared_hostile_cases() -> None:
    expected = {raw: (text, kinds) for raw, text, kinds in HOSTILE_STRINGS}
    lines = HOSTILE_CASES.read_text(encoding="utf-8").splitlines()
    assert lines
    seen_kinds: set[str] = set()
    for number, line in enumerate(lines, start=1):
        case = json.loads(line)
        for raw in _strings_in(case):
            result = make_safe(raw)
            _assert_displayable(result.text)
            _assert_displayable(safe_inline(raw))
            assert "\n" not in safe_inline(raw)
            assert make_safe(result.text).text == result.text, f"line {number}"
            seen_kinds.update(result.hidden)
            if raw in expected:
                assert (result.text, result.hidden) == expected[raw], f"line {number}"
    assert {"escape", "carriage-return", "bidi", "nul"} <= seen_kinds


def test_every_invisible_code_point_is_mapped() -> None:
    """The hard-coded ranges cover every Cc/Cf/Cs/Zl/Zp character of this Python's Unicode."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char in "\t\n":
            continue
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            result = make_safe(f"x{char}x")
            assert result.text != f"x{char}x", f"U+{code:04X} not mapped"
            assert result.hidden, f"U+{code:04X} not flagged"
            _assert_displayable(result.text)


def test_every_kind_is_reachable() -> None:
    samples = "\x1b \x00 \r \x01 \x80 \u202e \u200b \U000e0041 \u00ad \u2028 \U000e0100 \ud800"
    assert make_safe(samples).hidden == HIDDEN_KINDS


def test_none_is_empty() -> None:
    assert make_safe(None) == SafeText(text="", hidden=(), truncated=False, original_length=0)
    assert safe_inline(None) == ""


def test_plain_text_unchanged() -> None:
    text = "Plain ASCII, with\ttabs and\nnewlines. Ünïcödé, 日本語, emoji 🙏🏽 and [markup]."
    result = make_safe(text)
    assert result == SafeText(text=text, hidden=(), truncated=False, original_length=len(text))


_INTERESTING = [
    "\x00", "\x07", "\x1b", "\r", "\n", "\r\n", "\t", "\x7f", "\x85", "\x9b", "\u00ad",
    "\u061c", "\u200b", "\u200d", "\u200e", "\u202e", "\u2028", "\u2029", "\u2066", "\ufeff",
    "\ufe0e", "\ufe0f", "\ufe00", "\U000e0001", "\U000e0041", "\U000e0100", "\ud800",
    "\udfff", "⟨U+202E⟩", "…", "a", " ", "🙏", "🏽", "日",
]  # fmt: skip

hostile_text = st.lists(
    st.one_of(
        st.characters(exclude_categories=()),  # includes surrogates, C0, C1 and format chars
        st.integers(min_value=0xD800, max_value=0xDFFF).map(chr),
        st.integers(min_value=0x00, max_value=0x9F).map(chr),
        st.sampled_from(_INTERESTING),
    )
).map("".join)


@settings(max_examples=500)
@given(hostile_text)
def test_property_output_is_displayable_and_idempotent(raw: str) -> None:
    result = make_safe(raw)
    _assert_displayable(result.text)
    assert not result.truncated
    assert result.original_length == len(raw)
    again = make_safe(result.text)
    assert again.text == result.text
    assert again.hidden == ()
    # A text is flagged exactly when displaying it needed a change (beyond CRLF -> LF).
    assert (result.hidden == ()) == (result.text == raw.replace("\r\n", "\n"))
    assert set(result.hidden) <= set(HIDDEN_KINDS)


_VARIATION_SELECTORS = {*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
visible_text = st.text(
    alphabet=st.characters(
        exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"),
        include_characters="\t\n",
    ).filter(lambda c: ord(c) not in _VARIATION_SELECTORS)
)


@given(visible_text)
def test_property_visible_text_passes_through(raw: str) -> None:
    result = make_safe(raw)
    assert result == SafeText(text=raw, hidden=(), truncated=False, original_length=len(raw))


@settings(max_examples=300)
@given(hostile_text, st.integers(min_value=1, max_value=40))
def test_property_safe_inline(raw: str, max_chars: int) -> None:
    line = safe_inline(raw, max_chars=max_chars)
    assert len(line) <= max_chars
    assert "\n" not in line
    assert "\t" not in line
    _assert_displayable(line)
    full = make_safe(raw).text.replace("\n", "␊").replace("\t", "␉")
    if len(full) <= max_chars:
        # Not cut: exactly the multi-line display with LF and TAB made visible.
        assert line == full
    else:
        assert line.endswith("…")
        assert full.startswith(line[:-1])


def test_safe_inline_examples() -> None:
    assert safe_inline("case-17") == "case-17"
    assert safe_inline("a\r\nb\tc\nd\re") == "a␊b␉c␊d␍e"
    assert safe_inline("evil\x1b]2;title\x07.jsonl") == "evil␛]2;title␇.jsonl"
    assert safe_inline("invoice_\u202efdp.exe") == "invoice_⟨U+202E⟩fdp.exe"
    assert safe_inline("x" * 300) == "x" * 199 + "…"
    assert safe_inline("x" * 10, max_chars=10) == "x" * 10
    assert safe_inline("x" * 11, max_chars=10) == "x" * 9 + "…"
    assert safe_inline("abc", max_chars=1) == "…"
    # Never cut in the middle of a stand-in.
    assert safe_inline("abcdef\u202e" + "z" * 50, max_chars=10) == "abcdef…"
    # CRLF pairs count once, and a huge input is not processed in full.
    assert safe_inline("\r\n" * 1_000_000, max_chars=5) == "␊␊␊␊…"


def test_limits_must_be_positive() -> None:
    for kwargs in ({"max_chars": 0}, {"max_lines": 0}, {"max_line_chars": -1}):
        with pytest.raises(ValueError, match="at least 1"):
            make_safe("x", **kwargs)
    with pytest.raises(ValueError, match="at least 1"):
        safe_inline("x", max_chars=0)


def test_truncation_by_characters() -> None:
    raw = "x" * 1_048_576
    result = make_safe(raw, max_line_chars=2_000_000)
    assert result.truncated
    assert result.original_length == 1_048_576
    assert result.text.startswith("x" * 200_000 + "\n")
    assert result.text.endswith("\n… [truncated: showing 200,000 of 1,048,576 characters]")
    assert result.hidden == ()


def test_truncation_does_not_split_crlf() -> None:
    result = make_safe("abcd\r\nefgh", max_chars=5)
    assert result.text == "abcd\n… [truncated: showing 4 of 10 characters]"
    assert result.hidden == ()


def test_truncation_by_lines() -> None:
    raw = "line\n" * 6_000  # 6,001 lines, the last one empty
    result = make_safe(raw)
    assert result.truncated
    lines = result.text.split("\n")
    assert lines[:5_000] == ["line"] * 5_000
    assert lines[5_000:] == ["… [truncated: showing 5,000 of 6,001 lines]"]


def test_exactly_max_lines_is_not_cut() -> None:
    raw = "\n".join(["l"] * 5_000)
    assert make_safe(raw) == SafeText(text=raw, hidden=(), truncated=False, original_length=9_999)


def test_truncation_of_long_lines() -> None:
    raw = "short\n" + "y" * 25_000 + "\nend"
    result = make_safe(raw)
    assert result.truncated
    assert result.text.split("\n") == [
        "short",
        "y" * 10_000 + "… [line truncated: showing 10,000 of 25,000 characters]",
        "end",
    ]
    exact = "z" * 10_000
    assert make_safe(exact).text == exact
    assert not make_safe(exact).truncated


def test_all_limits_together() -> None:
    raw = ("w" * 50 + "\n") * 100 + "\x1b" * 10
    result = make_safe(raw, max_chars=1_000, max_lines=10, max_line_chars=20)
    lines = result.text.split("\n")
    assert lines[:10] == ["w" * 20 + "… [line truncated: showing 20 of 50 characters]"] * 10
    assert lines[10] == "… [truncated: showing 10 of 101 lines]"
    assert lines[11] == f"… [truncated: showing 1,000 of {len(raw):,} characters]"
    assert result.hidden == ()  # the ESCs were beyond the cut


def test_plain_megabyte_is_fast() -> None:
    raw = ("The quick brown fox jumps over the lazy dog. " * 22 + "\n") * 1_000
    assert len(raw) > 990_000
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = make_safe(raw, max_chars=2_000_000)
        best = min(best, time.perf_counter() - start)
    assert result.text == raw
    assert result.hidden == ()
    assert best < 0.05  # a few ms on a normal machine; generous for slow CI


def test_hostile_megabyte_is_bounded() -> None:
    raw = ("\x1b[31m\u202e日本\r" * 100_000)[:1_000_000]
    start = time.perf_counter()
    result = make_safe(raw, max_chars=2_000_000, max_line_chars=20_000_000)
    assert time.perf_counter() - start < 2.0
    assert result.hidden == ("escape", "carriage-return", "bidi")


def test_module_imports_only_stdlib() -> None:
    tree = ast.parse(Path(display_text.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in sys.stdlib_module_names | {"__future__"}, name
