"""Ending a screen on a store error: a worded message and a non-zero exit, never a traceback.

Textual turns any unhandled exception into a traceback and exit status 1; a store that is
damaged, vanished or unreadable is not a bug in labeler, so the app ends with the store's own
message instead, which the CLI prints after the terminal is restored.
"""

from __future__ import annotations

import sqlite3

from textual.app import App

from labeler.store.errors import StoreError

STORE_FAILURE_EXIT = 1


class EndsOnStoreError(App[None]):
    """An app that ends cleanly, with ``store_failure`` set, when the store fails under it."""

    store_failure: str | None = None
    """What went wrong with the store, when the app ended because of it."""

    def _handle_exception(self, error: Exception) -> None:
        # Textual's hook for unhandled exceptions (it prints a traceback); store errors are
        # the user's situation, not a bug, so they end the app with a message instead.
        if isinstance(error, StoreError | sqlite3.Error):
            if self.store_failure is None:
                self.store_failure = f"the screen closed on a store error: {error}"
            self.exit(return_code=STORE_FAILURE_EXIT)
            return
        super()._handle_exception(error)
