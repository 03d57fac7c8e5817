"""Automatic hints about a case (invalid JSON output, slow answer or an unreadable latency),
shown only after labeling.

Hints are never labels and never counted; they are shown after the decision so they cannot
anchor it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from labeler.cases import Case
from labeler.settings import DEFAULT_LATENCY_THRESHOLD_MS, LATENCY_SETTING
from labeler.stats.latency import LATENCY_KEY, parse_latency_ms
from labeler.store.connection import Store
from labeler.text.display import safe_inline


def latency_threshold(store: Store) -> int:
    """The store's latency threshold in milliseconds (setting ``latency_threshold_ms``)."""
    value = store.setting(LATENCY_SETTING)
    try:
        return int(value) if value is not None else DEFAULT_LATENCY_THRESHOLD_MS
    except ValueError:
        return DEFAULT_LATENCY_THRESHOLD_MS


def output_is_json(output: str | None) -> bool:
    """True when the output parses as JSON (surrounding whitespace allowed)."""
    if output is None or not output.strip():
        return False
    try:
        json.loads(output)
    except ValueError:
        return False
    return True


def latency_hint(meta: Mapping[str, Any], latency_threshold_ms: int) -> str | None:
    """The hint about ``meta.latency_ms``, if any (see :mod:`labeler.stats.latency` for the
    rule)."""
    value = meta.get(LATENCY_KEY)
    if value is None:
        return None
    latency = parse_latency_ms(value)
    if latency is None:
        shown = safe_inline(json.dumps(value, ensure_ascii=False, default=str), 40)
        return f"latency_ms {shown} is not a readable latency (the gate leaves it out)"
    if latency > latency_threshold_ms:
        return f"latency {latency:,.0f} ms is over the threshold of {latency_threshold_ms:,} ms"
    return None


def hints_for(case: Case, latency_threshold_ms: int) -> list[str]:
    """The hints for a case, in plain words."""
    hints: list[str] = []
    fmt = case.meta.get("output_format")
    if isinstance(fmt, str) and fmt.lower() == "json" and not output_is_json(case.output):
        hints.append("output is not valid JSON (meta says it must be)")
    latency = latency_hint(case.meta, latency_threshold_ms)
    if latency is not None:
        hints.append(latency)
    return hints
