"""Text: making untrusted text safe to show, CSV cells safe to open, TOML input read safely."""
