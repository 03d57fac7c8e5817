"""The terminal UI: thin screens over the core in ``labeler``."""
