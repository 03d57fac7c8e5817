"""Automatic hints about a case (invalid JSON output, slow answer), shown only after labeling.

Hints are never labels and never counted; they are shown after the decision so they cannot
anchor it.
"""

from __future__ import annotations

import json
from typing import Any

from labeler.cases import Case
from labeler.store.connection import Store

LATENCY_SETTING = "latency_threshold_ms"
DEFAULT_LATENCY_THRESHOLD_MS = 5000


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


def _latency(meta: dict[str, Any]) -> float | None:
    value = meta.get("latency_ms")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def hints_for(case: Case, latency_threshold_ms: int) -> list[str]:
    """The hints for a case, in plain words."""
    hints: list[str] = []
    fmt = case.meta.get("output_format")
    if isinstance(fmt, str) and fmt.lower() == "json" and not output_is_json(case.output):
        hints.append("output is not valid JSON (meta says it must be)")
    latency = _latency(case.meta)
    if latency is not None and latency > latency_threshold_ms:
        hints.append(
            f"latency {latency:,.0f} ms is over the threshold of {latency_threshold_ms:,} ms"
        )
    return hints
