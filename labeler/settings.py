"""Store-wide settings (``settings`` table), each change logged as an event."""

from __future__ import annotations

from labeler.blind_meta import HIDDEN_META_SETTING, normalize_hidden_meta
from labeler.identity import Actor
from labeler.store.connection import Store
from labeler.store.events import record_event
from labeler.store.settings import get_setting, put_setting, read_stored_settings

LATENCY_SETTING = "latency_threshold_ms"
"""The setting over which the review screen hints that a case was slow."""
DEFAULT_LATENCY_THRESHOLD_MS = 5000

KNOWN_SETTINGS: dict[str, tuple[str, str]] = {
    LATENCY_SETTING: (
        str(DEFAULT_LATENCY_THRESHOLD_MS),
        "latency (ms) over which the review screen hints 'too slow' after you labeled a case",
    ),
    HIDDEN_META_SETTING: (
        "",
        "meta fields reviewers do not see, e.g. model,prompt_version (blind to version)",
    ),
}


def read_settings(store: Store) -> dict[str, str]:
    """Every known setting with its value (stored or default), plus any others stored."""
    stored = read_stored_settings(store)
    values = {key: stored.get(key, default) for key, (default, _) in KNOWN_SETTINGS.items()}
    return {**values, **stored}


def set_setting(store: Store, actor: Actor, key: str, value: str) -> None:
    """Set a known setting; raise ValueError for an unknown key or a bad value."""
    if key not in KNOWN_SETTINGS:
        raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(KNOWN_SETTINGS))}")
    if key == LATENCY_SETTING and (not value.isdigit() or int(value) <= 0):
        raise ValueError(f"{key} must be a positive whole number of milliseconds")
    if key == HIDDEN_META_SETTING:
        value = normalize_hidden_meta(value)
    with store.write() as conn:
        old = get_setting(conn, key)
        put_setting(conn, key, value)
        record_event(conn, actor, "settings.set", before={key: old}, after={key: value})
