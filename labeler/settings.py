"""Store-wide settings (``settings`` table), each change logged as an event."""

from __future__ import annotations

from labeler.identity import Actor
from labeler.review.blind_meta import HIDDEN_META_SETTING, normalize_hidden_meta
from labeler.review.hints import DEFAULT_LATENCY_THRESHOLD_MS, LATENCY_SETTING
from labeler.store.connection import Store
from labeler.store.events import record_event

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
    stored = {str(r[0]): str(r[1]) for r in store.query("SELECT key, value FROM settings")}
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
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        record_event(
            conn, actor, "settings.set", before={key: row[0] if row else None}, after={key: value}
        )
