"""UTC timestamps as stored: ISO-8601 with milliseconds and a trailing Z."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """The current time, e.g. ``2026-11-26T11:46:34.123Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
