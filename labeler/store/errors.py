"""Errors raised when a store cannot be opened or written, worded for the person reading them."""

from __future__ import annotations


class StoreError(Exception):
    """A store problem with a message meant for the user (no traceback needed)."""


class StoreMissing(StoreError):
    """No store at the path given."""


class NotAStore(StoreError):
    """The file exists but is not a labeler store (empty, another format, another SQLite db)."""


class StoreTooNew(StoreError):
    """The store was written by a newer labeler; it is left untouched."""


class StoreDamaged(StoreError):
    """SQLite could not read the file."""


class StorePermission(StoreError):
    """The user cannot read or write the store file, its WAL files or its folder."""


class StoreBusy(StoreError):
    """Another process held the write lock for longer than the busy timeout."""


class StoreFull(StoreError):
    """The disk (or the store's size limit) is full."""


class VersionConflict(StoreError):
    """A compare-and-swap write found that someone else changed the row first."""


class StoreIOError(StoreError):
    """SQLite could not read or write the store's files (disk, share or -wal trouble)."""


class StoreWalLost(StoreError):
    """The store's -wal file (or the store itself) vanished while a connection was open."""
